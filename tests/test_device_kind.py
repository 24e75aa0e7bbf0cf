"""The resume fingerprint records the device kind; a run resumed on another kind of
device continues (nothing sampled again: it is information, not staleness) and its
post says so. No GPU here: the first job's record is rewritten to say it ran on a
V100, as a job on a cluster's GPU partition would have written it."""

from __future__ import annotations

import json
import os

import pytest
import torch

from conftest import site_builder
from site_builder.runs import Run

V100 = "Tesla V100-SXM2-16GB"


@pytest.mark.slow
def test_a_run_resumed_on_another_device_kind_continues_and_its_post_says_so(blog):
    env = {**os.environ, "SITE_BUILDER_STOP_AFTER_WINDOWS": "2"}
    stopped = site_builder(blog, "sample", "--artist", "lucybell", "--n", "1", check=False, env=env)
    assert stopped.returncode != 0
    run = Run(blog, "lucybell")
    environment = json.loads((run.out / "environment.json").read_text())
    assert environment["device_kind"] == "cpu" and environment["device_changes"] == []
    saved = run.codes_dir / "top-00.pt"
    progress = torch.load(saved, weights_only=True)
    assert progress["device_kind"] == "cpu"          # the fingerprint says where the codes were made

    # As if that first job had run on a V100.
    (run.out / "environment.json").write_text(json.dumps({**environment, "device_kind": V100}))
    torch.save({**progress, "device_kind": V100}, saved)

    resumed = site_builder(blog, "post", "--artist", "lucybell", "--n", "1")
    assert "continuing from saved codes" in resumed.stdout      # not sampled again
    assert f"these codes were made on {V100}, they continue on cpu" in resumed.stdout
    changes = json.loads((run.out / "environment.json").read_text())["device_changes"]
    assert [(c["from"], c["to"]) for c in changes] == [(V100, "cpu")]
    post = next((blog / "posts").glob("*.md")).read_text()
    assert f"- Resumed on another device type (started on {V100}, resumed on cpu)" in post

    # Another job on the same kind adds nothing.
    site_builder(blog, "sample", "--artist", "lucybell", "--n", "2")
    changes = json.loads((run.out / "environment.json").read_text())["device_changes"]
    assert len(changes) == 1
