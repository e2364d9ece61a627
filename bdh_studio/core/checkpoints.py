"""Book-model checkpoints: written atomically, read without ever running code.

A checkpoint is a plain dict of tensors, numbers and strings, so
``torch.load(..., weights_only=True)`` reads it.  Its ``state_dict`` has the
reference's keys exactly; ``export_state_dict`` writes that alone, which
Pathway's ``BDH`` loads with strict=True.
"""

from __future__ import annotations

import contextlib
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .. import __version__
from .config import TrainConfig, from_dict
from .errors import UserError
from .model import BDH, BDHConfig
from .runtime import unwrap

FORMAT = "bdh-studio.book-model.v1"


class CheckpointError(UserError):
    """A checkpoint that cannot be written or read; the message says what to do."""


def versions() -> dict[str, str]:
    return {"bdh_studio": __version__, "torch": str(torch.__version__),
            "python": platform.python_version()}


def atomic_save(obj: Any, path: str | Path) -> None:
    """Write to a temporary file beside ``path``, fsync, then rename over it.

    A crash, a stop or a full disk in the middle leaves the previous file as
    it was; the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise CheckpointError(f"could not write {path}: {exc.strerror or exc}; free some disk "
                                  f"space or choose another folder (the previous file is intact)"
                                  ) from None
        raise
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def cpu_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """The reference-keyed weights on the CPU, whatever wraps the model."""
    return {k: v.detach().to("cpu", copy=True) for k, v in unwrap(model).state_dict().items()}


def save(path: str | Path, *, model: nn.Module, config: TrainConfig, book: dict,
         training: dict, partial: bool, optimizer: torch.optim.Optimizer | None = None,
         scaler: torch.amp.GradScaler | None = None) -> None:
    """Save one book model with what it takes to resume it and to know where it came from."""
    atomic_save({
        "format": FORMAT,
        "model_config": unwrap(model).config.to_dict(),
        "train_config": config.to_dict(),
        "state_dict": cpu_state_dict(model),
        "book": book,
        "training": training,
        "partial": partial,
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scaler": scaler.state_dict() if scaler is not None and scaler.is_enabled() else None,
        "versions": versions(),
    }, path)


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint safely, or say why it cannot be used."""
    path = Path(path)
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except Exception as exc:  # torch raises many kinds for a damaged or foreign file
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}); "
                              f"it may be truncated or not a BDH Studio file") from None
    if isinstance(ckpt, dict) and ckpt.get("format") == FORMAT:
        return ckpt
    if isinstance(ckpt, dict) and "encoder" in ckpt and "decoder" in ckpt:
        raise CheckpointError(f"{path}: a bare state_dict (as exported for Pathway's BDH); it does "
                              f"not record n_layer, so use the full checkpoint it was exported from")
    raise CheckpointError(f"{path}: not a BDH Studio checkpoint (format "
                          f"{ckpt.get('format') if isinstance(ckpt, dict) else type(ckpt).__name__!r})")


def build_model(ckpt: dict, device: str | torch.device = "cpu") -> BDH:
    """The checkpoint's model, weights loaded strictly, in eval mode."""
    model = BDH(BDHConfig.from_dict(ckpt["model_config"]))
    try:
        model.load_state_dict(ckpt["state_dict"], strict=True)
    except RuntimeError as exc:
        raise CheckpointError(f"the weights do not fit the stored configuration: "
                              f"{str(exc).splitlines()[0]}") from None
    return model.to(device).eval()


def load_model(path: str | Path, device: str | torch.device = "cpu") -> tuple[BDH, dict]:
    ckpt = load(path)
    return build_model(ckpt, device), ckpt


def train_config(ckpt: dict) -> TrainConfig | None:
    return from_dict(ckpt["train_config"]) if ckpt.get("train_config") else None


def export_state_dict(path: str | Path, out: str | Path) -> None:
    """Write the bare state_dict alone: what Pathway's reference ``BDH`` loads."""
    atomic_save(load(path)["state_dict"], out)


def describe(ckpt: dict) -> str:
    """One line for a person: which book, how far trained, how good."""
    t, book = ckpt.get("training", {}), ckpt.get("book", {})
    state = "partial" if ckpt.get("partial") else "finished"
    val = t.get("val_loss")
    val_text = f", val loss {val:.3f}" if isinstance(val, (int, float)) else ""
    return f"{book.get('name', '?')}: {state} at step {t.get('step', '?')}{val_text}"

