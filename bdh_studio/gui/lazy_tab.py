"""A tab whose widget is built only when it is first shown or used."""

from __future__ import annotations

from functools import cached_property
from typing import Callable

from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtWidgets import QTabWidget, QWidget


class LazyTab(QObject):
    """Holds the tab's place with an empty widget, swapped for the real one on first use."""

    def __init__(self, tabs: QTabWidget, title: str, build: Callable[[], QWidget]):
        super().__init__(tabs)
        self._tabs, self._build = tabs, build
        self._placeholder = QWidget()
        tabs.addTab(self._placeholder, title)
        tabs.currentChanged.connect(self._shown)

    @cached_property
    def widget(self) -> QWidget:
        widget = self._build()
        index = self._tabs.indexOf(self._placeholder)
        title = self._tabs.tabText(index)
        with QSignalBlocker(self._tabs):  # the same tab stays current
            current = self._tabs.currentIndex()
            self._tabs.removeTab(index)
            self._tabs.insertTab(index, widget, title)
            self._tabs.setCurrentIndex(current)
        self._placeholder.deleteLater()
        return widget

    def _shown(self, index: int) -> None:
        if self._tabs.widget(index) is self._placeholder:
            self._tabs.setCurrentWidget(self.widget)
