"""Hostile and careless input (issue 15): nothing written outside the blog, no script
in pages from outside strings, one lock per run, one line and exit 2 for every mistake."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_blog, need_tool, site_builder, start_chromium

# -- Markdown in time linear in the post's size ----------------------------------------

# Shapes that each made a post's Markdown quadratic: many paragraphs (the source split
# into lines once per paragraph), attribute lists after lazy lines in one long list
# (each searched back to its start), HTML elements never closed (each scanned to the
# end; the first holds the rest of the text, as in kramdown).
LONG_POST = textwrap.dedent("""\
    import sys, time
    sys.path.insert(0, {repo!r})
    from site_builder.site import kramdown
    text = ("A paragraph with *emphasis* and a [link](https://example.org).\\n\\n" * 20000
            + "- item\\n  - nested\\n{{: .x}}\\n\\n" * 8000
            + "<div>\\nnever closed\\n\\n" * 8000)
    html = kramdown.renderer().render(text)
    print(html.count("<p>"), html.count("<div>"), html.count('<ul class="x'))
    """)


def test_long_post_renders_in_linear_time():
    # A guard, not a timing: the shapes above took minutes before; they take a second
    # or two now (bench/markdown.py measures the ratios).
    result = subprocess.run([sys.executable, "-c", LONG_POST.format(repo=str(REPO))],
                            capture_output=True, text=True, timeout=90, check=True)
    paragraphs, divs, lists = map(int, result.stdout.split())
    # The list items' text goes without <p>, as in kramdown (no blank line after it).
    assert paragraphs >= 20000 and divs == 8000 and lists == 1


# -- nothing written outside the blog ----------------------------------------------------

def post(blog: Path, name: str, front: str, body: str = "Hello.\n") -> Path:
    path = blog / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: A post\n{front}---\n{body}", encoding="utf-8")
    return path


def one_line_error(result: subprocess.CompletedProcess, *expected: str) -> str:
    """The CLI's answer to a mistake: exit 2 and one line on stderr holding `expected`."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_a_tag_leaving_the_site_is_refused_with_its_line(blog: Path) -> None:
    site_builder(blog, "site")
    index = (blog / "_site" / "index.html").read_bytes()
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\ntags: ['../../../victim']\n")
    one_line_error(site_builder(blog, "site", check=False), "posts/2021-01-01-a.md:4:",
                   "'../../../victim'", "outside the site folder")
    assert not list(blog.parent.rglob("victim"))
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\ntags: [ok, '..']\n")
    one_line_error(site_builder(blog, "site", check=False), "posts/2021-01-01-a.md:4:", "'..'")
    assert (blog / "_site" / "index.html").read_bytes() == index  # not a tag page


@pytest.mark.parametrize("front, line, shown", [
    ("permalink: /../../outside/\n", 3, "'/../../outside/'"),
    ("categories: ['..']\npermalink: date\n", 3, "'/../2021"),
    ("slug: ..\npermalink: /:title/\n", 3, "'/../'"),
])
def test_permalinks_categories_and_slugs_leaving_the_site_are_refused(
        blog: Path, front: str, line: int, shown: str) -> None:
    post(blog, "2021-01-01-a.md", front)
    one_line_error(site_builder(blog, "site", check=False),
                   f"posts/2021-01-01-a.md:{line}:", shown, "outside the site folder")
    assert not (blog / "_site").exists() and not (blog.parent / "outside").exists()


def test_the_writer_refuses_a_folder_of_the_site_linked_outside(blog: Path, tmp_path: Path) -> None:
    # Whatever made the path: a symbolic link in _site/ must not carry a write out.
    victim = tmp_path / "victim"
    victim.mkdir()
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\ntags: [x]\n")
    (blog / "_site").mkdir()
    (blog / "_site" / "tag").symlink_to(victim)
    one_line_error(site_builder(blog, "site", check=False), "refused to write", "tag/x/index.html")
    assert not any(victim.iterdir())


def test_includes_stay_inside_the_blog(blog: Path) -> None:
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n", "{% include ../../../../../etc/passwd %}\n")
    one_line_error(site_builder(blog, "site", check=False), "posts/2021-01-01-a.md:", "include")
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n", "{% include_relative ../_config.yml %}\n")
    one_line_error(site_builder(blog, "site", check=False), "posts/2021-01-01-a.md:")
    assert not (blog / "_site").exists()


