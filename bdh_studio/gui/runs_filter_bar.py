"""The Runs panel's filter: regular expressions over name, tags and notes, a state, a preset.

A term that is not a regular expression turns the box red and says why; the
list keeps the last filter that was one until it is fixed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QToolButton, QWidget

from ..core.config import PRESETS
from ..core.errors import UserError
from ..core.run.filter import RunFilter, parse_filter
from ..core.run.summary import STATES

ANY_STATE, ANY_PRESET = "Any state", "Any preset"
FILTER_TIP = ("Regular expressions over the runs' names, tags and notes, all to match "
              "(case ignored); -term leaves out the runs that match; \"a b\" keeps a space")


class RunsFilterBar(QWidget):
    changed = Signal(object)  # the RunFilter to apply

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runsFilterBar")
        self.setAccessibleName("Filter the runs")
        self.text = QLineEdit(objectName="runsFilter", placeholderText="Filter runs…",
                              toolTip=FILTER_TIP, clearButtonEnabled=True)
        self.text.setAccessibleName("Filter runs by name, tags and notes")
        for clear in self.text.findChildren(QToolButton):  # the clear button Qt adds
            clear.setObjectName("runsFilterClear")
            clear.setAccessibleName("Clear the filter")
        self.state = QComboBox(objectName="runsStateFilter")
        self.state.setAccessibleName("Show runs in this state")
        self.state.addItem(ANY_STATE, "")
        for state in STATES:
            self.state.addItem(state, state)
        self.preset = QComboBox(objectName="runsPresetFilter")
        self.preset.setAccessibleName("Show runs of this preset")
        self.preset.addItem(ANY_PRESET, "")
        for preset in (*PRESETS, "custom"):
            self.preset.addItem(preset, preset)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.state)
        layout.addWidget(self.preset)
        self.filter = RunFilter()
        self.text.textChanged.connect(self._changed)
        self.state.currentIndexChanged.connect(self._changed)
        self.preset.currentIndexChanged.connect(self._changed)

    def _changed(self, *_) -> None:
        state, preset = self.state.currentData(), self.preset.currentData()
        try:
            self.filter = parse_filter(self.text.text(), [state] if state else [],
                                       [preset] if preset else [])
        except UserError as exc:
            self.text.setStyleSheet("QLineEdit { border: 1px solid #c62828; }")
            self.text.setToolTip(str(exc))
            return
        self.text.setStyleSheet("")
        self.text.setToolTip(FILTER_TIP)
        self.changed.emit(self.filter)
