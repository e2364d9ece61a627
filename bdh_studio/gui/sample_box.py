"""Generate text from a trained book model, in a worker thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..core.checkpoints import load_model
from ..core.generation import generate_text
from .background import Background


class SampleBox(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker = Background(self)
        self.model_choice = QComboBox()
        self.model_choice.setPlaceholderText("train a book first")
        self.prompt = QLineEdit("The ")
        self.length = QSpinBox(minimum=1, maximum=100_000, value=400)
        self.temperature = QDoubleSpinBox(minimum=0.05, maximum=5.0, singleStep=0.05, value=0.8)
        self.top_k = QSpinBox(minimum=0, maximum=256, value=0, specialValueText="off")
        self.generate_button = QPushButton("Generate", clicked=self.generate)
        self.generate_button.setToolTip("Sample from the chosen book's model (in the background)")
        self.output = QPlainTextEdit(readOnly=True)
        self.output.setPlaceholderText("Generated text appears here.")
        self.worker.succeeded.connect(self.output.setPlainText)
        self.worker.failed.connect(self._failed)
        self.worker.idle.connect(self._done)
        form = QFormLayout()
        form.addRow("Model", self.model_choice)
        form.addRow("Prompt", self.prompt)
        row = QHBoxLayout()
        for w in (self.length, self.temperature, self.top_k):
            row.addWidget(w)
        form.addRow("Length · temperature · top-k", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.output, 1)

    def set_checkpoints(self, paths: list[Path]) -> None:
        current = self.model_choice.currentData()
        self.model_choice.clear()
        for path in paths:
            self.model_choice.addItem(path.stem, str(path))
        index = self.model_choice.findData(current)
        self.model_choice.setCurrentIndex(max(index, 0) if paths else -1)

    def generate(self) -> None:
        path = self.model_choice.currentData()
        if not path or self.worker.running:
            return
        prompt, length = self.prompt.text(), self.length.value()
        temperature, top_k = self.temperature.value(), self.top_k.value() or None

        def task(report):
            model, _ = load_model(path)
            return generate_text(model, prompt, length, temperature, top_k)

        self.generate_button.setEnabled(False)
        self.output.setPlainText("Generating…")
        self.worker.start(task)

    def _failed(self, message: str) -> None:
        self.output.setPlainText(f"Could not sample: {message}")

    def _done(self) -> None:
        self.generate_button.setEnabled(True)
