"""The books list: what will be trained, how big, and how each one is doing.

Dropped books are listed as "checking…" (a dropped folder's files are found in
the background) and read in the background (a 1 GB book takes seconds to
check); only books found usable can be trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView,
                               QPushButton, QStyledItemDelegate, QStyleOptionViewItem,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ..core import events as ev
from ..core.control import TaskControl
from ..core.corpus import BookInfo, inspect, listed
from ..core.errors import UserError
from ..core.run.state import book_outcome
from . import file_dialogs
from .background import BackgroundTask
from .work_queue import WorkQueue

STATE_COLORS = {"new": "#555", "training": "#1f6fb2", "paused": "#b26a00", "trained": "#2e7d32",
                "partial": "#b26a00", "failed": "#c62828", "unusable": "#c62828",
                "skipped": "#2e7d32", "checking…": "#777"}

HELD = "The running training uses this book: stop the run to uncheck or remove it"
STATE_LABELS = {"skipped": "finished, skipped"}  # a book a run had finished already

NAME_SHARE = 0.6  # of the list's width, at most, for the book names


class ElideRight(QStyledItemDelegate):
    """A state reads from its start ("trained: val loss …"); its tooltip holds the whole."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.ElideRight


def listing(path: Path) -> list[BookInfo] | str:
    """The books a dropped folder or file holds, or why they cannot be listed."""
    try:
        return listed([path])
    except UserError as exc:
        return str(exc)


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


