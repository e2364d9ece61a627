"""The hyperparameters form, built from the config's own field metadata.

Every field of core.config.TrainConfig gets an editor in its group (Model,
Training, Runtime); validity is core.config.problems, so the window and the
command line can never disagree about what is allowed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from ..core import config as cfg
from ..core.memory import step_memory
from ..core.runtime import free_memory, pick_device, pick_precision
from .wheel_guard import wheel_when_focused

INVALID_STYLE = "border: 1px solid #c62828; background: #fdecea;"
INT_MAX = 2**31 - 1
MAX_SEEDS = 100
SEEDS_HELP = ("Seeds: train these settings this many times, as that many runs one after "
              "another, with the seeds seed, seed+1, … (bdh-studio train --seeds N); Compare's "
              "Group seeds draws them as one curve in a band")


def _editor(name: str) -> QWidget:
    f = cfg.FIELDS[name]
    meta = f.metadata
    if meta["choices"]:
        box = QComboBox()
        box.addItems(list(meta["choices"]))
        return box
    if f.type == "bool":
        return QCheckBox()
    if f.type == "int":
        spin = QSpinBox()
        spin.setRange(0, INT_MAX)  # 0 and other bad values are shown as errors, not hidden
        spin.setKeyboardTracking(True)
        return spin
    return QLineEdit()


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


class ConfigPanel(QWidget):
    """Emits ``changed`` whenever a value changes; ``config()`` is None while any is invalid."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.shortest_book: tuple[str, int] | None = None
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.found: dict[str, str] = {}
        self._loading = False

        self.preset = QComboBox()
        self.preset.addItems(list(cfg.PRESETS))
        self.preset.setToolTip("paper: the original script (needs a GPU) · cpu: about two "
                               "minutes a book on a laptop CPU · tiny: seconds, for a first look")
        self.preset.textActivated.connect(lambda name: self.set_config(cfg.PRESETS[name]))
        top = QHBoxLayout()
        top.addWidget(QLabel("Preset:"))
        top.addWidget(self.preset, 1)
        self.modified = QLabel("modified")
        self.modified.setStyleSheet("color: #777; font-style: italic;")
        top.addWidget(self.modified)

        self.seeds = QSpinBox(objectName="seeds", minimum=1, maximum=MAX_SEEDS, value=1)
        self.seeds.setAccessibleName("Seeds: runs of these settings")
        self.seeds.setToolTip(SEEDS_HELP)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        for group in (cfg.MODEL, cfg.TRAINING, cfg.RUNTIME):
            layout.addWidget(self._group(group))
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        layout.addWidget(self.estimate)
        layout.addStretch(1)
        wheel_when_focused([self.preset, *self.editors.values(), self.seeds], self)
        self.set_config(cfg.PRESETS["cpu"])

    def _group(self, group: str) -> QGroupBox:
        """The group's fields, each with its label and the line its error shows in; the
        Seeds field follows the seed setting it counts from."""
        box = QGroupBox(group)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for name, f in cfg.FIELDS.items():
            if f.metadata["group"] != group:
                continue
            editor = _editor(name)
            editor.setToolTip(f.metadata["help"])
            editor.setObjectName(name)
            self._connect(editor)
            error = QLabel()
            error.setStyleSheet("color: #c62828;")
            error.setWordWrap(True)
            error.hide()
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(editor)
            cell.addWidget(error)
            label = QLabel(name)
            label.setToolTip(f.metadata["help"])
            label.setBuddy(editor)  # its name for screen readers and scripts
            form.addRow(label, cell)
            self.editors[name], self.errors[name], self.labels[name] = editor, error, label
            if name == "seed":
                seeds = QLabel("Seeds", toolTip=SEEDS_HELP)
                seeds.setBuddy(self.seeds)
                form.addRow(seeds, self.seeds)
        return box

    def _connect(self, editor: QWidget) -> None:
        if isinstance(editor, QComboBox):
            editor.currentTextChanged.connect(self._edited)
        elif isinstance(editor, QCheckBox):
            editor.toggled.connect(self._edited)
        elif isinstance(editor, QSpinBox):
            editor.valueChanged.connect(self._edited)
        else:
            editor.textChanged.connect(self._edited)

    # --- values -------------------------------------------------------------

    def raw_values(self) -> dict:
        values = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                values[name] = editor.currentText()
            elif isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                values[name] = editor.value()
            else:
                values[name] = editor.text().strip()
        return values

    def set_config(self, config: cfg.TrainConfig) -> None:
        self._loading = True
        for name, value in config.to_dict().items():
            editor = self.editors[name]
            if isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(min(value, INT_MAX)))
            else:
                editor.setText(f"{value:g}")
        self._loading = False
        self._edited()

    def config(self) -> cfg.TrainConfig | None:
        """The configuration shown, or None while any field is invalid."""
        if self.found:
            return None
        return self._parse()[0]

    def _parse(self) -> tuple[cfg.TrainConfig | None, dict[str, str]]:
        values, bad = self.raw_values(), {}
        for name in list(values):
            try:
                cfg.from_dict({name: values[name]})
            except cfg.ConfigError as exc:
                bad[name] = str(exc).split(": ", 1)[-1]
                values.pop(name)
        config = cfg.from_dict(values)
        return config, bad

    def set_shortest_book(self, book: tuple[str, int] | None) -> None:
        """The name and text length of the shortest book to train, which a block must fit."""
        self.shortest_book = book
        self._edited()

    # --- validity -----------------------------------------------------------

    def _edited(self, *_) -> None:
        if self._loading:
            return
        config, found = self._parse()
        found.update({k: v for k, v in cfg.problems(config, self.shortest_book).items()
                      if k not in found})
        self.found = found
        self._show_budget(config.budget)
        for name, editor in self.editors.items():
            reason = found.get(name)
            editor.setStyleSheet(INVALID_STYLE if reason else "")
            self.errors[name].setText(reason or "")
            self.errors[name].setVisible(bool(reason))
        matching = [n for n, p in cfg.PRESETS.items() if p == config]
        if matching:
            self.preset.setCurrentText(matching[0])
        self.modified.setVisible(not matching)
        self._show_estimate(config)
        self.changed.emit()

    def _show_budget(self, budget: str) -> None:
        """Grey out the settings of the budget not chosen (max_iters when training by time)."""
        for other, names in cfg.BUDGET_FIELDS.items():
            for name in names:
                editor = self.editors[name]
                editor.setEnabled(other == budget)
                self.labels[name].setEnabled(other == budget)

    def _show_estimate(self, config: cfg.TrainConfig) -> None:
        if self.found:
            self.estimate.setText(f"<span style='color:#c62828'>Fix {len(self.found)} "
                                  f"setting(s) to train.</span>")
            return
        text = f"<b>{cfg.parameter_count(config) / 1e6:.2f} M</b> parameters"
        try:
            device = pick_device(config.device)
            precision = pick_precision(device, config.precision)
        except cfg.ConfigError as exc:
            self.estimate.setText(f"{text}<br><span style='color:#c62828'>{exc}</span>")
            return
        need = step_memory(config, precision).total
        text += f" · a training step needs ≈ <b>{human_bytes(need)}</b> in {precision}"
        free = free_memory(device)
        if free is not None and need > free:
            text += (f"<br><span style='color:#c62828'>More than the {human_bytes(free)} "
                     f"free on {device}: this needs a GPU with more memory, or a smaller "
                     f"batch_size, block_size or preset.</span>")
        self.estimate.setText(text)
