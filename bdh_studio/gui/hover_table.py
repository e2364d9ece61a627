"""Compare's hover table: each curve's values at the cursor, kept inside the plot.

At 1024x700 the plot is ~150 px tall, and the table of six curves in seven
columns, beside the cursor, covered most of it.  The table covers at most
SHARE of the plot (the curves nearest the cursor, the others counted; its
least telling columns dropped before a curve is), on the cursor's roomier
side, in the corner there that the curves leave emptiest.
"""

from __future__ import annotations

import html
import math
from typing import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..core.run.best import Best
from ..core.run.progress import hms
from .run_labels import distinct_labels, elided

# A row: run, book, step, smoothed, raw, training time, best val so far (or None).
Row = tuple[str, str, int, float, float, float, "Best | None"]
# The number columns: header, width in characters with padding, cell.
NUMBERS = (("step", 8, lambda row: f"{row[2]:,}"),
           ("smoothed", 10, lambda row: f"{row[3]:.4f}"),
           ("raw", 8, lambda row: f"{row[4]:.4f}"),
           ("time", 9, lambda row: hms(row[5])),
           ("best val (step)", 19, lambda row: best_text(row[6])))
ALL_COLUMNS = tuple(name for name, _, _ in NUMBERS)
# Tried in turn until the table fits: time, raw, then step (the cursor's x) go first.
COLUMN_CHOICES = (ALL_COLUMNS, ("step", "smoothed", "raw", "best val (step)"),
                  ("step", "smoothed", "best val (step)"), ("smoothed", "best val (step)"))
SHARE = 0.5  # of the plot's area, at most, under the table
MARGIN = 4  # px between the table and the plot's edges
GAP = 8  # px between the table and the cursor, at least
CELL_PADDING = 2
FRAME = 2 * (3 + 1)  # the label's padding and border, both sides
RUN_CHARS, BOOK_CHARS = 28, 20  # a name's characters at most: more would only widen it
READABLE = 16  # a run's characters below which a column goes first (not from the last choice)
SMALLER = 0.9  # the table's font, of the window's


