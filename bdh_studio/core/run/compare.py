"""Several runs side by side: their curves and settings, and every point as CSV.

``runs compare --out x.csv`` writes without Qt; the window's Compare tab and
``runs compare --out x.png`` draw the same ``ComparedRun``s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import write_csv as write_rows
from ..errors import UserError
from .colours import run_colour
from .folder import RunFolder
from .log import read_run
from .notes import read_notes
from .seeds import band, group_label, group_runs
from .state import RunState

CSV_HEADER = ["run", "book", "kind", "step", "training_time", "wall_clock", "value"]


@dataclass
class ComparedRun:
    """What the comparison needs of a run, read in the background."""
    name: str
    series: RunState
    config: dict | None
    colour: str | None = None  # the run's own; None: the palette's, by position

    def val_points(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {book: (data.series["val"].steps, data.series["val"].values)
                for book, data in self.series.books.items()}


def load_run(folder: str | Path) -> ComparedRun:
    """A run folder's curves, settings and colour (slow on long runs: call it off the GUI
    thread)."""
    folder = Path(folder)
    try:
        config = RunFolder(folder).saved_config()
    except UserError:
        config = None  # the diff shows "—"; the curves still compare
    state = RunState.of(read_run(folder).events)
    notes, _ = read_notes(folder)  # damaged notes: the fallback colour, the curves still open
    return ComparedRun(folder.name, state, config.to_dict() if config else None,
                       run_colour(notes.colour, state.start, folder.name))


def write_csv(path: str | Path, runs: list[ComparedRun], spread: str | None = None) -> None:
    """Every point of every run's curves: run, book, kind, step, both times, value; with a
    ``spread``, each seed group's train loss mean, low and high at each step too."""
    write_rows(path, CSV_HEADER,
               [*([run.name, book, kind, int(step), f"{t:.3f}", f"{wall:.3f}", repr(float(v))]
                  for run in runs for book, data in run.series.books.items()
                  for kind, s in data.series.items()
                  for step, t, wall, v in zip(s.steps, s.elapsed, s.wall, s.values)),
                *(band_rows(runs, spread) if spread else ())])


def band_rows(runs: list[ComparedRun], spread: str):
    """Rows of each seed group's band of the train loss (kinds train_mean, _low, _high)."""
    for group in group_runs(runs):
        if len(group) < 2:
            continue
        label = group_label([run.name for run in group])
        for book in dict.fromkeys(b for run in group for b in run.series.books):
            series = [run.series.books[book].series["train"] for run in group
                      if book in run.series.books]
            b = band([s.steps for s in series], [s.values for s in series], spread)
            for kind, values in (("mean", b.mean), ("low", b.low), ("high", b.high)):
                yield from ([label, book, f"train_{kind}", int(step), "", "", repr(float(v))]
                            for step, v in zip(b.steps, values))