# -- symbolic links leaving the blog -----------------------------------------------------

def test_symlinks_leaving_the_blog_are_not_followed_unless_safe_is_false(
        blog: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret\n")
    outside_post = tmp_path / "2021-01-02-outside.md"
    outside_post.write_text("---\ntitle: From outside\n---\nThe secret post.\n")
    (blog / "assets" / "passwd.txt").symlink_to(secret)
    (blog / "posts").mkdir()
    (blog / "posts" / outside_post.name).symlink_to(outside_post)
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    result = site_builder(blog, "site")
    warnings = [line for line in result.stdout.splitlines() + result.stderr.splitlines()
                if "symbolic link" in line]
    assert len(warnings) == 2 and any("assets/passwd.txt" in w for w in warnings) \
        and any("posts/2021-01-02-outside.md" in w for w in warnings), warnings
    site = blog / "_site"
    assert not (site / "assets" / "passwd.txt").exists() and not (site / "outside").exists()
    assert "the secret" not in "".join(p.read_text(errors="replace")
                                       for p in site.rglob("*") if p.is_file())
    config = blog / "_config.yml"
    config.write_text(config.read_text() + "safe: false\n")
    site_builder(blog, "site")
    assert (site / "assets" / "passwd.txt").read_text() == "the secret\n"
    assert "The secret post." in (site / "outside" / "index.html").read_text()


@pytest.mark.parametrize("theme", [True, False], ids=["overriding-the-theme", "own-layouts"])
def test_layouts_linked_out_of_the_blog_are_not_read_unless_safe_is_false(
        blog: Path, tmp_path: Path, theme: bool) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("the secret {{ content }}\n")
    (blog / "_layouts").mkdir(parents=True, exist_ok=True)
    config = blog / "_config.yml"
    assert "theme: site-builder" in config.read_text()
    if theme:   # the blog's post.html over the theme's: the theme's is used instead
        (blog / "_layouts" / "post.html").symlink_to(secret)
        front, link = "date: 2021-01-01\n", "_layouts/post.html"
    else:   # a blog with its own layouts and no theme (a Jekyll theme copied in)
        config.write_text(config.read_text().replace("theme: site-builder", ""))
        (blog / "_layouts" / "default.html").write_text("<html>{{ content }}</html>\n")
        (blog / "_layouts" / "secret.html").symlink_to(secret)
        front, link = "date: 2021-01-01\nlayout: secret\n", "_layouts/secret.html"
    post(blog, "2021-01-01-a.md", front)
    result = site_builder(blog, "site", check=False)
    warnings = [line for line in result.stdout.splitlines() + result.stderr.splitlines()
                if "symbolic link" in line]
    assert len(warnings) == 1 and link in warnings[0], result.stdout + result.stderr
    site = blog / "_site"
    assert "the secret" not in "".join(p.read_text(errors="replace")
                                       for p in site.rglob("*") if p.is_file())
    config.write_text(config.read_text() + "safe: false\n")
    site_builder(blog, "site")
    assert "the secret" in (site / "a" / "index.html").read_text()


def test_a_symlink_loop_among_posts_is_one_line(blog: Path) -> None:
    (blog / "posts").mkdir()
    (blog / "posts" / "2021-01-01-a.md").symlink_to("2021-01-02-b.md")
    (blog / "posts" / "2021-01-02-b.md").symlink_to("2021-01-01-a.md")
    one_line_error(site_builder(blog, "site", check=False), "posts/2021-01-0", "loop")


# -- strings from outside the author's Markdown are escaped ------------------------------

# Survives Jukebox's display name (title case): <Img Src=X Onerror=X=1> still sets X.
EVIL_ARTIST = "<img src=x onerror=x=1>"
EVIL_JOB = """
[job]
nodes = 1
cores_per_node = 2
cpu_utilized = "00:00:05"
wall_clock = "00:00:05"
memory_utilized = "1.00 GB"
host = "`<b>node`{{ site.title }}"
gpu = "V100 {% raw %}<img src=y onerror=y=1>"
"""


def test_an_imported_runs_strings_run_no_script_in_chromium(blog: Path, tmp_path: Path) -> None:
    from conftest import tone
    need_tool("ffmpeg")
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    tone(folder / "item_0.wav", 440, seconds=1.0)
    run = blog / "runs" / "evil"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text(
        f'artist = "{EVIL_ARTIST}"\nmodel = "5b"\ngenres = ["Rock <script>x=2</script> *Pop*"]\n'
        f'sample_length_in_seconds = 1\nimport_from = "{folder}"\n' + EVIL_JOB)
    site_builder(blog, "post", "--run", "evil")
    (page,) = (blog / "_site").glob("*evil*/index.html") or (blog / "_site").glob("*/index.html")
    feed = (blog / "_site" / "feed.xml").read_text()
    titles = re.findall(r'<title type="html">(.*?)</title>', feed)
    assert titles and not any("&lt;" in t or "<" in t for t in titles[1:]), titles
    driver = start_chromium(tmp_path / "profile")
    try:
        driver.get(page.as_uri())
        body = driver.find_element("tag name", "body").text
        ran = driver.execute_script("return [window.x, window.y, window.X]")
    finally:
        driver.quit()
    assert ran == [None, None, None], ran
    # Shown as written, not taken as markup, Liquid or Markdown.
    assert "<Img Src=X Onerror=X=1>" in body and "`<b>node`{{ site.title }}" in body
    assert "Rock <script>x=2</script> *Pop*" in body and "<img src=y onerror=y=1>" in body


# -- one command at a time per run; a killed site-builder loses no job figures ----------

@pytest.fixture
def unsampled(pipeline, tmp_path: Path) -> Path:
    """A copy of the session's blog whose run has no samples, codes or job yet."""
    root = copy_blog(pipeline, tmp_path / "blog")
    out = root / "runs" / "lucybell" / "out"
    for folder in ("wav", "codes", "mp3"):
        shutil.rmtree(out / folder, ignore_errors=True)
    (out / "job.json").unlink()
    return root


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "site_builder", "--root", str(root), *args],
                            cwd=root, start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def lock_info(root: Path, key: str, timeout: float = 60) -> dict:
    """The run's lock file once it names `key` (the sampler: sampling has started)."""
    path = root / "runs" / "lucybell" / "out" / "lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            info = json.loads(path.read_text() or "{}")
        except (OSError, ValueError):
            info = {}
        if key in info:
            return info
        time.sleep(0.05)
    raise AssertionError(f"no {key} in {path} after {timeout} s")


