"""The hyperparameters table of the checked runs: sortable, exportable, a row isolates its run.

One row per run, the settings that differ between the runs, and each book's
final and best validation loss; the numbers sort as numbers.  The same runs
can be shown as parallel coordinates instead, which read better than a table
for more than a few runs; a line isolates its run as a row does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QPushButton,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ..core.run.hparams import HparamsTable, hparams_table
from ..core.run.parallel import parallel_coordinates
from .exports import export_csv, run_export
from .file_dialogs import save_file
from .parallel_coords import ParallelCoordinatesView


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


VIEWS = ("table", "parallel")  # the pages, by index, as the settings remember them
VIEW_KEY = "compare/hparams_view"

HINT = ("The settings that differ between the checked runs, and their losses; click a row "
        "(or a line of the parallel coordinates) to show that run alone")


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
        # Its header and a row at least (Qt's default is taller): it sits under Compare's
        # plot, which needs the height at 1024x700.
        self.table.setMinimumHeight(3 * self.table.fontMetrics().height() + 12)
        self.table.cellClicked.connect(self._clicked)
        self.table.setToolTip(HINT)
        export = QPushButton("Export CSV…", objectName="hparamsExportCsv",
                             clicked=self._ask_export)
        export.setAccessibleName("Export the hyperparameters table as CSV")
        self.parallel = ParallelCoordinatesView()
        self.parallel.clicked.connect(self.isolate_requested)
        self.pages = QStackedWidget(objectName="hparamsPages")
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.parallel)
        # The toggle and the export, for the view that shows the table to place (Compare: in
        # its tabs' corner, so no row of its own takes the plot's height at 1024x700).
        self.controls = QWidget(objectName="hparamsControls")
        bar = QHBoxLayout(self.controls)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._build_toggle())
        bar.addWidget(export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages, 1)

    def _build_toggle(self) -> QWidget:
        """Table | Parallel coordinates: two buttons, one of them down."""
        self.show_table = QPushButton("Table", objectName="hparamsShowTable", checkable=True,
                                      checked=True)
        self.show_table.setAccessibleName("Show the hyperparameters as a table")
        self.show_table.setToolTip("One row per run: sortable, exportable")
        self.show_parallel = QPushButton("Parallel coordinates", objectName="hparamsShowParallel",
                                         checkable=True)
        self.show_parallel.setAccessibleName("Show the hyperparameters as parallel coordinates")
        self.show_parallel.setToolTip("An axis per setting that differs and per book's best "
                                      "validation loss, a line per run: reads better than the "
                                      "table for more than a few runs")
        self.view_buttons = group = QButtonGroup(self, exclusive=True)
        toggle = QWidget(objectName="hparamsViewToggle")
        row = QHBoxLayout(toggle)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for page, button in enumerate((self.show_table, self.show_parallel)):
            group.addButton(button, page)
            row.addWidget(button)
        group.idClicked.connect(self.pages.setCurrentIndex)
        return toggle

    def view(self) -> str:
        """The page shown: "table" or "parallel"."""
        return VIEWS[self.pages.currentIndex()]

    def show_view(self, view: str) -> None:
        """Show ``view`` ("table" or "parallel"; anything else, the table), its button down."""
        page = VIEWS.index(view) if view in VIEWS else 0
        self.view_buttons.button(page).setChecked(True)
        self.pages.setCurrentIndex(page)

    def save_settings(self, s: QSettings) -> None:
        s.setValue(VIEW_KEY, self.view())

    def restore_settings(self, s: QSettings) -> None:
        """The view chosen last time: a sweep's reader keeps to parallel coordinates."""
        self.show_view(str(s.value(VIEW_KEY, VIEWS[0])))

    def set_runs(self, runs: list) -> None:
        """Runs with ``name``, ``config``, ``colour`` and ``val_points()`` (ComparedRun)."""
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
        self.parallel.set_chart(parallel_coordinates(self.data),
                                {run.name: run.colour for run in runs if run.colour})

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
