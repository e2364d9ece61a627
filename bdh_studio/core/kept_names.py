"""Names for results kept side by side in one folder: each one new, and in the order made.

A name is ``<sequence>_<UTC time>``, e.g. ``0007_20261207T104512.123456Z``.  The
sequence, one more than the highest in the folder, is what orders them: a wall
clock set back, or the hour repeated when daylight saving ends, would misorder
times.  The time is UTC in ISO 8601's basic form (no colons, which Windows
refuses in a name), and says when.  A folder is made with an exclusive mkdir,
so a name taken first (by another thread, or another process) is never written
into: the next sequence is tried.  Two processes saving into one folder at the
same moment may share a sequence under different names; their times order them.

Names from before (``2026-12-04_15-22-01-000001``, local time) and any others
still list: older than every numbered one, and among themselves by name.
"""

from __future__ import annotations

import datetime
import re
import threading
from pathlib import Path

_NUMBERED = re.compile(r"(\d+)_(\d{8}T\d{6}\.\d{6}Z)")
_UTC = "%Y%m%dT%H%M%S.%fZ"
_LOCAL = "%Y-%m-%d_%H-%M-%S-%f"  # the names before: local time, no sequence
_claiming = threading.Lock()  # two saves of one process never look at the folder at once


def claim(root: Path) -> Path:
    """A new, empty folder under ``root`` (made if missing), named after every one there."""
    root.mkdir(parents=True, exist_ok=True)
    with _claiming:
        sequence = max((_order(p)[1] for p in root.iterdir()), default=0)
        while True:
            sequence += 1
            now = datetime.datetime.now(datetime.timezone.utc)
            folder = root / f"{sequence:04d}_{now.strftime(_UTC)}"
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return folder


def newest_first(folders: list[Path]) -> list[Path]:
    """``folders`` by when they were made, the newest first, whatever the clock said then."""
    return sorted(folders, key=_order, reverse=True)


def _order(folder: Path) -> tuple[int, int, str]:
    """Numbered names after the others, by sequence; the others by name."""
    numbered = _NUMBERED.fullmatch(folder.name)
    return (1, int(numbered[1]), numbered[2]) if numbered else (0, 0, folder.name)


def made_at(folder: Path) -> datetime.datetime | None:
    """When ``folder`` was made, in local time, as its name says; None if it does not say."""
    numbered = _NUMBERED.fullmatch(folder.name)
    try:
        if numbered:
            utc = datetime.datetime.strptime(numbered[2], _UTC)
            return utc.replace(tzinfo=datetime.timezone.utc).astimezone()
        return datetime.datetime.strptime(folder.name, _LOCAL)
    except ValueError:
        return None