def test_a_second_command_on_a_run_in_use_is_refused_and_the_post_reports_one_job(unsampled):
    first = start(unsampled, "sample", "--artist", "lucybell", "--n", "1")
    info = lock_info(unsampled, "sampler")
    second = site_builder(unsampled, "post", "--artist", "lucybell", "--n", "1", check=False)
    assert first.wait(timeout=300) == 0, first.stdout.read()
    one_line_error(second, f"run 'lucybell' is in use by pid {info['pid']}",
                   "site-builder --root", "sample --artist lucybell")
    job = json.loads((unsampled / "runs/lucybell/out/job.json").read_text())
    assert len(job["jobs"]) == 1 and job["items"] == [0]
    assert not (unsampled / "runs/lucybell/out/lock").exists()  # released at the end


def test_a_lock_left_by_a_dead_process_is_taken_over(unsampled):
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = unsampled / "runs/lucybell/out/lock"
    lock.write_text(json.dumps({"pid": dead.pid, "command": "site-builder post --artist lucybell"}))
    result = site_builder(unsampled, "sample", "--artist", "lucybell", "--n", "1")
    assert f"taking over the lock of pid {dead.pid}" in result.stdout


def test_a_killed_site_builder_loses_no_job_figures(unsampled):
    parent = start(unsampled, "post", "--artist", "lucybell", "--n", "1")
    info = lock_info(unsampled, "sampler")
    os.kill(parent.pid, signal.SIGKILL)   # the parent only: its sampler carries on
    parent.wait()
    refused = site_builder(unsampled, "sample", "--artist", "lucybell", "--n", "1", check=False)
    if not (unsampled / "runs/lucybell/out/job.json").exists():   # not finished yet
        one_line_error(refused, "is in use by", f"sampler (pid {info['sampler']}) is still running")
    job_path = unsampled / "runs/lucybell/out/job.json"
    deadline = time.monotonic() + 300
    while not job_path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    job = json.loads(job_path.read_text())
    assert job["state"] == "COMPLETED" and job["items"] == [0] and job["cpu_utilized_seconds"] > 0
    result = site_builder(unsampled, "post", "--artist", "lucybell", "--n", "1")
    text = (unsampled / "posts").glob("*lucybell*.md").__next__().read_text()
    assert "It took" in text and "No job figures" not in text and "no job figures" not in result.stdout


