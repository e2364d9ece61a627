"""``bdh-studio classify``: cross-validate the backstory classifier, then predict the test rows.

The classifier (scikit-learn, a second to import) is imported when the command
runs, so building the command line costs every other command nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import config as cfg
from ..core.control import TaskControl
from ..core.outputs import check_file
from ..core.runtime import resolve
from .fraction_bar import FractionBar

if TYPE_CHECKING:
    from ..core.classifier import Outcome


def register(p: argparse.ArgumentParser) -> None:
    p.description = ("Decide for each backstory whether it is consistent with its novel or "
                     "contradicts it, using the book models of a training run. Prints the "
                     "cross-validated report beside the majority baselines, writes the test "
                     "predictions to PREDICTIONS.csv and the out-of-fold prediction of every "
                     "train row to PREDICTIONS.cv.csv beside it.")
    p.add_argument("--train", required=True, metavar="TRAIN.csv",
                   help="labelled rows: id,book_name,char,caption,content,label")
    p.add_argument("--test", metavar="TEST.csv", help="rows to predict (no label column needed)")
    p.add_argument("--models", required=True, metavar="RUN_DIR",
                   help="a training run folder, or a folder of book checkpoints")
    p.add_argument("--out", required=True, metavar="PREDICTIONS.csv",
                   help="where to write id,label,confidence for the test rows")
    p.add_argument("--mode", choices=cfg.CLASSIFIER_MODES, default="features",
                   help="features: book-model surprise and hidden states into a logistic "
                        "regression (default); finetune: the book model plus a head, per fold")
    p.add_argument("--folds", type=int, default=5, metavar="K", help="k of k-fold (default 5)")
    p.add_argument("--repeats", type=int, default=1, metavar="R",
                   help="repeat the k folds with other splits, for the spread (default 1)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="fold and model seed")
    p.add_argument("--device", default="auto", metavar="auto|cpu|cuda|mps",
                   help="where the book models run (default: auto)")
    p.add_argument("--precision", choices=cfg.PRECISIONS, default="auto", help="default: auto")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    runtime = resolve(args.device, args.precision)
    inputs = [("--train", args.train), ("--test", args.test), ("--models", args.models)]
    out = check_file(args.out, inputs, "--out", "predictions.csv")  # before minutes of work
    cv_path = check_file(cv_predictions_path(out), inputs, "--out", "predictions.csv")
    from ..core.classifier import classify, write_predictions
    with FractionBar(f"{args.mode}: ") as progress:
        outcome = classify(args.train, args.models, args.test, mode=args.mode, folds=args.folds,
                           repeats=args.repeats, seed=args.seed,
                           control=TaskControl(on_progress=progress), runtime=runtime)
    report(outcome)
    write_predictions(cv_path, outcome.oof, truth={r.id: r.label for r in outcome.train.rows},
                      make_folders=True)
    print(f"wrote {cv_path} (out-of-fold predictions of the {len(outcome.oof)} train rows)",
          file=sys.stderr)
    if outcome.test is not None:
        write_predictions(out, outcome.predictions, make_folders=True)
        print(f"wrote {out} ({len(outcome.predictions)} test rows)", file=sys.stderr)
    else:
        print(f"no --test given: {out} not written", file=sys.stderr)
    return 0


def cv_predictions_path(out: Path) -> Path:
    """PRED.cv.csv beside PRED.csv: two runs into one folder keep their own."""
    return out.with_name(f"{out.stem}.cv{out.suffix or '.csv'}")


def report(outcome: Outcome) -> None:
    """The rows left out (on stderr), then the cross-validated table (on stdout)."""
    for table in (outcome.train, outcome.test):
        if table is not None and table.problems:
            print(table.summary(), file=sys.stderr)
    for note in outcome.report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"{outcome.mode} mode, cross-validated on {outcome.train.path.name}:")
    print(outcome.report.table())
