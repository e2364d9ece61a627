"""What a runs root holds: one summary per run folder, for the Runs panel and ``runs list``.

A summary is read from the run's own files only (config.json and its metrics
logs), so the window, the command line and a script see the same states.
A damaged file makes the run ``damaged`` with the reason; it never hides the
run and never stops the listing of the others.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import events as ev
from .config import PRESETS, TrainConfig, from_dict
from .errors import UserError
from .runs import CONFIG, METRICS, RunFolder, _rank_logs

# Settings that say where and how fast a run trains, not what it trains: a preset
# run on a GPU is still that preset.
RUNTIME_ONLY = ("device", "precision", "compile")
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

    @property
    def state_text(self) -> str:
        """"stopped at step 227", "failed: …": the state as a person reads it."""
        if self.state == "stopped" and self.stopped_step is not None:
            return f"stopped at step {self.stopped_step}"
        return f"{self.state}: {self.detail}" if self.detail else self.state

    def to_dict(self) -> dict:
        return {**asdict(self), "state_text": self.state_text}


def preset_name(config: dict | TrainConfig | None) -> str:
    """The preset these settings are (ignoring the device they ran on), else "custom"."""
    if config is None:
        return "custom"
    values = config.to_dict() if isinstance(config, TrainConfig) else config
    for name, preset in PRESETS.items():
        wanted = preset.to_dict()
        if all(values.get(k) == v for k, v in wanted.items() if k not in RUNTIME_ONLY):
            return name
    return "custom"


def is_run(folder: Path) -> bool:
    return (folder / CONFIG).exists() or (folder / METRICS).exists()


def list_runs(root: str | Path) -> list[RunSummary]:
    """Every run folder directly under ``root``, newest first."""
    root = Path(root).expanduser()
    if not root.is_dir():
        return []
    runs = [summarize(p) for p in root.iterdir() if p.is_dir() and is_run(p)]
    return sorted(runs, key=lambda r: r.started, reverse=True)


def summarize(folder: str | Path) -> RunSummary:
    folder = Path(folder)
    summary = RunSummary(str(folder), folder.name, started=_mtime(folder), size=_size(folder))
    problems = []
    try:
        summary.config = _config(folder)
    except UserError as exc:
        problems.append(str(exc))
    summary.preset = preset_name(summary.config)
    logs = [folder / METRICS, *_rank_logs(folder)]
    if not logs[0].is_file():
        problems.append(f"no {METRICS} in it")
        logs = logs[1:]
    events = []
    for log in logs:
        read, problem = read_log(log)
        events += read
        if problem:
            problems.append(problem)
    _replay(summary, events)
    if problems:
        summary.state, summary.detail = "damaged", "; ".join(problems)
    return summary


def _config(folder: Path) -> dict:
    try:
        config = RunFolder(folder).saved_config()
    except UserError:
        raise UserError(f"{CONFIG} is damaged (not a JSON configuration)") from None
    if config is None:
        raise UserError(f"no {CONFIG} in it")
    return config.to_dict()


def read_log(path: Path) -> tuple[list[ev.Event], str]:
    """The events of one metrics log, and what is wrong with it ("" when nothing).

    A torn last line is what a killed writer leaves, not damage; a bad line
    before other lines is.
    """
    events, bad = [], []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        return [], f"{path.name}: cannot be read ({exc.strerror or exc})"
    for number, line in enumerate(lines, 1):
        try:
            event = ev.from_dict(json.loads(line))
        except (ValueError, TypeError, AttributeError):
            bad.append(number)
            continue
        if event is not None:
            events.append(event)
    bad = [n for n in bad if n != len(lines)]
    if not bad:
        return events, ""
    more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
    return events, f"{path.name}: line {bad[0]}{more} is not a valid event"


def _replay(summary: RunSummary, events: list[ev.Event]) -> None:
    """States, losses and durations from the events of every session, last session last."""
    session_start, last_time, finished, failure = None, 0.0, None, ""
    for event in events:
        if isinstance(event, ev.RunStarted):
            if session_start is None and event.started:
                summary.started = event.started
            summary.books = list(dict.fromkeys([*summary.books, *event.books]))
            summary.book_paths = list(event.book_paths) or summary.book_paths
            session_start, finished, failure = event, None, ""
            summary.stopped_step = None
        elif isinstance(event, (ev.StepLogged, ev.ValidationLogged)):
            last_time = max(last_time, event.time)
            if isinstance(event, ev.ValidationLogged):
                summary.val_loss[event.book] = event.val_loss
        elif isinstance(event, ev.BookFinished):
            if event.status == "partial":
                summary.stopped_step = event.step
            if event.val_loss is not None:
                summary.val_loss[event.book] = event.val_loss
        elif isinstance(event, (ev.BookFailed, ev.RunFailed)):
            failure = failure or event.message
        elif isinstance(event, ev.RunFinished):
            finished = event
            summary.duration += event.elapsed
    if session_start is None:
        return
    if finished is None:
        summary.state, summary.detail = _unfinished(session_start)
        if session_start.started:
            summary.duration += max(0.0, last_time - session_start.started)
    elif failure or finished.books_failed:
        summary.state, summary.detail = "failed", failure
    else:
        summary.state = "stopped" if finished.stopped else "finished"


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


def config_diff(configs: dict[str, dict]) -> dict[str, dict[str, object]]:
    """The settings that differ between named configs: setting -> {name: value}.

    The device a run happened to use is part of it: it explains speed.
    """
    keys = dict.fromkeys(k for config in configs.values() for k in config)
    return {k: {name: config.get(k) for name, config in configs.items()}
            for k in keys if len({json.dumps(c.get(k)) for c in configs.values()}) > 1}


def changed_settings(saved: TrainConfig, wanted: TrainConfig) -> list[str]:
    """What ``wanted`` changes of a run's ``saved`` settings ("lr 0.001 -> 0.003"), not
    counting where it runs."""
    diff = config_diff({"saved": saved.to_dict(), "wanted": wanted.to_dict()})
    return [f"{k} {v['saved']} -> {v['wanted']}" for k, v in diff.items()
            if k not in RUNTIME_ONLY]


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


def hms(seconds: float) -> str:
    """h:mm:ss, as run durations and the wall-clock axis are written."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


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
