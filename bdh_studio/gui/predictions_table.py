"""The predictions of a run as a sortable, filterable table, confidence drawn as a bar.

The rows come from core.predictions; this only says how each cell reads.
Sorting goes through ``SORT_ROLE`` so ids sort as numbers and confidence as
a value, not as the text shown.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QTableView)

from ..core.predictions import PredictionRow
from .plots import PALETTE

COLUMNS = ("ID", "Split", "Book", "Character", "Predicted", "Confidence", "True label",
           "Backstory")
ID, SPLIT, BOOK, CHAR, PREDICTED, CONFIDENCE, TRUTH, TEXT = range(len(COLUMNS))
SORT_ROLE = Qt.UserRole + 1
LABEL_COLORS = {"consistent": PALETTE[0], "contradict": PALETTE[1]}
WRONG = "#c62828"
HEADER_TIPS = {
    SPLIT: "test rows are predicted by the model fitted on every train row; train rows out "
           "of fold, by the model of the fold that did not see them",
    CONFIDENCE: "how far the prediction is from a coin toss: an empty bar is 50%, a full one "
                "100%",
}


class PredictionsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[PredictionRow] = []

    def set_rows(self, rows: list[PredictionRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ToolTipRole:
            return HEADER_TIPS.get(section)
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.DisplayRole:
            return self._text(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == Qt.ForegroundRole and column == PREDICTED and row.correct is False:
            return QColor(WRONG)
        if role == Qt.ToolTipRole:
            return self._tip(row, column)
        return None

    @staticmethod
    def _text(row: PredictionRow, column: int) -> str:
        s, p = row.story, row.prediction
        return (s.id, row.split, s.book_name, s.char, p.label,
                f"{p.confidence:.0%}", s.label or "", " ".join(s.content.split()))[column]

    def _sort_key(self, row: PredictionRow, column: int):
        if column == ID:
            return row.story.id.zfill(12)  # numeric ids sort as numbers
        if column == CONFIDENCE:
            return row.prediction.confidence
        return self._text(row, column)

    @staticmethod
    def _tip(row: PredictionRow, column: int) -> str | None:
        if column == TEXT:
            return row.story.content
        if column == PREDICTED and row.correct is False:
            return f"wrong: this row is {row.story.label}"
        return None


class PredictionsFilter(QSortFilterProxyModel):
    """Rows of one book, one predicted label, and test, train or the train rows it got wrong."""

    SPLITS = ("all rows", "test", "train", "train, wrong")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.book: str | None = None
        self.label: str | None = None
        self.split = "all rows"

    def set_filter(self, book: str | None = None, label: str | None = None,
                   split: str = "all rows") -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt < 6.10
            self.book, self.label, self.split = book, label, split
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()
        self.book, self.label, self.split = book, label, split
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        row = self.sourceModel().rows[source_row]
        return ((self.book is None or row.story.book_key == self.book)
                and (self.label is None or row.prediction.label == self.label)
                and self._split_matches(row))

    def _split_matches(self, row: PredictionRow) -> bool:
        if self.split == "train, wrong":
            return row.correct is False
        return self.split == "all rows" or row.split == self.split


class ConfidenceDelegate(QStyledItemDelegate):
    """A bar from coin toss (empty) to certain (full), in the predicted label's colour."""

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = option.widget
        widget.style().drawControl(QStyle.CE_ItemViewItem, opt, painter, widget)
        label = index.siblingAtColumn(PREDICTED).data()
        strength = max(0.0, (index.data(SORT_ROLE) - 0.5) / 0.5)
        bar = option.rect.adjusted(3, 4, -3, -4)
        bar.setWidth(round(bar.width() * strength))
        color = QColor(LABEL_COLORS.get(label, PALETTE[-1]))
        color.setAlpha(150)
        painter.save()
        painter.fillRect(bar, color)
        selected = option.state & QStyle.State_Selected
        painter.setPen(option.palette.highlightedText().color() if selected
                       else option.palette.text().color())
        painter.drawText(option.rect.adjusted(4, 0, -4, 0), Qt.AlignVCenter | Qt.AlignRight,
                         text)
        painter.restore()


class PredictionsView(QTableView):
    """The table, where Tab goes on to the next control as everywhere else in the window.

    With Qt's default Tab moves from cell to cell and a keyboard user never
    leaves the table; arrows, and Ctrl+Tab / Ctrl+Shift+Tab, move within it.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabKeyNavigation(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Tab, Qt.Key_Backtab) and event.modifiers() & Qt.ControlModifier:
            backwards = event.key() == Qt.Key_Backtab or event.modifiers() & Qt.ShiftModifier
            move = QAbstractItemView.MovePrevious if backwards else QAbstractItemView.MoveNext
            self.setCurrentIndex(self.moveCursor(move, Qt.NoModifier))
            return
        super().keyPressEvent(event)
