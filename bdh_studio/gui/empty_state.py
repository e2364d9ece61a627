"""What an empty window or plot shows: what to do, in place of nothing or of meaningless axes.

A first launch shows the three ways to begin; a plot with no data yet is covered by a
short note instead of axes (0–1, −400…400, an empty log axis) that would mean nothing.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    def __init__(self, open_folder: Callable[[], None], try_demo: Callable[[], None],
                 open_run: Callable[[], None], parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel("<h2>Drop a folder of books here</h2>")
        text = QLabel("BDH Studio trains one BDH language model per book (.txt, UTF-8) and "
                      "shows it learning live.<br>Drop a folder or .txt files on this window, "
                      "open a folder, or try the bundled demo books.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for label, slot in (("Open folder…", open_folder), ("Try the demo", try_demo),
                            ("Open a past run…", open_run)):
            button = QPushButton(label, clicked=slot)
            button.setMinimumHeight(36)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title, 0, Qt.AlignCenter)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.setAttribute(Qt.WA_StyledBackground)
        self.setStyleSheet("EmptyState { border: 2px dashed #bbb; border-radius: 12px; }")


class EmptyNote(QLabel):
    """A short text over a widget (a plot, a table) while it has no data: what to do to get
    some.  It covers the whole widget, following its size, and is hidden by ``say(None)``."""

    def __init__(self, over: QWidget):
        super().__init__(over, alignment=Qt.AlignCenter, wordWrap=True)
        self.setStyleSheet("QLabel { background: white; color: #777; }")
        self.setMargin(8)
        self.hide()
        over.installEventFilter(self)

    def say(self, text: str | None) -> None:
        """Cover the widget with ``text``; None uncovers it."""
        self.setText(text or "")
        self.setGeometry(self.parentWidget().rect())
        self.setVisible(bool(text))
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Resize:
            self.setGeometry(watched.rect())
        return False
