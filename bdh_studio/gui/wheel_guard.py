"""Fields that turn with the mouse wheel only once focused; otherwise the wheel scrolls.

A form in a scroll area is read by scrolling over it, and a spin box or combo
box that caught the wheel as the pointer passed changed a setting nobody meant
to change (15 notches turned block_size 512 into 497).
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


def scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class WheelWhenFocused(QObject):
    """An event filter: a wheel over an unfocused field scrolls the area the field sits in."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Wheel or not isinstance(watched, QWidget) \
                or watched.hasFocus():
            return False
        event.ignore()
        area = scroll_area_of(watched)
        if area is not None:  # handed on here: Qt passes only a real wheel on to parents
            QApplication.sendEvent(area.viewport(), event)
        return True


def wheel_when_focused(fields: Iterable[QWidget], owner: QObject) -> None:
    """Give ``fields`` the wheel only while focused; a click or Tab focuses them, a wheel not."""
    guard = WheelWhenFocused(owner)
    for field in fields:
        field.setFocusPolicy(Qt.StrongFocus)
        field.installEventFilter(guard)
