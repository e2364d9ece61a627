"""What the window remembers between launches: its geometry, settings, books and CSVs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

from ..core import config as cfg
from ..core.errors import UserError
from .books_panel import BooksPanel
from .config_panel import ConfigPanel
from .file_dialogs import last_folder, set_last_folder
from .results_panel import ResultsPanel


def save_state(s: QSettings, window: QMainWindow, form: ConfigPanel, books: BooksPanel,
               results: ResultsPanel, demo: bool) -> None:
    s.setValue("geometry", window.saveGeometry())
    s.setValue("config", form.raw_values())
    s.setValue("seeds", form.seeds.value())
    s.setValue("books", books.all_paths())
    s.setValue("demo", demo)
    s.setValue("last_folder", str(last_folder() or ""))
    results.save_settings(s)
    s.sync()


def restore_state(s: QSettings, window: QMainWindow, form: ConfigPanel, books: BooksPanel,
                  results: ResultsPanel) -> None:
    """Bring back what ``save_state`` kept; what no longer fits (a moved book, settings of
    another version) is left out, never an error."""
    if s.value("geometry") is not None:
        window.restoreGeometry(s.value("geometry"))
    saved = s.value("config")
    if isinstance(saved, dict):
        try:
            form.set_config(cfg.from_dict(saved))
        except UserError:
            pass  # settings from another version: keep the defaults
    seeds = str(s.value("seeds", 1))
    form.seeds.setValue(int(seeds) if seeds.isdigit() else 1)  # out of range: the nearest
    paths = [Path(p) for p in (s.value("books") or []) if Path(p).exists()]
    if paths:
        books.add_paths(paths)
    results.restore_settings(s)
    set_last_folder(s.value("last_folder"))  # the folder the file dialogs start in
