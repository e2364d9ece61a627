"""The window's file questions: where to export, which settings file to save or load."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from . import file_dialogs


def ask_export_target(parent: QWidget) -> tuple[Path, bool] | None:
    """The folder to export book models to, and whether as bare state_dicts; None: cancelled."""
    target = file_dialogs.folder(parent, "Export book models to")
    if not target:
        return None
    bare = QMessageBox.question(
        parent, "Export format",
        "Write bare state_dicts (for Pathway's reference BDH) instead of full checkpoints?",
        QMessageBox.Yes | QMessageBox.No, QMessageBox.No) == QMessageBox.Yes
    return Path(target), bare


def ask_settings_file(parent: QWidget, save: bool) -> Path | None:
    """A JSON settings file to save to (or to load from); None: cancelled."""
    if save:
        path = file_dialogs.save_file(parent, "Save settings", "bdh-settings.json",
                                      "JSON (*.json)")
    else:
        path = file_dialogs.open_file(parent, "Load settings", "JSON (*.json)")
    return Path(path) if path else None
