"""Answering a name dialog (New run, Rename run) as a person does: type, press OK."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from bdh_studio.gui.name_dialog import NameDialog


def asked(qtbot, parent: QWidget, object_name: str) -> NameDialog:
    """The name dialog ``parent`` opened, on screen."""
    dialog = parent.findChild(NameDialog, object_name)
    assert dialog is not None, f"no {object_name} opened"
    qtbot.waitExposed(dialog)
    return dialog


def answer(qtbot, parent: QWidget, object_name: str, name: str) -> str:
    """Type ``name`` over the one offered and press OK; the name offered is returned."""
    dialog = asked(qtbot, parent, object_name)
    offered = dialog.edit.text()
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, name)
    qtbot.mouseClick(dialog.findChild(QPushButton, "nameOk"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    return offered