class HoverTable(QLabel):
    """The table over the plot's area, as ``fill`` and ``place`` size and put it."""

    def __init__(self, parent: QWidget):
        super().__init__(parent, objectName="hoverTable")
        self.setAccessibleName("Values at the cursor")
        self.setStyleSheet("QLabel { background: rgba(255,255,255,235); "
                           "border: 1px solid #bbb; padding: 3px; }")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * SMALLER)
        self.setFont(font)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.hide()

    def show_at(self, rows: list[Row], cursor: QPoint, y: float, log: bool, area: QRect,
                points_under: Callable[[QRect], int]) -> None:
        """Show ``rows``, the curves at the cursor (at ``cursor`` and ``y`` in the view), in
        ``area``, the plot's, in the canvas' coordinates: beside the cursor on its roomier
        side, never over it (a widget shown under the mouse takes it from the plot)."""
        room = max(beside(area, cursor), key=lambda r: r.width() * r.height())
        self.fill(rows, y, log, room, SHARE * area.width() * area.height())
        self.place(room, points_under)
        self.show()

    def fill(self, rows: list[Row], y: float, log: bool, room: QRect, most: float) -> None:
        """As many of ``rows`` (the curves nearest ``y``) as fit ``room`` in ``most`` square
        px: more curves before more columns."""
        width, height = room.width() - 2 * MARGIN, room.height() - 2 * MARGIN
        lines = self._rows_room(height)
        for keep in range(min(len(rows), lines - (len(rows) > lines)), -1, -1):
            shown = rows if keep == len(rows) else nearest(rows, y, keep, log)
            for columns in COLUMN_CHOICES:
                run_chars, book_chars = self._name_chars(columns, width)
                if run_chars < READABLE and columns != COLUMN_CHOICES[-1]:
                    continue  # a column less, before names cut to a few letters
                self.setText(table(shown, columns, run_chars, book_chars,
                                   hidden=len(rows) - keep))
                self.adjustSize()
                if self.width() <= width and self.height() <= height and \
                        self.width() * self.height() <= most:
                    return
        self.resize(max(0, min(self.width(), width)), max(0, min(self.height(), height)))

    def place(self, room: QRect, points_under: Callable[[QRect], int]) -> None:
        """Into the corner of ``room`` over the fewest of the curves' points."""
        size = self.size()
        lefts = (room.right() - MARGIN - size.width() + 1, room.left() + MARGIN)
        tops = (room.top() + MARGIN, room.bottom() - MARGIN - size.height() + 1)
        corners = [QRect(QPoint(left, top), size) for top in tops for left in lefts]
        self.move(min(corners, key=points_under).topLeft())

    def _rows_room(self, height: float) -> int:
        """How many rows fit ``height`` under the header; two at least (a curve's, and the
        line that counts the others)."""
        row = self.fontMetrics().height() + 2 * CELL_PADDING
        return max(2, int((height - FRAME) // row) - 1)

    def _name_chars(self, columns: tuple[str, ...], width: int) -> tuple[int, int]:
        """Characters of a run's and a book's name that fit beside ``columns`` in ``width``;
        the run's name, which tells runs apart, gets the larger share."""
        metrics = self.fontMetrics()
        numbers = sum(chars for name, chars, _ in NUMBERS if name in columns)
        chars = (width - FRAME - metrics.horizontalAdvance("0" * numbers)) / \
            metrics.averageCharWidth()
        return (min(RUN_CHARS, max(10, int(0.6 * chars))),
                min(BOOK_CHARS, max(7, int(0.4 * chars))))


def beside(area: QRect, cursor: QPoint) -> list[QRect]:
    """The parts of ``area`` left of, right of, above and below ``cursor``, GAP px off it."""
    left, right = cursor.x() - GAP, cursor.x() + GAP
    top, bottom = cursor.y() - GAP, cursor.y() + GAP
    return [QRect(QPoint(area.left(), area.top()), QPoint(left, area.bottom())),
            QRect(QPoint(right, area.top()), area.bottomRight()),
            QRect(area.topLeft(), QPoint(area.right(), top)),
            QRect(QPoint(area.left(), bottom), area.bottomRight())]


def nearest(rows: list[Row], y: float, keep: int, log: bool) -> list[Row]:
    """The ``keep`` rows whose smoothed value is nearest ``y`` (the view's: log10 on a log
    axis), in their order."""
    def height(value: float) -> float:
        return math.log10(value) if log and value > 0 else value

    chosen = sorted(range(len(rows)), key=lambda i: abs(height(rows[i][3]) - y))[:keep]
    return [rows[i] for i in sorted(chosen)]


def table(rows: list[Row], columns: tuple[str, ...] = ALL_COLUMNS, run_chars: int = 32,
          book_chars: int = 32, hidden: int = 0) -> str:
    """The rows as an HTML table of ``columns``; names cut to so many characters, no two
    runs' alike; ``hidden`` rows said in a last line."""
    runs = list(dict.fromkeys(row[0] for row in rows))
    label = dict(zip(runs, distinct_labels(runs, run_chars)))
    numbers = [(name, cell) for name, _, cell in NUMBERS if name in columns]
    head = "<tr><th align=left>run</th><th align=left>book</th>" + "".join(
        f"<th>{name}</th>" for name, _ in numbers) + "</tr>"
    cells = "".join(
        f"<tr><td>{html.escape(label[row[0]])}</td><td>{html.escape(elided(row[1], book_chars))}"
        "</td>" + "".join(f"<td align=right>{cell(row)}</td>" for _, cell in numbers) + "</tr>"
        for row in rows)
    more = (f"<tr><td colspan={2 + len(numbers)}><i>+{hidden} more, farther from the cursor"
            "</i></td></tr>") if hidden else ""
    return f"<table cellspacing=0 cellpadding={CELL_PADDING}>{head}{cells}{more}</table>"


def best_text(best: Best | None) -> str:
    return "—" if best is None else f"{best.loss:.4f} ({best.step:,})"
