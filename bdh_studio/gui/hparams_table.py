"""The hyperparameters table of the checked runs: sortable, exportable, a row isolates its run.

One row per run, the settings that differ between the runs, and each book's
final and best validation loss; the numbers sort as numbers.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.run.hparams import HparamsTable, hparams_table
from .exports import export_csv, run_export
from .file_dialogs import save_file


class SortedItem(QTableWidgetItem):
    """A cell that sorts by its value (numbers as numbers, none last), shown as text."""

    def __init__(self, value, text: str):
        super().__init__(text)
        self.value = value

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.value, getattr(other, "value", None)
        if mine is None or theirs is None:
            return theirs is None and mine is not None  # values before blanks
        if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
            return mine < theirs
        return str(mine) < str(theirs)


class HparamsView(QWidget):
    isolate_requested = Signal(str)  # the name of the run whose row was clicked
    problem = Signal(str)  # an export that failed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hparamsView")
        self.setAccessibleName("Hyperparameters")
        self.data = HparamsTable([], [], 0)
        self.table = QTableWidget(objectName="hparamsTable")
        self.table.setAccessibleName("Hyperparameters and losses of the checked runs")
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.cellClicked.connect(self._clicked)
        export = QPushButton("Export CSV…", objectName="hparamsExportCsv",
                             clicked=self._ask_export)
        export.setAccessibleName("Export the hyperparameters table as CSV")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("<b>Hyperparameters</b> (settings that differ; click a row to "
                             "show that run alone)", wordWrap=True), 1)
        bar.addWidget(export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def set_runs(self, runs: list) -> None:
        """Runs with ``name``, ``config`` and ``val_points()`` (ComparedRun)."""
        self.data = hparams_table(runs)
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(self.data.columns))
        self.table.setRowCount(len(self.data.rows))
        self.table.setHorizontalHeaderLabels(self.data.columns)
        for r, (row, texts) in enumerate(zip(self.data.rows, self.data.text())):
            for c, (value, text) in enumerate(zip(row, texts)):
                self.table.setItem(r, c, SortedItem(value, text))
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()

    def rows(self) -> list[list[str]]:
        """The table as shown, in its current sort order."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]

    def _clicked(self, row: int, _column: int) -> None:
        self.isolate_requested.emit(self.table.item(row, 0).text())

    def export_csv(self, path: str | Path) -> None:
        """Every row, numbers in full (blank where a run has none), in the order shown."""
        order = [self.table.item(r, 0).text() for r in range(self.table.rowCount())]
        by_name = {row[0]: row for row in self.data.rows}
        export_csv(path, self.data.columns,
                   ([("" if v is None else v) for v in by_name[name]] for name in order))

    def _ask_export(self) -> None:
        path = save_file(self, "Export hyperparameters", "hparams.csv", "CSV (*.csv)")
        run_export(self.export_csv, path, self.problem.emit)
