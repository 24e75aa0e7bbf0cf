"""The memory plan: what a run needs on the GPU and the host, phase by phase, before
anything loads, and how many sequential token steps and hours it will take.

Sizes come from the real constructors on the `meta` device (sizes.py). The model,
stated so it can be checked (the README repeats it):

- device memory of a phase = the prior's weights in fp16 (the transformers'; the
  rest as stored) + its key/value caches at that batch (each layer's cache at its
  attention's length, plus one layer's transient copy: jukebox's caches grow by
  concatenation) + working memory (two window-sized activations per item: the
  conditioning and the layer input) + the CUDA context (0.5 GiB) and the caching
  allocator's reserve (10% of the rest). Decoding: the VQ-VAE and one item's
  decoder activations.
- host memory = every prior built so far (one prior on the device at a time, the
  others on the host, as sample.py keeps them) + the checkpoint being read + 2 GiB
  for Python and PyTorch.
- sequential token steps of a level = its tokens per item x its batches.
- time per step = bytes read per step (weights, and the keys and values the step
  attends to) / (70% of the memory bandwidth) + the step's kernels x 2 us (each
  kernel's own time on the GPU when a CUDA graph replays them back to back: an
  assumption until gpu-check measures it) + one graph launch and the random numbers
  drawn every 64 tokens, at the host time per operator. Launched from Python
  (SITE_BUILDER_CUDA_GRAPHS=0, or jukebox's loop), every operator costs the host
  time instead (bench/sampling.py's counts). The bandwidth bound is the reads alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from site_builder.errors import ConfigError
from site_builder.models import MODELS, sample_length
from site_builder.sampling.sizes import table

GiB = 2 ** 30
# name: (memory in GiB, memory bandwidth in GB/s)
GPUS = {"v100-16gb": (16, 900), "v100-32gb": (32, 900), "a100-40gb": (40, 1555),
        "a100-80gb": (80, 2039), "h100-80gb": (80, 3350), "h200-141gb": (141, 4800),
        "l40s-48gb": (48, 864), "a10-24gb": (24, 600), "rtx4090-24gb": (24, 1008)}
DEFAULT_BANDWIDTH = 900       # GB/s for a GPU given only by its size
CUDA_CONTEXT = 0.5 * GiB
RESERVE = 0.10
BANDWIDTH_EFFICIENCY = 0.7
HOST_BASELINE = 2 * GiB
DECODER_CHANNELS = 64 * 6     # live float channels per audio sample while decoding one item
# bench/sampling.py: operators dispatched per token step at real size in fp16 (traced on
# meta: the 5b top prior, the upsamplers), and host time per dispatched operator (our
# loop on the tiny model on this 2-core machine, where the compute is negligible).
# "ours": the dynamic step launched from Python; "graphs": the static step, whose
# kernels (operators that are not views) a CUDA graph replays.
OPS_PER_STEP = {"jukebox": {2: 4460, 1: 4533, 0: 4533}, "ours": {2: 4271, 1: 4081, 0: 4081}}
KERNELS_PER_STEP = {2: 2481, 1: 2050, 0: 2050}
HOST_SECONDS_PER_OP = 14e-6
GRAPH_KERNEL_SECONDS = 2e-6   # assumed, not measured: a small kernel's time in a replayed graph
NOISE_CHUNK = 64              # static_step.NOISE_CHUNK (not imported: the plan loads no torch)
LEVEL_NAMES = {2: "top prior", 1: "upsampler 1", 0: "upsampler 0"}
TOP_BATCH_CHOICES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
UP_BATCH_CHOICES = (1, 2, 4, 8, 16, 32, 64)


@dataclass
class Phase:
    name: str
    batch: int
    weights: float
    kv: float
    working: float
    host: float

    @property
    def device(self) -> float:
        allocated = self.weights + self.kv + self.working
        return allocated * (1 + RESERVE) + CUDA_CONTEXT


@dataclass
class Plan:
    gpu: str
    gpu_bytes: float
    bandwidth: float
    phases: list[Phase]
    steps: dict[int, int]
    reference_steps: int
    seconds: float
    bound_seconds: float      # the same steps at the memory bandwidth alone

    @property
    def peak(self) -> float:
        return max(p.device for p in self.phases)

    @property
    def fits(self) -> bool:
        return self.peak <= self.gpu_bytes

    @property
    def host_peak(self) -> float:
        return max(p.host for p in self.phases)

    @property
    def total_steps(self) -> int:
        return sum(self.steps.values())

    def lines(self) -> list[str]:
        out = [f"plan: {'phase':<12} {'batch':>5} {'weights':>8} {'kv':>8} {'working':>8} "
               f"{'device':>8} {'host':>8}  (GiB)"]
        for p in self.phases:
            out.append(f"plan: {p.name:<12} {p.batch:>5} {p.weights / GiB:8.2f} {p.kv / GiB:8.2f} "
                       f"{p.working / GiB:8.2f} {p.device / GiB:8.2f} {p.host / GiB:8.2f}")
        for level, steps in sorted(self.steps.items(), reverse=True):
            out.append(f"plan: {LEVEL_NAMES[level]} steps {steps}")
        out.append(f"plan: bandwidth bound (the weights and caches read, nothing else): "
                   f"{hours(self.bound_seconds)}")
        out.append(f"plan: peak device memory {self.peak / GiB:.1f} GiB of {self.gpu_bytes / GiB:.1f} GiB "
                   f"({self.gpu}): {'fits' if self.fits else 'does not fit'}")
        out.append(f"plan: sequential token steps {self.total_steps} (sample.py's batching: "
                   f"{self.reference_steps})")
        out.append(f"plan: estimated {hours(self.seconds)} on {self.gpu}")
        return out


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def gpu_spec(name: str) -> tuple[str, float, float]:
    """(name, bytes, bandwidth GB/s) of GPU= (a name from GPUS, or a size like 24GiB)."""
    key = name.strip().lower()
    if key in GPUS:
        size, bandwidth = GPUS[key]
        return key, size * GiB, bandwidth
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(gib|gb|g)", key)
    if found:
        return name.strip(), float(found[1]) * GiB, DEFAULT_BANDWIDTH
    raise ConfigError(f"GPU={name!r}: give a GPU name ({', '.join(GPUS)}) or a size like 24GiB")


def prior_names(model: str) -> dict[int, str]:
    return dict(enumerate(MODELS[model].hparams[1:]))


def weights_bytes(facts: dict) -> float:
    return facts["transformer_params"] * 2 + facts["other_bytes"]


def cache_length(facts: dict, func: str) -> int:
    sequence = facts["n_ctx"] + (facts["prime_len"] if facts["single_enc_dec"] else 0)
    block = facts["block_ctx"] or sequence
    return {"0": sequence, "1": block, "2": sequence, "3": 2 * block, "6": facts["encoder_dims"],
            "7": (facts["prime_len"] // (facts["n_ctx"] // block) + 1) * (facts["n_ctx"] // block)
            }.get(func, sequence)


def kv_bytes(facts: dict, batch: int) -> float:
    per_position = 2 * facts["n_state"] * 2 * batch          # key and value, fp16
    lengths = [cache_length(facts, f) for f, n in facts["attn_funcs"].items() for _ in range(n)]
    return per_position * (sum(lengths) + max(lengths))


def working_bytes(facts: dict, batch: int) -> float:
    sequence = facts["n_ctx"] + (facts["prime_len"] if facts["single_enc_dec"] else 0)
    return 2 * batch * sequence * facts["width"] * 4 + sequence * facts["width"] * 4


def attended(facts: dict, func: str) -> int:
    """Keys one token attends to in a layer of this kind: the whole cache, except
    transpose-block (one key per block) and previous-block (one block of two)."""
    length = cache_length(facts, func)
    if func == "2":
        return length // facts["block_ctx"]
    if func == "3":
        return length // 2
    return length


def kv_read_bytes(facts: dict, batch: int, static: bool = True) -> float:
    """Key/value bytes one token step reads: the static step reads every key of its
    fixed-size caches (masked); the dynamic one those written so far (half of the
    growing ones, on average over a window)."""
    per_position = 2 * facts["n_state"] * 2 * batch
    return per_position * sum(attended(facts, f) / (1 if static or f not in "0127" else 2) * n
                              for f, n in facts["attn_funcs"].items())


def step_seconds(facts: dict, level: int, batch: int, bandwidth: float, loop: str) -> tuple[float, float]:
    """(estimated, bandwidth-bound) seconds of one token step."""
    memory_time = (weights_bytes(facts) + kv_read_bytes(facts, batch, loop == "graphs")) \
        / (bandwidth * 1e9 * BANDWIDTH_EFFICIENCY)
    if loop == "graphs":
        launches = 1 + (batch + 1) / NOISE_CHUNK
        return memory_time + KERNELS_PER_STEP[level] * GRAPH_KERNEL_SECONDS + launches * HOST_SECONDS_PER_OP, \
            memory_time
    return memory_time + OPS_PER_STEP[loop][level] * HOST_SECONDS_PER_OP, memory_time


def level_tokens(settings: dict, level: int) -> int:
    facts = table()[prior_names(settings["model"])[level]]
    return sample_length(settings["sample_length_in_seconds"], MODELS[settings["model"]]) // facts["raw_to_tokens"]


def steps(settings: dict, top_batch: int, up_batch: int) -> dict[int, int]:
    n = settings["n_samples"]
    lowest = 3 - settings["levels"]
    return {level: level_tokens(settings, level) * math.ceil(n / (top_batch if level == 2 else up_batch))
            for level in range(2, lowest - 1, -1)}


def make_plan(settings: dict, gpu: str, top_batch: int | None = None, up_batch: int | None = None,
              loop: str = "graphs") -> Plan:
    """The plan for a run's settings on a GPU, at the given (or the settings') batches."""
    model = settings["model"]
    if MODELS[model].toy:
        raise ConfigError("MODEL=tiny runs on a CPU: make plan is for the released models "
                          "(MODEL=5b, 5b_lyrics or 1b_lyrics)")
    name, size, bandwidth = gpu_spec(gpu)
    top_batch = top_batch or settings["batch_size"]
    up_batch = up_batch or settings["upsampler_batch_size"]
    sizes = table()
    names = prior_names(model)
    n = settings["n_samples"]
    lowest = 3 - settings["levels"]
    phases, built, seconds, bound = [], 0.0, 0.0, 0.0
    counts = steps(settings, top_batch, up_batch)
    for level in range(2, lowest - 1, -1):
        facts = sizes[names[level]]
        batch = min(n, top_batch if level == 2 else up_batch)
        weights = weights_bytes(facts)
        built += weights
        host = built - weights + facts["stored_bytes"] + HOST_BASELINE
        phases.append(Phase(LEVEL_NAMES[level], batch, weights, kv_bytes(facts, batch),
                            working_bytes(facts, batch), host))
        estimated, memory_time = step_seconds(facts, level, batch, bandwidth, loop)
        bound += counts[level] * memory_time
        seconds += counts[level] * estimated
    samples = sample_length(settings["sample_length_in_seconds"], MODELS[model])
    phases.append(Phase("decoding", 1, sizes["vqvae"]["bytes"], 0.0,
                        samples * DECODER_CHANNELS * 4, built + HOST_BASELINE))
    return Plan(name, size, bandwidth, phases, counts, reference_steps(settings), seconds, bound)


def reference_steps(settings: dict) -> int:
    """sample.py's sequential steps for these settings: its max_batch_size (3 for the
    5b models' top prior, 16 for 1b_lyrics's) and 16 for the upsamplers."""
    top = 3 if settings["model"] in ("5b", "5b_lyrics") else 16
    return sum(steps(settings, top, 16).values())


def auto_batches(settings: dict, gpu: str) -> tuple[int, int]:
    """The largest top-prior and upsampler batches whose plan fits the GPU (the fewest
    sequential steps); a ConfigError when not even batch 1 fits."""
    n = settings["n_samples"]
    best = None
    for top in TOP_BATCH_CHOICES:
        for up in UP_BATCH_CHOICES:
            if top > max(n, 1) * 2 or up > max(n, 1) * 2:
                continue
            plan = make_plan(settings, gpu, min(top, n), min(up, n))
            if plan.fits and (best is None or plan.total_steps < best[0]
                              or (plan.total_steps == best[0] and plan.peak < best[3])):
                best = (plan.total_steps, min(top, n), min(up, n), plan.peak)
    if best is None:
        raise refusal(make_plan(settings, gpu, 1, 1), settings)
    return best[1], best[2]


def refusal(plan: Plan, settings: dict | None = None) -> ConfigError:
    worst = max(plan.phases, key=lambda p: p.device)
    smallest = make_plan(settings, plan.gpu if plan.gpu in GPUS else f"{plan.gpu_bytes / GiB}GiB", 1, 1) \
        if settings else None
    change = ("BATCH=auto (the largest batches that fit)" if smallest and smallest.fits else
              "a GPU with more memory (e.g. GPU=a100-40gb) or a smaller model (MODEL=1b_lyrics)")
    return ConfigError(
        f"plan: the {worst.name} needs {worst.device / GiB:.1f} GiB at batch {worst.batch}, more than "
        f"the {plan.gpu_bytes / GiB:.1f} GiB of {plan.gpu}; use {change}")


def check(settings: dict, gpu: str) -> Plan:
    plan = make_plan(settings, gpu)
    if not plan.fits:
        raise refusal(plan, settings)
    return plan
