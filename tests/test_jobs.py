"""The local executor's job record and how a sampling job's end becomes a message."""

from __future__ import annotations

import json
import sys

import pytest
import torch

from site_builder import jobs
from site_builder.errors import SamplingError
from site_builder.runs import Run
from site_builder.sampling import worker


@pytest.fixture
def run(tmp_path):
    run = Run(tmp_path, "lucybell")
    run.out.mkdir(parents=True)
    return run


def test_child_is_measured(run):
    record = jobs.run_local(run, [sys.executable, "-c", "x = bytearray(80 * 2**20); sum(range(10**6))"],
                            [0])
    assert record["state"] == "COMPLETED" and record["exit_code"] == 0
    assert record["memory_utilized_bytes"] > 80 * 2**20
    assert record["wall_clock_seconds"] > 0 and record["cpu_utilized_seconds"] > 0
    saved = json.loads(run.job_path.read_text())
    assert saved["jobs"] == [record] and saved["state"] == "COMPLETED"


def test_out_of_memory_was_said_by_the_sampler_and_is_not_repeated(run):
    # The sampler said which phase ran out, in one line: nothing added (exit 2), state recorded.
    from site_builder.errors import AlreadySaid
    with pytest.raises(AlreadySaid):
        jobs.run_local(run, [sys.executable, "-c", "raise SystemExit(76)"], [0])
    assert json.loads(run.job_path.read_text())["jobs"][-1]["state"] == "OUT_OF_MEMORY"


