"""A run's name asked in a field wide enough to show the name it offers whole.

QInputDialog.getText's field is about 17 letters wide: of a run's default name
("tiny · 2026-12-07 10-43 · Glass, Salt +1") it shows only the end, the preset
and the date, which tell runs apart, scrolled out of sight.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

WIDEST = 900  # px of the field at most: the dialog stays within a 1024-px screen
ROOM = 10  # letters of room after the name, to add to it before it scrolls


class NameDialog(QDialog):
    """Opened with ``open()``, so the window goes on painting; ``named`` gets the name
    typed, trimmed, when it is accepted with one."""

    named = Signal(str)

    def __init__(self, parent: QWidget, object_name: str, title: str, label: str, name: str):
        super().__init__(parent, windowTitle=title, objectName=object_name)
        self.setAccessibleName(title)
        prompt = QLabel(label, objectName="namePrompt")
        prompt.setAccessibleName(label)
        self.edit = name_field(name, label.rstrip(":"))
        prompt.setBuddy(self.edit)
        layout = QVBoxLayout(self)
        for widget in (prompt, self.edit, self._buttons()):
            layout.addWidget(widget)
        self.accepted.connect(self._accepted)
        self.finished.connect(self.deleteLater)

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel,
                                   objectName="nameButtons", accepted=self.accept,
                                   rejected=self.reject)
        for which, name, spoken in ((QDialogButtonBox.Ok, "nameOk", "Accept the name"),
                                    (QDialogButtonBox.Cancel, "nameCancel", "Cancel")):
            buttons.button(which).setObjectName(name)
            buttons.button(which).setAccessibleName(spoken)
        return buttons

    def _accepted(self) -> None:
        if name := self.edit.text().strip():
            self.named.emit(name)


def name_field(name: str, spoken: str) -> QLineEdit:
    """``name`` in a field as wide as it and ``ROOM`` letters more, ``WIDEST`` at most; all
    selected, so typing replaces it, as in QInputDialog."""
    edit = QLineEdit(name, objectName="nameEdit")
    edit.setAccessibleName(spoken)
    metrics = edit.fontMetrics()
    edit.setMinimumWidth(min(metrics.horizontalAdvance(name) + ROOM * metrics.averageCharWidth(),
                             WIDEST))
    edit.selectAll()
    return edit


def ask_name(parent: QWidget, object_name: str, title: str, label: str, name: str,
             answered: Callable[[str], None]) -> NameDialog:
    """Open the dialog offering ``name``; ``answered`` gets the name a person accepts."""
    dialog = NameDialog(parent, object_name, title, label, name)
    dialog.named.connect(answered)
    dialog.open()
    return dialog
