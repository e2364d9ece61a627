"""Several runs' loss curves overlaid, a hover table at the cursor, their settings' diff and
the hyperparameters table.

One colour family per run (its books are shades of it; the run's own colour,
kept across views and launches) and one line style per book, so a curve is
told apart both ways; the legend names each run by its colour and each book by
its line style (a run and book an entry made six entries of two runs of three
books, in rows that took the plot's height at 1024x700).  Runs that differ only
in their seed can be drawn as one mean curve in a band, the seed count in
the legend.  Hovering shows, TensorBoard-style, each visible curve's point at
the hovered x or the last before it (never a later one), and the best
validation loss so far.  ``bdh-studio runs compare`` draws with this same
widget, offscreen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QPen, QPolygonF
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from ..core.run.best import Best, best_so_far
from ..core.run.colours import PALETTE
from ..core.run.compare import ComparedRun, write_csv
from ..core.run.seeds import SPREADS, band, group_label, group_runs, mean_x
from ..core.run.series import Series
from ..core.run.settings import config_diff
from ..core.run.smoothing import ENVELOPE, Smoother, Smoothing
from .background import BackgroundTask
from .curves import index_at
from .exports import export_image, run_export
from .file_dialogs import save_file
from .hover_table import HoverTable, table
from .hparams_table import HINT, HparamsView
from .plots import (STEP, X_AXES, FittedLabelAxis, HoverCanvas, LegendRow, TimeAxis, steady_axes,
                    x_of)
from .run_labels import distinct_labels, elided
from .smoothing_choice import smoothing_kinds

BOOK_STYLES = (Qt.SolidLine, Qt.DashLine, Qt.DotLine, Qt.DashDotLine, Qt.DashDotDotLine)
ALL_RUNS = "All runs"
SPREAD_LABELS = {"minmax": "min–max", "sem": "± std. error"}
# What Compare can draw: the book series' or logged key, and the y axis' label, long and
# short (a short plot gets the short one).
METRICS = {"train": ("Training loss", "training loss (nats/byte)", "nats/byte"),
           "val": ("Validation loss", "validation loss (nats/byte)", "nats/byte"),
           "bits_per_byte": ("Bits per byte", "validation bits per byte", "bits/byte"),
           "tokens": ("Tokens/s", "tokens per second", "tokens/s"),
           "lr": ("Learning rate", "learning rate", "lr"),
           "x_sparsity": ("Sparsity x", "non-zero fraction of x", "non-zero x"),
           "y_sparsity": ("Sparsity y", "non-zero fraction of y", "non-zero y")}
NO_RUNS = "No runs compared yet: check two or more runs in the Runs list."
MIN_PLOT_HEIGHT = 170  # px of the plot with its axes: a view ~120 px tall
# The plot's and the tables' shares of the height they split: a table's rows read in a
# third; parallel coordinates need half (in a third their axes were 20 px long at 1024x700).
TABLE_SHARES, CHART_SHARES = (2, 1), (1, 1)
LEGEND_RUN_CHARS, LEGEND_BOOK_CHARS = 24, 24  # a legend entry's run or book, cut to these
BOOK_SAMPLE = "#666"  # a book's legend entry: its line style, in no run's colour


@dataclass
class Line:
    """A drawn curve: one run's book, or a seed group's mean for a book."""
    run: str  # the run's name, or the seed group's label
    book: str
    series: Series  # train loss; a group's mean, at the steps any of its seeds logged
    item: pg.PlotDataItem
    members: list[Series] = field(default_factory=list)  # a group's seeds' train loss
    names: list[str] = field(default_factory=list)  # the runs drawn by this line
    vals: list[Series] = field(default_factory=list)  # their validation loss
    smoothed: np.ndarray | None = None
    bounds: tuple[pg.PlotDataItem, pg.PlotDataItem, pg.FillBetweenItem] | None = None
    smoother: Smoother = field(default_factory=Smoother)

    def best_until(self, step: float) -> Best | None:
        """The best validation loss up to ``step`` (of the seeds' mean, for a group)."""
        steps, values = [v.steps for v in self.vals], [v.values for v in self.vals]
        if not steps or not any(s.size for s in steps):
            return None
        b = band(steps, values)
        shown = b.steps <= step
        return best_so_far(b.steps[shown], b.mean[shown])


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
        # Every point of every run: seconds to write for long runs, never on the GUI thread.
        self.csv_writer = BackgroundTask("exporting the comparison", self)
        self.csv_writer.failed.connect(lambda message: self.problem.emit(
            f"Export failed: {message}"))
        self._build()

    def _build(self) -> None:
        bar = self._build_bar()
        self._build_canvas()
        self.diff = QTableWidget(objectName="configDiff")
        self.diff.setAccessibleName("Settings that differ between the checked runs")
        self.diff.setEditTriggers(QTableWidget.NoEditTriggers)
        self.diff.horizontalHeader().setTextElideMode(Qt.ElideMiddle)
        self.hparams = HparamsView()
        self.hparams.isolate_requested.connect(self.isolate_run)
        self.hparams.problem.connect(self.problem)
        # Under the plot, in tabs: the diff beside it took a third of its width at 1024 px,
        # the legend went to one column of six rows, and the window grew past 700 px.
        self.tables = QTabWidget(objectName="compareTables")
        self.tables.setAccessibleName("Tables of the checked runs")
        self.tables.addTab(self.hparams, "Hyperparameters")
        self.tables.addTab(self.diff, "Settings that differ")
        self.tables.setTabToolTip(0, HINT)
        self.tables.setCornerWidget(self.hparams.controls)
        self.tables.currentChanged.connect(
            lambda tab: self.hparams.controls.setVisible(tab == 0))
        self.below = QSplitter(Qt.Vertical, objectName="compareSplitter")
        self.below.addWidget(self.canvas)
        self.below.addWidget(self.tables)
        self.below.setCollapsible(0, False)
        self._chart_shown: bool | None = None  # what the height is shared for
        self._table_sizes: list[int] = []  # the plot's and the tables', as the table had them
        self._share_height()  # the tables keep a third: a few rows, always in view
        self.tables.currentChanged.connect(self._share_height)
        self.hparams.pages.currentChanged.connect(self._share_height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.below, 1)

    def _share_height(self, *_) -> None:
        """Half the height to the tables while they show the parallel coordinates; the
        plot's own back when they show a table again (it keeps its minimum either way)."""
        chart = self.tables.currentWidget() is self.hparams and \
            self.hparams.pages.currentWidget() is self.hparams.parallel
        if chart == self._chart_shown:
            return
        self._chart_shown, sizes = chart, self.below.sizes()
        shares = CHART_SHARES if chart else TABLE_SHARES
        for i, share in enumerate(shares):
            self.below.setStretchFactor(i, share)
        if chart:
            self._table_sizes = sizes if sum(sizes) else []
        elif not sum(sizes):
            return  # a table from the start: laid out by the stretch and the size hints
        parts = shares if chart else self._table_sizes or shares
        total = sum(sizes) or 1000  # not laid out yet: scaled to its height when it is
        self.below.setSizes([total * part // sum(parts) for part in parts])

    def _build_bar(self) -> QVBoxLayout:
        """The controls above the plot: x axis, smoothing, seeds, one run alone, exports."""
        self.x_axis = QComboBox(objectName="compareXAxis")
        self.x_axis.setAccessibleName("Compare x axis")
        self.x_axis.addItems([X_AXES[i][0] for i in sorted(X_AXES)])
        self.x_axis.currentIndexChanged.connect(self.redraw)
        self.smoothing_kind = smoothing_kinds("compareSmoothingKind", "Compare smoothing kind")
        self.smoothing_kind.currentIndexChanged.connect(self.redraw)
        self.smoothing = QSlider(Qt.Horizontal, minimum=0, maximum=99, value=60,
                                 objectName="compareSmoothing")
        self.smoothing.setAccessibleName("Compare smoothing")
        self.smoothing.setFixedWidth(90)
        self.smoothing.valueChanged.connect(self.redraw)
        self.measure = QComboBox(objectName="compareMetric")
        self.measure.setAccessibleName("What the curves show")
        for key, (label, *_) in METRICS.items():
            self.measure.addItem(label, key)
        self.measure.currentIndexChanged.connect(self._draw_lines)
        self.log_y = QCheckBox("Log scale", objectName="compareLogY")
        self.log_y.setAccessibleName("Logarithmic y axis")
        self.log_y.toggled.connect(lambda on: self.plot.setLogMode(y=on))
        self.group_seeds = QCheckBox("Group seeds", objectName="compareGroupSeeds")
        self.group_seeds.setAccessibleName("Group runs that differ only in seed")
        self.group_seeds.setToolTip("Draw runs whose settings differ only in seed as one mean "
                                    "curve in a band")
        self.group_seeds.toggled.connect(self._draw_lines)
        self.spread = QComboBox(objectName="compareSpread")
        self.spread.setAccessibleName("Seed band")
        for key in SPREADS:
            self.spread.addItem(SPREAD_LABELS[key], key)
        self.spread.currentIndexChanged.connect(self.redraw)
        self.isolate = QComboBox(objectName="isolateRun")
        self.isolate.setAccessibleName("Isolate one run")
        self.isolate.setToolTip("Show one run alone, or all of them")
        self.isolate.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.isolate.setMinimumContentsLength(8)
        self.isolate.currentTextChanged.connect(self._isolate)
        export_image_button = QPushButton("Export image…", objectName="compareExportImage",
                                          clicked=self._ask_export_image)
        export_csv_button = QPushButton("Export CSV…", objectName="compareExportCsv",
                                        clicked=self._ask_export_csv)
        for b in (export_image_button, export_csv_button):
            b.setAccessibleName(b.text().rstrip("…"))
        # Two rows: in one, the controls asked for 1058 px and widened the window past a
        # 1024-px screen.
        view, runs = QHBoxLayout(), QHBoxLayout()
        for w in (QLabel("x axis:"), self.x_axis, QLabel("Smoothing:"), self.smoothing_kind,
                  self.smoothing, QLabel("Show:"), self.isolate):
            view.addWidget(w)
        view.addStretch(1)
        for w in (self.measure, self.log_y, self.group_seeds, self.spread):
            runs.addWidget(w)
        runs.addStretch(1)
        runs.addWidget(export_image_button)
        runs.addWidget(export_csv_button)
        bar = QVBoxLayout()
        bar.addLayout(view)
        bar.addLayout(runs)
        return bar

    def _build_canvas(self) -> None:
        """The plot, its legend, and the crosshair and table that follow the mouse."""
        self.canvas = HoverCanvas()
        self.canvas.setBackground("w")
        self.plot = self.canvas.addPlot(axisItems={"bottom": TimeAxis(),
                                                   "left": FittedLabelAxis(*METRICS["train"][1:])})
        steady_axes(self.plot)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        # Below the plot, never over the curves: run names are long.  In as many columns
        # as fit, and the plot kept its height: 9 curves in one column left a 30-px strip.
        self.legend = LegendRow(self.canvas, row=1, columns=1)
        self.plot.legend = self.legend  # where plot(name=…) adds its entry
        self.canvas.resized.connect(self._fit_legend)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen("#888", style=Qt.DotLine))
        self.crosshair.hide()
        self.plot.addItem(self.crosshair, ignoreBounds=True)
        self.hover = HoverTable(self.canvas)
        self.canvas.scene().sigMouseMoved.connect(self._moved)
        self.canvas.left.connect(self._left)
        self.canvas.show_empty(NO_RUNS)

    # --- data ---------------------------------------------------------------

    def set_runs(self, runs: list[ComparedRun]) -> None:
        self.runs = runs
        self._fill_diff()
        self.hparams.set_runs(runs)
        self._draw_lines()

    def _draw_lines(self, *_) -> None:
        """One line per run and book, or per seed group and book when seeds are grouped."""
        for line in self.lines:
            for item in (line.item, *(line.bounds or ())):
                self.plot.removeItem(item)
        self.legend.clear()
        self.lines = []
        self.plot.getAxis("left").set_wordings(*METRICS[self.measure.currentData()][1:])
        groups = self._groups()
        labels = [group_label([g.name for g in group]) for group in groups]
        books = list(dict.fromkeys(k for group in groups for g in group for k in g.series.books))
        for r, (group, label, short) in enumerate(zip(groups, labels, distinct_labels(
                labels, LEGEND_RUN_CHARS))):
            colour = group[0].colour or PALETTE[r % len(PALETTE)]
            self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen(colour, width=2)), short)
            for b, book in enumerate(books):
                has = [g for g in group if book in g.series.books]
                if has:
                    self.lines.append(self._line(label, book, has, shade(colour, b), b))
        for b, book in enumerate(books):
            self.legend.addItem(pg.PlotDataItem(pen=self._book_pen(BOOK_SAMPLE, b)),
                                elided(book, LEGEND_BOOK_CHARS))
        self.isolate.blockSignals(True)
        self.isolate.clear()
        self.isolate.addItems([ALL_RUNS, *dict.fromkeys(line.run for line in self.lines)])
        self.isolate.blockSignals(False)
        self.canvas.show_empty(None if self.runs else NO_RUNS)
        self._fit_legend()
        self.redraw()

    def _fit_legend(self) -> None:
        """The legend in as many columns as the canvas has room for; the canvas asks for
        the plot's minimum height above it, so the tables beside and below give way."""
        rows = self.legend.fit_columns(self.canvas.width())
        entry = max((label.boundingRect().height() for _, label in self.legend.items),
                    default=0)
        self.canvas.setMinimumHeight(MIN_PLOT_HEIGHT + int(rows * entry))

    def _groups(self) -> list[list[ComparedRun]]:
        return group_runs(self.runs) if self.group_seeds.isChecked() else [[r] for r in self.runs]

    @staticmethod
    def _book_pen(colour: QColor | str, b: int) -> QPen:
        return pg.mkPen(colour, width=2, style=BOOK_STYLES[b % len(BOOK_STYLES)])

    def _line(self, label: str, book: str, runs: list[ComparedRun], colour: QColor,
              b: int) -> Line:
        """The curve of the ``b``-th book, ``book``, of the runs ``label`` names."""
        item = self.plot.plot(pen=self._book_pen(colour, b))
        key = self.measure.currentData()
        data = [run.series.books[book] for run in runs]
        shown = [{**d.series, **d.logged}[key] for d in data]
        line = Line(label, book, shown[0], item, names=[run.name for run in runs],
                    vals=[d.series["val"] for d in data])
        if len(runs) > 1:
            line.members = shown
        faded = QColor(colour)
        faded.setAlpha(60)
        low, high = (self.plot.plot(pen=pg.mkPen(faded, width=1)) for _ in range(2))
        fill = pg.FillBetweenItem(low, high, brush=pg.mkBrush(faded))
        self.plot.addItem(fill)
        line.bounds = (low, high, fill)
        return line

    def _fill_diff(self) -> None:
        configs = {run.name: run.config or {} for run in self.runs}
        diff = config_diff(configs) if len(configs) > 1 else {}
        self.diff.clear()
        self.diff.setRowCount(len(diff))
        self.diff.setColumnCount(len(self.runs))
        self.diff.setHorizontalHeaderLabels(distinct_labels([run.name for run in self.runs],
                                                            LEGEND_RUN_CHARS))
        for col, run in enumerate(self.runs):
            self.diff.horizontalHeaderItem(col).setToolTip(run.name)
        self.diff.setVerticalHeaderLabels(list(diff))
        for row, values in enumerate(diff.values()):
            for col, run in enumerate(self.runs):
                value = values.get(run.name)
                text = "—" if value is None else str(value)
                self.diff.setItem(row, col, QTableWidgetItem(text))
        self.diff.resizeColumnsToContents()  # a header cut again would lose the difference

    def diff_rows(self) -> dict[str, list[str]]:
        """The diff table as text: setting -> the runs' values, in column order."""
        return {self.diff.verticalHeaderItem(r).text():
                [self.diff.item(r, c).text() for c in range(self.diff.columnCount())]
                for r in range(self.diff.rowCount())}

    # --- drawing ------------------------------------------------------------

    def smoothing_choice(self) -> Smoothing:
        return Smoothing(self.smoothing_kind.currentData(), self.smoothing.value())

    def redraw(self, *_) -> None:
        axis, smoothing = self.x_axis.currentIndex(), self.smoothing_choice()
        for line in self.lines:
            low = high = None
            if line.members:
                low, high = self._draw_group(line, axis, smoothing)
            else:
                smooth = line.smoother.of(line.series.values, smoothing)
                line.smoothed = smooth.line.copy()
                low, high = smooth.low, smooth.high
            x = x_of(line.series, axis)[: line.smoothed.size]
            line.item.setData(x, line.smoothed, skipFiniteCheck=True)
            for bound, y in zip(line.bounds[:2], (low, high)):
                bound.setData(x, y, skipFiniteCheck=True) if y is not None else bound.setData()
            self._isolate_line(line)
        bottom = self.plot.getAxis("bottom")
        bottom.is_time = axis != STEP
        bottom.setStyle()
        self.plot.setLabel("bottom", X_AXES[axis][1])

    def _draw_group(self, line: Line, axis: int,
                    smoothing: Smoothing) -> tuple[np.ndarray, np.ndarray]:
        """The seeds' mean of their smoothed curves, and the band's bounds."""
        smoothed = [Smoother().of(m.values, smoothing).line for m in line.members]
        steps = [m.steps[: s.size] for m, s in zip(line.members, smoothed)]
        spread = self.spread.currentData()
        shown = band(steps, smoothed, spread)
        raw = band([m.steps for m in line.members], [m.values for m in line.members])
        steps = [m.steps for m in line.members]
        line.series = Series.of(raw.steps, mean_x(steps, [m.elapsed for m in line.members],
                                                  raw.steps),
                                raw.mean, mean_x(steps, [m.wall for m in line.members], raw.steps))
        line.smoothed = shown.mean
        return shown.low, shown.high

    def _isolate(self, *_) -> None:
        for line in self.lines:
            self._isolate_line(line)

    def _isolate_line(self, line: Line) -> None:
        name = self.isolate.currentText()
        visible = name in (ALL_RUNS, "", line.run)
        line.item.setVisible(visible)
        for bound in line.bounds or ():
            bound.setVisible(visible and (bool(line.members) or
                                          self.smoothing_kind.currentData() == ENVELOPE))

    def isolate_run(self, name: str) -> None:
        """Show only the line of run ``name`` (its seed group's, when seeds are grouped)."""
        for line in self.lines:
            if name in line.names:
                self.isolate.setCurrentText(line.run)
                return

    # --- hover --------------------------------------------------------------

    def _moved(self, pos) -> None:
        if not self.plot.vb.sceneBoundingRect().contains(pos) or not self.lines:
            self._left()
            return
        at = self.plot.vb.mapSceneToView(pos)
        self.crosshair.setPos(at.x())
        self.crosshair.show()
        area = self.canvas.mapFromScene(self.plot.vb.sceneBoundingRect()).boundingRect()
        self.hover.show_at(self.rows_at(at.x()), self.canvas.mapFromScene(pos), at.y(),
                           self.log_y.isChecked(), area, self._points_under)

    def _points_under(self, rect: QRect) -> int:
        """How many of the visible curves' points ``rect`` (the canvas') covers."""
        scene = QPolygonF(self.canvas.mapToScene(rect))
        view = self.plot.vb.mapSceneToView(scene).boundingRect()
        axis, count = self.x_axis.currentIndex(), 0
        for line in self.lines:
            if not line.item.isVisible() or line.smoothed is None:
                continue
            x, y = x_of(line.series, axis)[: line.smoothed.size], line.smoothed
            if self.log_y.isChecked():
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.log10(y)
            count += int(np.count_nonzero((view.left() <= x) & (x <= view.right()) &
                                          (view.top() <= y) & (y <= view.bottom())))
        return count

    def _left(self, *_) -> None:
        self.crosshair.hide()
        self.hover.hide()

    def rows_at(self, x: float) -> list[tuple]:
        """(run, book, step, smoothed, raw, training time, best val so far or None) of each
        visible curve at ``x``."""
        axis, rows = self.x_axis.currentIndex(), []
        for line in self.lines:
            if not line.item.isVisible():
                continue
            i = index_at(x_of(line.series, axis)[: line.smoothed.size], x) \
                if line.smoothed is not None else None
            if i is None:
                continue
            step = int(line.series.steps[i])
            rows.append((line.run, line.book, step, float(line.smoothed[i]),
                         float(line.series.values[i]), float(line.series.elapsed[i]),
                         line.best_until(step)))
        return rows

    def table_at(self, x: float, run_chars: int = 32, book_chars: int = 32) -> str:
        """The hover table at ``x``, every column; names cut to so many characters."""
        return table(self.rows_at(x), run_chars=run_chars, book_chars=book_chars)

    # --- exports ------------------------------------------------------------

    def export_image(self, path: str | Path) -> None:
        """The curves without the crosshair or the hover table."""
        self._left()
        export_image(self.canvas, path, "BDH Studio runs compared")

    def export_csv(self, path: str | Path) -> None:
        """Write the runs' points in the background (``csv_writer`` says when it is done)."""
        if self.csv_writer.running:
            self.problem.emit("The comparison is being exported: wait for that export to end.")
            return
        runs, spread = list(self.runs), (self.spread.currentData()
                                         if self.group_seeds.isChecked() else None)
        self.csv_writer.start(lambda control: write_csv(path, runs, spread))

    def _ask_export_image(self) -> None:
        path = save_file(self, "Export comparison", "compare.png",
                         "PNG image (*.png);;SVG image (*.svg)")
        self._export(self.export_image, path)

    def _ask_export_csv(self) -> None:
        path = save_file(self, "Export curves", "compare.csv", "CSV (*.csv)")
        self._export(self.export_csv, path)

    def _export(self, export, path: str) -> None:
        run_export(export, path, self.problem.emit)


PICTURE_SIZE = (1200, 700)  # runs compare --out x.png, in pixels


def draw_offscreen(runs: list[ComparedRun], out: Path, x_axis: int,
                   spread: str | None = None) -> None:
    """The comparison as the window draws it, into ``out`` (.png or .svg), with no window
    shown: what ``bdh-studio runs compare --out x.png`` writes; with a ``spread``, seeds
    grouped in bands of it."""
    from .app import make_app
    make_app([])
    plots = ComparePlots()
    plots.x_axis.setCurrentIndex(x_axis)
    if spread:
        plots.spread.setCurrentIndex(plots.spread.findData(spread))
        plots.group_seeds.setChecked(True)
    plots.set_runs(runs)
    # The picture is the canvas alone, at the size asked: in the tab it gets a share of it.
    plots.canvas.setParent(None)
    plots.canvas.resize(*PICTURE_SIZE)
    # grab lays the hidden widget out and ranges the view; showing it would make a platform
    # window, and the offscreen one prints that it does not support propagateSizeHints
    plots.canvas.grab()
    try:
        plots.export_image(out)
    finally:
        plots.close()

