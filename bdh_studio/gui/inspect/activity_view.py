"""Active fraction of every layer at every byte of a text, as a heatmap over the text."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (QComboBox, QGraphicsRectItem, QHBoxLayout, QHeaderView, QLabel,
                               QPlainTextEdit, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.backstories import Backstory
from ...core.inspection.activity import KINDS, Activity, NeuronValue
from ..empty_state import EmptyNote
from ..exports import export_csv, export_image
from .common import ExportBar, named

MAX_TICKS = 120  # bytes the heatmap shows at first; drag or zoom for the rest
TICK_LEVELS = (50, 10, 5, 1)  # a label every so many bytes, coarse to fine
ROW_PREVIEW = 48  # characters of a backstory shown in the list of rows
NOT_READ = ("No data yet: type a text, take a passage of the book or choose a backstory row, "
            "then press Read to see how much of each layer fires at each byte.")
NO_BYTE = "Read a text, then click a byte in the heatmap."
NO_NEURON = "No neuron fires at this byte."
FINDING = "Not listed yet: the status above says how finding them goes."
PICK_NEURONS = ("Click a byte in the heatmap for its top neurons;\n"
                "double-click a neuron to see what it means.")


def byte_label(b: int) -> str:
    return chr(b) if 32 < b < 127 else {32: "␣", 10: "⏎"}.get(b, f"{b:02x}")


def byte_ticks(data: bytes) -> list[list[tuple[float, str]]]:
    """The bytes' labels in levels, every TICK_LEVELS[0]-th byte first: the axis draws the
    finer levels only where their labels fit beside the others (a byte a label crowded them
    into one smudge at 1024 px), at any zoom."""
    levels: list[list[tuple[float, str]]] = [[] for _ in TICK_LEVELS]
    for t, b in enumerate(data):
        level = next(i for i, every in enumerate(TICK_LEVELS) if t % every == 0)
        levels[level].append((t + 0.5, byte_label(b)))
    return levels


def row_label(row: Backstory) -> str:
    """How a backstory row is listed: which file it is from, its id, book and character."""
    split = "train" if row.label else "test"
    preview = " ".join(row.text().split())
    if len(preview) > ROW_PREVIEW:
        preview = preview[:ROW_PREVIEW - 1] + "…"
    return f"{split} {row.id} · {row.book_name} · {row.char}: {preview}"


class ActivityView(QWidget):
    """Type a text, take a passage or a backstory row, read it, see each layer's active share;
    click a byte for its neurons."""

    read_requested = Signal(bytes)
    passage_requested = Signal()
    backstory_chosen = Signal(object)  # the Backstory whose text was put in the box
    byte_clicked = Signal(int, int)  # layer, byte position
    neuron_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.activity: Activity | None = None
        self.cell: tuple[int, int] | None = None  # (layer, byte) the neurons listed are of
        self.text = named(QPlainTextEdit(), "inspectText", "Text to read")
        self.text.setPlaceholderText("Type a text, take a passage of the book, or choose a "
                                     "backstory row.")
        self.text.setMaximumHeight(90)
        self.passage_button = named(QPushButton("Passage of the book"), "inspectPassage",
                                    "Take a passage of the book")
        self.passage_button.clicked.connect(self.passage_requested)
        self.rows: list[Backstory] = []
        self.backstory = named(QComboBox(), "inspectBackstory", "Backstory row to read")
        self.backstory.setMinimumContentsLength(30)
        self.backstory.activated.connect(self.choose_backstory)
        self.set_backstories([])
        self.read_button = named(QPushButton("Read", clicked=self._read), "inspectRead",
                                 "Read the text with the model")
        self.kind = named(QComboBox(), "inspectActivityKind", "Activation shown")
        for kind in KINDS:
            self.kind.addItem(f"{kind} active", kind)
        self.kind.currentIndexChanged.connect(self._draw)
        self._make_heatmap()
        self.means = named(pg.PlotWidget(), "inspectLayerMeans", "Mean active fraction per layer")
        self.means.setLabel("bottom", "mean")
        self.means.setMaximumWidth(170)
        self.means.setYLink(self.heatmap)
        self.reading = named(QLabel(), "inspectReading", "The text under the heatmap")
        self.reading.setWordWrap(True)
        self.reading.setTextFormat(Qt.RichText)
        self.neurons = named(QTableWidget(0, 3), "inspectByteNeurons",
                             "Top neurons at the clicked byte")
        self.neurons.setHorizontalHeaderLabels(["head", "index", "value"])
        self.neurons.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.neurons.setEditTriggers(QTableWidget.NoEditTriggers)
        self.neurons.setSelectionBehavior(QTableWidget.SelectRows)
        self.neurons.cellDoubleClicked.connect(self._open_neuron)
        self.neurons_title = QLabel(PICK_NEURONS)
        self.export = ExportBar("activity", "heatmap", self.export_image, self.export_csv)
        self.heatmap_note, self.means_note, self.neurons_note = (
            EmptyNote(w) for w in (self.heatmap, self.means, self.neurons))
        self._build()
        self.clear()

    def _make_heatmap(self) -> None:
        """The heatmap, the colour bar that says what a colour means, and the mark of the
        cell whose neurons are listed on the right."""
        self.heatmap = named(pg.PlotWidget(), "inspectHeatmap", "Active fraction heatmap")
        self.heatmap.setLabel("left", "layer")
        # The first byte's label sticks out a few pixels left of the axis: let it, or it is hidden.
        # Levels of byte labels (byte_ticks): as many as fit, up to 60% of the axis in text.
        self.heatmap.getAxis("bottom").setStyle(
            hideOverlappingLabels=8, maxTickLevel=len(TICK_LEVELS) - 1,
            maxTextLevel=len(TICK_LEVELS) - 1, textFillLimits=[(0, 0.8), (2, 0.6)])
        self.heatmap.setMouseEnabled(x=True, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.heatmap.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), values=(0, 1),
                                          label="active fraction", interactive=False,
                                          colorMapMenu=False, width=14)
        self.colour_bar.setImageItem(self.image, insert_in=self.heatmap.getPlotItem())
        self.mark = QGraphicsRectItem(0, 0, 1, 1)
        pen = QPen(QColor("#ff3d00"), 2)
        pen.setCosmetic(True)
        self.mark.setPen(pen)
        self.mark.hide()
        # Its pen would stretch the fitted view a layer each way (its width is in data units).
        self.heatmap.addItem(self.mark, ignoreBounds=True)
        self.heatmap.scene().sigMouseClicked.connect(self._clicked)

    def _build(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(self.passage_button)
        controls.addWidget(self.backstory, 1)
        controls.addWidget(self.kind)
        controls.addWidget(self.read_button)
        plots = QHBoxLayout()
        plots.addWidget(self.heatmap, 1)
        plots.addWidget(self.means)
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addLayout(controls)
        layout.addLayout(plots, 1)
        layout.addWidget(self.reading)
        layout.addWidget(self.export)
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.neurons_title)
        side.addWidget(self.neurons, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([900, 260])
        QVBoxLayout(self).addWidget(split)

    def set_backstories(self, rows: list[Backstory]) -> None:
        """The rows of the CSVs loaded in the Backstories tab, offered as texts to read."""
        self.rows = list(rows)
        self.backstory.clear()
        for row in self.rows:
            self.backstory.addItem(row_label(row))
            self.backstory.setItemData(self.backstory.count() - 1, row.text(), Qt.ToolTipRole)
        self.backstory.setEnabled(bool(self.rows))
        self.backstory.setPlaceholderText("a backstory row" if self.rows else
                                          "no backstories: load a CSV in the Backstories tab")
        self.backstory.setCurrentIndex(-1)

    def show_backstory(self, row: Backstory) -> None:
        """Put a row in the box as if chosen from the list (added to it if not yet listed)."""
        if row not in self.rows:
            self.set_backstories([*self.rows, row])
        self.choose_backstory(self.rows.index(row))

    def choose_backstory(self, index: int) -> None:
        row = self.rows[index]
        self.backstory.setCurrentIndex(index)
        self.text.setPlainText(row.text())
        self.backstory_chosen.emit(row)

    def _read(self) -> None:
        self.read_requested.emit(self.text.toPlainText().encode("utf-8"))

    def show_activity(self, activity: Activity) -> None:
        self.activity = activity
        self._draw()

    def clear(self) -> None:
        """Forget the reading (of a model no longer chosen): the plots say what to do again."""
        self.activity = None
        self.image.clear()
        self.means.clear()
        self.reading.clear()
        self.forget_byte()
        self.heatmap_note.say(NOT_READ)
        self.means_note.say("No data yet")

    def forget_byte(self) -> None:
        """No cell chosen (or one of a text or activation no longer shown, or one whose neurons
        cannot be found now): say how to choose."""
        self.cell = None
        self.mark.hide()
        self.neurons.setRowCount(0)
        self.neurons_title.setText(PICK_NEURONS)
        self.neurons_note.say(NO_BYTE)

    def _draw(self) -> None:
        a = self.activity
        if a is None:
            return
        kind = self.kind.currentData()
        grid = a.fractions[kind]  # layers, bytes
        levels = (0.0, max(float(grid.max()), 1e-6))
        self.image.setImage(grid, levels=levels)
        self.colour_bar.setLevels(levels)
        self.forget_byte()  # the cell chosen was of the text or activation shown before
        self.image.setRect(0, 0, grid.shape[1], grid.shape[0])
        self.heatmap.getAxis("bottom").setTicks(byte_ticks(a.data))
        layers = [[(i + 0.5, str(i)) for i in range(a.n_layer)]]
        self.heatmap.getAxis("left").setTicks(layers)
        self.means.getAxis("left").setTicks(layers)
        self.heatmap.setXRange(0, min(len(a.data), MAX_TICKS), padding=0)
        self.means.clear()
        means = a.mean_per_layer(kind)
        self.means.addItem(pg.BarGraphItem(x0=0, y=np.arange(a.n_layer) + 0.5, height=0.8,
                                           width=means, brush="#3b6ea8"))
        for layer, m in enumerate(means):
            label = pg.TextItem(f"{m:.3f}", anchor=(0, 0.5), color="k")
            label.setPos(m, layer + 0.5)  # after the bar's end, dark on the white plot
            self.means.addItem(label)
        self.means.setXRange(0, 1, padding=0.02)
        self.reading.setText(self._text_html(None))
        self.heatmap_note.say(None)
        self.means_note.say(None)

    def _text_html(self, position: int | None) -> str:
        parts = []
        for t, b in enumerate(self.activity.data):
            ch = "⏎" if b == 10 else html.escape(chr(b)) if b < 128 else "·"
            parts.append(f"<b style='background:#ffd54f'>{ch}</b>" if t == position else ch)
        return "<tt>" + "".join(parts) + "</tt>"

    def _clicked(self, event) -> None:
        if self.activity is None:
            return
        point = self.heatmap.getPlotItem().vb.mapSceneToView(event.scenePos())
        layer, position = int(np.floor(point.y())), int(np.floor(point.x()))
        if 0 <= layer < self.activity.n_layer and 0 <= position < len(self.activity.data):
            self.choose_byte(layer, position)

    def choose_byte(self, layer: int, position: int) -> None:
        """What clicking the heatmap's cell (layer, byte) does: the neurons of the cell chosen
        before leave the table, which waits for this one's."""
        self.cell = (layer, position)
        self.neurons.setRowCount(0)
        self.neurons_note.say(FINDING)
        self.reading.setText(self._text_html(position))
        self.mark.setRect(position, layer, 1, 1)
        self.mark.show()
        b = self.activity.data[position]
        self.neurons_title.setText(f"Top neurons of layer {layer} at byte {position} "
                                   f"({byte_label(b)}), {self.kind.currentData()}:")
        self.byte_clicked.emit(layer, position)

    def show_neurons(self, values: list[NeuronValue]) -> None:
        self.neurons_note.say(None if values else NO_NEURON)
        self.neurons.setRowCount(len(values))
        for row, v in enumerate(values):
            for col, text in enumerate((str(v.head), str(v.index), f"{v.value:.4f}")):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, v.neuron)
                self.neurons.setItem(row, col, item)

    def _open_neuron(self, row: int, _column: int) -> None:
        self.neuron_chosen.emit(self.neurons.item(row, 0).data(Qt.UserRole))

    def export_image(self, path: str) -> None:
        export_image(self.heatmap, path, "BDH Studio active fractions")

    def export_csv(self, path: str) -> None:
        a = self.activity
        if a is None:
            raise OSError("nothing to export yet: read a text first")
        export_csv(path, ["layer", "position", "byte", "x_active", "y_active", "xy_active"],
                   ([layer, t, b, *(repr(float(a.fractions[k][layer, t])) for k in KINDS)]
                    for layer in range(a.n_layer) for t, b in enumerate(a.data)))
