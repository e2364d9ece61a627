"""The cross-validated report: accuracy per fold as bars, the table against the baselines,
and the confusion matrix of the out-of-fold predictions.

Everything shown is computed by core.evaluation; the widgets only lay it out
so that the model is read next to what a majority guess scores, with the
standard error beside it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from ..core.backstories import LABELS
from ..core.evaluation import METRICS, Report
from .plots import PALETTE
from .whole_rows import WholeRows

METRIC_NAMES = {"accuracy": "Accuracy", "balanced_accuracy": "Balanced acc.",
                "macro_f1": "Macro F1", "contradict_f1": "F1 contradict"}
BASELINE = "majority class"
GAP = 8  # px between the report and the matrix beside it, or around the tabs' pages


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
    """Model and baselines, mean ± spread per metric, and the confusion matrix; under them
    the caveat, always whole.

    Where there is room (1280 px wide and up) the matrix sits beside the
    table and both show whole, unscrolled: one under the other they need more
    height than the tab has at 1280x800.  Where there is not (1024x700) they
    are two tabs.  Where a table's rows do not all fit they scroll a whole row
    at a time, none cut by an edge.  The caveat says how far apart two numbers
    above must be to mean anything, so it stays in view whatever they do.
    """

    REPORT = "Cross-validated report (mean ± spread over folds, %)"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = self._table(0, len(METRICS), [METRIC_NAMES[m] for m in METRICS])
        self.table.setObjectName("cvReport")
        self.table.setAccessibleName("Cross-validated report")
        self.caveat = QLabel(wordWrap=True, objectName="reportCaveat")
        self.caveat.setStyleSheet("color: #555;")
        self.confusion = self._table(2, 2, list(LABELS))
        self.confusion.setVerticalHeaderLabels(list(LABELS))
        self.confusion.setObjectName("confusionMatrix")
        self.confusion.setAccessibleName("Confusion matrix of the out-of-fold predictions")
        self.title = QLabel("<b>Cross-validated report</b> (mean ± spread over folds, %)")
        self.confusion_title = QLabel("<b>Confusion matrix</b>, out-of-fold: rows true, "
                                      "columns predicted", wordWrap=True)
        self.table_rows, self.confusion_rows = WholeRows(self.table), WholeRows(self.confusion)
        self.pages = (self._page(self.title, self.table_rows),
                      self._page(self.confusion_title, self.confusion_rows))
        self.side = QWidget()
        QHBoxLayout(self.side).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(objectName="reportTabs", documentMode=True)
        self.tabs.setAccessibleName("Cross-validated report and confusion matrix")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.side, 1)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.caveat)
        self._beside: bool | None = None
        self._arrange()

    @staticmethod
    def _page(title: QLabel, rows: WholeRows) -> QWidget:
        """A title over its table; the table takes the height left, in whole rows."""
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(title)
        column.addWidget(rows, 1)
        return page

    def _side_by_side_width(self) -> int:
        return self.table_rows.minimumWidth() + GAP + self.confusion_rows.minimumWidth()

    def minimumSizeHint(self) -> QSize:
        """As narrow as the tabs allow: beside each other is only where there is room."""
        width = max(rows.minimumWidth() for rows in (self.table_rows, self.confusion_rows))
        return QSize(width + GAP, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Beside each other where both fit whole, else as two tabs."""
        beside = self.width() >= self._side_by_side_width()
        if beside == self._beside:
            return
        self._beside = beside
        report, matrix = self.pages
        if beside:
            self.tabs.clear()
            self.side.layout().addWidget(report, 1)
            self.side.layout().addSpacing(GAP)
            self.side.layout().addWidget(matrix, 0)
            for page in self.pages:
                page.show()  # a tab taken away is hidden
        else:
            while self.side.layout().count():
                self.side.layout().takeAt(0)
            self.tabs.addTab(report, self.REPORT)
            self.tabs.addTab(matrix, "Confusion matrix")
        self.title.setVisible(beside)  # in a tab, the tab's text is its title
        self.side.setVisible(beside)
        self.tabs.setVisible(not beside)

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
        for rows in (self.table_rows, self.confusion_rows):
            rows.fit()
        self.updateGeometry()
        self._arrange()

    def _fill_confusion(self, counts: np.ndarray) -> None:
        """Counts shaded by their share of the row: the diagonal is what the model got right."""
        for t in range(2):
            for p in range(2):
                share = counts[t, p] / max(counts[t].sum(), 1)
                item = QTableWidgetItem(f"{counts[t, p]} ({share:.0%})")
                item.setToolTip(f"{counts[t, p]} of the {counts[t].sum()} rows labelled "
                                f"{LABELS[t]} predicted {LABELS[p]} ({share:.0%} of the row)")
                item.setTextAlignment(Qt.AlignCenter)
                color = QColor(PALETTE[4] if t == p else PALETTE[2])
                color.setAlpha(int(30 + 150 * share))
                item.setBackground(color)
                self.confusion.setItem(t, p, item)
