"""`make models`: download checkpoints from a mirror (a loopback server here), resume
a cut download, never take a partial file for a checkpoint."""

from __future__ import annotations

import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.sampling import checkpoints


class Mirror(BaseHTTPRequestHandler):
    """Serves files from `folder` with byte ranges; can cut a response short once."""
    folder: Path
    cut: dict[str, int] = {}
    requests: list[tuple[str, str | None]] = []

    def do_GET(self):
        path = self.folder / self.path.lstrip("/")
        self.requests.append((self.path, self.headers.get("Range")))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        found = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
        if found:
            start = int(found[1])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        limit = self.cut.pop(self.path, None)
        self.wfile.write(data[start:limit] if limit else data[start:])
        if limit:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path):
    folder = tmp_path / "mirror"
    for rel in checkpoints.needed("5b").values():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(os.urandom(300_000))
    handler = type("Handler", (Mirror,), {"folder": folder, "cut": {}, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, handler, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def blog_with_mirror(blog, mirror, tmp_path):
    folder, handler, url = mirror
    config = blog / "_config.yml"
    config.write_text(config.read_text() + f"models_dir: {tmp_path / 'models'}\ncheckpoint_url: {url}\n")
    return blog, folder, handler, tmp_path / "models"


def test_models_downloads_every_file(blog_with_mirror, capsys):
    blog, folder, _, models = blog_with_mirror
    assert main(["--root", str(blog), "models", "--model", "5b"]) == 0
    for rel in checkpoints.needed("5b").values():
        assert (models / rel).read_bytes() == (folder / rel).read_bytes()
    assert checkpoints.missing("5b", models) == []
    assert main(["--root", str(blog), "models", "--model", "5b"]) == 0
    assert "all 4 checkpoint files present" in capsys.readouterr().out


def test_cut_download_is_not_a_checkpoint_and_resumes(blog_with_mirror, capsys):
    blog, folder, handler, models = blog_with_mirror
    handler.cut["/5b/prior_level_0.pth.tar"] = 100_000
    assert main(["--root", str(blog), "models", "--model", "5b"]) == 2
    err = capsys.readouterr().err
    assert "5b/prior_level_0.pth.tar" in err and "run `make models` again to resume" in err
    assert not (models / "5b/prior_level_0.pth.tar").exists()
    assert (models / "5b/prior_level_0.pth.tar.part").stat().st_size == 100_000

    # Sampling refuses before anything starts, naming the file and `make models`.
    assert main(["--root", str(blog), "sample", "--artist", "lucybell", "--model", "5b",
                 "--length", "20"]) == 2
    err = capsys.readouterr().err
    assert "prior_level_0.pth.tar is missing (about 2.2 GB)" in err and "make models MODEL=5b" in err
    assert not (blog / "runs").exists()

    assert main(["--root", str(blog), "models", "--model", "5b"]) == 0
    assert ("/5b/prior_level_0.pth.tar", "bytes=100000-") in handler.requests
    rel = "5b/prior_level_0.pth.tar"
    assert (models / rel).read_bytes() == (folder / rel).read_bytes()


def test_a_checkpoint_of_the_wrong_size_counts_as_missing(blog_with_mirror, capsys):
    blog, _, _, models = blog_with_mirror
    assert main(["--root", str(blog), "models", "--model", "5b"]) == 0
    victim = models / "5b/vqvae.pth.tar"
    victim.write_bytes(victim.read_bytes()[:1000])
    assert [name for name, _ in checkpoints.missing("5b", models)] == ["vqvae"]


def closed_port() -> str:
    """A loopback address nothing listens on: a mirror that cannot be reached."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_mirrors_are_tried_in_order(blog, mirror, tmp_path, capsys):
    folder, handler, url = mirror
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    other = type("Empty", (Mirror,), {"folder": empty, "cut": {}, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), other)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        without = f"http://127.0.0.1:{server.server_address[1]}/models/"
        config = blog / "_config.yml"
        config.write_text(config.read_text() + f"models_dir: {tmp_path / 'models'}\n"
                          f"checkpoint_url: [{closed_port()}, {without}, {url}]\n")
        assert main(["--root", str(blog), "models", "--model", "5b"]) == 0
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out
    assert "HTTP 404; trying the next mirror" in out and "Connection refused" in out
    assert [path for path, _ in other.requests] == [f"/models/{rel}" for rel in checkpoints.needed("5b").values()]
    for rel in checkpoints.needed("5b").values():
        assert (tmp_path / "models" / rel).read_bytes() == (folder / rel).read_bytes()


def test_every_mirror_failing_is_one_line_and_exit_2(blog, tmp_path, capsys):
    config = blog / "_config.yml"
    first, second = closed_port(), closed_port()
    config.write_text(config.read_text() + f"models_dir: {tmp_path / 'models'}\n"
                      f"checkpoint_url: [{first}, {second}]\n")
    assert main(["--root", str(blog), "models", "--model", "1b_lyrics"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "download of 5b/vqvae.pth.tar failed from every mirror in checkpoint_url" in err
    assert first in err and second in err and "make models MODEL=1b_lyrics FROM=" in err
    assert not list((tmp_path / "models").rglob("*.pth.tar"))


def test_a_password_in_a_mirrors_url_is_never_printed(blog, tmp_path, capsys):
    # `https://me:token@host/` was said as is in "trying the next mirror" and the error.
    config = blog / "_config.yml"
    secret = closed_port().replace("http://", "http://me:s3cr3t-token@")
    config.write_text(config.read_text() + f"models_dir: {tmp_path / 'models'}\n"
                      f"checkpoint_url: [{secret}, {closed_port()}]\n")
    assert main(["--root", str(blog), "models", "--model", "5b"]) == 2
    out, err = capsys.readouterr()
    assert "s3cr3t" not in out + err and "me:" not in out + err
    assert "http://***@127.0.0.1:" in out and "failed from every mirror" in err


def test_checkpoint_url_must_be_urls(blog, capsys):
    config = blog / "_config.yml"
    config.write_text(config.read_text() + "checkpoint_url: [ftp://nowhere/]\n")
    assert main(["--root", str(blog), "models", "--model", "5b"]) == 2
    err = capsys.readouterr().err
    assert "checkpoint_url" in err and "expected a URL" in err and err.count("\n") == 1


def test_tiny_needs_no_models(blog, capsys):
    assert main(["--root", str(blog), "models"]) == 2
    assert "tiny model has no checkpoints" in capsys.readouterr().err


def test_checkpoint_table_matches_jukebox_infer():
    from jukebox_infer.hparams import REMOTE_PREFIX, setup_hparams
    from site_builder.schema import CHECKPOINT_MIRRORS
    assert f"{REMOTE_PREFIX}jukebox/models/" in CHECKPOINT_MIRRORS   # same layout under each mirror
    for name, rel in checkpoints.FILES.items():
        hps = setup_hparams(name, {})
        url = hps.get("restore_vqvae") if name == "vqvae" else hps.get("restore_prior")
        assert url == f"{REMOTE_PREFIX}jukebox/models/{rel}"


def test_sizes_in_messages_are_never_zero_and_the_record_names_each_file(tmp_path):
    from site_builder.sampling import provenance
    for name in checkpoints.FILES:
        assert not checkpoints.approx_size(name).startswith("about 0.0")
    files = checkpoints.paths("5b", tmp_path)
    files["vqvae"].parent.mkdir(parents=True)
    files["vqvae"].write_bytes(b"x" * 1000)
    (tmp_path / "sha256.json").write_text('{"5b/vqvae.pth.tar": "' + "cd" * 32 + '"}')
    facts = {f["name"]: f for f in provenance.checkpoint_facts(files, tmp_path)}
    assert facts["vqvae"] == {"name": "vqvae", "file": "5b/vqvae.pth.tar", "bytes": 1000, "sha256": "cd" * 32}
    assert facts["prior_5b"]["bytes"] is None and facts["prior_5b"]["file"] == "5b/prior_level_2.pth.tar"
