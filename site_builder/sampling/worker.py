"""Ancestral sampling with jukebox-infer: the child process an executor runs.

    python -O -m site_builder.sampling.worker RUN_DIR ITEM [ITEM ...]

Reads RUN_DIR/out/settings.json, samples each ITEM on its own (seeded from
(seed, item), so an item never depends on which others are sampled with it), and
writes out/wav/item-NN.wav and out/codes/item-NN.pt atomically.

`-O` matters: jukebox-infer asserts `isinstance(x, torch.cuda.LongTensor)` in
several places, which only a CUDA tensor passes; the rest of the path is
device-agnostic, so without asserts it runs on a CPU too.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import signal
import sys
import time
import wave
from pathlib import Path

import numpy as np
import torch

from jukebox_infer.hparams import Hyperparams, setup_hparams
from jukebox_infer.make_models import make_prior, make_vqvae
from jukebox_infer.sample import _sample

from site_builder.runs import Run, atomic_path, write_json
from site_builder.sampling.models import MODELS, SAMPLE_RATE, sample_length

# -- settings -------------------------------------------------------------------
TINY_WEIGHTS_SEED = 0          # the toy model's random weights: the same model every run
TINY_VQVAE = dict(emb_width=16, l_bins=64, width=16, depth=1)
TINY_PRIOR = dict(prior_width=32, prior_depth=1, heads=1, blocks=16,
                  cond_width=16, cond_depth=1, n_ctx=256, fp16_params=False)
HOP_FRACTION = [0.5, 0.5, 0.125]   # per level, bottom first: Jukebox's sample.py defaults
LEVEL_NAMES = {2: "top prior", 1: "upsampler 1", 0: "upsampler 0"}
# ---------------------------------------------------------------------------------


def item_seed(seed: int, item: int) -> int:
    """Item k's seed from (seed, k); a hash so that (1, 0) and (0, 1) differ."""
    return int(hashlib.sha256(f"{seed}/{item}".encode()).hexdigest()[:15], 16)


def build_tiny(length: int, device: torch.device):
    """The real Jukebox VQ-VAE and priors at toy size, with random weights."""
    torch.manual_seed(TINY_WEIGHTS_SEED)
    vqvae = make_vqvae(setup_hparams("vqvae", dict(sample_length=length, restore_vqvae="",
                                                     **TINY_VQVAE)), device)
    # Fresh codebooks are zeros, which decode to silence.
    for block in vqvae.bottleneck.level_blocks:
        block.k.normal_()
    names = MODELS["tiny"].hparams[1:]
    priors = [make_prior(setup_hparams(name, dict(restore_prior="", **TINY_PRIOR)), vqvae, device)
              for name in names]
    return vqvae, priors


def build_real(model: str, length: int, device: torch.device):
    """A released model from its checkpoints (checked present before the job started)."""
    vqvae_name, *prior_names = MODELS[model].hparams
    vqvae = make_vqvae(setup_hparams(vqvae_name, dict(sample_length=length)), device,
                       auto_download=False)
    priors = [make_prior(setup_hparams(name, {}), vqvae, device, auto_download=False)
              for name in prior_names]
    return vqvae, priors


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with atomic_path(path) as tmp:
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm.tobytes())


def sample_item(item: int, settings: dict, priors, length: int, device, say) -> tuple[np.ndarray, list]:
    torch.manual_seed(item_seed(settings["seed"], item))
    hps = Hyperparams(sample_length=length, n_samples=1, hop_fraction=HOP_FRACTION, sr=SAMPLE_RATE)
    total = int(settings["total_sample_length_in_seconds"] * SAMPLE_RATE)
    meta = dict(artist=settings["artist"], genre=" ".join(settings["genres"]),
                lyrics=settings.get("lyrics", ""), total_length=total, offset=0)
    labels = [prior.labeller.get_batch_labels([meta], device) for prior in priors]
    fp16 = device.type == "cuda"
    kwargs = [dict(temp=settings["temperature"], fp16=fp16, chunk_size=32, max_batch_size=1)
              for _ in priors]
    zs = [torch.zeros(1, 0, dtype=torch.long, device=device) for _ in priors]
    for level in reversed(range(len(priors))):
        started = time.monotonic()
        zs = _sample(zs, labels, kwargs, priors, [level], hps, device=device)
        say(f"  item {item}: {LEVEL_NAMES[level]}, {zs[level].shape[1]} tokens, "
            f"{time.monotonic() - started:.1f} s")
    audio = priors[-1].decode(zs, start_level=0, bs_chunks=1)
    return audio[0, :, 0].float().cpu().numpy(), zs


def main(argv: list[str]) -> int:
    run_dir, items = Path(argv[0]), [int(a) for a in argv[1:]]
    run = Run.at(run_dir)
    settings = json.loads(run.settings_path.read_text())
    model = MODELS[settings["model"]]
    length = sample_length(settings["sample_length_in_seconds"], model)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    console = sys.stdout

    def say(line: str) -> None:
        print(line, file=console, flush=True)

    say(f"sampling {settings['model']} on {device}: artist={settings['artist']} "
        f"genres={' '.join(settings['genres'])} items={','.join(map(str, items))} "
        f"length={length / SAMPLE_RATE:.2f} s seed={settings['seed']}")
    run.log_dir.mkdir(parents=True, exist_ok=True)
    # Jukebox prints a line per window and a bar per token loop: keep them in a log.
    with open(run.log_dir / "jukebox.log", "a", encoding="utf-8") as log, \
            contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        if device.type == "cpu":
            torch.set_num_threads(1)  # toy-size ops: threads cost more than they give
        with torch.no_grad():
            build = build_tiny if model.toy else (lambda n, d: build_real(model.name, n, d))
            _, priors = build(length, device)
            # Jukebox calls gc.collect() before every window; freezing the long-lived
            # objects (torch, the model) makes that cheap instead of most of the run.
            gc.freeze()
            for item in items:
                started = time.monotonic()
                audio, zs = sample_item(item, settings, priors, length, device, say)
                with atomic_path(run.codes_path(item)) as tmp:
                    torch.save({"item": item, "zs": [z.cpu() for z in zs]}, tmp)
                write_wav(run.wav_path(item), audio)
                say(f"  item {item}: wrote {run.wav_path(item).relative_to(run.dir)} "
                    f"({len(audio) / SAMPLE_RATE:.2f} s audio) in {time.monotonic() - started:.1f} s")
    if device.type == "cuda":
        peak = torch.cuda.max_memory_allocated()
        gpu = {"name": torch.cuda.get_device_name(), "count": torch.cuda.device_count(),
               "peak_memory_bytes": peak}
        write_json(run.out / "gpu.json", gpu)
    return 0


def interruptible(argv: list[str]) -> int:
    try:
        return main(argv)
    except KeyboardInterrupt:
        # One Ctrl-C is enough: a second one during shutdown would print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("sampling interrupted: the items written so far are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(interruptible(sys.argv[1:]))
