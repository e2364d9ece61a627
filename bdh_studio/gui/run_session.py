"""The run the window shows: training it, opening it, comparing runs, exporting its models.

``RunSession`` holds the current run folder and its events folded into a
``RunState`` (the status bar reads its progress), and runs each piece of work
as a background task of its own.  It touches no widget: it hears values from
the window and speaks back by signals, so the window only lays out, wires and
paints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from ..core import config as cfg
from ..core import events as ev
from ..core.control import TaskControl
from ..core.corpus import BadBooks
from ..core.errors import UserError
from ..core.run.compare import load_run
from ..core.run.export import export_models
from ..core.run.folder import METRICS, RunFolder
from ..core.run.log import read_run
from ..core.run.naming import default_run_name, new_run_folder
from ..core.run.progress import Progress
from ..core.run.seeds import ends_seeds, seed_runs
from ..core.run.settings import RUNTIME_ONLY, changed_settings
from ..core.run.state import RunState
from ..core.run import summary as run_summary
from ..core.run.summary import OpenedRun, config_of
from ..core.trainer import train_run
from .background import BackgroundTask
from .settings_conflict import CONTINUE, NEW_RUN

AskConflict = Callable[[Path, list[str]], str]  # the run, its changed settings -> an answer


@dataclass(frozen=True)
class PastState:
    """A run folder's log folded in the worker before training it on, for one redraw."""
    state: RunState


@dataclass(frozen=True)
class ListedCheckpoints:
    """The run folder's book models, listed in the worker as a training ends."""
    paths: list[Path]


@dataclass(frozen=True)
class RefusedBooks:
    """Books the engine found unusable as a run began (changed since the list checked them)."""
    problems: dict[Path, str]


@dataclass(frozen=True)
class SeedStarted:
    """The ``index``-th run (from 0) of a training's seeds begins, in ``folder``."""
    index: int
    folder: Path


def train_into(config: cfg.TrainConfig, books: list[Path], out: Path, control: TaskControl):
    """The engine's training of one run, in the worker: the curves it had logged first."""
    if (out / METRICS).is_file():  # the curves so far, so the new points continue them
        control.partial(PastState(RunState.of(read_run(out).events)))
    try:
        return train_run(config, books, out, on_event=control.partial, control=control)
    except BadBooks as exc:  # the list shows them unusable too, then the banner says why
        control.partial(RefusedBooks(exc.problems))
        raise
    finally:  # a model set aside as it resumed is gone: the folder says what is left
        control.partial(ListedCheckpoints(RunFolder(out).checkpoints()))


