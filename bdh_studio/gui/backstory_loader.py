"""Backstory CSVs read in the background, in the order they were added.

A CSV of a few thousand rows is parsed and validated in well over 50 ms, too
long for the GUI thread; each goes to train or test by its header.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..core import backstories
from ..core.backstories import BackstorySet
from ..core.control import TaskControl
from ..core.errors import UserError
from .background import BackgroundTask


def read_csv(path: Path) -> tuple[bool, BackstorySet] | str:
    """Whether the CSV is labelled (train) and its rows, or why it cannot be read."""
    try:
        labelled = backstories.is_labelled(path)
        return labelled, backstories.read(path, labelled=labelled)
    except UserError as exc:
        return str(exc)


class BackstoryLoader(QObject):
    read = Signal(bool, object)  # labelled (train) or not, and the rows, as each CSV is read
    problem = Signal(str)  # a CSV that cannot be used, and why
    done = Signal()  # every CSV added so far is read

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.waiting: list[Path] = []
        self.task = BackgroundTask("reading backstories", self, ask_on_close=False)
        self.task.partial.connect(self._heard)
        self.task.idle.connect(self._next)

    @property
    def loading(self) -> bool:
        return bool(self.waiting) or self.task.running

    def add(self, paths: list[Path]) -> None:
        self.waiting.extend(paths)
        self._next()

    def _next(self) -> None:
        if self.task.running:
            return
        if not self.waiting:
            self.done.emit()
            return
        batch, self.waiting = self.waiting, []

        def task(control: TaskControl) -> None:
            for path in batch:
                control.check()
                control.partial(read_csv(path))

        self.task.start(task)

    def _heard(self, result: tuple[bool, BackstorySet] | str) -> None:
        if isinstance(result, str):
            self.problem.emit(result)
        else:
            self.read.emit(*result)
