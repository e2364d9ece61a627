"""The chooser of a smoothing kind, shared by the training plots and Compare."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from ..core.run.smoothing import KINDS


def smoothing_kinds(name: str, accessible: str) -> QComboBox:
    """A chooser of the smoothing kinds, each item's data its key."""
    box = QComboBox(objectName=name)
    box.setAccessibleName(accessible)
    box.setToolTip("EMA: TensorBoard's; centred window: the mean of the points around each "
                   "(drawn once they have all come); envelope: that mean between the window's "
                   "lowest and highest raw points")
    for key, label in KINDS.items():
        box.addItem(label, key)
    return box
