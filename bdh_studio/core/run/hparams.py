"""The hyperparameters table: one row per run, only the settings that differ between them,
then each book's final and best validation loss (and the step of the best).

What a sweep is read from: which setting moved, and what it did to the loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .settings import config_diff
from .best import best_so_far

RUN = "run"


class ValCurves(Protocol):
    """A run's name, settings, and each book's validation (steps, losses)."""
    name: str
    config: dict | None

    def val_points(self) -> dict[str, tuple[np.ndarray, np.ndarray]]: ...


@dataclass
class HparamsTable:
    columns: list[str]
    rows: list[list]  # None where a run has no value
    settings: int  # how many columns after "run" are settings; the losses follow

    def text(self) -> list[list[str]]:
        """The rows as a person or a CSV reads them: "—" for no value."""
        return [[cell_text(v) for v in row] for row in self.rows]


def cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3g}"
    return str(value)


def hparams_table(runs: list[ValCurves]) -> HparamsTable:
    """The table of ``runs`` (their order kept); with one run none differs and only the losses
    show.  A run whose settings cannot be read shows none, and does not make them all differ."""
    configs = {r.name: r.config for r in runs if r.config}
    diff = config_diff(configs) if len(configs) > 1 else {}
    points = [r.val_points() for r in runs]
    books = list(dict.fromkeys(b for p in points for b in p))
    columns = [RUN, *diff]
    for book in books:
        columns += [f"{book} final val", f"{book} best val", f"{book} best step"]
    rows = []
    for run, curves in zip(runs, points):
        row = [run.name, *(diff[k].get(run.name) for k in diff)]
        for book in books:
            steps, values = curves.get(book, (np.empty(0), np.empty(0)))
            best = best_so_far(steps, values)
            final = float(values[-1]) if values.size and np.isfinite(values[-1]) else None
            row += [final, best and best.loss, best and best.step]
        rows.append(row)
    return HparamsTable(columns, rows, len(diff))
