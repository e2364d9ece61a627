"""What a runs root holds: one summary per run folder, for the Runs panel, Open run and
``runs list``.

A summary is read from the run's own files only (config.json, its metrics
logs and its checkpoints), so the window, the command line and a script see
the same states.  A damaged file (an unreadable config, a log line that is no
event, a checkpoint whose bytes changed) makes the run ``damaged`` with the
reason; it never hides the run and never stops the listing of the others.
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import events as ev
from ..config import TrainConfig, from_dict
from ..errors import UserError
from . import verdicts
from .best import Best, best_so_far
from .colours import run_colour
from .folder import CONFIG, METRICS, RunFolder, RunFolderError
from .log import RunLog, read_run
from .notes import read_notes
from .settings import preset_name
from .state import RunState

STATES = ("running", "finished", "stopped", "failed", "unfinished", "empty", "damaged")


@dataclass
class RunSummary:
    path: str
    name: str
    started: float = 0.0  # Unix time of its first session
    books: list[str] = field(default_factory=list)
    preset: str = "custom"
    state: str = "empty"
    detail: str = ""  # the step it stopped at, what failed, what is damaged
    stopped_step: int | None = None
    val_loss: dict[str, float | None] = field(default_factory=dict)  # last, per book
    duration: float = 0.0  # seconds, pauses included, summed over its sessions
    size: int = 0  # bytes on disk
    config: dict | None = None
    book_paths: list[str] = field(default_factory=list)
    best_val: dict[str, Best] = field(default_factory=dict)  # the lowest, per book, and its step
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    colour: str = ""  # "#rrggbb": the run's own, in every view
    notes_problem: str = ""  # what is wrong with its notes file; its curves still open

    @property
    def state_text(self) -> str:
        """"stopped at step 227", "failed: …": the state as a person reads it."""
        if self.state == "stopped" and self.stopped_step is not None:
            return f"stopped at step {self.stopped_step}"
        return f"{self.state}: {self.detail}" if self.detail else self.state

    def to_dict(self) -> dict:
        return {**asdict(self), "state_text": self.state_text}


@dataclass
class OpenedRun:
    """A run folder read once: its log, that log folded, and its summary."""
    folder: Path
    log: RunLog
    state: RunState
    summary: RunSummary


def open_run(folder: str | Path) -> OpenedRun:
    """Read a run folder for showing it (slow on long runs: call it off the GUI thread).

    Raises RunFolderError when the folder holds no metrics.jsonl.
    """
    folder = Path(folder)
    log = read_run(folder)
    state = RunState.of(log.events)
    return OpenedRun(folder, log, state, summary_of(folder, log, state))


def is_run(folder: Path) -> bool:
    return (folder / CONFIG).exists() or (folder / METRICS).exists()


def list_runs(root: str | Path) -> list[RunSummary]:
    """Every run folder directly under ``root``, newest first."""
    root = Path(root).expanduser()
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir() if p.is_dir() and is_run(p)]
    for gone in [f for f in _listed_before if f.parent == root and f not in folders]:
        _listed_before.pop(gone, None)  # deleted or renamed
    runs = [_listed(p) for p in folders]
    return sorted(runs, key=lambda r: r.started, reverse=True)


# A summary's state that its files alone decide: "running" and "unfinished" also depend
# on whether the process that trains the run still lives.
SETTLED = ("finished", "stopped", "failed", "empty", "damaged")
_listed_before: dict[Path, tuple[frozenset, RunSummary]] = {}


def _listed(folder: Path) -> RunSummary:
    """The summary of a settled run whose files did not change since it was last listed.

    The window lists the runs again at each validation of the run it trains: with
    hundreds of runs in the root, reading every log each time took a second of a
    core that training needs.  A summary is read from its folder's files alone, so
    their names, sizes and modification times say whether it can have changed.
    """
    files = _files(folder)
    before = _listed_before.get(folder)
    if before is not None and before[0] == files:
        return before[1]
    summary = summarize(folder)
    if summary.state in SETTLED:
        _listed_before[folder] = (files, summary)
    else:
        _listed_before.pop(folder, None)
    return summary


def _files(folder: Path) -> frozenset:
    """(path, size, modification time) of the folder and of every file under it."""
    found = set()
    for root, _, names in os.walk(folder):
        for name in [os.curdir, *names]:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):  # removed while we walk: no longer there
                stat = os.stat(path)
                found.add((path, stat.st_size, stat.st_mtime_ns))
    return frozenset(found)


def summarize(folder: str | Path) -> RunSummary:
    folder = Path(folder)
    try:
        log = read_run(folder)
    except RunFolderError:
        log = None
    return summary_of(folder, log, RunState.of(log.events if log else ()))


def summary_of(folder: Path, log: RunLog | None, state: RunState) -> RunSummary:
    """The summary of ``folder`` whose log (None: it has none) folded into ``state``."""
    summary = RunSummary(str(folder), folder.name, size=_size(folder))
    problems = []
    try:
        summary.config = _config(folder)
    except UserError as exc:
        problems.append(str(exc))
    summary.preset = preset_name(summary.config)
    problems += log.problems if log is not None else [f"no {METRICS} in it"]
    _take_sessions(summary, state)
    summary.started = state.start or _mtime(folder)
    if summary.state != "running":  # a live run's trainer reports what it cannot resume
        problems += checkpoint_problems(RunFolder(folder).checkpoints())
    if problems:
        summary.state, summary.detail = "damaged", "; ".join(problems)
    _take_notes(summary, folder, state)
    return summary


def _take_notes(summary: RunSummary, folder: Path, state: RunState) -> None:
    """What the researcher kept of the run: notes, tags, colour; and each book's best."""
    notes, summary.notes_problem = read_notes(folder)
    summary.notes, summary.tags = notes.notes, notes.tags
    summary.colour = run_colour(notes.colour, state.start, summary.name)
    summary.best_val = {name: best for name, book in state.books.items()
                        if (best := best_so_far(book.series["val"].steps,
                                                book.series["val"].values)) is not None}


