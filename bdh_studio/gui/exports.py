"""Plots to PNG or SVG and tables to CSV, for every view that offers an export."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Callable

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

from ..core.atomic import write_csv as export_csv  # noqa: F401 (the views' CSV writer)
from ..core.atomic import write_whole
from ..core.errors import UserError
from ..core.outputs import check_file


def export_image(view: pg.GraphicsView, path: str | Path, title: str) -> None:
    """What ``view`` shows, as PNG, or as SVG when the name ends in .svg; written whole.

    UserError (naming the file) if it cannot be written.
    """
    path = Path(path)

    def write(tmp: Path) -> None:
        saved = (_export_svg(view, str(tmp), title) if path.suffix.lower() == ".svg"
                 else pg.exporters.ImageExporter(view.scene()).export(toBytes=True)
                 .save(str(tmp), "PNG"))
        if not saved:
            raise OSError(errno.EIO, "Qt could not write the image (is the folder writable, "
                                     "has the disk room?)")
    write_whole(path, write)


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


def run_export(export: Callable[[str], None], path: str, report: Callable[[str], None]) -> None:
    """Export to ``path`` (nothing if the dialog was cancelled); a failure is reported, not raised.

    The path is checked as every command's output is: never into a run folder.
    """
    if not path:
        return
    try:
        check_file(path, [], "file", Path(path).name or "export.png")
        export(path)
    except (OSError, UserError) as exc:
        report(f"Export failed: {exc}")