def test_a_killed_sampler_is_recorded_and_said_so(unsampled):
    parent = start(unsampled, "sample", "--artist", "lucybell", "--n", "1")
    recorder = lock_info(unsampled, "sampler")["sampler"]
    children = Path(f"/proc/{recorder}/task/{recorder}/children")
    deadline = time.monotonic() + 30
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)   # some CPU time spent
    os.kill(int(children.read_text().split()[0]), signal.SIGKILL)
    output = parent.communicate(timeout=120)[0]
    assert parent.returncode == 2
    error = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "killed by SIGKILL" in error[0] and "is above" not in error[0]
    job = json.loads((unsampled / "runs/lucybell/out/job.json").read_text())
    assert job["jobs"][-1]["exit_code"] == -9 and job["jobs"][-1]["cpu_utilized_seconds"] > 0


def test_a_post_whose_job_figures_are_missing_says_so(pipeline, tmp_path: Path):
    root = copy_blog(pipeline, tmp_path / "blog")
    (root / "runs/lucybell/out/job.json").unlink()   # lost with a killed process group
    result = site_builder(root, "post", "--artist", "lucybell")
    assert "warning: run lucybell: no job figures for item(s) 0, 1" in result.stdout
    text = pipeline.post().name
    post_text = (root / "posts" / text).read_text()
    assert "No job figures for item(s) 0, 1" in post_text and "It took" not in post_text


# -- one line and exit 2 for every mistake, and nothing lost -----------------------------

