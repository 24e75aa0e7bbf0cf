"""Shared fixtures. One tiny-model pipeline run per session (`pipeline`) serves
every test that only reads its outputs; tests that change a run copy it first."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI") == "true"

# Small enough to sample in a few seconds on 2 cores, long enough for the
# upsamplers' context and for ffprobe to measure a duration.
TINY = ["--length", "1", "--n", "2"]


def need_tool(name: str) -> str:
    """The tool's path; skip without it, except on CI where a missing tool is a failure."""
    path = shutil.which(name)
    if path is None:
        if ON_CI:
            pytest.fail(f"{name} is not installed: .ci/run must install it")
        pytest.skip(f"{name} is not installed")
    return path


def write(path: Path, text: str | bytes) -> Path:
    """Write a file of a test blog, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def mtimes(folder: Path) -> dict[str, int]:
    """Every file under `folder`, by relative path: its mtime, to see what a command rewrote."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


@contextlib.contextmanager
def serving(site: Path, baseurl: str = "/blog") -> Iterator[str]:
    """The built site at `site` on a loopback port, as `make serve` serves it (without
    the rebuilds); yields the server's address, http://127.0.0.1:<port>."""
    from site_builder.site.server import make_server
    httpd = make_server(site, baseurl, port=0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def tone(path: Path, hz: float, seconds: float = 2.0, rate: int = 44100) -> Path:
    """A 16-bit mono WAV of a sine at `hz`: a sample made elsewhere, for `import_from`."""
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate)))
                      for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path: to compare two builds."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def site_builder(root: Path, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process, as Make does."""
    result = subprocess.run([sys.executable, "-m", "site_builder", "--root", str(root), *args],
                            capture_output=True, text=True, cwd=root, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"site-builder {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def interruptible() -> None:
    """For a child that a test stops with Ctrl-C (SIGINT): Python ignores SIGINT for good
    when it starts with it ignored, as in anything started in the background
    (`make test &`), so the child gets it back as a terminal's foreground job has it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def new_blog(folder: Path, baseurl: str = "/blog") -> Path:
    """A blog folder like a fresh clone's: the shipped _config.yml and assets."""
    folder.mkdir(parents=True, exist_ok=True)
    config = (REPO / "_config.yml").read_text().replace('baseurl: ""', f'baseurl: "{baseurl}"')
    (folder / "_config.yml").write_text(config)
    shutil.copytree(REPO / "assets" / "images", folder / "assets" / "images")
    return folder


@dataclass
class Pipeline:
    root: Path
    first: subprocess.CompletedProcess   # make post ARTIST=lucybell (fresh)
    second: subprocess.CompletedProcess  # the same again: nothing to do

    @property
    def run_dir(self) -> Path:
        return self.root / "runs" / "lucybell"

    def post(self) -> Path:
        (post,) = (self.root / "posts").glob("*-ancestral-sampling-lucybell.md")
        return post


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> Pipeline:
    need_tool("ffmpeg")
    root = new_blog(tmp_path_factory.mktemp("pipeline") / "blog")
    first = site_builder(root, "post", "--artist", "lucybell", *TINY)
    second = site_builder(root, "post", "--artist", "lucybell")
    return Pipeline(root, first, second)


@pytest.fixture
def logged(caplog):
    """What the code under test says through logging (`site: ...`, `serve: ...` on a
    terminal), one message each: `logged.messages`."""
    caplog.set_level(logging.INFO)
    return caplog


@pytest.fixture
def blog(tmp_path) -> Path:
    return new_blog(tmp_path / "blog")


def copy_blog(pipeline: Pipeline, dest: Path) -> Path:
    """A private copy of the session's blog, for tests that change it."""
    shutil.copytree(pipeline.root, dest, symlinks=True)
    return dest


# -- a second run, and one post over both ---------------------------------------------

TWO_RUN_TITLE = "Joy Division and Lucybell, side by side"
NOTES = {
    "joy_division": ("Garage-band noise, *as the toy model makes it*.\n\n"
                     "## item 0\n\nClosest to the artist, if anything: a shout at the start.\n\n"
                     "## item 1\n\n## item 2\n\nMostly hiss.\n\nThen a click, and the hiss again.\n"),
    "lucybell": "## item 0\n\n## item 1\n\nA hiss | then nothing.\n",
}


@dataclass
class TwoRuns:
    root: Path
    first: subprocess.CompletedProcess   # make post RUNS="joy_division lucybell" TITLE=...

    def post(self) -> Path:
        (post,) = (self.root / "posts").glob("*-joy-division-and-lucybell-side-by-side.md")
        return post


@pytest.fixture(scope="session")
def two_runs(pipeline, tmp_path_factory) -> TwoRuns:
    """The session's lucybell run beside a second tiny run, joy_division (3 items,
    published on a loopback archive.org stand-in, so the post has both players), with
    the author's notes, and `make post RUNS="joy_division lucybell" TITLE=...`."""
    from archive_standin import Archive, serve

    root = copy_blog(pipeline, tmp_path_factory.mktemp("two-runs") / "blog")
    stand_in = Archive("testkey", "testsecret")
    server = serve(stand_in)
    config = root / "_config.yml"
    config.write_text(config.read_text() + f"\narchive:\n  identifier_prefix: site-builder-test\n"
                      f"  endpoint: http://127.0.0.1:{server.server_address[1]}\n")
    env = {**os.environ, "IA_ACCESS_KEY_ID": "testkey", "IA_SECRET_ACCESS_KEY": "testsecret"}
    try:
        site_builder(root, "publish", "--artist", "joy_division", "--length", "1", "--n", "3",
                     "--genres", "post punk, gothic", "--publisher", "archive", env=env)
    finally:
        server.shutdown()
        server.server_close()
    for run, text in NOTES.items():
        (root / "runs" / run / "notes.md").write_text(text)
    first = site_builder(root, "post", "--runs", "joy_division lucybell", "--title", TWO_RUN_TITLE)
    site_builder(root, "posts")   # lucybell's own post, with its new notes
    return TwoRuns(root, first)


CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--autoplay-policy=no-user-gesture-required",
    # Keep every request on loopback (posts may embed archive.org iframes).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def start_chromium(profile: Path, *extra_flags: str):
    """Headless Chromium through selenium, its console log kept; skipped (failed on CI)
    without chromium, chromedriver or selenium."""
    chromium, chromedriver = need_tool("chromium"), need_tool("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra_flags]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=chromedriver),
                            options=options)


@pytest.fixture
def browser(tmp_path):
    """Chromium for layout checks: scrollbars hidden so widths are the page's own."""
    driver = start_chromium(tmp_path / "profile", "--hide-scrollbars")
    yield driver
    driver.quit()
