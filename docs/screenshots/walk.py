"""Retake the walk's screenshots: the window at 1024x700, 1280x800 and 1920x1080.

Run from the repository root (it trains two tiny demo runs and a classifier, a few
minutes on a CPU):

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen python docs/screenshots/walk.py

Each view (Training, Compare with the hover table, Backstories, Inspect) is saved as
``docs/screenshots/walk-<width>x<height>-<view>.png``; the 1280x800 ones also replace
the README's training.png, runs-compare.png and backstories.png.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402  torch before PySide6, as the app does

from PySide6.QtCore import QEventLoop, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bdh_studio.core.config import PRESETS  # noqa: E402
from bdh_studio.gui.app import make_app  # noqa: E402
from bdh_studio.gui.main_window import MainWindow  # noqa: E402

HERE = Path(__file__).resolve().parent
SIZES = [(1024, 700), (1280, 800), (1920, 1080)]
README_SHOTS = {"training": "training.png", "compare": "runs-compare.png",
                "backstories": "backstories.png"}


def pause(ms: int) -> None:
    """Let the window work for ``ms``: an event loop, which lets go of the GIL while idle
    (QTest.qWait sleeps holding it, and starved the training thread for minutes)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(condition, seconds: float = 900) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("the walk took too long")
        pause(50)


def say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


def train(window: MainWindow, **changes) -> None:
    window.config_panel.set_config(PRESETS["tiny"].replace(
        max_iters=150, log_interval=5, eval_interval=50, eval_batches=2, **changes))
    say(f"training {changes or ''} (Train enabled: {window.train_action.isEnabled()})")
    window.train_action.trigger()
    wait(lambda: not window.training)
    say(f"trained {window.run_dir}")


def prepare(window: MainWindow) -> None:
    """Two runs of the demo books (two learning rates) and a classifier run."""
    window.load_demo()
    wait(lambda: not window.books.checking and not window.results.loading)
    train(window)
    first = window.run_dir
    window.new_run_from(None)
    train(window, lr=3e-3)
    wait(lambda: window.runs.tree.topLevelItemCount() == 2 and not window.runs.reader.running)
    for run in (first, window.run_dir):
        window.runs.set_checked(run, True)
    wait(lambda: len({line.run for line in window.compare.lines}) == 2)
    panel = window.results
    panel.mode.setCurrentText("features")
    panel.folds.setValue(3)
    panel.run()
    wait(lambda: not panel.running and panel.outcome is not None)


def read_and_click(window: MainWindow) -> None:
    """In Inspect, read the first backstory row as a person does (its Read button), then
    click a cell of the heatmap for its top neurons."""
    window.results.select_row(0)
    window.results.inspect_selected()
    panel, view = window.inspect, window.inspect.activity
    QTest.mouseClick(view.read_button, Qt.LeftButton)
    wait(lambda: not panel.worker.running and view.activity is not None)
    pause(300)  # the heatmap has its final geometry before a point is mapped through it
    layer, position = view.activity.n_layer - 1, min(8, len(view.activity.data) - 1)
    scene = view.heatmap.getPlotItem().vb.mapViewToScene(QPointF(position + 0.5, layer + 0.5))
    QTest.mouseClick(view.heatmap.viewport(), Qt.LeftButton,
                     pos=view.heatmap.mapFromScene(scene))
    wait(lambda: not panel.worker.running and view.neurons.rowCount() > 0)


def shoot(window: MainWindow, size: tuple[int, int]) -> None:
    width, height = size
    window.resize(width, height)
    pause(300)
    tabs = window.training_view.tabs
    views = {"training": (window.training_view, window.plots),
             "compare": (window.training_view, window.compare),
             "backstories": (window.results, None), "inspect": (window.inspect, None)}
    for name, (page, tab) in views.items():
        window.workspace.setCurrentWidget(page)
        if tab is not None:
            tabs.setCurrentWidget(tab)
        if name == "compare":
            pause(200)
            window.compare.canvas.grab()
            x = sum(window.compare.plot.vb.viewRange()[0]) * 0.6
            y = sum(window.compare.plot.vb.viewRange()[1]) / 2
            window.compare._moved(window.compare.plot.vb.mapViewToScene(QPointF(x, y)))
        if name == "backstories":
            window.results.select_row(0)
            wait(lambda: not window.results.scorer.running)
        if name == "inspect" and window.inspect.activity.activity is None:
            read_and_click(window)
        pause(300)
        out = HERE / f"walk-{width}x{height}-{name}.png"
        window.grab().save(str(out))
        if size == (1280, 800) and name in README_SHOTS:
            shutil.copyfile(out, HERE / README_SHOTS[name])
        print("wrote", out)


def main() -> None:
    torch.set_num_threads(1)
    make_app([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings, runs_root=Path(tmp) / "runs")
        window.show()
        prepare(window)
        for size in SIZES:
            shoot(window, size)
        window.stop_and_wait()
        window.close()
    QApplication.quit()


if __name__ == "__main__":
    main()
