"""What one neuron means: its top contexts over the book, its histogram, what it fires on."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox,
                               QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from ...core.inspection.neurons import EDGES, NeuronScan
from ..empty_state import EmptyNote
from ..exports import export_csv, export_image
from .activity_view import byte_label
from .common import ExportBar, named
from .neuron_list import NeuronList

# The bars span EDGES[1:] on a log axis.  Quarter-octave bins are not equally wide
# there (log10 1.25 against log10 8/7), so raw counts would draw a sawtooth of one
# octave's period: each bar is its count scaled to the bins' mean width instead.
LOG_EDGES = np.log10(EDGES[1:].double().numpy())
PER_MEAN_WIDTH = np.diff(LOG_EDGES).mean() / np.diff(LOG_EDGES)
NOT_SCANNED = "No data yet: press Scan the book to see what each neuron fires on."
NO_SCAN = "Scan the book to see what each neuron fires on."
NO_NEURONS = "No data yet: press Scan the book for a list of every neuron."
SCAN_AGAIN = ("The scan was of another {setting}: press Scan the book for a list of every "
              "neuron of the {setting} chosen now.")


class NeuronView(QWidget):
    scan_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.scan: NeuronScan | None = None
        self.wanted = 0  # the neuron asked for, kept while no scan bounds the spin box
        self.neuron = named(QSpinBox(maximum=0), "inspectNeuron", "Neuron number")
        self.neuron.valueChanged.connect(self._draw)
        self.scan_button = named(QPushButton("Scan the book"), "inspectScan",
                                 "Scan every neuron over the book sample")
        self.scan_button.clicked.connect(self.scan_requested)
        self.facts = named(QLabel(), "inspectNeuronFacts", "Firing rate and top bytes")
        self.facts.setWordWrap(True)
        self.contexts = named(QTextBrowser(), "inspectContexts", "Top activating contexts")
        self.histogram = named(pg.PlotWidget(), "inspectHistogram", "Activation histogram")
        self.histogram.setLabel("bottom", "activation (log10), when firing")
        self.histogram.setLabel("left", "bytes per ¼ octave")
        self.histogram.setMaximumHeight(220)
        self.export = ExportBar("neuron", "neuron", self.export_image, self.export_csv)
        self.list = NeuronList(self)
        self.table = named(QTableView(), "inspectNeuronList",
                           "Every neuron of the scan, sortable; click one to show it")
        self.table.setModel(self.list)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.clicked.connect(lambda index: self.show_neuron(self.list.neuron(index.row())))
        self.histogram_note, self.list_note = EmptyNote(self.histogram), EmptyNote(self.table)
        top = QHBoxLayout()
        top.addWidget(QLabel("Neuron"))
        top.addWidget(self.neuron)
        top.addWidget(self.scan_button)
        top.addStretch(1)
        detail = QWidget()
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        layout.addWidget(self.contexts, 1)
        layout.addWidget(self.histogram)
        layout.addWidget(self.export)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setSizes([300, 800])
        QVBoxLayout(self).addWidget(split)
        self.clear()

    def show_scan(self, scan: NeuronScan) -> None:
        self.scan = scan
        self.list.set_scan(scan)
        self.list_note.say(None)
        self.table.sortByColumn(1, Qt.DescendingOrder)  # the busiest neurons first
        self.neuron.setMaximum(scan.n_neurons - 1)
        self.neuron.setValue(self.wanted)
        self._draw()

    def clear(self, note: str = NO_NEURONS) -> None:
        """Forget the scan (of a model or book no longer chosen): say what to do again."""
        self.scan = None
        self.list.clear()
        self.facts.setText(NO_SCAN)
        self.contexts.clear()
        self.histogram.clear()
        self.histogram_note.say(NOT_SCANNED)
        self.list_note.say(note)

    def outdated(self, setting: str) -> None:
        """Forget a scan made with another ``setting`` (layer, …) than the one chosen now,
        saying so: its neurons' contexts and histograms are of that one."""
        self.clear(SCAN_AGAIN.format(setting=setting))

    def show_neuron(self, neuron: int) -> None:
        self.wanted = neuron
        self.neuron.setValue(neuron)
        self._draw()

    def _draw(self) -> None:
        s, j = self.scan, self.neuron.value()
        if s is None:
            return
        top = ", ".join(f"{byte_label(b)} ({c:,})" for b, c in s.top_bytes(j))
        self.facts.setText(
            f"Neuron {j} = head {j // s.n_sparse}, index {j % s.n_sparse}; layer "
            f"{s.settings.layer}, {s.settings.kind}. Fires on {100 * s.firing_rate()[j]:.1f}% "
            f"of {s.sample.n_bytes:,} bytes of {s.sample.name}; most often on: {top or 'nothing'}.")
        rows = []
        for c in s.contexts(j):
            before = html.escape(c.before.decode("utf-8", "replace"))
            fired = html.escape(byte_label(c.byte))
            after = html.escape(c.after.decode("utf-8", "replace"))
            rows.append(f"<tr><td align=right>{c.value:.3f}</td><td><tt>{before}"
                        f"<b style='background:#ffd54f'>{fired}</b>{after}</tt></td></tr>")
        self.contexts.setHtml("<table cellspacing=4>" + "".join(rows) + "</table>"
                              if rows else "This neuron never fired in the sample.")
        self.histogram.clear()
        counts = s.histogram[j][2:-1]  # bucket i + 2 is [EDGES[i + 1], EDGES[i + 2])
        self.histogram.addItem(pg.BarGraphItem(x0=LOG_EDGES[:-1], x1=LOG_EDGES[1:],
                                               height=counts * PER_MEAN_WIDTH, brush="#3b6ea8"))
        fired = np.flatnonzero(counts)
        if len(fired):
            self.histogram.setXRange(LOG_EDGES[fired[0]], LOG_EDGES[fired[-1] + 1])
        self.histogram_note.say(None if len(fired) else f"Neuron {j} never fired in the sample.")

    def export_image(self, path: str) -> None:
        export_image(self.histogram, path, "BDH Studio neuron histogram")

    def export_csv(self, path: str) -> None:
        if self.scan is None:
            raise OSError("nothing to export yet: scan the book first")
        export_csv(path, ["rank", "value", "book_offset", "before", "byte", "after"],
                   ([i + 1, repr(c.value), c.book_offset, c.before.decode("utf-8", "replace"),
                     c.byte, c.after.decode("utf-8", "replace")]
                    for i, c in enumerate(self.scan.contexts(self.neuron.value()))))
