"""Reading checkpoint files without unpickling anything but what they should hold.

`torch.load(weights_only=True)` with one addition to its allowlist: openai's
checkpoints pickle their training settings (`hps`) as a `jukebox.hparams.Hyperparams`
(a dict subclass), which is read here as our own plain `Hyperparams`. Anything else
a file asks for (a class, a function) stops the load with one line naming the file,
what it needed and what to do: never arbitrary unpickling.

jukebox-infer's own `load_checkpoint` calls `torch.load` without `weights_only`, so
our builder never gives it a path (`restore_*=""`) and loads the state dict here.
"""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.errors import SamplingError


class Hyperparams(dict):
    """What a pickled `jukebox.hparams.Hyperparams` becomes: plain data, attribute
    access for reading only (nothing in it is ever executed)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Unpickled:
    """What the pickle's `Hyperparams` is created as while loading: a plain dict
    (torch's weights-only unpickler fills only exact dicts with a pickle's items);
    `read` then makes it our Hyperparams."""

    def __new__(cls, *args):
        return {}


# The pickled names allowed besides tensors and plain data: openai's Hyperparams, and
# jukebox-infer's own (a checkpoint saved from a jukebox-infer session).
ALLOWED = [(_Unpickled, "jukebox.hparams.Hyperparams"),
           (_Unpickled, "jukebox_infer.hparams.Hyperparams")]


def read(path: str | Path) -> dict:
    """The checkpoint's top-level dict (tensors on the CPU)."""
    import torch

    path = Path(path)
    with torch.serialization.safe_globals(ALLOWED):
        data = load(path, "checkpoint", "download it again (`make models`)")
    if not isinstance(data, dict):
        raise SamplingError(f"{path}: holds a {type(data).__name__}, not a checkpoint's dict; "
                            f"download it again (`make models`)")
    if isinstance(data.get("hps"), dict):
        data["hps"] = Hyperparams(data["hps"])
    return data


def load(path: Path, what: str, fix: str, **options: object) -> object:
    """torch.load with weights_only=True: a file asking for more, or a damaged one,
    is one line naming the file."""
    import pickle

    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True, **options)
    except pickle.UnpicklingError as exc:
        raise SamplingError(refused(path, str(exc))) from None
    except (RuntimeError, EOFError, ValueError) as exc:
        raise SamplingError(f"{path}: not a readable {what} ({str(exc).splitlines()[0][:120]}); "
                            f"{fix}") from None


def refused(path: Path, message: str) -> str:
    """One line for a file that asks for more than the allowlist."""
    found = re.search(r"GLOBAL ([\w.]+)", message) or re.search(r"global[: ]+([\w.]+)", message, re.I)
    needed = found[1] if found else message.splitlines()[0][:120]
    return (f"{path}: refused: it needs `{needed}` to be unpickled, which is not among what "
            f"openai's checkpoints hold (tensors, plain data, jukebox.hparams.Hyperparams), and "
            f"loading it could run code; download the file again from a mirror you trust "
            f"(`make models`), or save only its state dict (`torch.save(state_dict, path)`) "
            f"where you trust it")


def state_dict(path: str | Path) -> dict:
    """The model weights of a checkpoint: openai's `{"hps", "model", ...}` or a plain
    state dict; DataParallel's `module.` prefixes removed, as jukebox does."""
    data = read(path)
    weights = data.get("model", data)
    if not isinstance(weights, dict) or not weights:
        raise SamplingError(f"{path}: no model weights in it (keys: {', '.join(map(str, data))[:120]}); "
                            f"download it again (`make models`)")
    return {(k[7:] if k.startswith("module.") else k): v for k, v in weights.items()}


def restore(module, path: str | Path) -> None:
    """Load a checkpoint's weights into a model built by jukebox-infer's constructors,
    every key matching, as jukebox's restore_model does."""
    weights = state_dict(path)
    expected = module.state_dict()
    missing = [k for k in expected if k not in weights]
    unexpected = [k for k in weights if k not in expected]
    wrong = [k for k in expected if k in weights and tuple(weights[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or wrong:
        parts = [f"{len(missing)} missing (e.g. {missing[0]})" if missing else "",
                 f"{len(unexpected)} unexpected (e.g. {unexpected[0]})" if unexpected else "",
                 f"{len(wrong)} of another shape (e.g. {wrong[0]}: {tuple(weights[wrong[0]].shape)} "
                 f"instead of {tuple(expected[wrong[0]].shape)})" if wrong else ""]
        raise SamplingError(f"{path}: does not fit this model: keys {'; '.join(p for p in parts if p)}; "
                            f"is it the right file for this model? `make models` fetches the right ones")
    module.load_state_dict(weights)
