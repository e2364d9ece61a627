"""Generate text from a trained book model in the background, shown as it is generated.

The text arrives in pieces (core.generation.stream_text, a piece every 50 ms),
so the window shows it growing without a signal per byte.  The prompt is shown
apart from what the model wrote; bytes that are not UTF-8 show as escapes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from ..core.checkpoints import load_model
from ..core.control import TaskControl
from ..core.generation import Piece, stream_text
from ..core.runtime import resolve
from .background import BackgroundTask

PROMPT_COLOR = "#777"


class SampleBox(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.device, self.precision = "auto", "auto"
        self.worker = BackgroundTask("sampling", self)
        self.model_choice = QComboBox()
        self.model_choice.setPlaceholderText("train a book first")
        self.prompt = QLineEdit("The ")
        self.length = QSpinBox(minimum=1, maximum=100_000, value=400)
        self.temperature = QDoubleSpinBox(minimum=0.05, maximum=5.0, singleStep=0.05, value=0.8)
        self.top_k = QSpinBox(minimum=0, maximum=256, value=0, specialValueText="off")
        self.generate_button = QPushButton("Generate", clicked=self.generate)
        self.generate_button.setToolTip("Sample from the chosen book's model (in the background)")
        self.stop_button = QPushButton("Stop", clicked=self.worker.cancel)
        self.stop_button.setToolTip("Stop generating; the text so far stays")
        # A percentage, and only while sampling: empty and idle, it looked like a text box.
        self.progress = QProgressBar(maximum=1000, format="%p%")
        self.progress.hide()
        self.speed = QLabel()
        self.output = QPlainTextEdit(readOnly=True)
        self.output.setPlaceholderText("Generated text appears here; the prompt in grey.")
        for name, widget in (("sample-model", self.model_choice), ("sample-prompt", self.prompt),
                             ("sample-length", self.length),
                             ("sample-temperature", self.temperature),
                             ("sample-top-k", self.top_k), ("sample-generate", self.generate_button),
                             ("sample-stop", self.stop_button),
                             ("sample-progress", self.progress), ("sample-speed", self.speed),
                             ("sample-output", self.output)):
            widget.setObjectName(name)
            widget.setAccessibleName(name.removeprefix("sample-").replace("-", " "))
        self.worker.partial.connect(self._append)
        self.worker.cancelled.connect(lambda: self._finish("stopped"))
        self.worker.failed.connect(self._failed)
        self.worker.idle.connect(self._update_buttons)
        form = QFormLayout()
        form.addRow("Model", self.model_choice)
        form.addRow("Prompt", self.prompt)
        row = QHBoxLayout()
        for w in (self.length, self.temperature, self.top_k):
            row.addWidget(w)
        form.addRow("Length · temperature · top-k", row)
        buttons = QHBoxLayout()
        for w in (self.generate_button, self.stop_button, self.progress):
            buttons.addWidget(w)
        buttons.addWidget(self.speed, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.output, 1)
        self._update_buttons()

    def set_checkpoints(self, paths: list[Path]) -> None:
        current = self.model_choice.currentData()
        self.model_choice.clear()
        for path in paths:
            self.model_choice.addItem(path.stem, str(path))
        index = self.model_choice.findData(current)
        self.model_choice.setCurrentIndex(max(index, 0) if paths else -1)

    def set_runtime(self, device: str, precision: str) -> None:
        """The device and precision of the window's settings, for the next sample."""
        self.device, self.precision = device, precision

    def generate(self) -> None:
        path = self.model_choice.currentData()
        if not path or self.worker.running:
            return
        prompt, length = self.prompt.text(), self.length.value()
        temperature, top_k = self.temperature.value(), self.top_k.value() or None
        device, precision = self.device, self.precision

        def task(control: TaskControl) -> None:
            runtime = resolve(device, precision)
            model, _ = load_model(path, runtime.device)
            for piece in stream_text(model, prompt, length, temperature, top_k,
                                     runtime=runtime, control=control):
                control.partial(piece)

        self._length = length
        self.output.clear()
        self._write(prompt, QColor(PROMPT_COLOR))
        self.progress.setValue(0)
        self.progress.show()
        self.speed.setText("loading the model…")
        self.worker.start(task)
        self._update_buttons()

    def _write(self, text: str, color: QColor | None = None) -> None:
        cursor = self.output.textCursor()
        cursor.movePosition(QTextCursor.End)
        fmt = QTextCharFormat()
        if color is not None:
            fmt.setForeground(color)
        cursor.insertText(text, fmt)
        self.output.setTextCursor(cursor)

    @Slot(object)
    def _append(self, piece: Piece) -> None:
        self._write(piece.text)
        self.progress.setValue(round(1000 * piece.bytes_done / max(self._length, 1)))
        self.speed.setText(f"{piece.bytes_done:,} of {self._length:,} bytes · "
                           f"{piece.bytes_per_second:,.0f} bytes/s")
        if piece.bytes_done == self._length:
            self._finish("done")

    def _finish(self, how: str) -> None:
        self.speed.setText(f"{how}: {self.speed.text()}")

    def _failed(self, message: str) -> None:
        self.speed.setText(f"Could not sample: {message}")

    def _update_buttons(self) -> None:
        running = self.worker.running
        self.progress.setVisible(running)
        self.generate_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def generated(self) -> str:
        """All the text shown, the prompt first."""
        return self.output.toPlainText()
