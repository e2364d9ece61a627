"""Files dropped on the window: backstory CSVs one way, books (folders, .txt) the other."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal


class FileDrops(QObject):
    """Accepts drops of local files on the widget it watches, and says what was dropped."""

    csvs = Signal(list)  # backstory CSV paths
    books = Signal(list)  # everything else: folders and .txt files

    def __init__(self, target: QObject):
        super().__init__(target)
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.DragEnter and event.mimeData().hasUrls():
            event.acceptProposedAction()
            return True
        if event.type() == QEvent.Drop:
            self._dropped(event)
            return True
        return False

    def _dropped(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        csvs = [p for p in paths if p.suffix.lower() == ".csv"]
        if csvs:
            self.csvs.emit(csvs)
        if len(csvs) < len(paths):
            self.books.emit([p for p in paths if p not in csvs])
