"""``bdh-studio classify``: cross-validate the backstory classifier, then predict the test rows."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from ..core import config as cfg
from ..core.classifier import MODES, Outcome, classify, write_predictions
from ..core.control import TaskControl
from ..core.errors import UserError
from ..core.runtime import resolve

CV_PREDICTIONS = "predictions-cv.csv"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "classify", help="cross-validate the backstory classifier and predict test rows",
        description="Decide for each backstory whether it is consistent with its novel or "
                    "contradicts it, using the book models of a training run. Prints the "
                    "cross-validated report beside the majority baselines, writes the test "
                    f"predictions to PREDICTIONS.csv and the out-of-fold prediction of every "
                    f"train row to {CV_PREDICTIONS} beside it.")
    p.add_argument("--train", required=True, metavar="TRAIN.csv",
                   help="labelled rows: id,book_name,char,caption,content,label")
    p.add_argument("--test", metavar="TEST.csv", help="rows to predict (no label column needed)")
    p.add_argument("--models", required=True, metavar="RUN_DIR",
                   help="a training run folder, or a folder of book checkpoints")
    p.add_argument("--out", required=True, metavar="PREDICTIONS.csv",
                   help="where to write id,label,confidence for the test rows")
    p.add_argument("--mode", choices=MODES, default="features",
                   help="features: book-model surprise and hidden states into a logistic "
                        "regression (default); finetune: the book model plus a head, per fold")
    p.add_argument("--folds", type=int, default=5, metavar="K", help="k of k-fold (default 5)")
    p.add_argument("--repeats", type=int, default=1, metavar="R",
                   help="repeat the k folds with other splits, for the spread (default 1)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="fold and model seed")
    p.add_argument("--device", choices=cfg.DEVICES, default="auto",
                   help="where the book models run (default: auto)")
    p.add_argument("--precision", choices=cfg.PRECISIONS, default="auto", help="default: auto")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    writable_folder(out.parent)  # before minutes of work, not after
    runtime = resolve(args.device, args.precision)
    bar = tqdm(total=100, file=sys.stderr, dynamic_ncols=True,
               bar_format="{percentage:3.0f}%|{bar:24}| {elapsed} {desc}")

    def progress(fraction: float, message: str) -> None:
        bar.update(round(100 * fraction) - bar.n)
        bar.set_description_str(f"{args.mode}: {message}")

    try:
        outcome = classify(args.train, args.models, args.test, mode=args.mode, folds=args.folds,
                           repeats=args.repeats, seed=args.seed,
                           control=TaskControl(on_progress=progress), runtime=runtime)
    finally:
        bar.close()
    report(outcome)
    cv_path = out.with_name(CV_PREDICTIONS)
    write_predictions(cv_path, outcome.oof, truth={r.id: r.label for r in outcome.train.rows})
    print(f"wrote {cv_path} (out-of-fold predictions of the {len(outcome.oof)} train rows)",
          file=sys.stderr)
    if outcome.test is not None:
        write_predictions(out, outcome.predictions)
        print(f"wrote {out} ({len(outcome.predictions)} test rows)", file=sys.stderr)
    else:
        print(f"no --test given: {out} not written", file=sys.stderr)
    return 0


def writable_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {folder}: {exc.strerror or exc}; choose another --out"
                        ) from None
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write in {folder}; choose another --out")


def report(outcome: Outcome) -> None:
    """The rows left out (on stderr), then the cross-validated table (on stdout)."""
    for table in (outcome.train, outcome.test):
        if table is not None and table.problems:
            print(table.summary(), file=sys.stderr)
    print(f"{outcome.mode} mode, cross-validated on {outcome.train.path.name}:")
    print(outcome.report.table())
