"""Several runs side by side: their curves and settings, and every point as CSV.

``runs compare --out x.csv`` writes without Qt; the window's Compare tab and
``runs compare --out x.png`` draw the same ``ComparedRun``s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_csv as write_rows
from ..errors import UserError
from .folder import RunFolder
from .log import read_run
from .state import RunState

CSV_HEADER = ["run", "book", "kind", "step", "training_time", "wall_clock", "value"]


@dataclass
class ComparedRun:
    """What the comparison needs of a run, read in the background."""
    name: str
    series: RunState
    config: dict | None


def load_run(folder: str | Path) -> ComparedRun:
    """A run folder's curves and settings (slow on long runs: call it off the GUI thread)."""
    folder = Path(folder)
    try:
        config = RunFolder(folder).saved_config()
    except UserError:
        config = None  # the diff shows "—"; the curves still compare
    return ComparedRun(folder.name, RunState.of(read_run(folder).events),
                       config.to_dict() if config else None)


def write_csv(path: str | Path, runs: list[ComparedRun]) -> None:
    """Every point of every run's curves: run, book, kind, step, both times, value."""
    write_rows(path, CSV_HEADER,
               ([run.name, book, kind, int(step), f"{t:.3f}", f"{wall:.3f}", repr(float(v))]
                for run in runs for book, data in run.series.books.items()
                for kind, s in data.series.items()
                for step, t, wall, v in zip(s.steps, s.elapsed, s.wall, s.values)))
