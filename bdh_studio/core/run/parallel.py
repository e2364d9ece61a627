"""The hyperparameters table as parallel coordinates: one vertical axis per setting that
differs and per book's best validation loss, one polyline per run across them.

What a sweep of more than a few runs is read from: which values of which
settings the low-loss lines pass through.  Each axis runs 0 (bottom) to 1
(top).  A setting of names (a device, a schedule) puts them at evenly spaced
ticks; a number is scaled from its smallest to its largest value, labelled at
both ends, on a log scale when all are positive and span more than 10× (a
learning rate swept by decades).  A run without a value on an axis has no
point there (NaN), and its line breaks around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .hparams import RUN, HparamsTable

BEST = " best val"  # the end of a book's best validation loss column in the table
CATEGORY, LINEAR, LOG = "category", "linear", "log"
LOG_SPAN = 10.0  # largest / smallest above which a positive axis is logarithmic


@dataclass
class Axis:
    name: str
    scale: str  # CATEGORY, LINEAR or LOG
    ticks: list[tuple[float, str]]  # (position 0..1, label): names, or the two ends' values


@dataclass
class ParallelCoordinates:
    axes: list[Axis]
    runs: list[str]  # the table's runs, in its order
    positions: list[list[float]]  # a run's position on each axis, 0..1; NaN: no value


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def number_text(value: float) -> str:
    """An end's label: short, and exact enough to tell 3e-4 from 1e-3."""
    return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"


def category_axis(name: str, values: list) -> tuple[Axis, list[float]]:
    """Names at evenly spaced ticks, in their sorted order (a lone name in the middle)."""
    names = sorted({str(v) for v in values if v is not None})
    spacing = 1 / (len(names) - 1) if len(names) > 1 else 0.0
    place = {n: (i * spacing if len(names) > 1 else 0.5) for i, n in enumerate(names)}
    ticks = [(place[n], n) for n in names]
    return Axis(name, CATEGORY, ticks), [math.nan if v is None else place[str(v)]
                                         for v in values]


def number_axis(name: str, values: list) -> tuple[Axis, list[float]]:
    """Smallest to largest, labelled at the ends; log when positive across more than 10×."""
    numbers = [v for v in values if is_number(v)]
    low, high = min(numbers), max(numbers)
    log = low > 0 and high / low > LOG_SPAN
    scaled = math.log10 if log else float

    def position(v) -> float:
        if not is_number(v):
            return math.nan
        if high == low:
            return 0.5
        return (scaled(v) - scaled(low)) / (scaled(high) - scaled(low))

    ticks = [(0.5, number_text(low))] if high == low else \
        [(0.0, number_text(low)), (1.0, number_text(high))]
    return Axis(name, LOG if log else LINEAR, ticks), [position(v) for v in values]


def parallel_coordinates(table: HparamsTable) -> ParallelCoordinates:
    """The axes of ``table``'s differing settings then each book's best val loss, and each
    run's place on them; a column no run has a value in gets no axis."""
    wanted = [*range(1, 1 + table.settings), *(
        c for c in range(1 + table.settings, len(table.columns))
        if table.columns[c].endswith(BEST))]
    axes, columns = [], []
    for c in wanted:
        values = [row[c] for row in table.rows]
        present = [v for v in values if v is not None]
        if not present:
            continue
        make = number_axis if all(is_number(v) for v in present) else category_axis
        axis, places = make(table.columns[c], values)
        axes.append(axis)
        columns.append(places)
    runs = [row[table.columns.index(RUN)] for row in table.rows]
    return ParallelCoordinates(axes, runs, [list(p) for p in zip(*columns)] if columns
                               else [[] for _ in runs])