def test_a_liquid_error_in_notes_is_shown_in_notes_and_the_post_is_kept(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    notes = root / "runs/lucybell/notes.md"
    notes.write_text(notes.read_text().replace("## item 1\n", "## item 1\n\nHiss {% nosuchtag %} here.\n"))
    line = notes.read_text().splitlines().index("Hiss {% nosuchtag %} here.") + 1
    post = root / "posts" / pipeline.post().name
    before = post.read_bytes()
    one_line_error(site_builder(root, "post", "--artist", "lucybell", check=False),
                   f"runs/lucybell/notes.md:{line}: Liquid", "was not written")
    assert post.read_bytes() == before


def test_a_binary_experiment_toml_a_name_without_latin_letters_and_a_bad_model(blog: Path):
    (blog / "runs/x").mkdir(parents=True)
    (blog / "runs/x/experiment.toml").write_bytes(bytes(range(256)))
    one_line_error(site_builder(blog, "sample", "--run", "x", check=False),
                   "runs/x/experiment.toml", "not a text file")
    one_line_error(site_builder(blog, "sample", "--artist", "李", check=False),
                   "ARTIST='李'", "RUN=")
    one_line_error(site_builder(blog, "sample", "--artist", "lucybell", "--model", "nope",
                                check=False), "model", "'nope'")


@pytest.fixture
def mounts():
    """mount(...) for the test, each undone after it; skipped where mounting is not allowed."""
    done: list[Path] = []

    def mount(target: Path, *options: str) -> None:
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting needs root (CI runs as root)")
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
        if result.returncode:
            pytest.skip(f"this machine cannot mount: {result.stderr.strip()}")
        done.append(target)

    yield mount
    for target in reversed(done):
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_read_only_site_folder_is_one_line_and_keeps_the_site(blog: Path, mounts):
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    site_builder(blog, "site")
    site = blog / "_site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    mounts(site, "--bind", str(site))
    mounts(site, "-o", "remount,ro,bind")
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n", "Changed.\n")
    one_line_error(site_builder(blog, "site", check=False), "_site", "read-only")
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_a_full_disk_during_the_site_build_is_one_line_and_loses_nothing(blog: Path, mounts):
    site = blog / "_site"
    mounts(site, "-t", "tmpfs", "-o", "size=256k", "tmpfs")
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    site_builder(blog, "site")
    index = (site / "index.html").read_bytes()
    post(blog, "2021-01-02-b.md", "date: 2021-01-02\n", "Words " * 100_000 + "\n")
    one_line_error(site_builder(blog, "site", check=False), "_site", "the disk is full",
                   "MiB free")
    assert (site / "index.html").read_bytes() == index and not list(site.rglob("*.part"))


def test_a_full_disk_during_sampling_names_it_and_keeps_the_run(unsampled: Path, mounts):
    wav = unsampled / "runs/lucybell/out/wav"
    mounts(wav, "-t", "tmpfs", "-o", "size=16k", "tmpfs")
    result = site_builder(unsampled, "sample", "--artist", "lucybell", "--n", "1", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "out/wav/: cannot write" in result.stderr and "the disk is full" in result.stderr
    # One line: the sampler's, naming the folder; site-builder adds no second one.
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not list((unsampled / "runs/lucybell/out").rglob("*.part"))


def test_a_site_file_edited_with_its_size_and_mtime_kept_is_repaired(blog: Path):
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n", "The right words.\n")
    site_builder(blog, "site")
    page = blog / "_site" / "a" / "index.html"
    good = page.read_bytes()
    st = page.stat()
    page.write_bytes(good.replace(b"right", b"wrong"))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    site_builder(blog, "site")
    assert page.read_bytes() == good


# -- `site-builder build` / `serve` pointed at the wrong place ---------------------------

@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_mistyped_source_is_one_line_and_makes_no_folder(tmp_path: Path, command: str) -> None:
    # serve used to build a site into the mistyped folder and serve it; given a file,
    # it served a "this is a bug" page.
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    extra = ["--port", "0"] if command == "serve" else []
    for given, said in (("blgo", "no such folder"), ("notes.txt", "a file, not a folder")):
        result = site_builder(tmp_path, command, "-s", given, *extra, check=False, timeout=60)
        one_line_error(result, f"-s {given}: {said}", "_config.yml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert notes.read_text() == "mine\n"


def test_a_destination_under_a_file_is_one_line_and_keeps_the_file(blog: Path) -> None:
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    notes = blog.parent / "notes.txt"
    notes.write_text("mine\n")
    one_line_error(site_builder(blog, "build", "-d", str(notes / "site"), check=False),
                   f"{notes} is a file", "choose another folder")
    assert notes.read_text() == "mine\n"


def test_serve_on_an_address_not_of_this_machine_says_so(blog: Path) -> None:
    result = site_builder(blog, "serve", "--host", "no-such-host.invalid", "--port", "0",
                          check=False, timeout=60)
    one_line_error(result, "cannot listen on no-such-host.invalid:0",
                   "choose an address of this machine")


@pytest.mark.parametrize("name, data, said", [
    ("x.yml", b"a: 1\nb: \x00\n", "_data/x.yml:2: cannot be read"),
    ("x.yml", b"a: \xff\xfe\n", "_data/x.yml: not UTF-8 text"),
    ("x.json", b"\n- 1\n", "_data/x.json:2: cannot be read"),
])
def test_a_broken_data_file_is_one_line_with_its_line(blog: Path, name: str, data: bytes,
                                                      said: str) -> None:
    # A NUL in a data file gave PyYAML's message over two lines.
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    site_builder(blog, "site")
    index = (blog / "_site" / "index.html").read_bytes()
    (blog / "_data").mkdir()
    (blog / "_data" / name).write_bytes(data)
    one_line_error(site_builder(blog, "site", check=False), said)
    assert (blog / "_site" / "index.html").read_bytes() == index


# -- no secrets in messages ----------------------------------------------------------------

@pytest.mark.parametrize("ini", [
    "[s3]\naccess = KEYID\nsecret s3cr3t-do-not-leak\n",   # a line without '='
    "secret = s3cr3t-do-not-leak\n",                      # no [s3] header
])
def test_a_broken_ia_ini_is_named_without_its_secret(tmp_path: Path, monkeypatch, ini: str) -> None:
    # configparser's message quotes the bad line: it reached the error line as is.
    from site_builder.errors import PublishError
    from site_builder.publish.archive import session
    path = tmp_path / "ia.ini"
    path.write_text(ini)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("IA_CONFIG_FILE", str(path))
    for name in ("IA_ACCESS_KEY_ID", "IA_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(PublishError) as caught:
        session({"endpoint": ""})
    message = str(caught.value)
    assert "s3cr3t" not in message and "\n" not in message
    assert str(path) in message and "ia configure" in message


def test_serve_on_a_port_in_use_says_so_before_building(blog: Path) -> None:
    # It built the whole blog first (minutes on a big one), then said the port was taken.
    import socket
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = site_builder(blog, "serve", "--port", port, check=False, timeout=60)
    one_line_error(result, f"cannot listen on 127.0.0.1:{port}", "choose another port")
    assert not (blog / "_site").exists() and "post ->" not in result.stdout


def test_a_destination_holding_files_no_build_wrote_is_refused_not_emptied(
        blog: Path, tmp_path: Path) -> None:
    # `-d ~/thesis` removed every file in it ("2 removed"); `-d docs` the blog's own pages.
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    thesis = tmp_path / "thesis"
    (thesis / "chapters").mkdir(parents=True)
    (thesis / "chapters" / "one.tex").write_text("precious\n")
    one_line_error(site_builder(blog, "build", "-d", str(thesis), check=False),
                   f"output folder {thesis} holds files this blog does not make",
                   "chapters/one.tex", "choose a new or empty folder")
    assert (thesis / "chapters" / "one.tex").read_text() == "precious\n"
    assert sorted(p.name for p in thesis.rglob("*")) == ["chapters", "one.tex"]
    # A folder built into before is the build's: what it no longer makes goes.
    site = tmp_path / "site"
    site_builder(blog, "build", "-d", str(site))
    (site / "stray.html").write_text("old\n")
    site_builder(blog, "build", "-d", str(site))
    assert not (site / "stray.html").exists() and (site / "index.html").exists()
    # A _site/ is Jekyll's, rebuilt as Jekyll rebuilds it: here beside the _config.yml
    # that says `source: src`, holding what an earlier build of the whole folder made.
    moved = tmp_path / "moved"
    write_post = moved / "src" / "_posts" / "2021-01-01-a.md"
    write_post.parent.mkdir(parents=True)
    write_post.write_text("---\ntitle: A post\n---\nHello.\n")
    (moved / "_config.yml").write_text("source: src\n")
    (moved / "_site" / "src").mkdir(parents=True)
    (moved / "_site" / "src" / "old.html").write_text("old\n")
    site_builder(moved, "build")
    assert not (moved / "_site" / "src").exists() and (moved / "_site" / "index.html").exists()


def test_a_named_pipe_in_the_blog_is_skipped_not_waited_on(blog: Path) -> None:
    # The build opened it to look for front matter and waited for ever.
    post(blog, "2021-01-01-a.md", "date: 2021-01-01\n")
    os.mkfifo(blog / "pipe.md")
    os.mkfifo(blog / "posts" / "2021-01-02-pipe.md")
    result = site_builder(blog, "build", "--verbose", timeout=60)
    said = result.stdout + result.stderr
    assert "skipped pipe.md: not a regular file" in said
    assert "skipped posts/2021-01-02-pipe.md: not a regular file" in said
    assert (blog / "_site" / "index.html").exists()


@pytest.mark.parametrize("line, said", [
    ("defaults: [{scope: 5, values: {layout: post}}]", "defaults: expected a list of"),
    ("defaults: [{scope: {path: ''}, values: 5}]", "(set 1: values is not a mapping)"),
    ("collections: {recipes: 5}", "collections: expected each collection's options"),
])
def test_a_jekyll_config_with_a_set_or_collection_of_the_wrong_shape_is_one_line(
        tmp_path: Path, line: str, said: str) -> None:
    # Each was a traceback (AttributeError, TypeError) from deep inside the build.
    blog = tmp_path / "jekyll"
    (blog / "_posts").mkdir(parents=True)
    (blog / "_posts" / "2021-01-01-a.md").write_text("---\ntitle: A post\n---\nHello.\n")
    (blog / "_config.yml").write_text(f"title: Mine\n{line}\n")
    one_line_error(site_builder(tmp_path, "build", "-s", str(blog), check=False),
                   "_config.yml:2:", said)
    assert not (blog / "_site").exists()


@pytest.mark.parametrize("date", ["2020-02-32", "2020-13-45 10:00"])
def test_an_impossible_date_in_front_matter_is_one_line(blog: Path, date: str) -> None:
    # PyYAML's ValueError ("day is out of range for month") was a traceback; Psych
    # reads such a date as text, which Jekyll then refuses as a date (2020-02-30 it
    # reads: Time.parse makes it March 1st; test_blog.py)
    post(blog, "2021-01-01-a.md", f"date: {date}\n")
    one_line_error(site_builder(blog, "site", check=False),
                   "posts/2021-01-01-a.md:3: date: cannot read", date)
    assert not (blog / "_site").exists()
