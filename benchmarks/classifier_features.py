"""Benchmark 6: each classifier feature's AUC for `contradict` on the KDSH train rows, per run.

Why better book models classified worse (README, the backstory classifier):
every scalar feature of features.featurize is computed on the 60 rows of
../shared/data/kdsh/train.csv with the book models of each run folder given,
and its AUC printed twice: over all rows (the direction as it falls), and
out of fold with folds that never share a character (the feature's direction
chosen on the training folds, repeated over shuffles), so a feature that only
tells the characters apart does not look useful.  Then the same within each
character (every feature centred per character), the signal left once who the
backstory is about is known.

    python benchmarks/classifier_features.py RUN_DIR [RUN_DIR ...] [--repeats 10]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from common import SHARED, header

from bdh_studio.core import backstories, features

KDSH = SHARED / "data" / "kdsh"


def grouped_auc(x: np.ndarray, y: np.ndarray, chars: np.ndarray, repeats: int) -> float:
    """Mean AUC of out-of-fold scores, folds by character, direction fixed in training."""
    aucs = []
    for r in range(repeats):
        scored = np.zeros(len(y))
        for train, test in StratifiedGroupKFold(5, shuffle=True, random_state=r).split(
                x, y, chars):
            sign = 1.0 if roc_auc_score(y[train], x[train]) >= 0.5 else -1.0
            scored[test] = sign * x[test]
        aucs.append(roc_auc_score(y, scored))
    return float(np.mean(aucs))


def centred(x: np.ndarray, chars: np.ndarray) -> np.ndarray:
    out = x.copy()
    for c in set(chars):
        out[chars == c] -= out[chars == c].mean()
    return out


def run_table(run: str, repeats: int) -> dict[str, tuple[float, float, float]]:
    models = features.load_book_models(run)
    rows = backstories.read(KDSH / "train.csv", True, [m.name for m in models.values()]).rows
    x, names = features.featurize([r.text() for r in rows], [r.book_key for r in rows], models)
    y = np.array([r.label == "contradict" for r in rows], dtype=int)
    chars = np.array([r.char for r in rows])
    scalar = list(features.SURPRISE + features.FAMILIARITY)
    steps = ", ".join(f"{m.name} step {m.step}" for m in models.values())
    print(f"  {run}: {steps}")
    return {name: (roc_auc_score(y, x[:, j]), grouped_auc(x[:, j], y, chars, repeats),
                   roc_auc_score(y, centred(x[:, j], chars)))
            for j, name in enumerate(names) if name in scalar}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    header("Benchmark 6: classifier features' AUC for contradict on the KDSH train rows")
    tables = [run_table(run, args.repeats) for run in args.runs]
    print("  AUC over all rows / out of fold by character / within character")
    print(f"  {'feature':16}" + "".join(f"{'run ' + str(i + 1):>24}" for i in range(len(tables))))
    for name in tables[0]:
        print(f"  {name:16}" + "".join("{:>8.3f}{:>8.3f}{:>8.3f}".format(*t[name])
                                       for t in tables))


if __name__ == "__main__":
    main()
