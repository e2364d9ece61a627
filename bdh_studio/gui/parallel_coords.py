"""The hyperparameters table drawn as parallel coordinates: an axis per differing setting
and per book's best validation loss, a line per run in its own colour; clicking a line
isolates its run, as clicking its table row does.

What goes where is core.run.parallel's; this only draws it.  The margins for
the axes' names (a row above them, or two staggered rows when they are close)
and their ticks' labels (right of each axis) are kept in pixels, so the chart
reads the same at any height: the view is ranged again whenever it is resized.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from ..core.run.colours import PALETTE
from ..core.run.parallel import CATEGORY, LOG, Axis, ParallelCoordinates

AXIS_PEN = "#888"
TEXT = "#333"
LABEL_FILL = (255, 255, 255, 210)  # behind a tick's label, over the lines it crosses
MAX_TICK_PX = 90  # a tick's label (a name, a value) at most; less where axes are close
LEFT_PX, RIGHT_PX, BOTTOM_PX = 30.0, MAX_TICK_PX + 6.0, 4.0  # around the axes
NAME_PX = 72  # a name's room in one row at least (~10 characters); else two staggered rows
CLICK_PX = 8  # how near a line a click picks it


class ParallelCoordinatesView(pg.PlotWidget):
    """``set_chart`` draws; ``lines`` are the runs' polylines, by run name."""

    clicked = Signal(str)  # the name of the run whose line was clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.setObjectName("parallelCoordinates")
        self.setAccessibleName("Parallel coordinates of the checked runs' settings and losses")
        self.setToolTip("A line per run across the settings that differ and each book's best "
                        "validation loss; click a line to show that run alone")
        self.chart = ParallelCoordinates([], [], [])
        self.colours: dict[str, str] = {}
        self.lines: dict[str, pg.PlotDataItem] = {}
        self._drawn: tuple[float, int, bool] | None = None  # the _layout drawn for
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.vb.setMouseEnabled(False, False)
        plot.vb.sigResized.connect(self._resized)

    def sizeHint(self) -> QSize:
        """No more than the table it stands in for asks: pyqtgraph's 600x480 took the
        room of Compare's plot above it."""
        return QSize(250, 150)

    def set_chart(self, chart: ParallelCoordinates, colours: dict[str, str]) -> None:
        """Draw ``chart``; each run in ``colours[run]`` (else the palette's, by position)."""
        self.chart, self.colours = chart, colours
        self._draw()

    def _resized(self) -> None:
        if self._layout() != self._drawn:
            self._draw()  # the labels' room between the axes changed
        else:
            self._fit()

    def _layout(self) -> tuple[float, int, bool]:
        """The width the labels are cut for, the rows of names, and whether the ticks' labels
        have room (a top and a bottom label one above the other; below that, they would
        overlap): the view is drawn again when one changes."""
        rows = self._name_rows()
        return self.plotItem.vb.width(), rows, self._ticks_fit(rows)

    def _name_rows(self) -> int:
        """Two rows of names where axes are close (a name has two axes' room) and the ticks'
        labels keep theirs; else one: the ticks' values are what the lines are read against
        (two rows took the axes down to 20 px at 1024x700)."""
        return 2 if self._spacing_px() - 8 < NAME_PX and self._ticks_fit(2) else 1

    def _ticks_fit(self, name_rows: int) -> bool:
        return self._body_px(name_rows) >= 2.5 * self._text_height()

    def _body_px(self, name_rows: int) -> float:
        """The axes' length in pixels under ``name_rows`` rows of names."""
        return self.plotItem.vb.height() - self._top_px(name_rows) - BOTTOM_PX

    def _draw(self) -> None:
        self.clear()
        self.lines = {}
        self._drawn = self._layout()
        _, name_rows, ticks = self._drawn
        tick_px = self._tick_px() if ticks else 0
        for a, axis in enumerate(self.chart.axes):
            self._draw_axis(a, axis, name_rows, tick_px)
        x = np.arange(len(self.chart.axes), dtype=float)
        for r, (run, places) in enumerate(zip(self.chart.runs, self.chart.positions)):
            colour = self.colours.get(run) or PALETTE[r % len(PALETTE)]
            line = self.plot(x, np.array(places, dtype=float), connect="finite",
                             pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                             symbolPen=None, symbolBrush=colour)
            line.setCurveClickable(True, width=CLICK_PX)
            line.sigClicked.connect(lambda _item, *_, name=run: self.clicked.emit(name))
            self.lines[run] = line
        self._fit()

    def _spacing_px(self) -> float:
        """Pixels between two axes (the whole width, for one)."""
        gaps = max(len(self.chart.axes) - 1, 1)
        return max(self.plotItem.vb.width() - LEFT_PX - RIGHT_PX, 1) / gaps

    def _tick_px(self) -> int:
        return int(max(24, min(MAX_TICK_PX, self._spacing_px() - 6)))

    def _margins(self) -> tuple[float, float, float, float]:
        """Left, right, top and bottom, in pixels: a little left of the first axis, a tick
        label's room right of the last, the rows of names above (the ticks' labels stay
        between an axis' ends)."""
        return LEFT_PX, RIGHT_PX, self._top_px(self._name_rows()), BOTTOM_PX

    def _top_px(self, name_rows: int) -> float:
        return name_rows * self._text_height() + 2

    def _text_height(self) -> float:
        return pg.TextItem("Ag").boundingRect().height()

    def _fit(self) -> None:
        """Range the view so the margins are as many pixels as ``_margins`` says."""
        vb = self.plotItem.vb
        left, right, top, bottom = self._margins()
        gaps = max(len(self.chart.axes) - 1, 1)
        per_x = gaps / max(vb.width() - left - right, 1)  # data units a pixel
        per_y = 1 / max(vb.height() - top - bottom, 1)
        vb.setRange(xRange=(-left * per_x, gaps + right * per_x),
                    yRange=(-bottom * per_y, 1 + top * per_y), padding=0)

    def _cut(self, text: str, pixels: float) -> str:
        return QFontMetrics(self.font()).elidedText(text, Qt.ElideMiddle, int(pixels))

    def _draw_axis(self, a: int, axis: Axis, name_rows: int, tick_px: int) -> None:
        self.addItem(pg.PlotDataItem([a, a], [0, 1], pen=pg.mkPen(AXIS_PEN, width=1)))
        # in two rows, every other name a row higher: a name has two axes' room
        staggered = name_rows == 2
        name = pg.TextItem(self._cut(axis.name, name_rows * self._spacing_px() - 8), color=TEXT,
                           anchor=(0.5, 2.0 if staggered and a % 2 else 1.0))
        name.setToolTip(f"{axis.name}{' (log scale)' if axis.scale == LOG else ''}: "
                        + (", " if axis.scale == CATEGORY else " to ").join(
                            label for _, label in axis.ticks))
        name.setPos(a, 1)
        self.addItem(name)
        for position, label in axis.ticks if tick_px else ():
            # the top end's label hangs below it, the bottom end's sits above it
            tick = pg.TextItem(self._cut(label, tick_px), color=TEXT,
                               anchor=(0.0, 1.0 - position), fill=LABEL_FILL)
            tick.setPos(a, position)
            self.addItem(tick)
