"""A classifier run's predictions as one table a person can sort, filter and export.

The test rows carry the fitted model's prediction; every train row carries its
out-of-fold prediction beside its true label, which is where a person sees
what the classifier gets wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .atomic import write_csv
from .backstories import Backstory
from .classifier import Outcome, Prediction
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
    write_csv(path, list(TABLE_COLUMNS), (
        [r.story.id, r.split, r.story.book_name, r.story.char, r.story.caption,
         r.prediction.label, f"{r.prediction.confidence:.4f}",
         f"{r.prediction.probability_contradict:.4f}", r.story.label or "", r.story.content]
        for r in rows))
