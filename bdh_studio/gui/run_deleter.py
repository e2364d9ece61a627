"""Deleting a run in the background: to the system trash, or for good after a second yes,
with a progress bar (a run of many checkpoints takes a while to delete)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFile, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QProgressBar, QWidget

from ..core.folders import remove_tree
from .background import BackgroundTask


class RunDeleter(QObject):
    deleted = Signal(object)  # the Path of a run gone (or moved to the trash)
    problem = Signal(str)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.bar = QProgressBar(maximum=1000, objectName="deleteRunProgress")
        self.bar.setAccessibleName("Progress of deleting a run")
        self.bar.hide()
        self.trasher = BackgroundTask("moving a run to the trash", self)
        self.trasher.succeeded.connect(self._trashed)
        self.trasher.failed.connect(self.problem)
        self.remover = BackgroundTask("deleting a run", self)
        self.remover.progressed.connect(lambda fraction, _: self.bar.setValue(round(1000 *
                                                                                   fraction)))
        self.remover.succeeded.connect(self.deleted)
        self.remover.failed.connect(self.problem)
        self.remover.idle.connect(self.bar.hide)
        self._folder: Path | None = None

    @property
    def running(self) -> bool:
        return self.trasher.running or self.remover.running

    def delete(self, folder: Path) -> None:
        """To the system trash; where there is none, deleted for good after a second yes."""
        if self.running:
            self.problem.emit("Wait until the run being deleted is gone.")
            return
        self._folder = folder
        self.trasher.start(lambda control: QFile.moveToTrash(str(folder)))

    def _trashed(self, trashed: bool) -> None:
        folder = self._folder
        if trashed:
            self.deleted.emit(folder)
            return
        really = QMessageBox.warning(
            self.parent(), "No trash here",
            f"This system has no trash for {folder}. Delete the run for good?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No) == QMessageBox.Yes
        if really:
            self.bar.setValue(0)
            self.bar.show()
            self.remover.start(lambda control: remove_tree(folder, control) or folder)
