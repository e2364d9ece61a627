"""The cross-validated report: accuracy per fold as bars, the table against the baselines,
and the confusion matrix of the out-of-fold predictions.

Everything shown is computed by core.evaluation; the widgets only lay it out
so that the model is read next to what a majority guess scores, with the
standard error beside it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QLabel, QScrollArea,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.backstories import LABELS
from ..core.evaluation import METRICS, Report
from .plots import PALETTE

METRIC_NAMES = {"accuracy": "Accuracy", "balanced_accuracy": "Balanced acc.",
                "macro_f1": "Macro F1", "contradict_f1": "F1 contradict"}
BASELINE = "majority class"


class FoldChart(pg.PlotWidget):
    """Each fold's accuracy, the model's mean ± one standard error, the majority baseline."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setLabel("left", "accuracy (%)")
        self.setYRange(0, 100, padding=0)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(y=True, alpha=0.15)
        self.bars: pg.BarGraphItem | None = None
        self.mean_line: pg.InfiniteLine | None = None
        self.baseline_line: pg.InfiniteLine | None = None

    def show_report(self, report: Report) -> None:
        self.clear()
        folds = 1 + max(f.index for f in report.folds)
        x = [f.repeat * (folds + 1) + f.index for f in report.folds]  # a gap between repeats
        accuracy = [100 * f.model["accuracy"] for f in report.folds]
        self.bars = pg.BarGraphItem(x=x, height=accuracy, width=0.7, brush=PALETTE[0], pen=None)
        self.addItem(self.bars)
        mean = 100 * report.mean_std("model")[0]
        error = 100 * report.standard_error()
        band = pg.LinearRegionItem((mean - error, mean + error), orientation="horizontal",
                                   movable=False, brush=pg.mkBrush(PALETTE[0] + "30"),
                                   pen=pg.mkPen(None))
        self.addItem(band)
        self.mean_line = self._line(mean, PALETTE[0], Qt.SolidLine)
        baseline = 100 * report.mean_std(BASELINE)[0]
        self.baseline_line = self._line(baseline, "#555", Qt.DashLine)
        # The legend as the title: inside the plot it would cover the bars.
        self.setTitle(f"<span style='color:{PALETTE[0]}'>━ model, mean {mean:.0f}%</span>"
                      f" &nbsp; <span style='color:#555'>┅ majority class, {baseline:.0f}%"
                      f"</span>", size="10pt")
        multi = len({f.repeat for f in report.folds}) > 1
        ticks = [(xi, f"r{f.repeat + 1} f{f.index + 1}" if multi else str(f.index + 1))
                 for xi, f in zip(x, report.folds)]
        self.getAxis("bottom").setTicks([ticks])
        self.setLabel("bottom", "fold (shaded: model mean ± one standard error)")
        self.setXRange(min(x) - 0.6, max(x) + 0.6, padding=0)

    def _line(self, y: float, color: str, style) -> pg.InfiniteLine:
        line = pg.InfiniteLine(pos=y, angle=0, movable=False,
                               pen=pg.mkPen(color, width=2, style=style))
        self.addItem(line)
        return line


class ReportTables(QWidget):
    """Model and baselines, mean ± spread per metric, and the confusion matrix, scrolling in a
    small window; under them the caveat, always whole.

    In the scrolled part the caveat's second line was cut by the Predictions
    box at 1024x700; it says how far apart two numbers above must be to mean
    anything, so it stays in view while they scroll.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = self._table(0, len(METRICS), [METRIC_NAMES[m] for m in METRICS])
        self.caveat = QLabel(wordWrap=True, objectName="reportCaveat")
        self.caveat.setStyleSheet("color: #555;")
        self.confusion = self._table(2, 2, [f"predicted {label}" for label in LABELS])
        self.confusion.setVerticalHeaderLabels([f"true {label}" for label in LABELS])
        self.confusion_title = QLabel("<b>Confusion matrix</b> (out-of-fold predictions)")
        tables = QWidget()
        inner = QVBoxLayout(tables)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(QLabel("<b>Cross-validated report</b> (mean ± spread over folds, %)"))
        inner.addWidget(self.table)
        inner.addSpacing(6)
        inner.addWidget(self.confusion_title)
        inner.addWidget(self.confusion)
        inner.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setWidget(tables)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.caveat)

    @staticmethod
    def _table(rows: int, columns: int, headers: list[str]) -> QTableWidget:
        table = QTableWidget(rows, columns)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        # One line a row: sized while the tab was hidden, the columns narrow, a wrapped row
        # kept 29 px for 18 px of text, and three of the five rows fell out of view.
        table.setWordWrap(False)
        table.setSelectionMode(QAbstractItemView.NoSelection)
        table.setFocusPolicy(Qt.NoFocus)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        return table

    def show_report(self, report: Report, confusion: list[list[int]]) -> None:
        rows = report.rows()
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([name for name, _ in rows])
        bold = QFont(self.font())
        bold.setBold(True)
        for r, (name, values) in enumerate(rows):
            for c, metric in enumerate(METRICS):
                mu, sd = values[metric]
                item = QTableWidgetItem(f"{100 * mu:.1f} ± {100 * sd:.1f}")
                item.setTextAlignment(Qt.AlignCenter)
                if name == "model":
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.caveat.setText(report.caveat() + " Differences smaller than that are noise.")
        self._fill_confusion(np.array(confusion))
        for table in (self.table, self.confusion):
            table.resizeRowsToContents()
            rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
            table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows
                                 + 2 * table.frameWidth())

    def _fill_confusion(self, counts: np.ndarray) -> None:
        """Counts shaded by their share of the row: the diagonal is what the model got right."""
        for t in range(2):
            for p in range(2):
                share = counts[t, p] / max(counts[t].sum(), 1)
                item = QTableWidgetItem(f"{counts[t, p]}  ({share:.0%} of row)")
                item.setTextAlignment(Qt.AlignCenter)
                color = QColor(PALETTE[4] if t == p else PALETTE[2])
                color.setAlpha(int(30 + 150 * share))
                item.setBackground(color)
                self.confusion.setItem(t, p, item)
