"""A classifier run kept under the book-model run it used: ``RUN_DIR/classify/<n>_<UTC time>/``.

report.json (the cross-validation report, and which checkpoints it used with
their step and partial flag), oof.csv and predictions.csv (the out-of-fold and
test predictions, every digit kept) and settings.json.  ``load`` gives the
Outcome back from these files and the CSVs they name, with nothing computed
again, so the Backstories tab reopens a result as it was.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
from pathlib import Path
from typing import Callable

import numpy as np

from .atomic import write_whole
from .backstories import read
from .classifier import Outcome, Prediction
from .errors import UserError, WriteFailed
from .evaluation import Fold, Report
from .features import load_book_models
from .kept_names import claim, made_at, newest_first

CLASSIFY = "classify"
REPORT, SETTINGS, OOF, PREDICTIONS = "report.json", "settings.json", "oof.csv", \
    "predictions.csv"


def checkpoints_used(outcome: Outcome) -> list[dict]:
    return [{"book": m.name, "path": str(m.path), "step": m.step, "partial": m.partial}
            for m in outcome.models.values()]


def partial_note(used: list[dict]) -> str:
    """What the report says when a book model had not finished training ("" if all had)."""
    partial = [f"{c['book']} (step {c['step']})" for c in used if c["partial"]]
    return (f"made with partly trained book models: {', '.join(partial)}; train them to the "
            f"end for results that stand") if partial else ""


def save(run_dir: str | Path, outcome: Outcome, settings: dict) -> Path:
    """Write ``outcome`` in a new folder under ``run_dir/classify/``; returns that folder.

    Each file is written whole, report.json last: ``saved`` lists a folder only
    once all of it is there, and a save that fails takes its files away again.
    """
    used = checkpoints_used(outcome)
    report = {"mode": outcome.mode, "n_rows": outcome.report.n_rows,
              "folds": [dataclasses.asdict(f) for f in outcome.report.folds],
              "grouped": outcome.report.grouped,
              "oof_probability": (None if outcome.report.oof_probability is None
                                  else outcome.report.oof_probability.tolist()),
              "checkpoints": used, "partial": partial_note(used),
              "table": outcome.report.table()}
    root = Path(run_dir) / CLASSIFY
    try:
        folder = claim(root)
    except OSError as exc:
        raise WriteFailed(root, exc) from None
    files = {SETTINGS: _json(settings), OOF: _csv(outcome.oof),
             PREDICTIONS: _csv(outcome.predictions), REPORT: _json(report, default=_plain)}
    try:
        for name, write in files.items():
            write_whole(folder / name, write)
    except BaseException:
        for name in files:
            (folder / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()
        raise
    return folder


def _json(doc: dict, **options) -> Callable[[Path], None]:
    return lambda tmp: tmp.write_text(json.dumps(doc, indent=2, **options) + "\n",
                                      encoding="utf-8")


def _plain(value):
    """numpy numbers as JSON numbers."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _csv(predictions: list[Prediction]) -> Callable[[Path], None]:
    """Every digit kept (repr), so a reopened result shows the same numbers."""
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([f.name for f in dataclasses.fields(Prediction)])
            for p in predictions:
                writer.writerow([p.id, p.label, repr(p.confidence),
                                 repr(p.probability_contradict)])
    return write


def _read(path: Path) -> list[Prediction]:
    with open(path, newline="", encoding="utf-8") as f:
        return [Prediction(r["id"], r["label"], float(r["confidence"]),
                           float(r["probability_contradict"])) for r in csv.DictReader(f)]


def saved(run_dir: str | Path | None) -> list[Path]:
    """The classifier runs kept under ``run_dir``, newest first (kept_names)."""
    root = Path(run_dir) / CLASSIFY if run_dir else None
    if root is None or not root.is_dir():
        return []
    return newest_first([p for p in root.iterdir() if (p / REPORT).is_file()])


def load(folder: str | Path) -> tuple[Outcome, dict]:
    """A kept classifier run as the Outcome it was, and its report (for the partial note).

    The train and test CSVs and the book models are read from where the run
    found them; a moved one is said, not guessed.
    """
    folder = Path(folder)
    try:
        report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
        settings = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
        oof, predictions = _read(folder / OOF), _read(folder / PREDICTIONS)
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(f"{folder}: a damaged classifier run ({exc}); run the classifier "
                        f"again") from None
    models = load_book_models(settings["models"])
    names = [m.name for m in models.values()]
    train = read(settings["train"], labelled=True, books=names)
    test = read(settings["test"], labelled=False, books=names) if settings.get("test") \
        else None
    probability = report.get("oof_probability")
    cv = Report([Fold(**f) for f in report["folds"]], report.get("grouped", []),
                None if probability is None else np.array(probability), report["n_rows"])
    return Outcome(report["mode"], cv, train, test, oof, predictions, models), report


def describe(folder: str | Path) -> str:
    """"features · k = 5 · 1 repeat(s) · accuracy 63.3% · 2026-12-04 15:22": a kept run
    as a list shows it, so a person picks by what was done and how well, not by a stamp."""
    folder = Path(folder)
    try:
        report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
        folds = report["folds"]
        repeats = len({f["repeat"] for f in folds}) or 1
        accuracy = float(np.mean([f["model"]["accuracy"] for f in folds]))
        what = (f"{report['mode']} · k = {len(folds) // repeats} · {repeats} repeat(s) · "
                f"accuracy {100 * accuracy:.1f}%")
    except (OSError, ValueError, KeyError, TypeError):
        what = "damaged"
    when = made_at(folder)
    return f"{what} · {when:%Y-%m-%d %H:%M}" if when else f"{what} · {folder.name}"
