"""Plots to PNG or SVG and tables to CSV, for every view that offers an export."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Iterable

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator


def export_image(view: pg.GraphicsView, path: str | Path, title: str) -> None:
    """What ``view`` shows, as PNG, or as SVG when the name ends in .svg; OSError if unwritable."""
    path = str(path)
    saved = (_export_svg(view, path, title) if path.lower().endswith(".svg")
             else pg.exporters.ImageExporter(view.scene()).export(path))
    if not saved:
        raise OSError(f"could not write {path}: check that its folder exists and is "
                      "writable and that the disk has room")


def _export_svg(view: pg.GraphicsView, path: str, title: str) -> bool:
    """Qt's own SVG generator: pyqtgraph 0.14's exporter fails on the paths Qt 6.9+
    writes (pyqtgraph issue 3495)."""
    scene, rect = view.scene(), view.viewRect()  # what the window shows
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(rect.size().toSize())
    generator.setViewBox(rect)
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        return False
    scene.render(painter, rect, rect)
    return painter.end()


def export_csv(path: str | Path, header: list[str], rows: Iterable[Iterable]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def run_export(export: Callable[[str], None], path: str, report: Callable[[str], None]) -> None:
    """Export to ``path`` (nothing if the dialog was cancelled); a failure is reported, not raised."""
    if not path:
        return
    try:
        export(path)
    except OSError as exc:
        report(f"Export failed: {exc}")
