"""Executors: where the sampling command runs, and what it cost.

`local` (a measured child process) and `slurm` (sbatch, arrays, resubmission on
time-out) both record their jobs in `out/job.json` in one shape (`record`).
"""

from site_builder.jobs.local import run_local
from site_builder.jobs.record import append_job, job_record, summarise

__all__ = ["append_job", "job_record", "run_local", "summarise"]
