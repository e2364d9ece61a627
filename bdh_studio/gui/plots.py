"""Live training curves: loss per book, tokens/s and BDH's activation sparsity.

Events are only buffered (``handle`` is cheap); a timer redraws when
something changed, never once per event, and no more often than its own
cost allows: the GUI thread's CPU is taken from the training's threads.
A redraw sets again only the curves that gained points, the axes move only
when the data leaves the view, and pyqtgraph downsamples (peak) and clips
to the view, so 100k points a curve stay smooth.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QPaintEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGraphicsItem, QHBoxLayout,
                               QLabel, QPushButton, QSlider, QVBoxLayout, QWidget)

from ..core import events as ev
from ..core.run.colours import PALETTE
from ..core.run.progress import hms
from ..core.run.series import Series
from ..core.run.smoothing import ENVELOPE, Smoother, Smoothing
from ..core.run.state import RunState
from ..core.control import TaskControl
from .background import BackgroundTask
from .curves import index_at
from .exports import export_csv, export_image, run_export
from .elided_label import ElidedLabel
from .empty_state import EmptyNote
from .file_dialogs import save_file
from .smoothing_choice import smoothing_kinds

# Each drawn item and the series it shows: "raw" is the train loss unsmoothed, faded;
# "low" and "high" bound its min-max envelope.
SHOWS = {"raw": "train", "train": "train", "low": "train", "high": "train", "val": "val",
         "tokens": "tokens",
         "x_sparsity": "x_sparsity", "y_sparsity": "y_sparsity"}
MIN_INTERVAL_MS = 100
COST_FACTOR = 200  # redraws at least this many times their CPU time apart: <= 0.5% of a core
HEADROOM = {0: (0.02, 0.25), 1: (0.1, 0.1)}  # x, y: room a refit leaves below and above the data
NO_DATA = "No data yet: press Train, or open a run (Ctrl+Shift+O)."
LOOSE = 0.5  # a view the data fills less than this fraction of is refitted
WIDEST_TICK = "-0000000"  # the left axes are this wide, whatever their labels say
PEAKS_PER_PIXEL = 1.0  # downsampled bins per pixel column, each drawn as its (max, min)
MIN_VIEW = 40  # px of a plot's view at least, without its axes and title
MARKED_UP_TO = 100  # validation points a book may have and still be drawn with markers
STEP, TRAINING_TIME, WALL_CLOCK = range(3)  # the x axes, in the order the chooser lists them
X_AXES = {STEP: ("Step", "step"),
          TRAINING_TIME: ("Training time", "training time (h:mm:ss, pauses left out)"),
          WALL_CLOCK: ("Wall clock", "wall clock (h:mm:ss since the run began, pauses in)")}


@dataclass
class BookCurves:
    color: str
    series: dict[str, Series]  # the run's, drawn by the items
    items: dict[str, pg.PlotDataItem] = field(default_factory=dict)
    smoother: Smoother = field(default_factory=Smoother)
    drawn: dict[str, tuple] = field(default_factory=dict)  # what each item was last set with


class TimeAxis(pg.AxisItem):
    """A bottom axis that writes seconds as h:mm:ss while the x axis is a time."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.is_time = False

    def tickStrings(self, values, scale, spacing):
        if not self.is_time:
            return super().tickStrings(values, scale, spacing)
        return [hms(v) if v >= 0 else "" for v in values]


class FittedLabelAxis(pg.AxisItem):
    """A left axis labelled with the longest of its wordings that fits its height, none
    if none does.

    pyqtgraph centres the label on the axis whatever its length: at 700x420 the
    loss plot was shorter than "loss (nats/byte)", which ran into the tokens/s
    label below it, and Compare's at 1024x700 was cut at the plot's top ("ats/byte)").
    """

    wordings: tuple[str, ...] = ()  # the axis is resized while pyqtgraph builds it

    def __init__(self, *wordings: str) -> None:
        super().__init__("left")
        self.wordings = wordings
        self.setLabel(wordings[0] if wordings else "")

    def set_wordings(self, *wordings: str) -> None:
        self.wordings = wordings
        self._fit()

    def resizeEvent(self, event=None) -> None:  # noqa: N802 (pyqtgraph's name)
        if self.label is not None:  # None once closed; resizes may still come
            self._fit()
        super().resizeEvent(event)

    def _fit(self) -> None:
        metrics = QFontMetrics(self.label.font())
        room = self.size().height() - 2 * self.label.document().documentMargin()
        text = next((w for w in self.wordings if metrics.horizontalAdvance(w) <= room), "")
        if text != self.labelText:
            self.setLabel(text)


