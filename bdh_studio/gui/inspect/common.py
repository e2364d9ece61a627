"""What the Inspect tab's views share: named controls and an export bar."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ..exports import run_export
from ..file_dialogs import save_file

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str) -> W:
    """Give a control the objectName tests find it by and the name screen readers say."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class ExportBar(QWidget):
    """Export image… (PNG or SVG) and Export CSV… for one view; failures go to ``problem``."""

    problem = Signal(str)

    def __init__(self, prefix: str, what: str, image: Callable[[str], None],
                 table: Callable[[str], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.prefix, self.image, self.table = prefix, image, table
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        for label, slot, suffix in (("Export image…", self._ask_image, "Image"),
                                    ("Export CSV…", self._ask_csv, "Csv")):
            row.addWidget(named(QPushButton(label, clicked=slot), f"{prefix}Export{suffix}",
                                f"{label.rstrip('…')} of the {what}"))

    def _ask_image(self) -> None:
        path = save_file(self, "Export plot", f"{self.prefix}.png",
                         "PNG image (*.png);;SVG image (*.svg)")
        self.run(self.image, path)

    def _ask_csv(self) -> None:
        path = save_file(self, "Export table", f"{self.prefix}.csv", "CSV (*.csv)")
        self.run(self.table, path)

    def run(self, export: Callable[[str], None], path: str) -> None:
        run_export(export, path, self.problem.emit)
