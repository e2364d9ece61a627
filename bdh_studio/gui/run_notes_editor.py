"""The selected run's notes, tags and colour, edited in the Runs panel and saved to its folder.

Saving asks the panel to write them (off the GUI thread); what is shown is
what the run's notes file held when the runs were last read, or why it could
not be read.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QColorDialog, QGridLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QWidget)

from ..core.run.notes import RunNotes, clean_tags
from ..core.run.summary import RunSummary


class RunNotesEditor(QWidget):
    save_requested = Signal(object, object)  # the run folder's Path, the RunNotes to write

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runNotesEditor")
        self.setAccessibleName("Notes of the selected run")
        self.run: RunSummary | None = None
        self.colour = ""
        self.tags = QLineEdit(objectName="runTags", placeholderText="tags, separated by spaces")
        self.tags.setAccessibleName("Tags of the selected run")
        self.notes = QPlainTextEdit(objectName="runNotes",
                                    placeholderText="What this run tried, what it showed…")
        self.notes.setAccessibleName("Notes of the selected run")
        # Two lines at least, not Qt's six: the Runs dock's height is taken from the plots'
        # at 1024x700, where the window was 776 px tall with the default.
        self.notes.setMinimumHeight(2 * self.notes.fontMetrics().lineSpacing() + 12)
        self.problem = QLabel(objectName="runNotesProblem", wordWrap=True)
        self.problem.setAccessibleName("What is wrong with the run's notes file")
        self.problem.setStyleSheet("color: #c62828;")
        self.colour_button = QPushButton("Colour…", objectName="runColourButton",
                                         clicked=self.ask_colour)
        self.colour_button.setAccessibleName("Choose the run's colour")
        self.save = QPushButton("Save notes", objectName="saveRunNotesButton",
                                clicked=self.request_save)
        self.save.setAccessibleName("Save the run's notes and tags")
        # Colour… and Save notes are for the panel to place (the Runs panel: in its row of
        # buttons for the selected run); a row of their own here made the Runs dock 26 px
        # taller, taken from the loss plot's 40 px at 1024x700.
        self.buttons = (self.colour_button, self.save)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Tags:"), 0, 0)
        layout.addWidget(self.tags, 0, 1)
        layout.addWidget(QLabel("Notes:"), 1, 0, Qt.AlignTop)
        layout.addWidget(self.notes, 1, 1)
        layout.addWidget(self.problem, 2, 1)
        layout.setRowStretch(1, 1)
        self.show_run(None)

    def show_run(self, run: RunSummary | None) -> None:
        """Show ``run``'s notes, unless they are being edited for that same run."""
        if run is not None and self.run is not None and run.path == self.run.path \
                and self.edited():
            self.run = run
            return
        self.run = run
        self.tags.setText(" ".join(run.tags) if run else "")
        self.notes.setPlainText(run.notes if run else "")
        self.colour = run.colour if run else ""
        self._show_colour()
        self.problem.setText(run.notes_problem if run else "")
        self.problem.setVisible(bool(run and run.notes_problem))
        for w in (self.tags, self.notes, self.save, self.colour_button):
            w.setEnabled(run is not None)

    def edited(self) -> bool:
        return self.run is not None and (
            clean_tags(self.tags.text()) != self.run.tags
            or self.notes.toPlainText() != self.run.notes or self.colour != self.run.colour)

    def current(self) -> RunNotes:
        return RunNotes(self.notes.toPlainText(), clean_tags(self.tags.text()),
                        self.colour or None)

    def request_save(self) -> None:
        if self.run is not None:
            self.save_requested.emit(Path(self.run.path), self.current())

    def ask_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour or "#4e79a7"), self, "Run colour")
        if chosen.isValid():
            self.set_colour(chosen.name())

    def set_colour(self, colour: str) -> None:
        """A new colour for the run, saved at once."""
        self.colour = colour
        self._show_colour()
        self.request_save()

    def _show_colour(self) -> None:
        self.colour_button.setStyleSheet(
            f"QPushButton {{ border-left: 12px solid {self.colour}; }}" if self.colour else "")
