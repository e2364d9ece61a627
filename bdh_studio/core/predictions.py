"""A classifier run's predictions as one table a person can sort, filter and export.

The test rows carry the fitted model's prediction; every train row carries its
out-of-fold prediction beside its true label, which is where a person sees
what the classifier gets wrong.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .backstories import Backstory
from .classifier import Outcome, Prediction
from .errors import UserError
from .evaluation import encode_labels, metrics

TABLE_COLUMNS = ("id", "split", "book_name", "char", "caption", "label", "confidence",
                 "probability_contradict", "true_label", "content")


@dataclass(frozen=True)
class PredictionRow:
    story: Backstory
    prediction: Prediction
    split: str  # "test", or "train" for an out-of-fold prediction

    @property
    def correct(self) -> bool | None:
        """None where the truth is unknown (a test row)."""
        return None if self.story.label is None else self.story.label == self.prediction.label


def prediction_rows(outcome: Outcome) -> list[PredictionRow]:
    """The test rows first, then the train rows, each in its CSV's order."""
    test = zip(outcome.test.rows, outcome.predictions) if outcome.test else []
    return [PredictionRow(s, p, "test") for s, p in test] + \
        [PredictionRow(s, p, "train") for s, p in zip(outcome.train.rows, outcome.oof)]


def out_of_fold(outcome: Outcome) -> dict:
    """Every train row's out-of-fold prediction scored once (repeats averaged per row)."""
    return metrics(encode_labels(outcome.train.labels),
                   encode_labels([p.label for p in outcome.oof]))


def write_table(path: str | Path, rows: list[PredictionRow]) -> None:
    """Every column a person filters by, the content last since it is the longest."""
    try:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(TABLE_COLUMNS)
            for r in rows:
                s, p = r.story, r.prediction
                writer.writerow([s.id, r.split, s.book_name, s.char, s.caption, p.label,
                                 f"{p.confidence:.4f}", f"{p.probability_contradict:.4f}",
                                 s.label or "", s.content])
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}; choose another file "
                        f"or free some disk space") from None