def x_of(series: Series, axis: int) -> np.ndarray:
    return {STEP: series.steps, TRAINING_TIME: series.elapsed, WALL_CLOCK: series.wall}[axis]


class RoomyViewBox(pg.ViewBox):
    """A ViewBox whose auto-range moves only when the data leaves the view (or fills under half).

    pyqtgraph's auto-range fits the view to the data after every change, so a
    growing curve moved the axes at every redraw: their tick labels were laid
    out again and every curve of the plot clipped and downsampled again.  A
    refit leaves room ahead of the data, so the axes move a few times a run.
    A person's zoom or pan still turns auto-range off and the "A" button on.
    ``planned_x``, where the data will reach (the last step of a book), is
    fitted from the start, so a book in steps never moves the x axis.
    """

    planned_x = 0.0

    def updateAutoRange(self) -> None:
        if self._updatingRange:  # as pyqtgraph's: items may resize as the view changes
            return
        self._updatingRange = True
        try:
            ranges = self._refits()
            if ranges:
                self.setRange(**ranges, padding=0.0, disableAutoRange=False)
        finally:
            self._autoRangeNeedsUpdate = False
            self._updatingRange = False

    def _refits(self) -> dict[str, tuple[float, float]]:
        """The new range of each auto-ranged axis whose data no longer fits its view."""
        bounds, view = self.childrenBounds(), self.viewRange()
        ranges = {}
        for axis, name in enumerate(("xRange", "yRange")):
            if self.state["autoRange"][axis] is False or bounds[axis] is None:
                continue
            lo, hi = bounds[axis]
            below, above = HEADROOM[axis]
            # The bounds reach a marker's half-width past the last point: still the plan.
            if axis == 0 and hi <= self.planned_x * (1 + below):
                hi, above = max(hi, self.planned_x), below
            (v0, v1), span = view[axis], hi - lo
            if not (math.isfinite(lo) and math.isfinite(hi)):
                continue
            if v0 <= lo and hi <= v1 and span >= LOOSE * (v1 - v0):
                continue
            span = span or abs(hi) * 0.1 or 1.0
            ranges[name] = (lo - below * span, hi + above * span)
        return ranges


