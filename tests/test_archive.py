"""archive.org publishing with the real `internetarchive` client against a loopback
stand-in (tests/archive_standin.py): nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import os
import re

import pytest

from archive_standin import Archive, serve
from conftest import copy_blog, site_builder

pytestmark = pytest.mark.slow

SECRET = "s3cr3t-do-not-leak-7f9c"


@pytest.fixture
def archive():
    stand_in = Archive("testkey", SECRET)
    server = serve(stand_in)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def archive_blog(pipeline, tmp_path, archive):
    root = copy_blog(pipeline, tmp_path / "blog")
    config = root / "_config.yml"
    config.write_text(config.read_text().replace("publisher: local", "publisher: archive")
                      .replace('url: ""', "url: https://blog.example.org") +
                      f"\narchive:\n  identifier_prefix: site-builder-test\n  endpoint: {archive.url}\n"
                      f"  retry_seconds: 0.01\n  retries: 3\n  licenseurl: "
                      f"https://creativecommons.org/licenses/by/4.0/\n")
    return root


@pytest.fixture
def env(tmp_path):
    """Keys in the environment only; a HOME with no ia.ini."""
    home = tmp_path / "home"
    home.mkdir()
    return {**os.environ, "HOME": str(home), "IA_ACCESS_KEY_ID": "testkey",
            "IA_SECRET_ACCESS_KEY": SECRET}


def puts(archive) -> list[str]:
    return [path.rsplit("/", 1)[1] for method, path in archive.requests if method == "PUT"]


def test_publish_creates_the_item_and_the_post_embeds_it(archive_blog, archive, env):
    result = site_builder(archive_blog, "post", "--run", "lucybell", env=env)
    item = archive.items["site-builder-test-lucybell"]
    assert sorted(item["files"]) == ["item-00.mp3", "item-01.mp3"]
    meta = item["metadata"]
    assert meta["mediatype"] == "audio" and meta["collection"] == "opensource_audio"
    assert meta["title"] == "Ancestral sampling conditioned on Lucybell (Jukebox tiny)"
    assert "rock" in meta["subject"] and "Jukebox" in meta["subject"]
    assert meta["licenseurl"] == "https://creativecommons.org/licenses/by/4.0/"
    # An absolute link back to the post (with `url:` empty there is none, and a warning).
    assert 'href="https://blog.example.org/blog/ancestral-sampling-lucybell/"' in meta["description"]
    assert "url is empty" not in result.stdout + result.stderr
    record = json.loads((archive_blog / "runs/lucybell/out/publish.json").read_text())
    assert record["embed"] == "https://archive.org/embed/site-builder-test-lucybell&playlist=1"
    assert [f["md5"] for f in record["files"]] == [item["files"][f["file"]] for f in record["files"]]
    post = next((archive_blog / "posts").glob("*.md")).read_text()
    assert '<iframe src="https://archive.org/embed/site-builder-test-lucybell&playlist=1"' in post
    assert "<audio" not in post
    # The secret is nowhere: not in output, logs, run outputs, posts or the site.
    assert SECRET not in result.stdout + result.stderr
    for folder in ("runs", "posts", "_site", "assets"):
        for path in (archive_blog / folder).rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path

    again = site_builder(archive_blog, "publish", "--run", "lucybell", env=env)
    assert puts(archive) == ["item-00.mp3", "item-01.mp3"]  # a re-publish sends nothing
    assert "0 file(s) sent, 2 already there" in again.stdout


def test_slow_down_and_dropped_connections_are_retried(archive_blog, archive, env):
    archive.trouble = {"item-00.mp3": ["503", "503"], "item-01.mp3": ["drop"]}
    result = site_builder(archive_blog, "publish", "--run", "lucybell", env=env)
    assert "asked to slow down (503); retrying" in result.stdout
    assert "connection dropped; retrying" in result.stdout
    assert sorted(archive.items["site-builder-test-lucybell"]["files"]) == ["item-00.mp3", "item-01.mp3"]


def test_interrupted_upload_resumes_where_it_stopped(archive_blog, archive, env):
    archive.trouble = {"item-01.mp3": ["503"] * 10}
    failed = site_builder(archive_blog, "publish", "--run", "lucybell", env=env, check=False)
    assert failed.returncode == 2 and "run `make publish` again later to resume" in failed.stderr
    assert "Traceback" not in failed.stderr
    archive.trouble = {}
    archive.requests.clear()
    site_builder(archive_blog, "publish", "--run", "lucybell", env=env)
    assert puts(archive) == ["item-01.mp3"]


def test_an_identifier_owned_by_another_account_is_a_clear_error(archive_blog, archive, env):
    archive.owned_by_others.add("site-builder-test-lucybell")
    result = site_builder(archive_blog, "publish", "--run", "lucybell", env=env, check=False)
    assert result.returncode == 2
    assert "belongs to another account (change archive.identifier_prefix" in result.stderr
    # One line from us, not the client's own "error uploading ..." before it.
    assert "error uploading" not in result.stdout + result.stderr


def test_wrong_or_missing_keys_are_clear_errors(archive_blog, archive, env):
    wrong = site_builder(archive_blog, "publish", "--run", "lucybell", check=False,
                         env={**env, "IA_SECRET_ACCESS_KEY": "not-it"})
    assert wrong.returncode == 2 and "keys are wrong (`ia configure`" in wrong.stderr
    assert "site-builder-test-lucybell" not in archive.items
    archive.requests.clear()
    del env["IA_ACCESS_KEY_ID"], env["IA_SECRET_ACCESS_KEY"]
    missing = site_builder(archive_blog, "publish", "--run", "lucybell", env=env, check=False)
    assert missing.returncode == 2 and "no archive.org keys: run `ia configure`" in missing.stderr
    assert archive.requests == []


def test_changed_metadata_goes_through_the_metadata_api(archive_blog, archive, env):
    site_builder(archive_blog, "publish", "--run", "lucybell", env=env)
    config = archive_blog / "_config.yml"
    config.write_text(config.read_text().replace("author: site-builder", "author: gabriel"))
    result = site_builder(archive_blog, "publish", "--run", "lucybell", env=env)
    assert "updated metadata: creator" in result.stdout
    assert archive.items["site-builder-test-lucybell"]["metadata"]["creator"] == "gabriel"
    assert ("POST", "/archive.org/metadata/site-builder-test-lucybell") in archive.requests


def test_dry_run_and_a_missing_prefix_send_nothing(archive_blog, archive, env):
    dry = site_builder(archive_blog, "publish", "--run", "lucybell", "--dry-run", env=env)
    assert "would publish item site-builder-test-lucybell with 2 file(s)" in dry.stdout
    config = archive_blog / "_config.yml"
    config.write_text(config.read_text().replace("identifier_prefix: site-builder-test", "retries: 3"))
    missing = site_builder(archive_blog, "publish", "--run", "lucybell", env=env, check=False)
    assert missing.returncode == 2 and "identifier_prefix is not set" in missing.stderr
    assert archive.requests == []


def test_collection_page_lists_published_runs_with_their_players(archive_blog, archive, env):
    site_builder(archive_blog, "post", "--run", "lucybell", env=env)
    site_builder(archive_blog, "collection")
    page = (archive_blog / "collection.md").read_text()
    assert '<iframe src="https://archive.org/embed/site-builder-test-lucybell&playlist=1"' in page
    built = (archive_blog / "_site/collection/index.html").read_text()
    assert "https://archive.org/embed/site-builder-test-lucybell&amp;playlist=1" in built or \
        "https://archive.org/embed/site-builder-test-lucybell&playlist=1" in built
    assert 'href="/blog/ancestral-sampling-lucybell/"' in built


@pytest.mark.parametrize("permalink", ["date", "/:year/:title/"])
def test_links_to_the_post_follow_the_blogs_permalink(archive_blog, archive, env, permalink):
    """collection.md and archive.org's description link to the page the build made,
    whatever `permalink` says: a new post (written after the item is published) too."""
    config = archive_blog / "_config.yml"
    config.write_text(re.sub(r"(?m)^permalink:.*$", f"permalink: {permalink}", config.read_text()))
    for post in (archive_blog / "posts").glob("*.md"):
        post.unlink()  # the item is published before its post exists: its URL is foreseen
    site_builder(archive_blog, "post", "--run", "lucybell", env=env)
    site_builder(archive_blog, "collection")
    site_builder(archive_blog, "site")
    description = archive.items["site-builder-test-lucybell"]["metadata"]["description"]
    (link,) = re.findall(r'href="https://blog\.example\.org/blog(/[^"]*)"', description)
    built = (archive_blog / "_site/collection/index.html").read_text()
    (from_collection,) = re.findall(r'\[?href="/blog(/[^"]*)">The post', built)
    assert link == from_collection and link != "/ancestral-sampling-lucybell/"
    page = archive_blog / "_site" / link.lstrip("/")
    page = page / "index.html" if link.endswith("/") else page
    assert page.is_file() and "Lucybell" in page.read_text()
