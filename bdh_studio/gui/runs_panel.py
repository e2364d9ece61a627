"""The Runs panel: every run under the runs root, newest first, to open, compare, sort out
(notes, tags, colour, a filter) and tidy.

The summaries come from core.run.summary, read in a background thread.  The
list is read again when the root's folder changes or a listed running run's
log grows (a file-system watcher, debounced), and when the window's own
engine says a run moved on; never by polling every file.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QMessageBox,
                               QPushButton, QSplitter, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ..core.run.filter import RunFilter
from ..core.run.naming import safe_name
from ..core.run.notes import RunNotes, write_notes
from ..core.run.progress import hms
from ..core.run.summary import RunSummary, list_runs
from .background import BackgroundTask
from .books_panel import human_size
from .name_dialog import ask_name
from .run_deleter import RunDeleter
from .run_notes_editor import RunNotesEditor
from .runs_filter_bar import RunsFilterBar
from .show_folder import show_folder

COLUMNS = ("Run", "Date", "Books", "Preset", "State", "Last val loss", "Best val loss (step)",
           "Duration", "Size", "Tags", "Notes")
DATE_COLUMN = 1
SORT_KEY = Qt.UserRole + 1  # what a column sorts by, where its text would sort wrong
STATE_COLORS = {"running": "#1f6fb2", "paused": "#b26a00", "finished": "#2e7d32",
                "stopped": "#b26a00", "failed": "#c62828", "damaged": "#c62828"}
SETTLE_MS = 1000  # a burst of writes is read once, at most a second after it began


class RunsPanel(QWidget):
    open_requested = Signal(object)  # Path of the run to open
    new_from_config = Signal(object)  # the RunSummary whose settings a new run starts from
    checked_changed = Signal(list)  # the RunSummary of each run checked for comparison
    renamed = Signal(object, object)  # old Path, new Path
    deleted = Signal(object)  # the Path of a run moved to the trash or deleted
    problem = Signal(str)

    def __init__(self, root: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runsPanel")
        self.setAccessibleName("Runs")
        self.root = root
        self.busy: set[Path] = set()  # runs the window is training: not renamed or deleted
        self.paused: set[str] = set()  # runs the window has paused: "paused", not "running"
        self.summaries: dict[str, RunSummary] = {}
        self._again = False
        self.reader = BackgroundTask("listing runs", self, ask_on_close=False)
        self.reader.succeeded.connect(self._show)
        self.reader.failed.connect(self.problem)
        self.reader.idle.connect(self._read_again)
        self.writer = BackgroundTask("saving a run's notes", self)
        self.writer.succeeded.connect(lambda _: self.refresh())
        self.writer.failed.connect(self.problem)
        self.writer.idle.connect(self._write_next)
        self._unsaved: list[tuple[Path, RunNotes]] = []
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self.schedule)
        self.watcher.fileChanged.connect(self.schedule)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self.refresh)
        self.deleter = RunDeleter(self)
        self.deleter.deleted.connect(lambda folder: self.refresh())
        self.deleter.deleted.connect(self.deleted)
        self.deleter.problem.connect(self.problem)
        self._build()
        self.set_root(root)

    def _build(self) -> None:
        self.tree = QTreeWidget(objectName="runsList")
        self.tree.setAccessibleName("Runs under the runs folder")
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(DATE_COLUMN, Qt.DescendingOrder)
        self.tree.itemChanged.connect(self._checks_changed)
        self.tree.itemDoubleClicked.connect(lambda item, _: self._open(item))
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.filter_bar = RunsFilterBar()
        self.filter_bar.changed.connect(self.apply_filter)
        self.editor = RunNotesEditor()
        self.editor.save_requested.connect(self.save_notes)
        buttons = QHBoxLayout()
        self.buttons = {}
        for name, text, slot, tip in (
                ("openRunButton", "Open", lambda: self._open(self.tree.currentItem()),
                 "Show this run: its books, settings, curves and state"),
                ("renameRunButton", "Rename…", self.ask_rename, "Rename the run's folder"),
                ("deleteRunButton", "Delete…", self.ask_delete,
                 "Move the run to the trash (asks first)"),
                ("revealRunButton", "Reveal", self.reveal, "Show the run's folder"),
                ("newRunFromConfigButton", "New run from config", self._new_from_config,
                 "Start a new run with this run's books and settings")):
            button = QPushButton(text, clicked=slot, objectName=name, toolTip=tip)
            button.setAccessibleName(text.rstrip("…"))
            self.buttons[name] = button
            buttons.addWidget(button)
        buttons.addWidget(self.deleter.bar)
        buttons.addStretch(1)
        for button in self.editor.buttons:  # under the notes they are for
            buttons.addWidget(button)
        beside = QSplitter(Qt.Horizontal)  # the list keeps the panel's height; notes beside it
        beside.addWidget(self.tree)
        beside.addWidget(self.editor)
        beside.setStretchFactor(0, 3)
        beside.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(beside, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- reading ------------------------------------------------------------

    def set_root(self, root: Path) -> None:
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)  # so that it can be watched from the start
        except OSError:
            pass  # unwritable: listed as empty, and the first Train says why
        if root.is_dir():
            self.watcher.addPath(str(root))
        self.refresh()

    def schedule(self, *_) -> None:
        """Read the runs again within SETTLE_MS: a burst of writes is read once.

        The timer is not restarted by the writes that follow: a log written
        more often than that (validations of a fast run, five a second on
        tiny) would otherwise put the read off until training ends.
        """
        if not self._settle.isActive():
            self._settle.start()

    def refresh(self) -> None:
        if self.reader.running:
            self._again = True
            return
        root = self.root
        self.reader.start(lambda control: list_runs(root))

    def _read_again(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

    def wait(self, msecs: int = 30_000) -> bool:
        return self.reader.wait(msecs)

    def _show(self, runs: list[RunSummary]) -> None:
        checked = {run.path for run in self.checked()}
        current = self.current()
        self.summaries = {r.path: r for r in runs}
        self.tree.blockSignals(True)
        self.tree.setSortingEnabled(False)  # sorted once, not at each row
        self.tree.clear()
        self.tree.addTopLevelItems([self._row(run, run.path in checked) for run in runs])
        self.tree.setSortingEnabled(True)
        self.apply_filter(self.filter_bar.filter)
        self.tree.blockSignals(False)
        if current is not None and self._item(current.path) is not None:
            self.tree.setCurrentItem(self._item(current.path))
        self._watch_running(runs)
        self._update_buttons()
        if checked != {p for p in checked if p in self.summaries}:
            self._checks_changed()

    def _row(self, run: RunSummary, checked: bool) -> QTreeWidgetItem:
        date = datetime.datetime.fromtimestamp(run.started).strftime("%Y-%m-%d %H:%M") \
            if run.started else ""
        losses = [v for v in run.val_loss.values() if v is not None]
        best = [run.best_val[b] for b in run.books if b in run.best_val]
        notes = run.notes_problem or (run.notes.splitlines() or [""])[0]
        item = RunItem([run.name, date, ", ".join(run.books), run.preset, "",
                        ", ".join(f"{v:.3f}" for v in losses),
                        ", ".join(f"{b.loss:.3f} ({b.step:,})" for b in best),
                        hms(run.duration), human_size(run.size), " ".join(run.tags), notes])
        for column, key in ((DATE_COLUMN, run.started), (5, min(losses, default=None)),
                            (6, min((b.loss for b in best), default=None)), (7, run.duration),
                            (8, run.size)):
            item.setData(column, SORT_KEY, key)
        item.setData(0, Qt.UserRole, run.path)
        item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        item.setCheckState(0, Qt.Checked if checked else Qt.Unchecked)
        item.setIcon(0, swatch(run.colour))
        item.setToolTip(0, f"{run.path}\nCheck to compare its curves with other runs")
        self._show_state(item, run)
        item.setToolTip(10, run.notes_problem or run.notes)
        if run.notes_problem:
            item.setForeground(10, QBrush(QColor(STATE_COLORS["damaged"])))
        return item

    def _show_state(self, item: QTreeWidgetItem, run: RunSummary) -> None:
        state = "paused" if run.path in self.paused and run.state == "running" else run.state
        text = "paused" if state == "paused" else run.state_text
        with QSignalBlocker(self.tree):
            item.setText(4, text)
            item.setToolTip(4, text)
            item.setForeground(4, QBrush(QColor(STATE_COLORS.get(state, "#555"))))

    def set_paused(self, folder: Path | None, paused: bool) -> None:
        """Say "paused" for the window's run while it is (its log cannot tell)."""
        path = str(folder)
        (self.paused.add if paused else self.paused.discard)(path)
        run, item = self.summaries.get(path), self._item(path)
        if run is not None and item is not None:
            self._show_state(item, run)

    def apply_filter(self, wanted: RunFilter) -> None:
        """Hide the rows of the runs ``wanted`` leaves out; checks and selection stay."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            item.setHidden(not wanted.matches(self.summaries[item.data(0, Qt.UserRole)]))

    def shown(self) -> list[str]:
        """The names of the runs the filter leaves in view, in the order shown."""
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.text(0) for item in items if not item.isHidden()]

    def _watch_running(self, runs: list[RunSummary]) -> None:
        """Watch the logs of runs another process trains, no others.

        The window's own run is left out: the window hears of it through its
        events, and each of its log lines (30 a second on tiny) would wake the
        GUI thread, which takes a core from the training.
        """
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        logs = [str(Path(r.path) / "metrics.jsonl") for r in runs
                if r.state == "running" and Path(r.path) not in self.busy]
        if logs:
            self.watcher.addPaths(logs)

    # --- what the window asks -----------------------------------------------

    def _item(self, path: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).data(0, Qt.UserRole) == path:
                return self.tree.topLevelItem(i)
        return None

    def current(self) -> RunSummary | None:
        item = self.tree.currentItem()
        return None if item is None else self.summaries.get(item.data(0, Qt.UserRole))

    def select(self, path: Path) -> None:
        item = self._item(str(path))
        if item is not None:
            self.tree.setCurrentItem(item)

    def checked(self) -> list[RunSummary]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.checkState(0) == Qt.Checked:
                out.append(self.summaries[item.data(0, Qt.UserRole)])
        return out

    def set_checked(self, path: Path, checked: bool) -> None:
        item = self._item(str(path))
        if item is not None:
            item.setCheckState(0, Qt.Checked if checked else Qt.Unchecked)

    def _checks_changed(self, *_) -> None:
        self.checked_changed.emit(self.checked())

    def _update_buttons(self) -> None:
        run = self.current()
        self.editor.show_run(run)
        for widget in (self.editor, *self.editor.buttons):  # would only squeeze the plots
            widget.setVisible(run is not None)
        for button in self.buttons.values():
            button.setEnabled(run is not None)
        if run is not None:
            free = Path(run.path) not in self.busy and run.state != "running"
            self.buttons["renameRunButton"].setEnabled(free)
            self.buttons["deleteRunButton"].setEnabled(free)
            self.buttons["newRunFromConfigButton"].setEnabled(run.config is not None)

    def _open(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.open_requested.emit(Path(item.data(0, Qt.UserRole)))

    def _new_from_config(self) -> None:
        run = self.current()
        if run is not None and run.config is not None:
            self.new_from_config.emit(run)

    # --- notes ---------------------------------------------------------------

    def save_notes(self, folder: Path, notes: RunNotes) -> None:
        """Write the run's notes file off the GUI thread (an fsync can take a while)."""
        self._unsaved.append((folder, notes))
        if not self.writer.running:
            self._write_next()

    def _write_next(self) -> None:
        if not self._unsaved or self.writer.running:
            return
        folder, notes = self._unsaved.pop(0)

        self.writer.start(lambda control: write_notes(folder, notes))

    # --- tidying ------------------------------------------------------------

    def ask_rename(self) -> None:
        run = self.current()
        if run is None:
            return
        ask_name(self, "renameRunDialog", "Rename run", "New name:", run.name,
                 lambda name: self.rename(Path(run.path), name))

    def rename(self, folder: Path, name: str) -> Path | None:
        target = folder.with_name(safe_name(name))
        if target == folder:
            return folder
        if target.exists():
            self.problem.emit(f"Cannot rename to {target.name}: a run of that name exists; "
                              f"pick another name")
            return None
        try:
            folder.rename(target)
        except OSError as exc:
            self.problem.emit(f"Cannot rename {folder.name}: {exc.strerror or exc}")
            return None
        self._carry_across(folder, target)
        self.renamed.emit(folder, target)
        self.refresh()
        return target

    def _carry_across(self, old: Path, new: Path) -> None:
        """The renamed run's row keeps its check (so Compare keeps it, by its new name)."""
        item, summary = self._item(str(old)), self.summaries.pop(str(old), None)
        if item is None or summary is None:
            return
        self.summaries[str(new)] = replace(summary, path=str(new), name=new.name)
        with QSignalBlocker(self.tree):
            item.setData(0, Qt.UserRole, str(new))
            item.setText(0, new.name)
        if item.checkState(0) == Qt.Checked:
            self._checks_changed()

    def ask_delete(self) -> None:
        run = self.current()
        if run is None:
            return
        sure = QMessageBox.question(
            self, "Delete run", f"Move the run {run.name} to the trash?\n{run.path}",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No) == QMessageBox.Yes
        if sure:
            self.delete(Path(run.path))

    def delete(self, folder: Path) -> None:
        """To the system trash; where there is none, deleted for good after a second yes
        (in the background, with a progress bar)."""
        self.deleter.delete(folder)

    def reveal(self) -> None:
        run = self.current()
        if run is not None:
            show_folder(Path(run.path), self.problem.emit)


class RunItem(QTreeWidgetItem):
    """A row that sorts each column by its sort key where it has one (dates, losses, sizes),
    else by its text; rows without a value go last."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        mine, theirs = self.data(column, SORT_KEY), other.data(column, SORT_KEY)
        if mine is None and theirs is None:
            return self.text(column).lower() < other.text(column).lower()
        if mine is None or theirs is None:
            descending = self.treeWidget().header().sortIndicatorOrder() == Qt.DescendingOrder
            return (mine is None) == descending
        return mine < theirs


def swatch(colour: str) -> QIcon:
    """A small square of the run's colour, as in every plot it is drawn in."""
    pixmap = QPixmap(10, 10)
    pixmap.fill(QColor(colour or "#888"))
    return QIcon(pixmap)
