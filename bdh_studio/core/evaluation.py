"""Cross-validation with the baselines a skeptic computes first.

Every number is computed out of fold on the rows given: the model, always
the majority class, the majority per book, the majority per character, and
the model again with folds that never share a character (does it learn more
than who the backstory is about?).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedGroupKFold

from .backstories import LABELS
from .errors import UserError

# fit(train_indices) -> predict(test_indices) -> probability of "contradict" per row
Fitter = Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]
METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "contradict_f1")


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    return {
        "accuracy": accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro", labels=[0, 1], zero_division=0),
        "contradict_f1": f1_score(y_true, y_pred, pos_label=1, labels=[0, 1], zero_division=0),
        "confusion": confusion_matrix(y_true, y_pred, labels=[0, 1]).tolist(),
    }


def _majority(values: np.ndarray) -> int:
    return int(np.bincount(values, minlength=2).argmax())


def majority_by(groups: np.ndarray, y: np.ndarray, train: np.ndarray,
                test: np.ndarray) -> np.ndarray:
    """Each test row gets its group's majority label in the training fold (else the overall)."""
    overall = _majority(y[train])
    table = {g: _majority(y[train][groups[train] == g]) for g in set(groups[train])}
    return np.array([table.get(g, overall) for g in groups[test]])


@dataclass
class Fold:
    repeat: int
    index: int
    model: dict
    baselines: dict[str, dict]


@dataclass
class Report:
    folds: list[Fold] = field(default_factory=list)
    grouped: list[dict] = field(default_factory=list)
    oof_probability: np.ndarray | None = None
    n_rows: int = 0
    notes: list[str] = field(default_factory=list)  # what was done otherwise than asked

    def mean_std(self, key: str, metric: str = "accuracy") -> tuple[float, float]:
        values = [f.model[metric] if key == "model" else f.baselines[key][metric]
                  for f in self.folds] if key != "grouped by character" else \
            [g[metric] for g in self.grouped]
        return float(np.mean(values)), float(np.std(values))

    def rows(self) -> list[tuple[str, dict[str, tuple[float, float]]]]:
        names = ["model", *self.folds[0].baselines, *(["grouped by character"]
                                                     if self.grouped else [])]
        return [(name, {m: self.mean_std(name, m) for m in METRICS}) for name in names]

    def standard_error(self) -> float:
        """One standard error of an accuracy near the model's, on this many rows."""
        p = self.mean_std("model")[0]
        return math.sqrt(max(p * (1 - p), 1e-9) / max(self.n_rows, 1))

    def table(self) -> str:
        lines = [f"{'':24}" + "".join(f"{m.replace('_', ' '):>22}" for m in METRICS)]
        for name, values in self.rows():
            lines.append(f"{name:24}" + "".join(f"{100 * mu:15.1f} ± {100 * sd:4.1f}"
                                               for mu, sd in values.values()))
        lines.append(f"({self.caveat()})")
        return "\n".join(lines)

    def caveat(self) -> str:
        """How much the numbers can be trusted: the table's footnote, and the window's."""
        reps = len({f.repeat for f in self.folds})
        return (f"{len(self.folds) // max(reps, 1)} folds x {reps} repeat(s) over "
                f"{self.n_rows} rows; mean ± spread over folds. One standard error of the "
                f"accuracy here is about {100 * self.standard_error():.1f} points.")


def encode_labels(labels: list[str]) -> np.ndarray:
    return np.array([LABELS.index(label) for label in labels])


def cross_validate(fit: Fitter, labels: list[str], books: list[str], chars: list[str],
                   folds: int = 5, repeats: int = 1, seed: int = 0,
                   progress: Callable[[float, str], None] | None = None,
                   grouped: bool = True) -> Report:
    """Stratified k-fold (by label and book), repeated; then the grouped-by-character check."""
    y = encode_labels(labels)
    books_a, chars_a = np.array(books), np.array(chars)
    strata = np.array([f"{label}|{book}" for label, book in zip(y, books)])
    asked, folds = folds, _feasible_folds(strata, y, folds)
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    report, total = Report(n_rows=len(y)), folds * repeats
    if folds < asked:
        report.notes.append(f"{asked} folds asked, {folds} used: every fold needs a row of each "
                            f"label, and the rarer label has {folds} rows")
    oof_sum, oof_count = np.zeros(len(y)), np.zeros(len(y))
    for k, (train, test) in enumerate(splitter.split(np.zeros(len(y)), _stratify_on(strata, y, folds))):
        probability = fit(train)(test)
        oof_sum[test] += probability
        oof_count[test] += 1
        pred = (probability >= 0.5).astype(int)
        report.folds.append(Fold(k // folds, k % folds, metrics(y[test], pred), {
            "majority class": metrics(y[test], np.full(len(test), _majority(y[train]))),
            "majority per book": metrics(y[test], majority_by(books_a, y, train, test)),
            "majority per character": metrics(y[test], majority_by(chars_a, y, train, test)),
        }))
        if progress is not None:
            progress((k + 1) / (total + (folds if grouped else 0)),
                     f"fold {k % folds + 1} of {folds}, repeat {k // folds + 1}")
    report.oof_probability = oof_sum / np.maximum(oof_count, 1)
    if grouped and len(set(chars)) >= 2:
        n_groups = min(folds, len(set(chars)))
        group_splitter = StratifiedGroupKFold(n_splits=n_groups, shuffle=True, random_state=seed)
        for k, (train, test) in enumerate(group_splitter.split(np.zeros(len(y)), y, chars_a)):
            pred = (fit(train)(test) >= 0.5).astype(int)
            report.grouped.append(metrics(y[test], pred))
            if progress is not None:
                progress((total + k + 1) / (total + n_groups), f"grouped fold {k + 1}")
    return report


def _stratify_on(strata: np.ndarray, y: np.ndarray, folds: int) -> np.ndarray:
    """Label+book where every such stratum fills the folds, else the label alone."""
    return strata if np.unique(strata, return_counts=True)[1].min() >= folds else y


def _feasible_folds(strata: np.ndarray, y: np.ndarray, folds: int) -> int:
    smallest = np.bincount(y, minlength=2).min()
    if smallest < 2:
        raise UserError(f"need at least 2 rows of each label to cross-validate; have "
                        f"{np.bincount(y, minlength=2).tolist()} (consistent, contradict)")
    return int(min(folds, smallest))
