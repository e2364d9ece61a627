"""The window's actions: named for scripts and tests, their shortcut said in their tooltip."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar


def make_action(parent: QObject, name: str, text: str, slot: Callable,
                shortcut: str | QKeySequence | None, tip: str) -> QAction:
    """An action called ``name`` (its toolbar button too); its tooltip ends with its shortcut."""
    action = QAction(text, parent, triggered=slot, objectName=name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        tip += f" ({QKeySequence(shortcut).toString(QKeySequence.NativeText)})"
    action.setToolTip(tip)  # no status tip: hovering a button never hides the run's progress
    return action


def add_actions(bar: QToolBar | QMenu, actions: Iterable[QAction | None]) -> None:
    """Add ``actions`` in order; None adds a separator."""
    for action in actions:
        bar.addSeparator() if action is None else bar.addAction(action)


def train_tip(valid: bool, has_books: bool, run_dir: Path | None,
              planned: Path | None = None, seeds: int = 1) -> str:
    """What Train does now, or why it cannot; ``seeds`` > 1 always makes that many new runs."""
    reason = ("" if valid else "fix the settings marked in red") if has_books else \
        "add or check at least one usable book"
    if reason:
        return f"Cannot train: {reason}"
    what = (f"Train every checked book {seeds} times, as {seeds} new runs one after another, "
            f"each with the next seed" if seeds > 1 else
            f"Continue the run {run_dir.name}: resume stopped books, skip finished ones, "
            f"train the rest" if run_dir is not None else
            f"Train every checked book into the new run {planned.name}" if planned is not None
            else "Train every checked book into a new run")
    return f"{what} (Ctrl+R)"
