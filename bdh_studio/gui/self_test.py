"""``bdh-studio --self-test``: the whole studio once, on the demo, offscreen.

It is how a user or a packager checks an install (a wheel, a bundle, a
distribution package): it opens the window off any screen, trains the demo
books with the tiny preset for a few steps through the window's own worker,
cross-validates the classifier on the demo backstories, samples 50 bytes and
exports the book models. Each step prints one line; the first that fails ends
the test with exit code 1 and names the step. Everything it writes, settings
included, goes to a temporary folder it removes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch  # before PySide6: the other order fails on Windows

import shiboken6
from PySide6.QtCore import QEventLoop, QSettings, QTimer

from ..core.config import PRESETS
from ..core.run.folder import RunFolder
from .app import make_app
from .main_window import MainWindow

STEPS_PER_BOOK = 10
SAMPLE_BYTES = 50
STEP_DEADLINE_S = 600  # a slow, busy machine; a hung step still ends


class StepFailed(Exception):
    """What a step found wrong, in words for the person running the test."""


class SelfTest:
    """The steps, in order, sharing the window and the temporary folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.run_dir = folder / "run"
        self.window: MainWindow | None = None

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [("open the window", self.open_window),
                ("train the demo books", self.train),
                ("classify the demo backstories", self.classify),
                (f"sample {SAMPLE_BYTES} bytes", self.sample),
                ("export the book models", self.export)]

    def open_window(self) -> str:
        app = make_app([sys.argv[0]])
        self.window = MainWindow(QSettings(str(self.folder / "settings.ini"),
                                           QSettings.IniFormat))
        self.window.load_demo()
        self.window.show()
        self._wait(lambda: not self.window.books.checking)  # books are checked in the background
        books = len(self.window.books.included())
        if books == 0:
            raise StepFailed("no usable demo book was found")
        return f"{app.platformName()} platform, {books} demo books"

    def train(self) -> str:
        window = self.window
        window.config_panel.set_config(PRESETS["tiny"].replace(
            max_iters=STEPS_PER_BOOK, log_interval=5, eval_interval=STEPS_PER_BOOK,
            eval_batches=1))
        window.start_training(self.run_dir)
        if not window.training:
            raise StepFailed("the window did not start training: "
                             + window.train_action.toolTip())
        self._wait(lambda: not window.training)
        self._no_banner()
        trained = RunFolder(self.run_dir).checkpoints()
        if len(trained) != len(window.books.included()):
            raise StepFailed(f"{len(trained)} of {len(window.books.included())} books have "
                             f"a model in {self.run_dir}")
        return f"{len(trained)} books x {STEPS_PER_BOOK} steps"

    def classify(self) -> str:
        results = self.window.results
        results.run()
        if not results.running:
            raise StepFailed("the classifier did not start: " + results.run_button.toolTip())
        self._wait(lambda: not results.running)
        self._no_banner()
        outcome = results.outcome
        if outcome is None or not outcome.predictions:
            raise StepFailed("the classifier ended without predictions for the test rows")
        return f"{len(outcome.oof)} rows cross-validated, {len(outcome.predictions)} predicted"

    def sample(self) -> str:
        box = self.window.sample_box
        box.length.setValue(SAMPLE_BYTES)
        box.generate_button.click()
        self._wait(box.generate_button.isEnabled)
        text = box.output.toPlainText()
        generated = len(text.encode()) - len(box.prompt.text().encode())
        if generated < SAMPLE_BYTES // 2:  # bytes that are not UTF-8 show as \x.. escapes
            raise StepFailed(f"the sample box shows {text!r}")
        return f"{text[:30]!r}…"

    def export(self) -> str:
        target = self.folder / "export"
        self.window.session.export_checkpoints(target, bare=True)
        self._wait(lambda: not self.window.session.exporter.running)
        self._no_banner()
        written = sorted(target.glob("*.pt")) if target.is_dir() else []
        if not written:
            raise StepFailed(f"nothing was exported to {target}")
        for path in written:
            if "encoder" not in torch.load(path, weights_only=True):
                raise StepFailed(f"{path.name} holds no BDH state_dict")
        return f"{len(written)} bare state_dicts"

    def close(self) -> None:
        """Stop whatever still runs and delete the window while Qt is whole."""
        window = self.window
        if window is not None:
            window.stop_and_wait()
            window.close()
            shiboken6.delete(window)

    def _wait(self, done: Callable[[], bool]) -> None:
        """Run the event loop until ``done()``, checked every 50 ms, or the deadline."""
        deadline = time.monotonic() + STEP_DEADLINE_S
        loop = QEventLoop()

        def check() -> None:
            if done() or time.monotonic() > deadline:
                loop.quit()

        timer = QTimer(interval=50)
        timer.timeout.connect(check)
        timer.start()
        if not done():
            loop.exec()
        timer.stop()
        if not done():
            raise StepFailed(f"not finished after {STEP_DEADLINE_S} s")

    def _no_banner(self) -> None:
        banner = self.window.banner
        if not banner.isHidden():
            raise StepFailed(f"the window says: {banner.label.text()}")


def run_self_test(out=sys.stdout) -> int:
    """Run every step; 0 when all pass, 1 naming the first that failed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="bdh-studio-self-test-") as tmp:
        test = SelfTest(Path(tmp))
        try:
            for name, step in test.steps():
                start = time.perf_counter()
                try:
                    detail = step()
                except Exception as exc:  # noqa: BLE001  any failure names its step
                    print(f"self-test: FAILED at '{name}': {exc}", file=sys.stderr, flush=True)
                    return 1
                print(f"self-test: {name}: ok, {detail} ({time.perf_counter() - start:.1f} s)",
                      file=out, flush=True)
        finally:
            test.close()
    print("self-test: passed", file=out, flush=True)
    return 0
