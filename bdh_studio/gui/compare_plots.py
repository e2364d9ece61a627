"""Several runs' loss curves overlaid, a hover table at the cursor, and their settings' diff.

One colour family per run (its books are shades of it) and one line style
per book, so a curve is told apart both ways; the legend names run and book.
Hovering shows, TensorBoard-style, each visible curve's point at the hovered
x or the last before it (never a later one).  ``bdh-studio runs compare``
draws with this same widget, offscreen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ..core.run.compare import ComparedRun, write_csv
from ..core.run.progress import hms
from ..core.run.series import Series
from ..core.run.settings import config_diff
from ..core.run.smoothing import Smoothed
from .curves import index_at
from .exports import export_image, run_export
from .plots import PALETTE, STEP, X_AXES, TimeAxis, steady_axes, x_of

BOOK_STYLES = (Qt.SolidLine, Qt.DashLine, Qt.DotLine, Qt.DashDotLine, Qt.DashDotDotLine)
ALL_RUNS = "All runs"


@dataclass
class Line:
    run: str
    book: str
    series: Series
    item: pg.PlotDataItem
    smoothed: np.ndarray | None = None


class HoverCanvas(pg.GraphicsLayoutWidget):
    """The canvas; it says when the mouse leaves it, so the hover leaves too."""
    left = Signal()

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.left.emit()


def shade(color: str, index: int) -> QColor:
    """The ``index``-th book's shade of a run's colour: darker, then lighter, in turn."""
    base = QColor(color)
    step = (index + 1) // 2 * 35
    return base if index == 0 else (base.darker(100 + step) if index % 2 else
                                    base.lighter(100 + step))


class ComparePlots(QWidget):
    problem = Signal(str)  # an export that failed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("comparePlots")
        self.setAccessibleName("Compare runs")
        self.runs: list[ComparedRun] = []
        self.lines: list[Line] = []
        self._build()

    def _build(self) -> None:
        self.x_axis = QComboBox(objectName="compareXAxis")
        self.x_axis.setAccessibleName("Compare x axis")
        self.x_axis.addItems([X_AXES[i][0] for i in sorted(X_AXES)])
        self.x_axis.currentIndexChanged.connect(self.redraw)
        self.smoothing = QSlider(Qt.Horizontal, minimum=0, maximum=99, value=60,
                                 objectName="compareSmoothing")
        self.smoothing.setAccessibleName("Compare smoothing")
        self.smoothing.setFixedWidth(120)
        self.smoothing.valueChanged.connect(self.redraw)
        self.isolate = QComboBox(objectName="isolateRun")
        self.isolate.setAccessibleName("Isolate one run")
        self.isolate.setToolTip("Show one run alone, or all of them")
        self.isolate.currentTextChanged.connect(self._isolate)
        export_image_button = QPushButton("Export image…", objectName="compareExportImage",
                                          clicked=self._ask_export_image)
        export_csv_button = QPushButton("Export CSV…", objectName="compareExportCsv",
                                        clicked=self._ask_export_csv)
        for b in (export_image_button, export_csv_button):
            b.setAccessibleName(b.text().rstrip("…"))
        bar = QHBoxLayout()
        for w in (QLabel("x axis:"), self.x_axis, QLabel("Smoothing:"), self.smoothing,
                  QLabel("Show:"), self.isolate):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(export_image_button)
        bar.addWidget(export_csv_button)

        self._build_canvas()
        self.diff = QTableWidget(objectName="configDiff")
        self.diff.setAccessibleName("Settings that differ between the checked runs")
        self.diff.setEditTriggers(QTableWidget.NoEditTriggers)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.canvas)
        diff_box = QWidget()
        diff_layout = QVBoxLayout(diff_box)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        diff_layout.addWidget(QLabel("<b>Settings that differ</b>"))
        diff_layout.addWidget(self.diff, 1)
        split.addWidget(diff_box)
        split.setSizes([700, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    def _build_canvas(self) -> None:
        """The plot, its legend, and the crosshair and table that follow the mouse."""
        self.canvas = HoverCanvas()
        self.canvas.setBackground("w")
        self.plot = self.canvas.addPlot(axisItems={"bottom": TimeAxis()})
        self.plot.setLabel("left", "training loss (nats/byte)")
        steady_axes(self.plot)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.crosshair = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen("#888", style=Qt.DotLine))
        self.crosshair.hide()
        self.plot.addItem(self.crosshair, ignoreBounds=True)
        self.hover = QLabel(self.canvas, objectName="hoverTable")
        self.hover.setAccessibleName("Values at the cursor")
        self.hover.setStyleSheet("QLabel { background: rgba(255,255,255,235); "
                                 "border: 1px solid #bbb; padding: 3px; }")
        self.hover.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.hover.hide()
        self.canvas.scene().sigMouseMoved.connect(self._moved)
        self.canvas.left.connect(self._left)

    # --- data ---------------------------------------------------------------

    def set_runs(self, runs: list[ComparedRun]) -> None:
        self.runs = runs
        for line in self.lines:
            self.plot.removeItem(line.item)
        self.legend.clear()
        self.lines = []
        for r, run in enumerate(runs):
            color = PALETTE[r % len(PALETTE)]
            for b, (book, data) in enumerate(run.series.books.items()):
                pen = pg.mkPen(shade(color, b), width=2, style=BOOK_STYLES[b % len(BOOK_STYLES)])
                item = self.plot.plot(pen=pen, name=f"{run.name} · {book}")
                self.lines.append(Line(run.name, book, data.series["train"], item))
        self.isolate.blockSignals(True)
        self.isolate.clear()
        self.isolate.addItems([ALL_RUNS, *(run.name for run in runs)])
        self.isolate.blockSignals(False)
        self._fill_diff()
        self.redraw()

    def _fill_diff(self) -> None:
        configs = {run.name: run.config or {} for run in self.runs}
        diff = config_diff(configs) if len(configs) > 1 else {}
        self.diff.clear()
        self.diff.setRowCount(len(diff))
        self.diff.setColumnCount(len(self.runs))
        self.diff.setHorizontalHeaderLabels([run.name for run in self.runs])
        self.diff.setVerticalHeaderLabels(list(diff))
        for row, values in enumerate(diff.values()):
            for col, run in enumerate(self.runs):
                value = values.get(run.name)
                text = "—" if value is None else str(value)
                self.diff.setItem(row, col, QTableWidgetItem(text))

    def diff_rows(self) -> dict[str, list[str]]:
        """The diff table as text: setting -> the runs' values, in column order."""
        return {self.diff.verticalHeaderItem(r).text():
                [self.diff.item(r, c).text() for c in range(self.diff.columnCount())]
                for r in range(self.diff.rowCount())}

    # --- drawing ------------------------------------------------------------

    def redraw(self, *_) -> None:
        axis, weight = self.x_axis.currentIndex(), self.smoothing.value() / 100
        for line in self.lines:
            line.smoothed = Smoothed().of(line.series.values, weight).copy()
            line.item.setData(x_of(line.series, axis), line.smoothed, skipFiniteCheck=True)
        bottom = self.plot.getAxis("bottom")
        bottom.is_time = axis != STEP
        bottom.setStyle()
        self.plot.setLabel("bottom", X_AXES[axis][1])

    def _isolate(self, name: str) -> None:
        for line in self.lines:
            line.item.setVisible(name in (ALL_RUNS, "", line.run))

    # --- hover --------------------------------------------------------------

    def _moved(self, pos) -> None:
        if not self.plot.sceneBoundingRect().contains(pos) or not self.lines:
            self._left()
            return
        x = self.plot.vb.mapSceneToView(pos).x()
        self.crosshair.setPos(x)
        self.crosshair.show()
        self.hover.setText(self.table_at(x))
        self.hover.adjustSize()
        view = self.canvas.mapFromScene(pos)
        left = view.x() + 14
        if left + self.hover.width() > self.canvas.width():
            left = view.x() - 14 - self.hover.width()
        self.hover.move(max(0, left), max(0, min(view.y() + 14,
                                                 self.canvas.height() - self.hover.height())))
        self.hover.show()

    def _left(self, *_) -> None:
        self.crosshair.hide()
        self.hover.hide()

    def rows_at(self, x: float) -> list[tuple[str, str, int, float, float, float]]:
        """(run, book, step, smoothed, raw, training time) of each visible curve at ``x``."""
        axis, rows = self.x_axis.currentIndex(), []
        for line in self.lines:
            if not line.item.isVisible():
                continue
            i = index_at(x_of(line.series, axis), x)
            if i is None or line.smoothed is None:
                continue
            rows.append((line.run, line.book, int(line.series.steps[i]),
                         float(line.smoothed[i]), float(line.series.values[i]),
                         float(line.series.elapsed[i])))
        return rows

    def table_at(self, x: float) -> str:
        cells = "".join(
            f"<tr><td>{run}</td><td>{book}</td><td align=right>{step:,}</td>"
            f"<td align=right>{smooth:.4f}</td><td align=right>{raw:.4f}</td>"
            f"<td align=right>{hms(t)}</td></tr>"
            for run, book, step, smooth, raw, t in self.rows_at(x))
        head = ("<tr><th align=left>run</th><th align=left>book</th><th>step</th>"
                "<th>smoothed</th><th>raw</th><th>time</th></tr>")
        return f"<table cellspacing=0 cellpadding=2>{head}{cells}</table>"

    # --- exports ------------------------------------------------------------

    def export_image(self, path: str | Path) -> None:
        """The curves without the crosshair or the hover table."""
        self._left()
        export_image(self.canvas, path, "BDH Studio runs compared")

    def export_csv(self, path: str | Path) -> None:
        write_csv(path, self.runs)

    def _ask_export_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export comparison", "compare.png",
                                              "PNG image (*.png);;SVG image (*.svg)")
        self._export(self.export_image, path)

    def _ask_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export curves", "compare.csv", "CSV (*.csv)")
        self._export(self.export_csv, path)

    def _export(self, export, path: str) -> None:
        run_export(export, path, self.problem.emit)


def draw_offscreen(runs: list[ComparedRun], out: Path, x_axis: int) -> None:
    """The comparison as the window draws it, into ``out`` (.png or .svg), with no window
    shown: what ``bdh-studio runs compare --out x.png`` writes."""
    from .app import make_app
    make_app([])
    plots = ComparePlots()
    plots.resize(1200, 700)
    plots.x_axis.setCurrentIndex(x_axis)
    plots.set_runs(runs)
    plots.show()
    plots.canvas.grab()  # lay out and range the view before exporting
    try:
        plots.export_image(out)
    finally:
        plots.close()
