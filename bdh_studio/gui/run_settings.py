"""The settings form, under a bar that says when the settings shown are an opened run's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, \
    QWidget

from ..core import config as cfg
from ..core.errors import UserError
from ..core.outputs import check_file
from .config_panel import ConfigPanel
from .dialogs import ask_settings_file
from .elided_label import ElidedLabel


class RunSettings(QWidget):
    """An opened run's settings are read-only: Train continues the run with them."""

    new_run_requested = Signal()  # edit these settings for a new run instead
    problem = Signal(str)

    def __init__(self, form: ConfigPanel, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = form
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setWidget(form)
        self.scroll.setFrameShape(QFrame.NoFrame)
        # A run's name is any length; cut at its end, a default name keeps its preset and
        # date, which tell runs apart (cut in its middle, the time went).
        self.label = ElidedLabel(objectName="runSettingsLabel", elide=Qt.ElideRight)
        self.new_run_button = QPushButton(
            "New run from this config", objectName="newRunFromThisConfig",
            clicked=lambda: self.new_run_requested.emit(),
            toolTip="Edit these settings for a new run; the opened run keeps its own")
        self.new_run_button.setAccessibleName("New run from this config")
        self.read_only_bar = QWidget(toolTip="The opened run's settings: Train continues "
                                     "the run with them")
        bar = QHBoxLayout(self.read_only_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.label, 1)
        bar.addWidget(self.new_run_button)
        self.read_only_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.read_only_bar)
        layout.addWidget(self.scroll, 1)

    def show_run(self, config: cfg.TrainConfig | None, run_name: str | None) -> None:
        """Show a run's settings (None: keep those shown), read-only as the run ``run_name``'s
        (None: editable, for a new run)."""
        if config is not None:
            self.form.set_config(config)
        if run_name is not None:
            # The name alone is cut where the bar is narrow: "Settings of…ntinues it)", cut in
            # the middle of a sentence, lost the run's name and an opening bracket at 1024 px.
            self.label.setText(f"Read-only: {run_name}")
        self.read_only_bar.setVisible(run_name is not None)

    def ask_save(self) -> None:
        """Save the settings as JSON, which ``bdh-studio train --config`` reads."""
        config = self.form.config()
        if config is None:
            self.problem.emit("Fix the settings marked in red before saving them.")
            return
        path = ask_settings_file(self, save=True)
        if not path:
            return
        try:
            config.save(check_file(path, [], "file", "bdh-settings.json"))
        except UserError as exc:
            self.problem.emit(str(exc))

    def ask_load(self) -> None:
        path = ask_settings_file(self, save=False)
        if path:
            self.load(path)

    def load(self, path: Path) -> None:
        try:
            self.form.set_config(cfg.load(path))
        except UserError as exc:
            self.problem.emit(str(exc))
