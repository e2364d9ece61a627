"""A table shown a whole number of rows tall: where its rows do not all fit, it scrolls them
one row at a time and never shows a row cut by its lower edge.

A layout hands a widget any height; a table given one that is not its header
plus a whole number of rows shows half a row at the bottom, which reads as
clipped.  The holder takes the height the layout gives and lays the table
out in the largest whole-row height within it, the rest left blank.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QSizePolicy, QTableView, QWidget


class WholeRows(QWidget):
    """Holds ``table``; call ``fit`` once its rows are filled, so that its size hints know
    them."""

    def __init__(self, table: QTableView, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = table
        table.setParent(self)
        table.setVerticalScrollMode(QAbstractItemView.ScrollPerItem)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)

    def _chrome(self) -> int:
        """Height of the table without rows: its header and frame."""
        header = self.table.horizontalHeader()
        return (0 if header.isHidden() else header.sizeHint().height()) \
            + 2 * self.table.frameWidth()

    def _rows(self) -> list[int]:
        return [self.table.rowHeight(r) for r in range(self.table.model().rowCount())]

    def _width(self) -> int:
        """The row names' and every column's whole width, the frame, and a scroll bar."""
        table, header, names = self.table, self.table.horizontalHeader(), \
            self.table.verticalHeader()
        columns = sum(max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
                      for c in range(table.model().columnCount()))
        return ((0 if names.isHidden() else names.sizeHint().width()) + columns
                + 2 * table.frameWidth() + table.style().pixelMetric(
                    table.style().PixelMetric.PM_ScrollBarExtent))

    def fit(self) -> None:
        """Ask for the table's whole height, accept as little as its first row, and ask for
        the columns' whole widths with room for a scroll bar, so that a scroll bar appearing
        never narrows a column into eliding."""
        self.table.resizeRowsToContents()
        rows = self._rows()
        self.setMinimumSize(self._width(), self._chrome() + (rows[0] if rows else 0))
        self.updateGeometry()
        self._place()

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), self._chrome() + sum(self._rows()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        room, used = self.height() - self._chrome(), 0
        for height in self._rows():
            if used + height > room:
                break
            used += height
        self.table.setGeometry(0, 0, self.width(), self._chrome() + used)
