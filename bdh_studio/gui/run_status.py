"""The status bar's run line: progress and ETA, device, precision and threads, memory in use."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from ..core.run.progress import Progress
from ..core.threads import threads_text
from .elided_label import ElidedLabel
from .status import memory_in_use

STATUS_MS = 1000  # the clock and ETA change by the second; each refresh relays out the bar


class RunStatus(QObject):
    """Reads the run's progress once a second (never once per event) and shows it."""

    def __init__(self, bar: QStatusBar, progress: Callable[[], Progress]):
        super().__init__(bar)
        self._progress = progress
        # Elided at its end: a plain label's whole text was the window's minimum width, and
        # a run trained by time ("… of 5:00 (14%), step …") lost its end past a 1024-px screen.
        self.label = ElidedLabel("idle", elide=Qt.ElideRight, objectName="runStatus")
        self.label.setAccessibleName("Where the run is")
        self.device_label = QLabel()
        self.memory_label = QLabel()
        bar.addWidget(self.label, 1)
        bar.addPermanentWidget(self.device_label)
        bar.addPermanentWidget(self.memory_label)
        self.timer = QTimer(self, interval=STATUS_MS, timeout=self.refresh)
        self.timer.start()

    def refresh(self) -> None:
        progress = self._progress()
        self.label.setText(progress.text())
        if progress.device:
            self.device_label.setText(f"{progress.device}, {progress.precision}" + (
                f", {threads_text(progress.threads)}" if progress.threads else ""))
        self.memory_label.setText(memory_in_use(progress.device))
