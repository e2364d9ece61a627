"""The "Books and training" tab: books and settings on the left, the plots' tabs on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget


def titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel(f"<b>{title}</b>"))
    layout.addWidget(widget, 1)
    return box


class TrainingView(QSplitter):
    def __init__(self, books: QWidget, settings: QWidget,
                 tabs: tuple[tuple[QWidget, str], ...], parent: QWidget | None = None):
        super().__init__(Qt.Horizontal, parent)
        left = QSplitter(Qt.Vertical)
        left.addWidget(titled("Books", books))
        left.addWidget(titled("Settings", settings))
        left.setSizes([260, 520])
        self.tabs = QTabWidget()
        for widget, title in tabs:
            self.tabs.addTab(widget, title)
        self.addWidget(left)
        self.addWidget(self.tabs)
        self.setSizes([400, 880])
