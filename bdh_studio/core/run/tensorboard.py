"""A run's curves as TensorBoard event files, for people who read their curves there.

Each book is a tag group (``<book>/train_loss``, ``<book>/val_loss``, ...), one
point per logged step, from the run's logs (every rank's) folded as the
window folds them: a book stopped and resumed from an earlier checkpoint
writes each step once.  TensorBoard is an optional extra:
``torch.utils.tensorboard`` needs the ``tensorboard`` package, which the
studio itself never does.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Iterator

from ..errors import UserError
from .log import read_run
from .series import Series
from .state import RunState

INSTALL_HINT = "pip install 'bdh-studio[tensorboard]' (or: pip install tensorboard)"

# tag name -> the book series it is written from
TAGS = {"train_loss": "train", "lr": "lr", "tokens_per_s": "tokens", "x_sparsity": "x_sparsity",
        "y_sparsity": "y_sparsity", "val_loss": "val", "bits_per_byte": "bits_per_byte"}


def points(state: RunState) -> Iterator[tuple[str, int, float]]:
    """(tag, step, value) of every finite curve point, book by book, tag by tag, step by step."""
    for book, data in state.books.items():
        kinds: dict[str, Series] = {**data.series, **data.logged}
        for tag, kind in TAGS.items():
            series = kinds[kind]
            for step, value in zip(series.steps, series.values):
                if math.isfinite(value):  # logged as null: not a point
                    yield f"{book}/{tag}", int(step), float(value)


def export_run(run_dir: str | Path, out_dir: str | Path) -> Counter:
    """Write the curves of ``run_dir`` under ``out_dir``; returns the points per tag."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:
        raise UserError(f"TensorBoard is not installed: {INSTALL_HINT}") from exc
    written: Counter = Counter()
    state = RunState.of(read_run(run_dir).events)
    try:
        writer = SummaryWriter(log_dir=str(out_dir))
    except OSError as exc:
        raise UserError(f"cannot write to {out_dir}: {exc}") from exc
    with writer:
        for tag, step, value in points(state):
            writer.add_scalar(tag, value, global_step=step)
            written[tag] += 1
    return written