def _config(folder: Path) -> dict:
    try:
        config = RunFolder(folder).saved_config()
    except UserError:
        raise UserError(f"{CONFIG} is damaged (not a JSON configuration)") from None
    if config is None:
        raise UserError(f"no {CONFIG} in it")
    return config.to_dict()


def _take_sessions(summary: RunSummary, state: RunState) -> None:
    """States, losses and durations from the events of every session, last session last."""
    s = state.sessions
    summary.books, summary.book_paths = list(s.books), list(s.book_paths)
    summary.val_loss, summary.stopped_step = dict(s.val_loss), s.stopped_step
    summary.duration = s.duration
    if s.last is None:
        return
    if s.finished is None:
        summary.state, summary.detail = _unfinished(s.last)
        if s.last.started:
            summary.duration += max(0.0, s.last_time - s.last.started)
    elif s.failure or s.finished.books_failed:
        summary.state, summary.detail = "failed", s.failure
    else:
        summary.state = "stopped" if s.finished.stopped else "finished"


def _unfinished(started: ev.RunStarted) -> tuple[str, str]:
    """A session without run_finished: still running, or ended by a crash or a kill."""
    alive = process_alive(started.pid) if started.host == socket.gethostname() else None
    if alive:
        return "running", ""
    if alive is None:
        return "unfinished", (f"no run_finished; it may still run on {started.host}"
                              if started.host else "no run_finished")
    return "failed", "the process ended without finishing the run (killed or crashed)"


def process_alive(pid: int) -> bool | None:
    """Whether process ``pid`` lives; None where that cannot be asked safely."""
    if pid <= 0 or os.name != "posix":  # os.kill(pid, 0) would end it on Windows
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def checkpoint_problems(paths: list[Path]) -> list[str]:
    """What is wrong with each book model that cannot be used (bytes changed, a pickle, not a
    checkpoint), as the loaders say it.

    Each file is read and its digest checked once while it stays the same file (same
    size and modification time); the verdicts are kept in the user's cache folder, so
    listing the runs again, in this process or another, needs no torch.
    """
    problems = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue  # removed while we look: not a checkpoint of the run any more
        verdict = verdicts.known(path, stat)
        if verdict is None:
            verdict = _check(path)
            verdicts.remember(path, stat, verdict)
        if verdict:
            problems.append(verdict)
    verdicts.save()
    return problems


def _check(path: Path) -> str:
    from .. import checkpoints  # torch (seconds to import): only for a file not yet read
    try:
        checkpoints.load(path)
    except UserError as exc:
        return str(exc)
    return ""


def _mtime(folder: Path) -> float:
    try:
        return folder.stat().st_mtime
    except OSError:
        return 0.0


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # removed while we walk: it no longer counts
                total += os.stat(os.path.join(root, name)).st_size
    return total


def config_of(summary: RunSummary) -> TrainConfig | None:
    """The run's settings as a config, or None when they cannot be read."""
    try:
        return from_dict(summary.config) if summary.config else None
    except UserError:
        return None
