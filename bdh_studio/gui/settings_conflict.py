"""The question asked when Train would continue a run with settings other than its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

CONTINUE, NEW_RUN, CANCEL = "continue", "new run", "cancel"  # the answers
SHOWN = 12  # changed settings listed at most


def ask_settings_conflict(parent: QWidget, run_dir: Path, changed: list[str]) -> str:
    """CONTINUE with the run's settings, a NEW_RUN with these, or CANCEL."""
    box = QMessageBox(QMessageBox.Question, "Settings differ from the run's",
                      f"The run {run_dir.name} was trained with other settings:\n"
                      + "\n".join(changed[:SHOWN]), parent=parent)
    buttons = {box.addButton("Continue with the run's settings",
                             QMessageBox.AcceptRole): CONTINUE,
               box.addButton("New run with these settings", QMessageBox.YesRole): NEW_RUN,
               box.addButton(QMessageBox.Cancel): CANCEL}
    box.exec()
    return buttons.get(box.clickedButton(), CANCEL)
