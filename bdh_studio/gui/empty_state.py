"""What a first launch shows: what to do, and the three ways to begin."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
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
