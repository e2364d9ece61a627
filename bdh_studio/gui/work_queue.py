"""Items worked on one at a time in the background, in the order they were added.

Dropped folders to list, CSVs to read: each item's result is signalled as it
comes; ``forget`` drops what waits and what is under way (the list it was
for was cleared).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from ..core.control import TaskControl
from .background import BackgroundTask


class WorkQueue(QObject):
    done_one = Signal(object)  # one item's result
    drained = Signal()  # every item added so far is done

    def __init__(self, what: str, work: Callable[[Any], Any], parent: QObject | None = None):
        super().__init__(parent)
        self.work = work
        self.waiting: list = []
        self._round = 0  # work begun before the last forget() is dropped
        self._running_round = -1  # the round of the work running now
        self.task = BackgroundTask(what, self, ask_on_close=False)
        self.task.partial.connect(self._heard)
        self.task.idle.connect(self._ended)

    @property
    def busy(self) -> bool:
        return bool(self.waiting) or self.task.running

    def add(self, items: list, at_once: Callable[[Any], bool] = lambda item: False) -> None:
        """Queue ``items``; one that ``at_once`` allows is done here if none waits before it
        (a quick one: the order added is kept either way)."""
        for item in items:
            if self.waiting or self._running_round == self._round or not at_once(item):
                self.waiting.append(item)
            else:
                self.done_one.emit(self.work(item))
        self._next()

    def forget(self) -> None:
        self.waiting.clear()
        self._round += 1

    def _next(self) -> None:
        if self.task.running:
            return
        if not self.waiting:
            self.drained.emit()
            return
        batch, self.waiting = self.waiting, []
        self._running_round = round_ = self._round
        work = self.work

        def task(control: TaskControl) -> None:
            for item in batch:
                control.check()
                control.partial((round_, work(item)))

        self.task.start(task)

    def _ended(self) -> None:
        self._running_round = -1
        self._next()

    def _heard(self, result: tuple[int, Any]) -> None:
        round_, value = result
        if round_ == self._round:
            self.done_one.emit(value)
