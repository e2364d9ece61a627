"""The neuron graph's degree distributions, trained against initialisation, and its hubs."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ...core.inspection.graph import GRAPHS, Degrees, ccdf
from ..empty_state import EmptyNote
from ..exports import export_csv, export_image
from .common import ExportBar, named

STYLES = {("trained", "out"): ("#d84315", Qt.SolidLine),
          ("trained", "in"): ("#1565c0", Qt.SolidLine),
          ("init", "out"): ("#d84315", Qt.DashLine),
          ("init", "in"): ("#1565c0", Qt.DashLine)}

# Degrees labelled 1, 2, 5, 10, 20, 50, ...: the log axis's own labels of every
# unit in a decade run into each other once the decade is short on screen.
DEGREE_TICKS = [(np.log10(m * 10 ** e), f"{m * 10 ** e:,}") for e in range(7) for m in (1, 2, 5)]
NOT_COMPUTED = ("No data yet: press Compute graph to see how many neurons each neuron drives, "
                "trained against the same model at initialisation.")
WHAT = ("G_x = decoder @ encoder: neuron i drives neuron j where G[i, j] is among the top q of "
        "all entries.")


def describe(d: Degrees) -> str:
    parts = []
    for label, degrees in (("out", d.out), ("in", d.into)):
        s = d.summary(degrees)
        alpha = f"{s['hill_alpha']:.2f}" if s["hill_alpha"] is not None else "n/a"
        parts.append(f"{label}: max {s['max']}, mean {s['mean']:.1f}, Hill α {alpha}")
    return "; ".join(parts)


class GraphView(QWidget):
    compute_requested = Signal(float)
    neuron_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.report: dict[str, dict[str, Degrees]] | None = None
        self.n_sparse = 1
        self.q = named(QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=0.5, singleStep=0.005,
                                      value=0.01),
                       "inspectGraphQ", "Share of entries that are edges")
        self.which = named(QComboBox(), "inspectGraphWhich", "Graph shown")
        for name in GRAPHS:
            self.which.addItem(name, name)
        self.which.currentIndexChanged.connect(self._draw)
        self.compute_button = named(QPushButton("Compute graph", clicked=self._compute),
                                    "inspectGraphCompute", "Compute the neuron graph")
        self.summary = named(QLabel(), "inspectGraphSummary", "Tail summary, trained and init")
        self.summary.setWordWrap(True)
        self.plot = named(pg.PlotWidget(), "inspectGraphPlot", "Degree CCDF, log-log")
        self.plot.setLogMode(True, True)
        self.plot.setLabel("bottom", "degree d")
        self.plot.getAxis("bottom").setTicks([DEGREE_TICKS])
        self.plot.setLabel("left", "share with degree ≥ d")  # of the neurons; longer, 1024x700 cut it
        self.plot.addLegend(offset=(10, -10))  # bottom left: a CCDF never goes there
        self.plot_note = EmptyNote(self.plot)
        self.hubs = named(QTableWidget(0, 5), "inspectGraphHubs", "Hub neurons")
        self.hubs.setHorizontalHeaderLabels(["neuron", "head", "index", "out", "in"])
        self.hubs.setEditTriggers(QTableWidget.NoEditTriggers)
        self.hubs.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.hubs.setSelectionBehavior(QTableWidget.SelectRows)
        self.hubs.cellDoubleClicked.connect(
            lambda row, _c: self.neuron_chosen.emit(int(self.hubs.item(row, 0).text())))
        self.export = ExportBar("graph", "neuron graph", self.export_image, self.export_csv)
        top = QHBoxLayout()
        for w in (QLabel("q"), self.q, self.which, self.compute_button):
            top.addWidget(w)
        top.addStretch(1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.plot)
        split.addWidget(self.hubs)
        split.setSizes([800, 340])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.export)
        self.clear()

    def clear(self) -> None:
        """Forget the graph (of a model no longer chosen): say what to do again."""
        self.report = None
        self.summary.setText(WHAT)
        self.plot.clear()
        self.hubs.setRowCount(0)
        self.plot_note.say(NOT_COMPUTED)

    def _compute(self) -> None:
        self.compute_requested.emit(self.q.value())

    def show_report(self, report: dict[str, dict[str, Degrees]], n_sparse: int) -> None:
        self.report, self.n_sparse = report, n_sparse
        self._draw()

    def _draw(self) -> None:
        if self.report is None:
            return
        name = self.which.currentData()
        self.plot.clear()
        for (which, direction), (color, style) in STYLES.items():
            d = self.report[which][name]
            values, share = ccdf(d.out if direction == "out" else d.into)
            self.plot.plot(values, share, pen=pg.mkPen(color, width=2, style=style),
                           name=f"{which} {direction}")
        trained, init = self.report["trained"][name], self.report["init"][name]
        self.summary.setText(f"{name}, q = {trained.q:g} (τ {trained.tau:.3g}). Trained — "
                             f"{describe(trained)}.\nAt init — {describe(init)}.")
        self.plot_note.say(None)
        hubs = trained.hubs()
        self.hubs.setRowCount(len(hubs))
        for row, j in enumerate(hubs):
            values = (j, j // self.n_sparse, j % self.n_sparse, trained.out[j], trained.into[j])
            for col, v in enumerate(values):
                self.hubs.setItem(row, col, QTableWidgetItem(str(v)))

    def export_image(self, path: str) -> None:
        export_image(self.plot, path, "BDH Studio neuron graph degrees")

    def export_csv(self, path: str) -> None:
        if self.report is None:
            raise OSError("nothing to export yet: compute the graph first")
        name = self.which.currentData()
        t, i = self.report["trained"][name], self.report["init"][name]
        export_csv(path, ["neuron", "head", "index", "trained_out", "trained_in", "init_out",
                          "init_in"],
                   ([j, j // self.n_sparse, j % self.n_sparse, t.out[j], t.into[j], i.out[j],
                     i.into[j]] for j in np.arange(len(t.out))))
