"""Concept search: neurons ranked by selectivity for a word, beside the shuffled control."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.inspection.concepts import ConceptResult
from ..empty_state import EmptyNote
from ..exports import export_csv, export_image
from ..plots import LegendRow
from .common import ExportBar, named

SHOWN = 20
MIN_PLOT_HEIGHT = 180  # px of the AUC plot with its legend row: 106 left the curves 4 px
NOT_SEARCHED = ("No data yet: type a word or phrase and press Search to rank the neurons by how "
                "selectively they fire on it, against a shuffled control.")
SEARCH_AGAIN = ("The search for {word!r} was of another {setting}: press Search to rank the "
                "neurons for the {setting} chosen now.")
HOW = ("Positives are the word's last byte wherever it occurs in the book sample; the control "
       "puts as many at random.")


class ConceptView(QWidget):
    search_requested = Signal(str)
    neuron_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: ConceptResult | None = None
        self.word = named(QLineEdit(), "inspectConceptWord", "Word or phrase to search")
        self.word.setPlaceholderText("a word or phrase, e.g. a character's name")
        self.word.returnPressed.connect(self._search)
        self.search_button = named(QPushButton("Search", clicked=self._search),
                                   "inspectConceptSearch", "Rank neurons for the word")
        self.verdict = named(QLabel(), "inspectConceptVerdict", "Best neuron against the control")
        self.verdict.setWordWrap(True)
        self.table = named(QTableWidget(0, 6), "inspectConceptTable", "Most selective neurons")
        self.table.setHorizontalHeaderLabels(["neuron", "head", "index", "AUC", "mean diff",
                                              "control AUC at rank"])
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.cellDoubleClicked.connect(
            lambda row, _c: self.neuron_chosen.emit(int(self.table.item(row, 0).text())))
        self.curve = named(pg.GraphicsLayoutWidget(), "inspectConceptPlot",
                           "AUC by rank, word and control")
        self.auc_plot = self.curve.addPlot(row=0, col=0)
        self.auc_plot.setLabel("bottom", "neuron rank")
        self.auc_plot.setLabel("left", "AUC")
        # Below the plot: inside it, it covered the curves' ends at 1024x700.
        self.legend = LegendRow(self.curve, row=1)
        self.auc_plot.legend = self.legend  # where plot(name=…) adds its entry
        self.curve.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.curve_note = EmptyNote(self.curve)
        self.export = ExportBar("concept", "concept search", self.export_image, self.export_csv)
        top = QHBoxLayout()
        top.addWidget(self.word, 1)
        top.addWidget(self.search_button)
        # The table beside the plot: above it, the two asked for 475 px of the Inspect tab and
        # the window grew to 735 px at 1024x700; beside it, each has the view's height.
        beside = QSplitter(Qt.Horizontal, objectName="inspectConceptSplitter")
        beside.addWidget(self.table)
        beside.addWidget(self.curve)
        beside.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.verdict)
        layout.addWidget(beside, 1)
        layout.addWidget(self.export)
        self.clear()

    def clear(self, note: str = NOT_SEARCHED) -> None:
        """Forget the search (of a model or book no longer chosen): say what to do again."""
        self.result = None
        self.verdict.setText(HOW)
        self.table.setRowCount(0)
        self.auc_plot.clear()
        self.curve_note.say(note)

    def outdated(self, setting: str) -> None:
        """Forget a search made with another ``setting`` (layer, …) than the one chosen now,
        saying so: its neurons are of that one."""
        self.clear(SEARCH_AGAIN.format(word=self.result.word, setting=setting))

    def _search(self) -> None:
        if self.word.text():
            self.search_requested.emit(self.word.text())

    def show_result(self, r: ConceptResult) -> None:
        self.result = r
        best, chance = r.concept.auc.max(), r.control.auc.max()
        self.verdict.setText(
            f"{r.word!r}: {r.n_positives:,} occurrences against {r.n_negatives:,} other bytes "
            f"(layer {r.layer}, {r.kind}). Best neuron AUC {best:.3f}; best under the shuffled "
            f"control {chance:.3f}: " + ("a neuron beats chance." if r.beats_control()
                                         else "no neuron beats chance."))
        order, control = r.concept.ranking(), np.sort(r.control.auc)[::-1]
        self.table.setRowCount(SHOWN)
        for row, j in enumerate(order[:SHOWN]):
            values = (j, j // r.n_sparse, j % r.n_sparse, f"{r.concept.auc[j]:.3f}",
                      f"{r.concept.mean_diff[j]:.4f}", f"{control[row]:.3f}")
            for col, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, col, item)
        self.auc_plot.clear()
        self.auc_plot.plot(r.concept.auc[order], pen=pg.mkPen("#d84315", width=2), name=r.word)
        self.auc_plot.plot(control, pen=pg.mkPen("#777", width=2), name="shuffled control")
        self.curve_note.say(None)

    def export_image(self, path: str) -> None:
        export_image(self.curve, path, "BDH Studio concept search")

    def export_csv(self, path: str) -> None:
        r = self.result
        if r is None:
            raise OSError("nothing to export yet: search a word first")
        export_csv(path, ["neuron", "head", "index", "auc", "mean_diff", "control_auc",
                          "control_mean_diff"],
                   ([j, j // r.n_sparse, j % r.n_sparse, repr(float(r.concept.auc[j])),
                     repr(float(r.concept.mean_diff[j])), repr(float(r.control.auc[j])),
                     repr(float(r.control.mean_diff[j]))] for j in r.concept.ranking()))
