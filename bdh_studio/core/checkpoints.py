"""Book-model checkpoints: written atomically, read without ever running code.

A checkpoint is a plain dict of tensors, numbers and strings, so
``torch.load(..., weights_only=True)`` reads it.  Its ``state_dict`` has the
reference's keys exactly; ``export_state_dict`` writes that alone, which
Pathway's ``BDH`` loads with strict=True.
"""

from __future__ import annotations

import hashlib
import pickle
import platform
import re
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .. import __version__
from .atomic import write_whole
from .config import TrainConfig, from_dict
from .errors import UserError
from .model import BDH, BDHConfig
from .outputs import check_file
from .runtime import unwrap

FORMAT = "bdh-studio.book-model.v1"
WEIGHTS_ONLY_REFUSAL = "Weights only load failed"  # how torch's refusal of a pickle begins
PICKLE_PROTO = b"\x80"  # the first byte of a pickle of protocol 2 and later


class CheckpointError(UserError):
    """A checkpoint that cannot be written or read; the message says what to do."""


class DamagedCheckpoint(CheckpointError):
    """A file that was a checkpoint and is no longer whole (truncated, bytes changed).

    Told apart from a foreign or bare file, which is merely not a book model:
    a damaged one is reported wherever it is met, never passed over.
    """


def versions() -> dict[str, str]:
    return {"bdh_studio": __version__, "torch": str(torch.__version__),
            "python": platform.python_version()}


def atomic_save(obj: Any, path: str | Path) -> None:
    """torch.save to a temporary file beside ``path``, synced, then renamed over it.

    A crash, a stop or a full disk in the middle leaves the previous file as
    it was; the temporary file is removed, and a failed write is said as its
    errno says it (atomic.write_whole).
    """
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            torch.save(obj, f)

    write_whole(path, write, sync=True, make_folders=True)


def cpu_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """The reference-keyed weights on the CPU, whatever wraps the model."""
    return {k: v.detach().to("cpu", copy=True) for k, v in unwrap(model).state_dict().items()}


