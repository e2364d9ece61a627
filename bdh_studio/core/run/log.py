"""The one reader of a run's metrics logs (``metrics.jsonl`` and every rank's).

One rule for every line, whoever reads the run (the window, ``runs list``,
``runs compare``, ``export-tensorboard``):
- a blank line is passed over;
- a line that is a whole event of ours is an event;
- a line a killed writer cut short (a start of ``{"event": "...``, the way
  every line is written) is *torn*: left out and counted, but no damage,
  wherever it is (the next run ends it and appends after it);
- anything else (junk bytes, ``[1, 2, 3]``, ``"text"``, ``null``, an object
  that is no event of ours) is *not a valid event*: left out, counted, and it
  makes the run damaged, naming the file and the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import events as ev
from .folder import METRICS, RunFolderError, rank_logs

LINE_START = '{"event": "'  # how json.dumps(event.to_dict()) starts every line
TORN = object()  # what _event says of a line a killed writer cut short


@dataclass
class RunLog:
    """A run's events, the lines left out, and what makes the log damaged."""
    events: list[ev.Event] = field(default_factory=list)
    torn: int = 0  # lines a killed writer cut short
    invalid: int = 0  # lines that are no event of ours
    problems: list[str] = field(default_factory=list)  # "metrics.jsonl: line 2 is not ..."

    @property
    def skipped(self) -> int:
        return self.torn + self.invalid

    def note(self) -> str:
        """What a reader should be told about the skipped lines, or nothing."""
        if not self.skipped:
            return ""
        return (f"{self.skipped} line(s) of the run's {METRICS} could not be read (torn by a "
                f"crash, or not an event) and were left out")


def read_run(path: str | Path) -> RunLog:
    """The events of a run folder (every rank's log, rank 0's first) or of one metrics file.

    Raises RunFolderError when there is no log to read; a log that cannot be
    read or holds lines that are no event is a problem of the returned log.
    """
    path = Path(path)
    if not path.exists():
        raise RunFolderError(f"{path}: no such folder; give a run folder (one with {METRICS})")
    if not path.is_dir() and path.suffix.lower() != ".jsonl":
        raise RunFolderError(f"{path}: a file, and not a run; give a run folder (one with "
                             f"{METRICS}) or its {METRICS}")
    logs = [path / METRICS, *rank_logs(path)] if path.is_dir() else [path]
    if not logs[0].is_file():
        raise RunFolderError(f"{logs[0].parent}: not a run folder (no {METRICS} in it)")
    run = RunLog()
    for log in logs:
        _read_log(log, run)
    return run


def _read_log(path: Path, run: RunLog) -> None:
    bad = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                event = _event(line)
                if isinstance(event, ev.Event):
                    run.events.append(event)
                elif event is TORN:
                    run.torn += 1
                else:
                    bad.append(number)
    except OSError as exc:
        run.problems.append(f"{path.name}: cannot be read ({exc.strerror or exc})")
        return
    run.invalid += len(bad)
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        run.problems.append(f"{path.name}: line {bad[0]}{more} is not a valid event")


def _event(line: str) -> ev.Event | object | None:
    """The event a line holds, TORN for the start of one cut short, else None."""
    try:
        data = json.loads(line)
    except ValueError:
        return TORN if LINE_START.startswith(line) or line.startswith(LINE_START) else None
    try:
        return ev.from_dict(data)
    except (ValueError, TypeError, AttributeError):
        return None