class BooksPanel(QWidget):
    changed = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.infos: dict[str, BookInfo] = {}
        self.in_run: set[str] = set()  # the books a running training uses: kept and checked
        self.unchecked: dict[str, BookInfo] = {}  # listed, waiting for their check, by name
        self.checker = BackgroundTask("checking books", self, ask_on_close=False)
        self.checker.partial.connect(self._checked)
        self.checker.cancelled.connect(self._check_stopped)
        self.checker.idle.connect(self._check_next)
        # A folder may hold thousands of files: listed in the background, in drop order.
        self.lister = WorkQueue("listing books", listing, self)
        self.lister.done_one.connect(self._listed)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Book", "Size", "State"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setTextElideMode(Qt.ElideMiddle)  # a title's end tells books apart too
        self.tree.setItemDelegateForColumn(2, ElideRight(self.tree))
        self.tree.header().setSectionResizeMode(0, QHeaderView.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.tree.header().setSectionResizeMode(2, QHeaderView.Stretch)
        self.tree.itemChanged.connect(lambda *_: self.changed.emit())
        self.tree.itemSelectionChanged.connect(self._update_remove)
        add_folder = QPushButton("Add folder…", clicked=self.ask_folder)
        add_files = QPushButton("Add files…", clicked=self.ask_files)
        self.remove_button = QPushButton("Remove", clicked=self.remove_selected)
        self.remove_button.setObjectName("remove-books")
        self.remove_button.setAccessibleName("Remove the selected books")
        self._update_remove()
        buttons = QHBoxLayout()
        for b in (add_folder, add_files, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_names()

    def _fit_names(self) -> None:
        """The names as wide as they need, up to NAME_SHARE of the list; the state takes the rest.

        Stretching both halved the names while short states left room unused.
        """
        header, width = self.tree.header(), self.tree.viewport().width()
        # The stretched state column keeps its default width however narrow the list: names
        # wider than the rest scrolled the state out of view, cut with no ellipsis at 1024 px.
        room = min(int(width * NAME_SHARE),
                   width - header.sectionSize(1) - header.defaultSectionSize())
        self.tree.setColumnWidth(0, min(self.tree.sizeHintForColumn(0) + 4, room))

    # --- adding -------------------------------------------------------------

    def ask_folder(self) -> None:
        folder = file_dialogs.folder(self, "Folder of .txt books")
        if folder:
            self.add_paths([Path(folder)])

    def ask_files(self) -> None:
        files = file_dialogs.open_files(self, "Books", "Text files (*.txt *.TXT)")
        if files:
            self.add_paths([Path(f) for f in files])

    def add_paths(self, paths: Iterable[Path]) -> None:
        """List books from folders in the background (a folder may hold thousands), from files
        at once unless a folder dropped before them is being listed, then check them in the
        background."""
        self.lister.add(list(paths), at_once=lambda path: not path.is_dir())

    def _listed(self, infos: list[BookInfo] | str) -> None:
        if isinstance(infos, str):
            self.problem.emit(infos)
        elif sum([self._add(info) for info in infos]):
            self._fit_names()
            self._check_next()
            self.changed.emit()

    @property
    def checking(self) -> bool:
        return bool(self.unchecked) or self.checker.running or self.lister.busy

    def _check_next(self) -> None:
        """Check the books listed since the last check began (one check at a time)."""
        if self.checker.running or not self.unchecked:
            return
        batch = list(self.unchecked.items())

        def task(control: TaskControl) -> None:
            for name, info in batch:
                control.partial((name, inspect(info.path, control)))

        self.checker.start(task)

    def _checked(self, result: tuple[str, BookInfo]) -> None:
        name, info = result
        if self.unchecked.get(name) is None or self.unchecked[name].path != info.path:
            return  # removed (or replaced) while it was being checked
        del self.unchecked[name]
        self.infos[name] = info
        if not info.usable:
            self._unusable(name, info.problem or "")
        elif self.state_of(name) == "checking…":  # an opened run may have said more meanwhile
            self.set_state(name, "new")
        self.changed.emit()

    def _check_stopped(self) -> None:
        """The check was cancelled (the window closes): what it did not reach stays unusable."""
        for name, info in self.unchecked.items():
            self.infos[name] = BookInfo(info.path, info.size, "not checked; add it again")
            self._unusable(name, "not checked; add it again")
        self.unchecked.clear()
        self.changed.emit()

    def mark_unusable(self, path: Path, problem: str) -> None:
        """A listed book found unusable after its check (its file changed): unchecked, with why."""
        for name, info in self.infos.items():
            if info.path == path:
                self.infos[name] = BookInfo(info.path, info.size, problem)
                self._unusable(name, problem)
                self.changed.emit()
                return

    def _unusable(self, name: str, problem: str) -> None:
        item = self._item(name)
        self.tree.blockSignals(True)
        item.setFlags(item.flags() & ~Qt.ItemIsUserCheckable)
        item.setCheckState(0, Qt.Unchecked)
        self.tree.blockSignals(False)
        self.set_state(name, "unusable", problem)

    def _add(self, info: BookInfo) -> bool:
        known = self.infos.get(info.name)
        if known is not None and known.path.resolve() == info.path.resolve():
            return False
        if known is not None:
            info = BookInfo(info.path, info.size, f"another book is already named "
                                                  f"{info.name!r}; rename one of the files")
            name = f"{info.name} ({info.path.parent.name})"
        else:
            name = info.name
        self.infos[name] = info
        item = QTreeWidgetItem([name, human_size(info.size), ""])
        item.setData(0, Qt.UserRole, name)
        item.setToolTip(0, str(info.path))
        item.setTextAlignment(1, Qt.AlignRight | Qt.AlignVCenter)
        if info.usable:
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(0, Qt.Checked)
        else:
            item.setFlags(item.flags() & ~Qt.ItemIsUserCheckable)
            item.setCheckState(0, Qt.Unchecked)
        self.tree.blockSignals(True)
        self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        if info.usable:
            self.unchecked[name] = info
            self.set_state(name, "checking…")
        else:
            self.set_state(name, "unusable", info.problem or "")
        return True

    def add_missing(self, name: str, where: str) -> str:
        """A book a run trained that is no longer on disk: listed, not trainable; returns why."""
        path = Path(where) if where else Path(f"{name}.txt")
        problem = f"not found at {where}" if where else "this run did not record where it was"
        if self._add(BookInfo(path, 0, problem)):
            self.changed.emit()
        return problem

    def add_run_books(self, book_paths: list[str], names: list[str]) -> dict[str, str]:
        """A run's books, where it found them; returns those no longer there, and why."""
        paths = [Path(p) for p in book_paths]
        self.add_paths([p for p in paths if p.is_file()])
        known = {p.stem for p in paths if p.is_file()}
        missing = {}
        for name in names:
            if name not in known:
                where = next((str(p) for p in paths if p.stem == name), "")
                missing[name] = self.add_missing(name, where)
        return missing

    def show_run(self, book_paths: list[str], names: list[str],
                 outcomes: dict[str, tuple[str, str]]) -> None:
        """An opened run's books alone, each as it last ended (RunState.outcomes)."""
        self.clear()
        missing = self.add_run_books(book_paths, names)
        for name, (state, detail) in outcomes.items():
            self.set_state(name, state, detail)
        for name, problem in missing.items():
            self.set_state(name, "unusable", problem)

    def remove_selected(self) -> None:
        """Take the selected books off the list, except those the running training uses."""
        kept = []
        for item in self.tree.selectedItems():
            name = item.data(0, Qt.UserRole)
            if name in self.in_run:
                kept.append(name)
                continue
            del self.infos[name]
            self.unchecked.pop(name, None)
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
        if kept:
            self.problem.emit(f"Not removed: {', '.join(map(repr, kept))} "
                              f"{'is' if len(kept) == 1 else 'are'} in the running training; "
                              f"stop the run first, or wait for it to end.")
        self.changed.emit()

    def _update_remove(self) -> None:
        selected = [item.data(0, Qt.UserRole) for item in self.tree.selectedItems()]
        free = [name for name in selected if name not in self.in_run]
        self.remove_button.setEnabled(bool(free) or not selected)
        self.remove_button.setToolTip(
            "Take the selected books off the list (files are not touched)"
            if free or not selected else
            "The running training uses the selected books: stop the run to remove them")

    def clear(self) -> None:
        self.lister.forget()
        self.tree.clear()
        self.infos.clear()
        self.unchecked.clear()
        self.changed.emit()

    # --- reading ------------------------------------------------------------

    def _item(self, name: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.UserRole) == name:
                return item
        return None

    def _included_items(self) -> list[QTreeWidgetItem]:
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        return [item for item in items if self.infos[item.data(0, Qt.UserRole)].usable
                and item.data(0, Qt.UserRole) not in self.unchecked
                and item.checkState(0) == Qt.Checked]

    def included(self) -> list[Path]:
        return [self.infos[item.data(0, Qt.UserRole)].path for item in self._included_items()]

    def shortest_included(self) -> tuple[str, int] | None:
        """The name and text length of the shortest included book: what a block must fit.

        Measured when the book was checked: no file is read here, on the GUI thread.
        """
        books = [(info.text_bytes, info.path.stem) for info in map(
            self.infos.get, (item.data(0, Qt.UserRole) for item in self._included_items()))
            if info.text_bytes is not None]
        if not books:
            return None
        length, name = min(books)
        return name, length

    def all_paths(self) -> list[str]:
        return [str(info.path) for info in self.infos.values()]

    def set_included(self, name: str, included: bool) -> None:
        item = self._item(name)
        if item is not None and self.infos[name].usable and name not in self.in_run:
            item.setCheckState(0, Qt.Checked if included else Qt.Unchecked)

    # --- a run's books ------------------------------------------------------

    def hold_for_run(self) -> None:
        """Lock the checked books while a run trains them: the engine would train a removed or
        unchecked book anyway, and it would vanish from the list mid-run."""
        self.in_run = {item.data(0, Qt.UserRole) for item in self._included_items()}
        self._set_checkable()

    def release(self) -> None:
        self.in_run = set()
        self._set_checkable()

    def _set_checkable(self) -> None:
        """Lock the check boxes of the run's books, saying why on their tooltips."""
        self.tree.blockSignals(True)
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            name = item.data(0, Qt.UserRole)
            info, held = self.infos[name], name in self.in_run
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable if info.usable and not held
                          else item.flags() & ~Qt.ItemIsUserCheckable)
            item.setToolTip(0, f"{info.path}\n{HELD}" if held else str(info.path))
        self.tree.blockSignals(False)
        self._update_remove()

    # --- state --------------------------------------------------------------

    def set_state(self, name: str, state: str, detail: str = "") -> None:
        """Show a book's state: checking…, new, training, trained, partial, failed, skipped or
        unusable."""
        item = self._item(name)
        if item is None:
            return
        text = STATE_LABELS.get(state, state) + (f": {detail}" if detail else "")
        self.tree.blockSignals(True)
        item.setText(2, text)
        item.setToolTip(2, text)
        item.setForeground(2, QBrush(QColor(STATE_COLORS.get(state, "#555"))))
        self.tree.blockSignals(False)

    def show_event(self, event: ev.Event) -> None:
        """A book's state as the engine's event says: training, or how it finished."""
        if isinstance(event, ev.BookStarted):
            self.set_state(event.book, "training")
        elif isinstance(event, ev.BookFinished):
            self.set_state(event.book, *book_outcome(event))

    def forget_outcomes(self) -> None:
        """Each usable book back to "new": a new run has trained none of them yet."""
        for name, info in self.infos.items():
            if name in self.unchecked:
                self.set_state(name, "checking…")  # its check's result says "new" or why not
            elif info.usable:
                self.set_state(name, "new")

    def state_of(self, name: str) -> str:
        item = self._item(name)
        return item.text(2) if item is not None else ""