class RunSession(QObject):
    starting = Signal(Path)  # training into this folder begins: the window's bookkeeping first
    event = Signal(object)  # each engine event of the training, in order
    past = Signal(object)  # a continued run's RunState so far, drawn before the new events
    refused = Signal(object)  # book path -> why the engine refused it as the run began
    finished = Signal()  # the training's thread is gone
    opened = Signal(object)  # an OpenedRun
    checkpoints_listed = Signal(object)  # the current run's book models (list[Path]) changed
    compared = Signal(object)  # the checked runs, as core.run.compare.load_run reads them
    problem = Signal(str)  # a sentence for the banner
    status = Signal(str, int)  # a passing status-bar message and how long it shows (ms)
    changed = Signal()  # an export began or ended, or the run folder moved

    def __init__(self, runs_root: Path, ask_conflict: AskConflict,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.runs_root = runs_root
        self.ask_conflict = ask_conflict
        self.run_dir: Path | None = None
        self.readonly = False  # the settings shown are an opened run's
        self.planned: Path | None = None  # the new run New run… named, made by the next Train
        self.run_state = RunState()
        # The current run's book models as last listed: listing a folder (a network disk) is
        # never done on the GUI thread, only in the tasks that open or train the run.
        self.checkpoint_paths: list[Path] = []
        self.seeds = 1  # how many seeds' runs the training in progress (or the last) makes
        self.trainer = BackgroundTask("training", self)
        self.trainer.partial.connect(self._heard)
        self.trainer.failed.connect(self.problem)
        self.trainer.idle.connect(self.finished)
        self.opener = BackgroundTask("opening a run", self, ask_on_close=False)
        self.opener.succeeded.connect(self._opened)
        self.opener.failed.connect(self.problem)
        # Replacing: checking another run while logs are read cancels that reading.
        self.comparer = BackgroundTask("comparing runs", self, replace=True, ask_on_close=False)
        self.comparer.succeeded.connect(self.compared)
        self.exporter = BackgroundTask("exporting checkpoints", self)
        self.exporter.progressed.connect(lambda fraction, message: self.status.emit(message, 0))
        self.exporter.succeeded.connect(self._exported)
        self.exporter.failed.connect(self.problem)
        self.exporter.cancelled.connect(lambda: self.status.emit("Export stopped", 8000))
        self.exporter.idle.connect(self.changed)

    @property
    def progress(self) -> Progress:
        """Where the run is, for the status bar."""
        return self.run_state.progress

    # --- training -----------------------------------------------------------

    @property
    def training(self) -> bool:
        return self.trainer.running

    @property
    def control(self) -> TaskControl | None:
        """The running training's pause and stop switches."""
        return self.trainer.control

    def default_name(self, config: cfg.TrainConfig | None, books: list[Path]) -> str:
        return default_run_name([p.stem for p in books], config or cfg.PRESETS["cpu"],
                                time.time())

    def train(self, config: cfg.TrainConfig, books: list[Path], run_dir: Path | None = None,
              seeds: int = 1) -> None:
        """Train into ``run_dir``, else continue the current run, else start a new one.

        The engine resumes stopped books and skips finished ones, so "continue"
        is training into the same folder with the run's own settings.  With
        ``seeds`` > 1 the same settings train that many runs in turn, as
        ``train --seeds`` does, into ``run_dir``-seedS… (else a new run's name).
        """
        if self.training:
            return
        self.seeds = max(seeds, 1)
        if seeds > 1:
            base = Path(run_dir) if run_dir else self.planned or new_run_folder(
                self.runs_root, self.default_name(config, books))
            self._train_seeds(seed_runs(config, base, seeds), books)
            return
        out = Path(run_dir) if run_dir else self.run_dir or self.planned
        if out is None:
            out = new_run_folder(self.runs_root, self.default_name(config, books))
        config, out = self._settings_for(out, config, books)
        if config is not None:
            self._begin(out, lambda control: train_into(config, books, out, control))

    def _train_seeds(self, runs: list[tuple[cfg.TrainConfig, Path]], books: list[Path]
                     ) -> None:
        """Each seed's run after the other; one that was stopped (or ended by a full disk)
        starts none after it."""
        def task(control: TaskControl):
            result = None
            for index, (config, out) in enumerate(runs):
                if index:
                    control.partial(SeedStarted(index, out))
                result = train_into(config, books, out, control)
                if ends_seeds(result) or control.stop_requested:
                    break
            return result

        self._begin(runs[0][1], task)

    def _begin(self, out: Path, task: Callable[[TaskControl], object]) -> None:
        """Make ``out`` the current run and start the training ``task`` in the background."""
        self._switch_to(out, 0)
        # The bookkeeping first: once the worker runs, the GUI thread's Python waits for the GIL.
        self.starting.emit(out)
        self.trainer.start(task)
        self.changed.emit()

    def _switch_to(self, out: Path, seed_index: int) -> None:
        if out != self.run_dir:
            self.checkpoint_paths = []  # the boxes show the last run's until this one saves
        self.run_dir, self.planned = out, None
        self.run_state = RunState()
        self.progress.seed_index, self.progress.seeds = seed_index, self.seeds

    def _settings_for(self, run_dir: Path, config: cfg.TrainConfig, books: list[Path]
                      ) -> tuple[cfg.TrainConfig | None, Path]:
        """The settings and folder to train with, asking when they differ from the run's."""
        try:
            saved = RunFolder(run_dir).saved_config()
        except UserError:
            return config, run_dir  # the engine says what is wrong with the folder
        changed = [] if saved is None else changed_settings(saved, config)
        if not changed:
            return config, run_dir
        choice = self.ask_conflict(run_dir, changed)
        if choice == CONTINUE:
            runtime = {k: getattr(config, k) for k in RUNTIME_ONLY}
            return saved.replace(**runtime), run_dir
        if choice == NEW_RUN:
            return config, new_run_folder(self.runs_root, self.default_name(config, books))
        return None, run_dir

    def _heard(self, event: ev.Event | PastState | RefusedBooks | SeedStarted
               | ListedCheckpoints) -> None:
        if isinstance(event, SeedStarted):  # the next seed's run is the current one now
            self._switch_to(event.folder, event.index)
            self.starting.emit(event.folder)
            self.changed.emit()
        elif isinstance(event, PastState):
            self.past.emit(event.state)
        elif isinstance(event, RefusedBooks):
            self.refused.emit(event.problems)
        elif isinstance(event, ListedCheckpoints):
            self._set_checkpoints(event.paths)
        else:
            self.run_state.handle(event)
            if isinstance(event, ev.CheckpointSaved) and event.path:
                self._set_checkpoints(sorted({*self.checkpoint_paths, Path(event.path)}))
            self.event.emit(event)

    def toggle_pause(self) -> bool:
        """Pause or resume the training; returns whether it is paused now."""
        control = self.control
        if control is None:
            return False
        if control.paused:
            control.resume()
            self.progress.state = "training"
        else:
            control.pause()
            self.progress.state = "paused"
        return control.paused

    def stop(self) -> None:
        if self.training:
            self.trainer.cancel()
            self.progress.state = "stopping…"

    # --- opening, comparing -------------------------------------------------

    def open_run(self, folder: Path) -> None:
        """Read a run as it is on disk, in the background; ``opened`` shows it."""
        if self.training or self.opener.running:
            self.problem.emit("Wait for the current run to end before opening another.")
            return
        folder = Path(folder)
        self.opener.start(lambda control: (run_summary.open_run(folder),
                                           RunFolder(folder).checkpoints()))

    def _opened(self, opened: tuple[OpenedRun, list[Path]]) -> None:
        run, checkpoints = opened
        self._set_checkpoints(checkpoints)
        self.run_dir, self.planned = run.folder, None
        self.readonly = config_of(run.summary) is not None
        self.run_state = run.state
        if run.summary.state != "running":
            self.progress.state = run.summary.state_text
        self.opened.emit(run)

    def leave_run(self, planned: Path | None = None) -> None:
        """The next training makes a new run (in ``planned``, a folder a person named, if
        given); nothing of the last one stays current.  Nothing is written before Train."""
        self.run_dir, self.planned = None, planned
        self.readonly = False
        self.run_state = RunState()
        self.checkpoint_paths = []

    def compare(self, folders: list[Path]) -> None:
        """Read the runs' logs in the background; only the latest choice is shown."""
        def task(control: TaskControl) -> list:
            runs = []
            for folder in folders:  # a run's log is the unit of work
                control.check()
                runs.append(load_run(folder))
            return runs

        self.comparer.start(task)

    def renamed(self, old: Path, new: Path) -> None:
        if self.run_dir == old:
            self.run_dir = new
            self._set_checkpoints([new / p.relative_to(old) for p in self.checkpoint_paths])
            self.changed.emit()

    def checkpoints(self) -> list[Path]:
        """The current run's book models as last listed (no disk is read here)."""
        return list(self.checkpoint_paths)

    def _set_checkpoints(self, paths: list[Path]) -> None:
        self.checkpoint_paths = list(paths)
        self.checkpoints_listed.emit(self.checkpoints())

    # --- exporting ----------------------------------------------------------

    def export_checkpoints(self, target: Path, bare: bool = False) -> None:
        """Copy (or strip to bare state_dicts) this run's book models in the background."""
        run_dir = self.run_dir
        self.exporter.start(lambda control: export_models(
            RunFolder(run_dir).checkpoints(), target, bare, control, "folder"))
        self.changed.emit()

    def _exported(self, written: list[Path]) -> None:
        where = written[0].parent if written else ""
        self.status.emit(f"Exported {len(written)} model(s) to {where}", 8000)
