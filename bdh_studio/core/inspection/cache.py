"""Scan results kept on disk, keyed by what made them, so a second look is instant.

The key is the checkpoint's and the book's sha256 with the scan's settings:
a retrained model, an edited book or other settings never meet an old result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

import torch

from ..checkpoints import atomic_save
from ..errors import UserError

VERSION = 2  # raise when a stored result's layout changes


def default_dir() -> Path:
    """``$XDG_CACHE_HOME/bdh-studio/inspect`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bdh-studio" / "inspect"


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def key(what: str, **facts: object) -> str:
    text = json.dumps({"what": what, "version": VERSION, **facts}, sort_keys=True)
    return f"{what}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def load(folder: Path | None, name: str) -> dict | None:
    """A stored result, or None when there is none or it cannot be read (it is redone)."""
    if folder is None:
        return None
    try:
        return torch.load(folder / f"{name}.pt", weights_only=True)
    except Exception:  # absent, truncated or from another version: scan again
        return None


def store(folder: Path | None, name: str, result: dict) -> None:
    """Keep a result; a cache that cannot be written costs only the next scan's time."""
    if folder is None:
        return
    with contextlib.suppress(UserError, OSError):  # unwritable: the next scan recomputes it
        atomic_save(result, folder / f"{name}.pt")