class HoverCanvas(pg.GraphicsLayoutWidget):
    """A canvas that says when the mouse leaves it, so a cursor and its readout leave too;
    with nothing to plot it says so, over axes that would mean nothing yet."""
    left = Signal()
    resized = Signal()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_note = EmptyNote(self)

    def show_empty(self, text: str | None) -> None:
        """Cover the plots with ``text``; None shows them."""
        self.empty_note.say(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.resized.emit()

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().leaveEvent(event)
        self.left.emit()


class Canvas(HoverCanvas):
    """The plots' canvas; it tells ``on_paint`` the CPU seconds each paint took."""

    def __init__(self, on_paint: Callable[[float], None]):
        super().__init__()
        self._on_paint = on_paint

    def paintEvent(self, event: QPaintEvent) -> None:
        start = time.thread_time()
        super().paintEvent(event)
        self._on_paint(time.thread_time() - start)


class TrainingPlots(QWidget):
    problem = Signal(str)  # an export that failed, for the window's banner

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        pg.setConfigOptions(background="w", foreground="#333")
        self.books: dict[str, BookCurves] = {}
        self.data = RunState()
        self._dirty = False
        self._cost = 0.0  # CPU seconds of the last redraw that set something
        self._paint_pending = False  # its paint is yet to come, and to be paid
        # Started by new points only: an idle window, or a run between its
        # loss readings, is never woken to find nothing to draw.
        self._timer = QTimer(self, singleShot=True, interval=MIN_INTERVAL_MS,
                             timeout=self._tick)
        # 100k points a book take seconds to write: never on the GUI thread.
        self.csv_writer = BackgroundTask("exporting curves", self)
        self.csv_writer.failed.connect(lambda message: self.problem.emit(
            f"Export failed: {message}"))
        self._build()

    # --- layout -----------------------------------------------------------

    def _build(self) -> None:
        self.log_y = QCheckBox("Log scale", toggled=self._restyle)
        self.x_axis = QComboBox()
        self.x_axis.addItems([X_AXES[i][0] for i in sorted(X_AXES)])
        self.x_axis.currentIndexChanged.connect(self._restyle)
        self.smoothing_kind = smoothing_kinds("smoothingKind",
                                              "Kind of smoothing of the training loss")
        self.smoothing_kind.currentIndexChanged.connect(self._restyle)
        self.smoothing = QSlider(Qt.Horizontal, minimum=0, maximum=99, value=60)
        self.smoothing.setFixedWidth(64)
        self.smoothing.valueChanged.connect(self._restyle)
        self.smoothing_label = QLabel()
        bar = QHBoxLayout()
        for w in (self.log_y, QLabel("x axis:"), self.x_axis, QLabel("Smoothing:"),
                  self.smoothing_kind, self.smoothing, self.smoothing_label):
            bar.addWidget(w)
        bar.addStretch(1)

        self.canvas = Canvas(self._painted)
        self.canvas.ci.setContentsMargins(4, 4, 4, 4)  # Qt's 9 px: the loss plot's, at 700 px
        self.legend = LegendRow(self.canvas)
        self.canvas.resized.connect(lambda: self.legend.fit_columns(self.canvas.width()))
        self.loss_plot, self.tokens_plot, self.sparsity_plot = (
            self.canvas.addPlot(row=row, col=0, viewBox=RoomyViewBox(), axisItems={
                "bottom": TimeAxis(), "left": FittedLabelAxis(*wordings)})
            for row, wordings in ((1, ("loss (nats/byte)", "nats/byte", "loss")),
                                  (2, ("tokens/s", "tok/s")),
                                  (3, ("non-zero fraction", "non-zero"))))
        for row, stretch in ((1, 3), (2, 1), (3, 1)):
            self.canvas.ci.layout.setRowStretchFactor(row, stretch)
        for plot in (self.loss_plot, self.tokens_plot, self.sparsity_plot):
            steady_axes(plot)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
        self.tokens_plot.setXLink(self.loss_plot)
        self.sparsity_plot.setXLink(self.loss_plot)
        self.sparsity_plot.setYRange(0, 1)
        self.loss_plot.setTitle("Training loss (solid) and validation loss (dashed)", size="10pt")
        self.sparsity_plot.setTitle("Activation sparsity: x (solid), y (dotted)", size="9pt")
        self.cursor = pg.InfiniteLine(angle=90, movable=False,
                                      pen=pg.mkPen("#888", style=Qt.DotLine))
        self.loss_plot.addItem(self.cursor, ignoreBounds=True)
        self.cursor.hide()  # until the mouse is over the loss plot
        self.readout = ElidedLabel(" ", elide=Qt.ElideRight)  # three books' values are long
        self.readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._mouse = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._moved)
        self.canvas.left.connect(self.hide_cursor)
        self.canvas.show_empty(NO_DATA)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(self._bottom_row())
        self._restyle()
        self._loss_plot_first()

    def _loss_plot_first(self) -> None:
        """Short of room the loss plot grows first: the others ask for no more than their
        least, a view of MIN_VIEW px (at 1024x700 the three had 40 px each); what is left
        beyond the loss plot's wish is shared 3:1:1.  One x axis's numbers, under the last
        plot: the same numbers under each took two rows of the loss plot's height."""
        for plot in (self.loss_plot, self.tokens_plot):
            plot.getAxis("bottom").setStyle(showValues=False)
        for plot in (self.loss_plot, self.tokens_plot, self.sparsity_plot):
            plot.vb.setMinimumHeight(MIN_VIEW)
        for plot in (self.tokens_plot, self.sparsity_plot):
            plot.setPreferredHeight(plot.layout.effectiveSizeHint(Qt.MinimumSize).height())

    def _bottom_row(self) -> QHBoxLayout:
        """The readout, then the exports: in the bar above they left too little room at
        1024 px, and the smoothing kind was cut short."""
        bottom = QHBoxLayout()
        bottom.addWidget(self.readout, 1)
        bottom.addWidget(QPushButton("Export image…", clicked=self._ask_export_image))
        bottom.addWidget(QPushButton("Export CSV…", clicked=self._ask_export_csv))
        return bottom

    # --- events -----------------------------------------------------------

    def handle(self, event: ev.Event) -> None:
        book = self.data.handle(event)
        if book is None:
            return
        c = self._book(book)
        if isinstance(event, ev.BookStarted):  # resumed, its points after the save redone
            c.smoother, c.drawn = Smoother(), {}
            self._plan_x()
        else:
            self._dirty = True
            if not self._timer.isActive():
                self._timer.start()

    def show_state(self, state: RunState) -> None:
        """A run's curves from its events folded already, in the background, once: the
        events that follow fold into the same state."""
        self.clear()
        self.data = state
        for name in state.books:
            self._book(name)
        self._plan_x()
        self.redraw()

    def clear(self) -> None:
        for plot in (self.loss_plot, self.tokens_plot, self.sparsity_plot):
            plot.clear()
        self.loss_plot.addItem(self.cursor, ignoreBounds=True)
        self.legend.clear()
        self.books.clear()
        self.data = RunState()
        self._plan_x()
        self.hide_cursor()
        self.canvas.show_empty(NO_DATA)
        self.redraw()

    def _book(self, name: str) -> BookCurves:
        if name not in self.books:
            color = PALETTE[len(self.books) % len(PALETTE)]
            curves = BookCurves(color, self.data.book(name).series)
            solid, faded = pg.mkPen(color, width=2), pg.mkPen(color + "40", width=1)
            curves.items = {
                "raw": curve(self.loss_plot, pen=faded),
                "low": curve(self.loss_plot, pen=faded),
                "high": curve(self.loss_plot, pen=faded),
                "train": curve(self.loss_plot, pen=solid, name=f"{name} · train"),
                "val": curve(self.loss_plot, pen=pg.mkPen(color, width=1, style=Qt.DashLine),
                             symbol="o", symbolSize=5, symbolBrush=color, symbolPen=None,
                             name=f"{name} · val"),
                "tokens": curve(self.tokens_plot, pen=pg.mkPen(color, width=1)),
                "x_sparsity": curve(self.sparsity_plot, pen=pg.mkPen(color, width=1)),
                "y_sparsity": curve(self.sparsity_plot,
                                    pen=pg.mkPen(color, width=1, style=Qt.DotLine)),
            }
            # A book an entry, in its colour: the title says train is solid and val dashed.
            # Train and val an entry each made three rows of the loss plot's height at 1024x700.
            self.legend.addItem(curves.items["train"], name)
            self.legend.fit_columns(self.canvas.width())
            self.loss_plot.addItem(pg.FillBetweenItem(curves.items["low"], curves.items["high"],
                                                      brush=pg.mkBrush(color + "30")))
            self.books[name] = curves
            self._show_raw(curves)
        return self.books[name]

    # --- drawing ----------------------------------------------------------

    def _tick(self) -> None:
        if self._dirty:  # redrawn meanwhile (a restyle, a clear) leaves nothing to do
            self.redraw()

    def _x(self, series: Series) -> np.ndarray:
        return x_of(series, self.x_axis.currentIndex())

    def smoothing_choice(self) -> Smoothing:
        return Smoothing(self.smoothing_kind.currentData(), self.smoothing.value())

    def _show_raw(self, c: BookCurves) -> None:
        """The raw points faded behind a smoothed line; an envelope stands in for them."""
        smoothing = self.smoothing_choice()
        c.items["raw"].setVisible(smoothing.amount > 0 and smoothing.kind != ENVELOPE)

    def redraw(self) -> None:
        """Set the curves whose points or drawing changed since they were last set, no other.

        Setting a curve makes pyqtgraph clip, downsample and repaint all of it,
        so a curve set with the points it already shows is pure cost.
        """
        self._dirty = False
        self._timer.stop()  # everything new is drawn now
        if self.books:
            self.canvas.show_empty(None)
        start = time.thread_time()
        changed = [self._draw(c, item) for c in self.books.values() for item in SHOWS]
        if any(changed):
            if self.cursor.isVisible():  # the readout tells what the curves say now
                self.readout.setText(self.describe_at(self.cursor.value()))
            self._cost, self._paint_pending = time.thread_time() - start, True
            self._pace(self._cost)

    def _draw(self, c: BookCurves, item: str) -> bool:
        """Set ``item`` of book ``c`` unless it shows the same points, drawn the same way."""
        series = c.series[SHOWS[item]]
        smoothing = self.smoothing_choice() if item in ("train", "low", "high") else None
        bound = item in ("low", "high")
        if bound and smoothing.kind != ENVELOPE:
            drawn = None  # no envelope: nothing to set however the points grow
        else:
            drawn = (series.size, self.x_axis.currentIndex(), smoothing)
        if c.drawn.get(item, ()) == drawn:
            return False
        c.drawn[item] = drawn
        if drawn is None:
            c.items[item].setData([], [])
            return True
        y = series.values
        if smoothing is not None:
            smooth = c.smoother.of(series.values, smoothing)
            y = {"train": smooth.line, "low": smooth.low, "high": smooth.high}[item]
        c.items[item].setData(self._x(series)[: y.size], y, skipFiniteCheck=True,
                              **marks(item, series))
        return True

    def _painted(self, seconds: float) -> None:
        """The paint after a redraw is part of its cost: pace the next one by both."""
        if self._paint_pending:
            self._paint_pending = False
            self._pace(self._cost + seconds)

    def _pace(self, cost: float) -> None:
        """The next redraw no sooner than COST_FACTOR times this one's CPU seconds.

        The GUI thread's CPU is taken from the training's OpenMP threads, and
        a redraw's cost grows with the points shown: pacing by the measured
        cost keeps redraws at <= 1/COST_FACTOR of a core however many there are.
        """
        self._timer.setInterval(max(MIN_INTERVAL_MS, round(COST_FACTOR * cost * 1000)))

    def _restyle(self, *_) -> None:
        self.smoothing_label.setText(self.smoothing_choice().describe())
        self.loss_plot.setLogMode(y=self.log_y.isChecked())
        axis = self.x_axis.currentIndex()
        x_label = X_AXES[axis][1]
        for plot in (self.loss_plot, self.tokens_plot, self.sparsity_plot):
            plot.getAxis("bottom").is_time = axis != STEP
            plot.getAxis("bottom").setStyle()  # draws its tick labels again
        if self.sparsity_plot.getAxis("bottom").labelText != x_label:  # setting lays it out
            self.sparsity_plot.setLabel("bottom", x_label)
        for c in self.books.values():
            self._show_raw(c)
        self._plan_x()
        self.redraw()

    def _plan_x(self) -> None:
        """In steps the x axis spans the books' planned steps; times are not known ahead."""
        self.loss_plot.vb.planned_x = 0.0 if self.x_axis.currentIndex() else self.data.last_step

    def _moved(self, args) -> None:
        pos = args[0]
        if not self.loss_plot.sceneBoundingRect().contains(pos):
            self.hide_cursor()
            return
        x = self.loss_plot.vb.mapSceneToView(pos).x()
        self.cursor.setPos(x)
        self.cursor.show()
        self.readout.setText(self.describe_at(x))

    def hide_cursor(self) -> None:
        self.cursor.hide()
        self.readout.setText(" ")

    def describe_at(self, x: float) -> str:
        """The crosshair's words: each book's train (and val) loss at x, never a later one."""
        parts = []
        for name, c in self.books.items():
            train = c.series["train"]
            i = index_at(self._x(train), x)
            if i is None:
                continue
            text = f"{name}: step {int(train.steps[i])}, loss {train.values[i]:.3f}"
            val = c.series["val"]
            j = index_at(self._x(val), x)
            if j is not None:
                text += f", val {val.values[j]:.3f}"
            parts.append(text)
        where = f"{x:,.0f}" if self.x_axis.currentIndex() == STEP else hms(x)
        return f"x = {where} — " + " · ".join(parts) if parts else " "

    # --- what tests and exports read ---------------------------------------

    @property
    def redraw_pending(self) -> bool:
        """Whether new points wait for the timer's redraw."""
        return self._timer.isActive()

    @property
    def redraw_interval_ms(self) -> int:
        """How long the timer waits for the next redraw, as the last one's cost set it."""
        return self._timer.interval()

    def curve_points(self, book: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
        s = self.books[book].series[kind]
        return self._x(s).copy(), s.values.copy()

    def drawn_points(self, book: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """What pyqtgraph draws for ``kind`` (an item of SHOWS): downsampled, clipped, log-mapped."""
        x, y = self.books[book].items[kind].getData()
        return (np.array([]), np.array([])) if x is None else (x, y)

    def export_csv(self, path: str | Path) -> None:
        """Write every point of every curve: copied here, written in the background
        (``csv_writer`` says when it is done)."""
        if self.csv_writer.running:
            self.problem.emit("The curves are being exported: wait for that export to end.")
            return
        curves = [(name, kind, s.steps.copy(), s.elapsed.copy(), s.values.copy())
                  for name, c in self.books.items() for kind, s in c.series.items()]
        self.csv_writer.start(lambda control: write_curves(path, curves, control))

    def export_image(self, path: str | Path) -> None:
        self.cursor.hide()  # the crosshair is for the screen, not for the file
        export_image(self.canvas, path, "BDH Studio training curves")

    def _ask_export_image(self) -> None:
        path = save_file(self, "Export plot", "training.png",
                         "PNG image (*.png);;SVG image (*.svg)")
        self._export(self.export_image, path)

    def _ask_export_csv(self) -> None:
        path = save_file(self, "Export curves", "curves.csv", "CSV (*.csv)")
        self._export(self.export_csv, path)

    def _export(self, export: Callable[[str], None], path: str) -> None:
        run_export(export, path, self.problem.emit)


def write_curves(path: str | Path, curves: list[tuple], control: TaskControl) -> None:
    """The curves' points as CSV rows: book, kind, step, elapsed seconds, value; a cancel
    stops between two curves."""
    def rows():
        for name, kind, steps, elapsed, values in curves:
            control.check()
            yield from ([name, kind, int(step), f"{t:.3f}", repr(float(v))]
                        for step, t, v in zip(steps, elapsed, values))

    export_csv(path, ["book", "kind", "step", "elapsed", "value"], rows())  # UserError if it fails


class LegendRow(pg.LegendItem):
    """The loss legend in a row of its own above the plots, a book's train and val a line.

    Inside the loss plot, which is ~90 px tall at 1024x700, it covered the
    curves and had room for 2 of its 6 entries.  pyqtgraph's legend sizes
    itself by setGeometry at (0, 0), over the plots until the next layout:
    its height is told to the layout instead, so the row holds its entries.
    """

    def __init__(self, canvas: pg.GraphicsLayoutWidget, row: int = 0, columns: int = 2,
                 text_size: str = "8pt"):
        super().__init__(labelTextSize=text_size, colCount=columns, verSpacing=-6, frame=False)
        self.layout.setContentsMargins(0, 0, 0, 0)  # a row of 8-pt text took 39 px
        canvas.ci.addItem(self, row=row, col=0)

    def widest_entry(self) -> float:
        """The width of its widest entry, sample and text (a label is as wide as its column)."""
        return max((sample.boundingRect().width() + label.item.boundingRect().width()
                    + self.layout.horizontalSpacing() for sample, label in self.items),
                   default=1.0)

    def fit_columns(self, width: float) -> int:
        """As many columns as ``width`` has room for; how many rows that makes."""
        columns = max(1, int((width - 20) // self.widest_entry()))
        if columns != self.columnCount:
            self.setColumnCount(columns)
        return -(-len(self.items) // columns)

    def updateSize(self) -> None:  # noqa: N802 (pyqtgraph's name)
        self.setFixedHeight(self.layout.effectiveSizeHint(Qt.PreferredSize).height())


def curve(plot: pg.PlotItem, **style) -> pg.PlotDataItem:
    """A curve of ``plot`` drawn with one (max, min) pair per pixel column when downsampled.

    Peak downsampling keeps each column's extremes, so a pair per column
    looks like every point; pyqtgraph's default, five pairs, made a redraw
    of 4 books of 100k points three times as costly.
    """
    return plot.plot(autoDownsampleFactor=PEAKS_PER_PIXEL, **style)


def marks(item: str, series: Series) -> dict:
    """Validation points get markers while they can be told apart.

    Past MARKED_UP_TO a book the markers overlap into a smear that hides
    the dashed line; with the defaults (a validation every 10 logged steps)
    and 100k steps a book, drawing them cost a quarter of a redraw.
    """
    return {"symbol": "o" if series.size <= MARKED_UP_TO else None} if item == "val" else {}


def steady_axes(plot: pg.PlotItem) -> None:
    """Axes that cost nothing to repaint while the range stays, and nothing to lay out when not.

    The axes draw the grid, so every curve change repainted them, replaying
    their tick labels (~60% of a redraw of a short run's curves).  Cached as
    pixmaps, they are drawn again only when their range changes, and then
    with the grid lines of major and minor ticks only: the third level's,
    all but invisible at the grid's alpha, were 40% of that.  The left
    axes grew and shrank with their tick labels ("0.5" to "0.25"), which laid
    out the canvas again and misaligned the plots' x axes; SI prefixes
    rewrote the labels' HTML at each range change.
    """
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)
        plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        plot.getAxis(name).setStyle(maxTickLevel=1)
    left = plot.getAxis("left")
    font = left.style["tickFont"] or left.font()
    left.setWidth(round(QFontMetrics(font).horizontalAdvance(WIDEST_TICK)
                        + left.style["tickTextOffset"][0] + max(0, left.style["tickLength"])
                        + left.label.boundingRect().height() * 0.8))
