"""Closing the window while work runs: ask, stop every task, and wait for them all."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from .background import BackgroundTask

JOIN_SECONDS = 30.0  # closing waits this long, in all, for the tasks to end


def may_close(window: QWidget, tasks: list[BackgroundTask], training: bool,
              stop_and_wait: Callable[[float], list[str]]) -> bool:
    """Whether the window may close now: the person agreed and every task has ended.

    A task that does not end in time keeps the window open, so no work is cut
    off mid-write; closing again waits longer.
    """
    running = [task.what for task in tasks if task.ask_on_close]
    if running:
        kept = " The book in training keeps a partial checkpoint." if training else ""
        answer = QMessageBox.question(
            window, "Work is running", f"Stop {', '.join(running)} and quit?{kept}",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return False
    stuck = stop_and_wait(JOIN_SECONDS)
    if stuck:
        QMessageBox.warning(
            window, "Still running",
            f"{', '.join(stuck)} did not stop within {JOIN_SECONDS:g} s. The window "
            f"stays open so no work is cut off mid-write; close it again to wait longer.")
        return False
    return True
