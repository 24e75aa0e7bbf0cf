"""The SLURM executor on a real one-node cluster on this machine (.ci/slurm-up)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ON_CI, REPO, TINY, need_tool, site_builder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def cluster():
    need_tool("sbatch")
    if os.geteuid() != 0:
        pytest.skip("bringing up SLURM needs root")
    result = subprocess.run([str(REPO / ".ci/slurm-up")], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120)
    if result.returncode != 0:
        message = f"SLURM did not come up: {result.stderr.strip()}"
        pytest.fail(message) if ON_CI else pytest.skip(message)
    # The test cluster is found through its own configuration, never the machine's.
    before = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = slurm_conf()
    yield
    if before is None:
        os.environ.pop("SLURM_CONF", None)
    else:
        os.environ["SLURM_CONF"] = before


def slurm_conf() -> str:
    return subprocess.run([str(REPO / ".ci/slurm-up"), "--conf"], capture_output=True,
                          text=True, check=True).stdout.strip()


def machine_slurm() -> dict[str, tuple[bytes, int]]:
    etc = Path("/etc/slurm")
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(etc.rglob("*")) if p.is_file()} if etc.is_dir() else {}


def test_the_test_cluster_leaves_the_machines_slurm_alone(cluster):
    # .ci/slurm-up once rewrote /etc/slurm/slurm.conf and slurmdbd.conf on a machine
    # with its own cluster, and broke that cluster's accounting.
    before = machine_slurm()
    result = subprocess.run([str(REPO / ".ci/slurm-up")], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 0, result.stderr
    assert machine_slurm() == before
    conf = Path(slurm_conf())
    assert conf.is_file() and not conf.is_relative_to("/etc/slurm")
    shown = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True,
                           env={**os.environ, "SLURM_CONF": str(conf)}, check=True).stdout
    assert str(conf) in shown and "SlurmctldPort           = 6817" not in shown


@pytest.fixture
def slurm_blog(cluster, blog):
    config = blog / "_config.yml"
    config.write_text(config.read_text().replace("executor: local", "executor: slurm"))
    return blog


def job_id(root: Path, run: str) -> str:
    return json.loads((root / "runs" / run / "out/slurm.json").read_text())["job_id"]


def queued(name: str) -> list[str]:
    return subprocess.run(["squeue", "-h", "-n", name, "-o", "%i"], capture_output=True,
                          text=True).stdout.split()


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_submit_return_then_carry_on(slurm_blog, pipeline):
    first = site_builder(slurm_blog, "post", "--artist", "lucybell", *TINY)
    assert "submitted job" in first.stdout and "is sampling on the cluster" in first.stdout
    assert not list((slurm_blog / "posts").glob("*.md"))
    script = (slurm_blog / "runs/lucybell/out/slurm/job.sh").read_text()
    assert "#SBATCH --cpus-per-task=1" in script and "--gres" not in script

    again = site_builder(slurm_blog, "post", "--artist", "lucybell")
    assert "submitted" not in again.stdout and f"job {job_id(slurm_blog, 'lucybell')} is" in again.stdout
    assert len(queued("sb-lucybell")) <= 1
    status = site_builder(slurm_blog, "status")
    assert "lucybell" in status.stdout and "0/2 items" in status.stdout or "job" in status.stdout

    done = site_builder(slurm_blog, "post", "--artist", "lucybell", "--wait")
    assert "completed" in done.stdout and "wrote posts/" in done.stdout
    for k in range(2):  # the same settings make the same items, wherever they run
        name = f"runs/lucybell/out/wav/item-{k:02d}.wav"
        assert (slurm_blog / name).read_bytes() == (pipeline.root / name).read_bytes()
    job = json.loads((slurm_blog / "runs/lucybell/out/job.json").read_text())
    assert job["state"] == "COMPLETED" and job["job_id"] == job_id(slurm_blog, "lucybell")
    assert job["wall_clock_seconds"] > 0 and job["cpu_utilized_seconds"] > 0
    assert job["memory_utilized_bytes"] > 50 * 2**20 and job["cores_per_node"] == 1
    assert job["memory_requested_bytes"] == 2 * 2**30 and 0 < job["memory_efficiency"] < 1
    assert set(job["jobs"][0]["tokens_per_second"]) == {"top prior", "upsampler 1", "upsampler 0"}
    post = next((slurm_blog / "posts").glob("*.md")).read_text()
    assert "Memory Efficiency:" in post and "of 2.00 GB" in post
    assert "2/2 items  done" in site_builder(slurm_blog, "status").stdout


def test_array_of_two_sums_its_tasks(slurm_blog):
    run = slurm_blog / "runs/joy_division"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text('artist = "joy_division"\n[slurm]\narray = true\n')
    site_builder(slurm_blog, "sample", "--run", "joy_division", *TINY, "--wait")
    assert "#SBATCH --array=0-1" in (run / "out/slurm/job.sh").read_text()
    assert "ITEM_GROUPS=(up:0,1)" in (run / "out/slurm/up.sh").read_text()   # upsampling: one job after
    job = json.loads((run / "out/job.json").read_text())
    ids = [j["job_id"] for j in job["jobs"]]
    assert len(ids) == 3 and all("_" in i for i in ids[:2]) and "_" not in ids[2]
    assert [j["items"] for j in job["jobs"]] == [[0], [1], [0, 1]]
    assert job["items"] == [0, 1]
    assert job["cpu_utilized_seconds"] == pytest.approx(sum(j["cpu_utilized_seconds"] for j in job["jobs"]), abs=0.01)
    assert sorted(p.name for p in (run / "out/wav").iterdir()) == ["item-00.wav", "item-01.wav"]


def test_cancel_keeps_everything_and_says_so(slurm_blog):
    site_builder(slurm_blog, "sample", "--artist", "joy_division", "--n", "1", "--length", "4")
    job = job_id(slurm_blog, "joy_division")
    log = slurm_blog / "runs/joy_division/out/logs"
    wait_until(lambda: any("upsampler 1 window" in p.read_text() or "upsampler 1 done" in p.read_text()
                           for p in log.glob("slurm-*.out")))
    subprocess.run(["scancel", job], check=True)
    wait_until(lambda: not queued("sb-joy_division"))
    result = site_builder(slurm_blog, "post", "--artist", "joy_division", check=False)
    assert result.returncode == 2 and f"job {job} for run 'joy_division' was cancelled" in result.stderr
    record = json.loads((slurm_blog / "runs/joy_division/out/job.json").read_text())
    assert record["jobs"][-1]["state"] == "CANCELLED"
    assert (slurm_blog / "runs/joy_division/out/codes/item-00-level-2.pt").exists()


def test_failed_job_shows_its_log(slurm_blog):
    run = slurm_blog / "runs/joy_division"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text(
        'artist = "joy_division"\n[slurm]\nsetup = ["echo no such module: jukebox/5b >&2", "exit 3"]\n')
    site_builder(slurm_blog, "sample", "--run", "joy_division", *TINY)
    result = site_builder(slurm_blog, "sample", "--run", "joy_division", "--wait", check=False)
    assert result.returncode == 2
    assert "failed (exit code 3)" in result.stderr and "no such module: jukebox/5b" in result.stderr


def test_a_warning_signal_as_the_job_starts_does_not_kill_it(slurm_blog):
    """slurmctld may send the USR1 warning up to 30 s early, even in a job's first
    second, before the sampler has set its handler: the job must live on (and finish,
    or save and be resubmitted), never die of the signal."""
    site_builder(slurm_blog, "sample", "--artist", "joy_division", *TINY)
    job = job_id(slurm_blog, "joy_division")
    wait_until(lambda: subprocess.run(["squeue", "-h", "-j", job, "-o", "%T"], capture_output=True,
                                      text=True).stdout.strip() == "RUNNING", seconds=30)
    subprocess.run(["scancel", "--batch", "--signal=USR1", job], check=True)
    result = site_builder(slurm_blog, "sample", "--run", "joy_division", "--wait", timeout=300)
    assert "completed" in result.stdout
    assert len(list((slurm_blog / "runs/joy_division/out/wav").glob("item-*.wav"))) == 2
    states = subprocess.run(["sacct", "-n", "-X", "-j", job, "-o", "ExitCode"],
                            capture_output=True, text=True).stdout.split()
    if states and states[0] == "0:10":
        # The signal came before the batch shell's first line (slurmd had just
        # launched it; a CI run saw it 30 ms in): nothing ran, and the job is
        # resubmitted as a stopped one, never recorded as completed.
        jobs = json.loads((slurm_blog / "runs/joy_division/out/job.json").read_text())["jobs"]
        assert [j["state"] for j in jobs] == ["PREEMPTED", "COMPLETED"], jobs
        assert "resubmitting" in result.stdout + result.stderr


def test_a_job_killed_by_the_warning_before_its_trap_is_resubmitted(slurm_blog):
    """The race above, made certain: the blog's own batch script (templates/, as a
    user may copy it) has its first job's shell killed by USR1 before it can ignore
    it. That job ran nothing and exited by a signal with code 0: it is recorded as
    stopped and resubmitted, not as completed with its items missing."""
    from site_builder import TEMPLATES
    script = (TEMPLATES / "sbatch.sh.j2").read_text()
    assert script.count("trap '' USR1\n") == 1
    marker = slurm_blog / "killed-once"
    (slurm_blog / "templates").mkdir(exist_ok=True)
    (slurm_blog / "templates/sbatch.sh.j2").write_text(script.replace(
        "trap '' USR1\n", f"[ -e {marker} ] || {{ touch {marker}; kill -USR1 $$; }}\ntrap '' USR1\n"))
    site_builder(slurm_blog, "sample", "--artist", "joy_division", *TINY)
    result = site_builder(slurm_blog, "sample", "--run", "joy_division", "--wait", timeout=300)
    assert marker.exists() and "resubmitting" in result.stdout + result.stderr
    jobs = json.loads((slurm_blog / "runs/joy_division/out/job.json").read_text())["jobs"]
    assert [j["state"] for j in jobs] == ["PREEMPTED", "COMPLETED"], jobs
    assert len(list((slurm_blog / "runs/joy_division/out/wav").glob("item-*.wav"))) == 2


def test_time_out_resubmits_and_completes(slurm_blog):
    """A 1-minute limit on a job that needs more than one (30 s of audio: over a minute
    of sampling unloaded since the static step sped the loop up, when 10 s took 28 s
    and finished inside the first limit; minutes on a busy machine): it is signalled,
    saves, and a resubmitted job continues from its codes (60-90 s per round:
    slurmctld checks limits every 30 s)."""
    run = slurm_blog / "runs/joy_division"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text(
        'artist = "joy_division"\nn_samples = 1\nsample_length_in_seconds = 30\n'
        'save_codes_every_windows = 50\n[slurm]\ntime = "00:01:00"\nsignal_seconds = 30\n'
        'max_resubmits = 30\npoll_seconds = 2\n')
    result = site_builder(slurm_blog, "sample", "--run", "joy_division", "--wait", timeout=1500)
    assert "resubmitting (1 of 30)" in result.stdout
    job = json.loads((run / "out/job.json").read_text())
    states = [j["state"] for j in job["jobs"]]
    assert states[-1] == "COMPLETED" and set(states[:-1]) <= {"TIMEOUT", "PREEMPTED"}
    assert len(states) >= 2 and (run / "out/wav/item-00.wav").exists()
    assert job["wall_clock_seconds"] == pytest.approx(sum(j["wall_clock_seconds"] for j in job["jobs"]))
    logs = " ".join(p.read_text() for p in (run / "out/logs").glob("slurm-*.out"))
    assert "continuing from saved codes" in logs


def test_a_job_in_the_queue_holds_its_run(slurm_blog):
    """While squeue has a run's job, sampling it locally or with FORCE is refused,
    naming the job: both would sample the same items beside it."""
    run = slurm_blog / "runs/joy_division"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text('artist = "joy_division"\n[slurm]\nsetup = ["sleep 60"]\n')
    site_builder(slurm_blog, "sample", "--run", "joy_division", *TINY)
    job = job_id(slurm_blog, "joy_division")
    try:
        for extra in (["--executor", "local"], ["--force"]):
            result = site_builder(slurm_blog, "sample", "--run", "joy_division", *extra, check=False)
            assert result.returncode == 2, result.stdout + result.stderr
            assert f"in use by SLURM job {job}" in result.stderr, result.stderr
        assert not (run / "out/wav").exists() or not list((run / "out/wav").iterdir())
    finally:
        subprocess.run(["scancel", job], check=False)
        wait_until(lambda: not queued("sb-joy_division"))
