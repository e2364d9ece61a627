"""Every neuron of a scan in a sortable list: by firing rate, by selectivity, by top byte.

A spin box alone made a person guess which of thousands of neurons to look at.
The list is a model over the scan's arrays, sorted with numpy: a few thousand
rows sort in a millisecond, where a proxy model would call Python per comparison.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from ...core.inspection.neurons import NeuronScan
from .activity_view import byte_label

HEADERS = ("neuron", "fires %", "selectivity", "top byte")


class NeuronList(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rate = self.selective = self.top = self.order = np.zeros(0, dtype=int)

    def clear(self) -> None:
        self.beginResetModel()
        self.rate = self.selective = self.top = self.order = np.zeros(0, dtype=int)
        self.endResetModel()

    def set_scan(self, scan: NeuronScan) -> None:
        self.beginResetModel()
        self.rate, self.selective = scan.firing_rate(), scan.selectivity()
        self.top = scan.byte_fires.argmax(axis=1)
        self.order = np.arange(scan.n_neurons)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def neuron(self, row: int) -> int:
        return int(self.order[row])

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.TextAlignmentRole):
            return None
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter) if index.column() < 3 else None
        j = self.neuron(index.row())
        fired = self.rate[j] > 0
        return (str(j), f"{100 * self.rate[j]:.1f}", f"{self.selective[j]:.2f}" if fired else "",
                byte_label(int(self.top[j])) if fired else "")[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.DisplayRole):
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return HEADERS[section]
        if role == Qt.InitialSortOrderRole and section in (1, 2):
            return Qt.DescendingOrder  # a first click on a rate shows the highest first
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        keys = (np.arange(len(self.rate)), self.rate, self.selective, self.top)[column]
        ranked = np.argsort(keys, kind="stable")
        self.layoutAboutToBeChanged.emit()
        self.order = ranked[::-1] if order == Qt.DescendingOrder else ranked
        self.layoutChanged.emit()