def state_digest(state_dict: dict[str, torch.Tensor]) -> str:
    """sha256 over every weight's name, dtype, shape and bytes, in key order.

    torch.load does not notice bytes changed inside tensor data (a bad disk, a
    careless copy); this digest, stored at save and checked at load, does.
    """
    digest = hashlib.sha256()
    for name in sorted(state_dict):
        tensor = state_dict[name].detach().to("cpu").contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def save(path: str | Path, *, model: nn.Module, config: TrainConfig, book: dict,
         training: dict, partial: bool, optimizer: torch.optim.Optimizer | None = None,
         scaler: torch.amp.GradScaler | None = None) -> None:
    """Save one book model with what it takes to resume it and to know where it came from."""
    weights = cpu_state_dict(model)
    atomic_save({
        "format": FORMAT,
        "model_config": unwrap(model).config.to_dict(),
        "train_config": config.to_dict(),
        "state_dict": weights,
        "state_sha256": state_digest(weights),
        "book": book,
        "training": training,
        "partial": partial,
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scaler": scaler.state_dict() if scaler is not None and scaler.is_enabled() else None,
        "versions": versions(),
    }, path)


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint safely and verify its weights, or say why it cannot be used."""
    path = Path(path)
    try:
        with warnings.catch_warnings():  # torch's note on a raw pickle's protocol
            warnings.simplefilter("ignore", UserWarning)
            ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except pickle.UnpicklingError as exc:
        raise (_refused(path, str(exc)) if WEIGHTS_ONLY_REFUSAL in str(exc)
               else _unreadable(path, exc)) from None
    except Exception as exc:  # torch raises many kinds for a damaged or foreign file
        raise _unreadable(path, exc) from None
    if isinstance(ckpt, dict) and ckpt.get("format") == FORMAT:
        verify(ckpt, path)
        return ckpt
    if isinstance(ckpt, dict) and "encoder" in ckpt and "decoder" in ckpt:
        raise CheckpointError(f"{path}: a bare state_dict (as exported for Pathway's BDH); it does "
                              f"not record n_layer, so use the full checkpoint it was exported from")
    raise CheckpointError(f"{path}: not a BDH Studio checkpoint (format "
                          f"{ckpt.get('format') if isinstance(ckpt, dict) else type(ckpt).__name__!r})")


def _refused(path: Path, text: str) -> DamagedCheckpoint:
    """torch's safe reader's refusal, without its advice to load with weights_only=False:
    that would run whatever code the file carries."""
    found = re.search(r"Unsupported global: GLOBAL (\S+)", text)
    with open(path, "rb") as f:
        raw_pickle = f.read(1) == PICKLE_PROTO  # a torch checkpoint is a zip file
    if found or raw_pickle:
        what = f"holds Python objects besides weights ({found.group(1)})," if found else \
            "is a Python pickle, not a torch checkpoint,"
        return DamagedCheckpoint(f"{path}: {what} which only an unpickling that can run "
                                 f"code in the file would rebuild, so it is never loaded; use a "
                                 f"checkpoint BDH Studio wrote")
    detail = re.search(r"WeightsUnpickler error:\s*(.+)", text)
    return DamagedCheckpoint(f"{path}: not a readable checkpoint ("
                             f"{detail.group(1) if detail else 'not weights'}); it may be "
                             f"truncated or not a BDH Studio file")


def _unreadable(path: Path, exc: Exception) -> DamagedCheckpoint:
    return DamagedCheckpoint(f"{path}: not a readable checkpoint ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}); "
                             f"it may be truncated or not a BDH Studio file")


def verify(ckpt: dict, path: str | Path) -> None:
    """Raise DamagedCheckpoint if the weights differ from those saved, or are not all finite.

    Checkpoints written before digests were stored have none; their weights are
    still checked for NaN and infinity, which training never saves (it stops
    the book first), so a model holding one is damaged, not merely poor.
    """
    stored = ckpt.get("state_sha256")
    if stored is not None and state_digest(ckpt["state_dict"]) != stored:
        raise DamagedCheckpoint(f"{path}: damaged: its weights are not the ones saved (their "
                                f"sha256 differs); train that book again or use a backup copy")
    for name, tensor in ckpt["state_dict"].items():
        if torch.is_tensor(tensor) and tensor.is_floating_point() and \
                not torch.isfinite(tensor).all():
            raise DamagedCheckpoint(f"{path}: damaged: its weight {name} holds NaN or infinite "
                                    f"values; train that book again or use a backup copy")


FIT_REMEDY = ("the file was changed after it was saved, or written by another program: train "
              "that book again or use a backup copy")


def weights_misfit(ckpt: dict) -> str | None:
    """How the weights do not fit the model their stored configuration makes, first
    mismatch only (a digest covers the weights, not the configuration), or None."""
    config = BDHConfig.from_dict(ckpt["model_config"])
    with torch.device("meta"):  # shapes only, no memory
        wanted = {k: tuple(v.shape) for k, v in BDH(config).state_dict().items()}
    given = ckpt["state_dict"]
    settings = ", ".join(f"{k} {v}" for k, v in config.to_dict().items()
                         if k in ("n_layer", "n_embd", "n_head", "mlp_internal_dim_multiplier"))
    misfit = f"its weights do not fit its configuration ({settings}): "
    for name, shape in wanted.items():
        if name not in given:
            return misfit + f"{name} is missing"
        if tuple(given[name].shape) != shape:
            return misfit + f"{name} has shape {tuple(given[name].shape)} where it makes {shape}"
    extra = sorted(set(given) - set(wanted))
    return misfit + f"{extra[0]} has no place in it" if extra else None


def build_model(ckpt: dict, device: str | torch.device = "cpu",
                path: str | Path = "the checkpoint") -> BDH:
    """The checkpoint's model, weights loaded strictly, in eval mode."""
    why = weights_misfit(ckpt)
    if why is not None:
        raise CheckpointError(f"{path}: {why}; {FIT_REMEDY}")
    model = BDH(BDHConfig.from_dict(ckpt["model_config"]))
    model.load_state_dict(ckpt["state_dict"], strict=True)
    return model.to(device).eval()


def load_model(path: str | Path, device: str | torch.device = "cpu") -> tuple[BDH, dict]:
    ckpt = load(path)
    return build_model(ckpt, device, path), ckpt


def train_config(ckpt: dict) -> TrainConfig | None:
    return from_dict(ckpt["train_config"]) if ckpt.get("train_config") else None


def export_state_dict(path: str | Path, out: str | Path) -> None:
    """Write the bare state_dict alone: what Pathway's reference ``BDH`` loads."""
    export_model(path, check_export_target(out, [path]), bare=True)


def export_model(source: str | Path, out: Path, bare: bool) -> None:
    """Write one book model, whole or bare, once its weights are known to load as written.

    Weights that do not fit their configuration (a digest covers the weights,
    not the configuration) are refused here rather than found by whoever
    loads the export.
    """
    ckpt = load(source)
    why = weights_misfit(ckpt)
    if why is not None:
        raise CheckpointError(f"{source}: not exported, {why}; {FIT_REMEDY}")
    atomic_save(ckpt["state_dict"] if bare else ckpt, out)


def check_export_target(out: str | Path, sources: list[str | Path], flag: str = "OUT.pt") -> Path:
    """The file to export to, unless it is a source or in a run folder (outputs.check_file).

    A bare state_dict written over a checkpoint loses what sample, classify and
    resume need, so nothing is written there; the message says where to write instead.
    """
    return check_file(out, [("the checkpoint", s) for s in sources], flag, "model.pt",
                      writes_models=True)


def describe(ckpt: dict) -> str:
    """One line for a person: which book, how far trained, how good."""
    t, book = ckpt.get("training", {}), ckpt.get("book", {})
    state = "partial" if ckpt.get("partial") else \
        "finished, stopped early" if t.get("stopped_early") else "finished"
    val = t.get("val_loss")
    val_text = f", val loss {val:.3f}" if isinstance(val, (int, float)) else ""
    return f"{book.get('name', '?')}: {state} at step {t.get('step', '?')}{val_text}"

