"""bench/gpu_check.py's parts that need no GPU: it runs with the repository alone,
says plainly when there is no CUDA device, and turns measured rates into the
example's job time by the plan's step counts."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import gpu_check  # noqa: E402


def test_without_cuda_it_says_so_and_passes():
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is here: the check would run for minutes")
    result = subprocess.run([sys.executable, str(REPO / "bench/gpu_check.py"), "--tokens", "2"],
                            capture_output=True, text=True, timeout=120, cwd="/")
    assert result.returncode == 0 and "no CUDA device" in result.stdout
    assert "not measured on a GPU" in result.stdout


def test_the_examples_job_from_measured_rates():
    # one token step per second at every level: the job takes its sequential steps in seconds
    assert gpu_check.job_seconds({2: 1.0, 1: 1.0, 0: 1.0}, 3, 16) == 537446
    # twice the rate on the upsamplers halves their part
    faster = gpu_check.job_seconds({2: 1.0, 1: 2.0, 0: 2.0}, 3, 16)
    assert faster == 124026 + (82684 + 330736) / 2


def test_options():
    args = gpu_check.parse(["--tokens", "8", "--batches", "1,3"])
    assert args.tokens == 8 and args.batches == [1, 3]
