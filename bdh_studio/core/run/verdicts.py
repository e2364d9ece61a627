"""What checking each book model found, kept in the user's cache folder across processes.

Checking a book model means torch-loading it and hashing its weights, and importing
torch alone costs ``runs list`` 2 s of its start. A file that is still the same file
(same path, size and modification time to the nanosecond, the test rsync and make
use) keeps the verdict it got, so listing the runs again needs no torch; any change
to the file has it read again. Only a cache: an unreadable one is ignored, one that
cannot be written is not kept.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from ..atomic import write_whole
from ..errors import WriteFailed
from .root import APPLICATION

FORMAT = "bdh-studio.checkpoint-verdicts.v1"

_lock = threading.Lock()  # the Runs panel lists in a worker thread
_files: dict[str, list] | None = None  # path -> [mtime_ns, size, what is wrong or ""]
_changed = False


def user_cache_folder() -> Path:
    """QStandardPaths.writableLocation(GenericCacheLocation), computed without Qt."""
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else Path.home() / "AppData" / "Local") / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"


def cache_file() -> Path:
    return user_cache_folder() / APPLICATION / "checkpoint-verdicts.json"


def known(path: Path, stat: os.stat_result) -> str | None:
    """The verdict ``path`` got while it was this same file, or None if it has none."""
    with _lock:
        entry = _loaded().get(str(path))
    if entry and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
        return entry[2]
    return None


def remember(path: Path, stat: os.stat_result, verdict: str) -> None:
    global _changed
    with _lock:
        _loaded()[str(path)] = [stat.st_mtime_ns, stat.st_size, verdict]
        _changed = True


def save() -> None:
    """Write the verdicts found since the last save; files that are gone are forgotten."""
    global _changed
    with _lock:
        if not _changed:
            return
        files = {path: entry for path, entry in _loaded().items() if os.path.exists(path)}
        _changed = False
    text = json.dumps({"format": FORMAT, "files": files})
    try:
        write_whole(cache_file(), lambda tmp: tmp.write_text(text, encoding="utf-8"),
                    make_folders=True)
    except WriteFailed:
        pass  # without the cache the next listing reads the book models again, no more


def _loaded() -> dict[str, list]:
    global _files
    if _files is None:
        _files = _read(cache_file())
    return _files


def _read(file: Path) -> dict[str, list]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == FORMAT else {}
    return {path: entry for path, entry in (files if isinstance(files, dict) else {}).items()
            if isinstance(entry, list) and len(entry) == 3
            and [type(x) for x in entry] == [int, int, str]}