@pytest.mark.parametrize("code, state, message", [
    (75, "PREEMPTED", "stopped early with its codes saved"),
    (1, "FAILED", "failed (exit code 1)"),
])
def test_how_a_job_ends_is_recorded_and_explained(run, code, state, message):
    with pytest.raises(SamplingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        jobs.run_local(run, [sys.executable, "-c", f"raise SystemExit({code})"], [0])
    assert json.loads(run.job_path.read_text())["jobs"][-1]["state"] == state


def test_out_of_gpu_memory_is_one_line_and_its_own_exit_code(monkeypatch, capsys):
    def main(argv):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    monkeypatch.setattr(worker, "main", main)
    assert worker.guarded([]) == worker.EXIT_OOM == 76
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out of GPU memory while loading the models" in err


def test_summary_is_what_all_the_runs_jobs_cost():
    first = jobs.job_record(job_id="a", host="h", state="PREEMPTED", exit_code=75, start=0, end=10,
                            cores=2, cpu_seconds=10, max_rss_bytes=100, items=[0, 1])
    again = jobs.job_record(job_id="b", host="h", state="COMPLETED", exit_code=0, start=20, end=25,
                            cores=2, cpu_seconds=5, max_rss_bytes=300, items=[0, 1])
    more = jobs.job_record(job_id="c", host="h", state="COMPLETED", exit_code=0, start=30, end=34,
                           cores=2, cpu_seconds=4, max_rss_bytes=200, items=[2])
    summary = jobs.summarise([first, again, more])
    assert summary["job_id"] == "a,b,c" and summary["state"] == "COMPLETED"
    assert summary["wall_clock_seconds"] == 19 and summary["cpu_utilized_seconds"] == 19
    assert summary["memory_utilized_bytes"] == 300 and summary["items"] == [0, 1, 2]


def test_array_tasks_side_by_side_count_their_wall_time_once():
    tasks = [jobs.job_record(job_id=f"5_{k}", host="h", state="COMPLETED", exit_code=0, start=100,
                             end=110, cores=2, cpu_seconds=15, max_rss_bytes=100 * (k + 1), items=[k])
             for k in range(2)]
    summary = jobs.summarise(tasks)
    assert summary["wall_clock_seconds"] == 10 and summary["array_tasks"] == 2
    assert summary["cpu_utilized_seconds"] == 30 and summary["core_walltime_seconds"] == 40
    assert summary["cpu_efficiency"] == 0.75 and summary["memory_utilized_bytes"] == 200


def test_slurm_estimate_uses_bench_figures_and_the_memory_plan():
    from site_builder.jobs import slurm
    from site_builder.sampling import Work
    settings = {"model": "tiny", "sample_length_in_seconds": 3.0, "levels": 3, "batch_size": 1,
                "upsampler_batch_size": 16, "n_samples": 3, "gpu": ""}
    toy = {**slurm.DEFAULTS, **slurm.TOY_DEFAULTS}
    one = slurm.estimate(settings, toy, Work([[0]], [[0]]))
    assert "00:00:09 of sampling" in one and "asked for 00:30:00" in one
    assert "00:00:28" in slurm.estimate(settings, toy, Work([[0], [1], [2]], [[0, 1, 2]]))
    real = {**settings, "model": "5b", "sample_length_in_seconds": 60.0, "n_samples": 16, "batch_size": 3}
    assert "name the GPU" in slurm.estimate(real, slurm.DEFAULTS, Work([[0]], []))
    planned = slurm.estimate({**real, "gpu": "v100-16gb"}, slurm.DEFAULTS, Work([[0]], []))
    assert "by the memory plan on v100-16gb" in planned


def test_slurm_resources_come_from_the_plan_unless_set():
    from site_builder.jobs import slurm
    settings = {"model": "5b", "sample_length_in_seconds": 60.0, "levels": 3, "batch_size": 3,
                "upsampler_batch_size": 16, "n_samples": 16, "gpu": "v100-16gb", "slurm": {}}
    planned = slurm.planned_resources({}, settings, dict(slurm.DEFAULTS))
    assert planned["gpus"] == 1 and planned["mem"] != slurm.DEFAULTS["mem"]
    assert int(planned["mem"].rstrip("G")) >= 18           # three priors on the host: about 17 GiB
    assert planned["time"] != slurm.DEFAULTS["time"]
    mine = slurm.planned_resources({}, {**settings, "slurm": {"mem": "64G"}}, {**slurm.DEFAULTS, "mem": "64G"})
    assert mine["mem"] == "64G"
    with pytest.raises(Exception, match="more than the 8.0 GiB"):
        slurm.planned_resources({}, {**settings, "gpu": "8GiB"}, dict(slurm.DEFAULTS))


def test_jobs_are_recorded_in_the_order_slurm_numbered_them():
    """An array's tasks and the job after them, across a power of ten (job 999's
    tasks, then job 1000): sorted as text, job.json listed 1000 first (a CI
    machine's cluster reached job 1000). Logs are read in the same order."""
    from site_builder.jobs.slurm import job_order
    assert sorted(["1000", "999_1", "999_0", "99"], key=job_order) == ["99", "999_0", "999_1", "1000"]
    assert sorted(["slurm-1000", "slurm-999_0"], key=job_order) == ["slurm-999_0", "slurm-1000"]


@pytest.mark.parametrize("state, exit_code, outcome", [
    ("COMPLETED", "0:0", ("COMPLETED", 0)),
    ("FAILED", "75:0", ("PREEMPTED", 75)),       # the sampler saved and stopped
    ("FAILED", "76:0", ("OUT_OF_MEMORY", 76)),
    ("FAILED", "3:0", ("FAILED", 3)),
    ("FAILED", "0:10", ("PREEMPTED", 138)),      # USR1 before the batch shell's trap
    ("FAILED", "0:9", ("FAILED", 137)),          # killed: not "COMPLETED" for its 0
    ("TIMEOUT", "0:0", ("TIMEOUT", 0)),
    ("CANCELLED", "0:15", ("CANCELLED", 0))])
def test_how_sacct_says_a_job_ended_is_read(state, exit_code, outcome):
    """sacct's ExitCode is "code:signal": a batch shell killed by a signal has code 0,
    and was recorded as COMPLETED (then "item(s) still missing after the job")."""
    from site_builder.jobs.slurm import outcome as read
    assert read(state, exit_code) == outcome


@pytest.mark.parametrize("text, seconds", [("14:59:55", 53995), ("1-02:03:04", 93784),
                                           ("00:00.286", 0.286), ("05:12", 312), ("nonsense", None)])
def test_clocks_as_seff_and_sacct_print_them(text, seconds):
    from site_builder.jobs.record import parse_clock
    assert parse_clock(text) == (pytest.approx(seconds) if seconds is not None else None)


@pytest.mark.parametrize("text, cpus, size", [("23.10 GB", 1, int(23.10 * 2**30)), ("219772K", 1, 219772 * 1024),
                                              ("3M", 1, 3 * 2**20), ("512Mc", 4, 4 * 512 * 2**20),
                                              ("2G", 1, 2 * 2**30), ("", 1, None)])
def test_sizes_as_seff_and_sacct_print_them(text, cpus, size):
    from site_builder.jobs.record import parse_size
    assert parse_size(text, cpus) == size
