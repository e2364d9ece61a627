"""Where a command may write: never over one of its inputs, never into a run folder.

Every path a person gives a command to write goes through ``check_file`` or
``check_folder`` before any work starts.  They create nothing, and refuse,
with one line naming the path and what to do instead: a folder given for a
file (or a file for a folder), an input of the command (the same file by
any name: symlinks resolved, hard links compared by inode, or a file of an
input folder), and any path inside a run folder, which holds only what
training (and the window's kept classifier results) put there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import UserError
from .run.folder import CHECKPOINTS, CONFIG, METRICS, RANK_METRICS

Inputs = Iterable[tuple[str, "str | Path | None"]]  # (what the person calls it, its path)


class OutputError(UserError):
    """An output path that would overwrite an input or a run, or cannot be written."""


def is_run_folder(folder: Path) -> bool:
    """A run's folder: its events log, or its settings beside its checkpoints/."""
    if not folder.is_dir():
        return False
    if (folder / METRICS).is_file() or any(
            RANK_METRICS.fullmatch(p.name) for p in folder.glob("metrics.rank*.jsonl")):
        return True
    return (folder / CONFIG).is_file() and (folder / CHECKPOINTS).is_dir()


def enclosing_run(path: str | Path) -> Path | None:
    """The run folder ``path`` is (a folder) or lies in, however it is reached."""
    resolved = Path(path).expanduser().resolve()
    return next((f for f in (resolved, *resolved.parents) if is_run_folder(f)), None)


def check_file(path: str | Path, inputs: Inputs, flag: str, example: str,
               writes_models: bool = False) -> Path:
    """Refuse a file to write that is a folder, an input, or in a run folder; create nothing.

    ``flag`` is how the command names the output (``--out``), ``example`` a
    file name to suggest when a folder was given.  Unless the command
    ``writes_models`` itself, an existing model (or any zip or pickle) is
    never replaced by its text or picture either: such a file is not one it made.
    """
    out = Path(path).expanduser()
    if out.is_dir():
        raise OutputError(f"{out}: is a folder; {flag} names the file to write, "
                          f"e.g. {out / example}")
    _not_an_input(out, inputs, flag)
    run = enclosing_run(out.resolve().parent)  # a symlink to a run's file included
    if run is not None:
        raise OutputError(f"{out}: is inside {_place(out, run)}, which holds only the run's "
                          f"own files; choose another {flag}, outside it")
    if not writes_models and _holds_a_model(out):
        raise OutputError(f"{out}: holds a model or an archive (a zip or pickle file), not "
                          f"something this command wrote; choose another {flag}")
    check_writable(out.parent, flag)
    return out


def _holds_a_model(path: Path) -> bool:
    """Whether ``path`` starts as torch's files do: a zip, or a pickle (older torch.save)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return head.startswith((b"PK\x03\x04", b"\x80"))


def check_folder(path: str | Path, inputs: Inputs, flag: str, run_ok: bool = False,
                 probe: bool = True) -> Path:
    """Refuse a folder to write into that is a file, an input, or in a run folder.

    ``run_ok``: the folder may itself be a run folder (train's own); a folder
    inside one is refused all the same.  ``probe``: try a file in it (train's
    run folder says that itself, in its own words).
    """
    out = Path(path).expanduser()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file; {flag} names a folder to write into")
    _not_an_input(out, inputs, flag)
    run = enclosing_run(out)
    if run is not None and not (run_ok and run == out.resolve()):
        raise OutputError(f"{out}: is {'' if run == out.resolve() else 'inside '}"
                          f"{_place(out / 'x', run)}, which holds only the run's own files; "
                          f"choose another {flag}, outside it")
    if probe:
        check_writable(out, flag)
    return out


def check_writable(folder: Path, flag: str) -> None:
    """The nearest existing folder on the way to ``folder`` takes a new file; nothing is made."""
    existing = next(f for f in (folder, *folder.parents) if f.exists())
    if not existing.is_dir():
        raise OutputError(f"{existing}: is a file, not a folder; choose another {flag}")
    try:
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as exc:
        raise OutputError(f"cannot write in {existing}: {exc.strerror or exc}; make it "
                          f"writable or choose another {flag}") from None


def _not_an_input(out: Path, inputs: Inputs, flag: str) -> None:
    for label, given in inputs:
        if given is None:
            continue
        source = Path(given).expanduser()
        which = label if _same(out, source) else \
            f"a file of {label} {given}" if source.is_dir() and _holds(source, out) else None
        if which is not None:
            raise OutputError(f"{out}: is an input of this command ({which}), and a command "
                              f"never overwrites its source; choose another {flag}")


def _same(a: Path, b: Path) -> bool:
    """The same file or folder, by path after symlinks, or by inode (a hard link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _holds(folder: Path, out: Path) -> bool:
    """Whether ``out`` is an existing file of ``folder`` (at any depth), by any name."""
    if not out.is_file():
        return False
    if folder.resolve() in out.resolve().parents:
        return True
    if out.stat().st_nlink < 2:
        return False
    mine = os.stat(out)
    return any(os.path.samestat(mine, os.stat(Path(root) / name))
               for root, _, files in os.walk(folder) for name in files)


def _place(out: Path, run: Path) -> str:
    """'a run's checkpoints/ folder (RUN)' or 'the run folder RUN', for a message."""
    inside = out.resolve().parent.relative_to(run)
    if inside.parts:
        return f"a run's {inside.parts[0]}/ folder ({run})"
    return f"the run folder {run}"
