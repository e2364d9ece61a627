"""The real window, offscreen, training a book through its worker thread, for benchmarks 1 and 3.

Import this module before anything else imports Qt: it selects the offscreen
platform (no display needed) and imports torch before PySide6, as the
application's entry point does.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import torch  # noqa: E402,F401  (before PySide6, as bdh_studio.gui.app does)
from PySide6.QtCore import QEventLoop, QSettings  # noqa: E402

from bdh_studio.core.config import TrainConfig  # noqa: E402
from bdh_studio.core.runtime import preload  # noqa: E402
from bdh_studio.gui.app import make_app  # noqa: E402
from bdh_studio.gui.main_window import MainWindow  # noqa: E402


class Window:
    """A shown MainWindow holding one book, its settings in a temporary INI file."""

    def __init__(self, folder: Path, book: Path):
        self.app = make_app([])
        preload()  # done by the time a person presses Train: run_app starts it at launch
        self.folder = folder
        self.window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
        self.window.show()
        self.add_book(book)
        self.redraws = 0
        self.gui_cpu: Counter[str] = Counter()  # CPU seconds of the GUI thread, by handler
        plots = self.window.plots
        redraw = plots.redraw

        def counted() -> None:
            self.redraws += 1
            redraw()
        plots.redraw = self._timed("plot redraws", counted)  # its timer calls it so
        self._retime(self.window.session.event, self.window.on_event, "training events")
        status = self.window.run_status
        self._retime(status.timer.timeout, status.refresh, "status bar")
        painted = plots.canvas._on_paint
        plots.canvas._on_paint = lambda seconds: (self.gui_cpu.update({"plot paints": seconds}),
                                                  painted(seconds))

    def _timed(self, name: str, handler: Callable) -> Callable:
        def timed(*args):
            start = time.thread_time()
            try:
                return handler(*args)
            finally:
                self.gui_cpu[name] += time.thread_time() - start
        return timed

    def _retime(self, signal, handler: Callable, name: str) -> None:
        signal.disconnect(handler)
        signal.connect(self._timed(name, handler))

    def add_book(self, book: Path) -> None:
        """Add a book as a drop does, and run the event loop until its check is done."""
        self.window.add_paths([book])
        self.wait_for_books()

    def wait_for_books(self) -> None:
        books = self.window.books
        if books.checking:
            loop = QEventLoop()
            books.checker.idle.connect(loop.quit)
            loop.exec()
            books.checker.idle.disconnect(loop.quit)

    def train(self, config: TrainConfig, run_dir: Path) -> float:
        """Seconds from pressing Train to the worker thread's end, the event loop running."""
        self.window.config_panel.set_config(config)
        if self.window.config_panel.config() != config:
            raise SystemExit("the settings form did not take the benchmark's configuration")
        shutil.rmtree(run_dir, ignore_errors=True)
        loop = QEventLoop()
        self.window.session.trainer.idle.connect(loop.quit)
        start, cpu = time.perf_counter(), time.thread_time()
        self.window.start_training(run_dir)
        loop.exec()
        seconds = time.perf_counter() - start
        self.gui_cpu["(all, while training)"] += time.thread_time() - cpu
        self.gui_cpu["(wall seconds training)"] += seconds
        self.window.session.trainer.idle.disconnect(loop.quit)
        return seconds

    def close(self) -> None:
        import shiboken6
        self.window.stop_and_wait()
        self.window.close()
        shiboken6.delete(self.window)
