"""What a new run folder is called, on every system."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ..config import TrainConfig
from .settings import preset_name


def default_run_name(books: list[str], config: TrainConfig, now: float) -> str:
    """"Alpha + beta · tiny · 2026-11-29 18-30": what a new run is called unless renamed."""
    titles = " + ".join(books[:3]) + (f" + {len(books) - 3} more" if len(books) > 3 else "")
    stamp = datetime.datetime.fromtimestamp(now).strftime("%Y-%m-%d %H-%M-%S")
    return safe_name(f"{titles} · {preset_name(config)} · {stamp}")


def safe_name(name: str) -> str:
    """A folder name on every system: no separators or characters Windows refuses."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip().rstrip(".")
    return cleaned[:120] or "run"


def new_run_folder(root: Path, name: str) -> Path:
    """``root/name``, or ``root/name (2)``… if that is taken."""
    base, n = safe_name(name), 1
    folder = root / base
    while folder.exists():
        n += 1
        folder = root / f"{base} ({n})"
    return folder
