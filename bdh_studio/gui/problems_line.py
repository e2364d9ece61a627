"""Rows left out of a classifier run: one warning line, the whole list a click away.

A models folder missing a book leaves dozens of rows out; listed in a label
they made the window 267 px taller and squeezed the results into a strip.
The line says how many and why; the list, file by file, scrolls in a view of
its own height.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout,
                               QWidget)

from ..core.backstories import BackstorySet

REASONS_SHOWN = 2
DETAIL_LINES = 8


def compact(sets: list[BackstorySet]) -> str:
    """'46 rows left out: book 'X' matches no book model', the commonest reasons first."""
    reasons = Counter(p.reason for s in sets for p in s.problems)
    total = sum(reasons.values())
    if not total:
        return ""
    common = reasons.most_common(REASONS_SHOWN)
    if len(reasons) == 1:
        why = common[0][0]
    else:
        why = ", ".join(f"{reason} ({n})" for reason, n in common)
        if len(reasons) > REASONS_SHOWN:
            why += f" and {len(reasons) - REASONS_SHOWN} other reason(s)"
    return f"{total} row{'s' if total > 1 else ''} left out: {why}"


class ProblemsLine(QWidget):
    """A warning line with a Details button; the list below it keeps a fixed height."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setObjectName("rows-left-out")
        self.summary.setAccessibleName("Rows left out")
        self.summary.setStyleSheet("color: #8a4b00;")
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary.setMinimumWidth(1)  # a long reason is cut, never widens the window
        self.toggle = QToolButton(text="details…", checkable=True)
        self.toggle.setObjectName("rows-left-out-details")
        self.toggle.setAccessibleName("Details of the rows left out")
        self.toggle.setToolTip("List every row left out, with what to do about it")
        self.toggle.setAutoRaise(True)
        self.details = QPlainTextEdit(readOnly=True)
        self.details.setObjectName("rows-left-out-list")
        self.details.setAccessibleName("Rows left out, one a line")
        self.details.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.details.setMaximumHeight(self.fontMetrics().lineSpacing() * DETAIL_LINES + 12)
        self.details.hide()
        self.toggle.toggled.connect(self._show_details)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.summary)
        line.addWidget(self.toggle)
        line.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.details)
        self.hide()

    def show_sets(self, sets: list[BackstorySet | None]) -> None:
        """Show what ``sets`` leave out, or nothing when they leave nothing out."""
        sets = [s for s in sets if s is not None and s.problems]
        text = compact(sets)
        self.summary.setText(text)
        self.summary.setToolTip(text)
        self.details.setPlainText("\n".join(s.summary() for s in sets))
        self.setVisible(bool(text))

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.toggle.setText("hide details" if shown else "details…")
