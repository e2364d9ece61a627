"""The main window: books and settings on the left, live plots on the right; backstories
on a second tab.

It owns no engine logic: clicks become calls to core.trainer.train_run in a
worker thread, and the engine's events come back as queued signals that are
buffered for the plots and the status bar.  The Backstories tab runs the
classifier in a worker of its own (results_panel).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from PySide6.QtCore import QSettings, QSignalBlocker, QSize, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QFrame, QHBoxLayout, QInputDialog,
                               QLabel,
                               QMainWindow,
                               QMessageBox, QPushButton, QScrollArea, QSplitter, QStackedWidget,
                               QTabWidget, QVBoxLayout, QWidget)

from .. import resources
from ..core import checkpoints
from ..core import config as cfg
from ..core import events as ev
from ..core.backstories import Backstory
from ..core.control import TaskControl
from ..core.corpus import BadBooks
from ..core.errors import UserError
from ..core.run_index import (RUNTIME_ONLY, changed_settings, config_of, default_run_name,
                              new_run_folder, summarize)
from ..core.runs import METRICS, RunFolder, read_events, read_run
from ..core.trainer import train_run
from .accessibility import name_controls
from .background import BackgroundTask
from .books_panel import BooksPanel
from .compare_plots import ComparePlots, load_run
from .config_panel import ConfigPanel
from .inspect.panel import InspectPanel
from .paths import default_runs_root
from .plots import TrainingPlots
from .results_panel import ResultsPanel
from .runs_panel import RunsPanel
from .sample_box import SampleBox
from .status import Progress, memory_in_use

STATUS_MS = 1000  # the clock and ETA change by the second; each refresh relays out the bar
JOIN_SECONDS = 30.0  # closing waits this long, in all, for the tasks to end
CONTINUE, NEW_RUN, CANCEL = "continue", "new run", "cancel"  # a settings conflict's answers


class Banner(QFrame):
    """A visible, dismissable message at the top of the window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet("Banner { background: #fdecea; border: 1px solid #e0a8a3; "
                           "border-radius: 4px; } QLabel { color: #8b1a12; }")
        self.label = QLabel(wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QPushButton("Dismiss", clicked=self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()


class EmptyState(QWidget):
    """What a first launch shows: what to do, and the three ways to begin."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        title = QLabel("<h2>Drop a folder of books here</h2>")
        text = QLabel("BDH Studio trains one BDH language model per book (.txt, UTF-8) and "
                      "shows it learning live.<br>Drop a folder or .txt files on this window, "
                      "open a folder, or try the bundled demo books.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignCenter)
        open_button = QPushButton("Open folder…", clicked=window.books.ask_folder)
        demo_button = QPushButton("Try the demo", clicked=window.load_demo)
        run_button = QPushButton("Open a past run…", clicked=window.ask_open_run)
        for b in (open_button, demo_button, run_button):
            b.setMinimumHeight(36)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (open_button, demo_button, run_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title, 0, Qt.AlignCenter)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.setAttribute(Qt.WA_StyledBackground)
        self.setStyleSheet("EmptyState { border: 2px dashed #bbb; border-radius: 12px; }")


@dataclass(frozen=True)
class PastEvents:
    """A run folder's log, read in the worker before training it on, for one redraw."""
    events: list


@dataclass(frozen=True)
class RefusedBooks:
    """Books the engine found unusable as a run began (changed since the list checked them)."""
    problems: dict[Path, str]


def first_size() -> QSize:
    """The window's size at a first launch, within the screen's free area.

    Without a window manager to fit it (Xvfb, some kiosks), a window taller
    than a 1280x800 screen hides its status bar below the edge.
    """
    screen = QGuiApplication.primaryScreen()
    wanted = QSize(1280, 820)
    return wanted.boundedTo(screen.availableGeometry().size()) if screen else wanted


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, runs_root: Path | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        # --runs-dir holds for one launch; the root picked in the window is remembered.
        self.runs_root = Path(runs_root or self.settings.value("runs_root")
                              or default_runs_root())
        self.setWindowTitle("BDH Studio")
        self.setWindowIcon(QIcon(str(resources.icon())))
        self.setAcceptDrops(True)
        self.resize(first_size())

        self.worker = BackgroundTask("training", self)
        self.worker.partial.connect(self.on_event)
        self.worker.failed.connect(self.on_failed)
        self.worker.idle.connect(self.on_finished)
        self.run_dir: Path | None = None
        self.progress = Progress()
        self.demo = False

        self.books = BooksPanel()
        self.config_panel = ConfigPanel()
        self.plots = TrainingPlots()
        self.sample_box = SampleBox()
        self.results = ResultsPanel()
        self.runs = RunsPanel(self.runs_root)
        self.opener = BackgroundTask("opening a run", self, ask_on_close=False)  # off the GUI thread
        self.opener.succeeded.connect(self._show_run)
        self.opener.failed.connect(self.banner_message)
        self.run_readonly = False  # the settings shown are an opened run's
        self.compare = ComparePlots()
        # Replacing: checking another run while logs are read cancels that reading.
        self.comparer = BackgroundTask("comparing runs", self, replace=True, ask_on_close=False)
        self.comparer.succeeded.connect(self._show_comparison)
        self.exporter = BackgroundTask("exporting checkpoints", self)
        self.exporter.progressed.connect(lambda f, message: self.statusBar().showMessage(message))
        self.exporter.succeeded.connect(self._exported)
        self.exporter.failed.connect(self.on_failed)
        self.exporter.cancelled.connect(lambda: self.statusBar().showMessage("Export stopped",
                                                                            8000))
        self.exporter.idle.connect(self._update_controls)
        self.banner = Banner()
        self._build_actions()
        self._build_layout()
        self._build_status()
        self.books.changed.connect(self._books_changed)
        self.books.problem.connect(self.banner.show_message)
        self.results.problem.connect(self.banner.show_message)
        self.plots.problem.connect(self.banner.show_message)
        self.runs.problem.connect(self.banner.show_message)
        self.runs.open_requested.connect(self.open_run)
        self.runs.new_from_config.connect(self.new_run_from)
        self.runs.renamed.connect(self._run_renamed)
        self.runs.checked_changed.connect(self.compare_runs)
        self.compare.problem.connect(self.banner.show_message)
        self.results.busy_changed.connect(self._update_controls)
        self.config_panel.changed.connect(self._update_controls)
        self.config_panel.changed.connect(self._runtime_changed)
        self._status_timer = QTimer(self, interval=STATUS_MS, timeout=self._refresh_status)
        self._status_timer.start()
        self.restore_settings()
        self._update_controls()
        name_controls(self)

    # --- building ---------------------------------------------------------

    def _action(self, name: str, text: str, slot, shortcut: str | QKeySequence | None,
                tip: str) -> QAction:
        """An action called ``name`` for scripts and tests (and its toolbar button too)."""
        action = QAction(text, self, triggered=slot, objectName=name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip += f" ({QKeySequence(shortcut).toString(QKeySequence.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.open_action = a("openFolder", "Open folder…", self.books.ask_folder,
                             QKeySequence.Open, "Add a folder of .txt books")
        self.demo_action = a("tryDemo", "Try demo", self.load_demo, None,
                             "Load the bundled demo books and backstories")
        self.train_action = a("train", "Train", self.start_training, "Ctrl+R",
                              "Train every checked book with these settings")
        self.new_run_action = a("newRun", "New run…", self.ask_new_run, "Ctrl+Shift+N",
                                "Train the checked books into a new named run")
        self.pause_action = a("pause", "Pause", self.toggle_pause, "Ctrl+P",
                              "Pause or resume after the current step")
        self.stop_action = a("stop", "Stop", self.stop_training, "Ctrl+.",
                             "Stop after the current step; the book keeps a partial "
                             "checkpoint and Train resumes it")
        self.open_run_action = a("openRun", "Open run…", self.ask_open_run, "Ctrl+Shift+O",
                                 "Show a run folder: its books, settings, curves and state")
        self.runs_root_action = a("runsFolder", "Runs folder…", self.ask_runs_root, None,
                                  "Choose the folder new runs are made in")
        self.export_action = a("exportCheckpoints", "Export checkpoints…", self.ask_export,
                               "Ctrl+E", "Copy this run's book models to a folder")
        self.folder_action = a("showRunFolder", "Show run folder", self.show_run_folder, None,
                               "Open the run folder in the file manager")
        self.save_config_action = a("saveSettings", "Save settings…", self.ask_save_config,
                                    None, "Save these settings as JSON (bdh-studio train "
                                    "--config reads it)")
        self.load_config_action = a("loadSettings", "Load settings…", self.ask_load_config,
                                    None, "Load settings from a JSON file")
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for action in (self.open_action, self.demo_action, None, self.train_action,
                       self.new_run_action, self.pause_action, self.stop_action, None,
                       self.open_run_action, self.export_action, self.folder_action):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        menu = self.menuBar().addMenu("&File")
        for action in (self.open_action, self.demo_action, self.open_run_action,
                       self.runs_root_action, self.save_config_action, self.load_config_action,
                       self.export_action, self.folder_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(a("quit", "Quit", self.close, QKeySequence.Quit, "Quit BDH Studio"))
        run_menu = self.menuBar().addMenu("&Run")
        for action in (self.train_action, self.new_run_action, self.pause_action,
                       self.stop_action):
            run_menu.addAction(action)

    def _build_layout(self) -> None:
        self.settings_scroll = settings_scroll = QScrollArea(widgetResizable=True)
        settings_scroll.setWidget(self.config_panel)
        settings_scroll.setFrameShape(QFrame.NoFrame)
        self.run_settings_label = QLabel()
        self.from_config_button = QPushButton(
            "New run from this config", objectName="newRunFromThisConfig",
            clicked=lambda: self.new_run_from(None),
            toolTip="Edit these settings for a new run; the opened run keeps its own")
        self.from_config_button.setAccessibleName("New run from this config")
        read_only = QHBoxLayout()
        read_only.setContentsMargins(0, 0, 0, 0)
        read_only.addWidget(self.run_settings_label, 1)
        read_only.addWidget(self.from_config_button)
        self.read_only_bar = QWidget()
        self.read_only_bar.setLayout(read_only)
        self.read_only_bar.hide()
        settings = QWidget()
        settings_layout = QVBoxLayout(settings)
        settings_layout.setContentsMargins(0, 0, 0, 0)
        settings_layout.addWidget(self.read_only_bar)
        settings_layout.addWidget(settings_scroll, 1)
        left = QSplitter(Qt.Vertical)
        left.addWidget(self._titled("Books", self.books))
        left.addWidget(self._titled("Settings", settings))
        left.setSizes([260, 520])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plots, "Training")
        self.tabs.addTab(self.compare, "Compare")
        self.tabs.addTab(self.sample_box, "Sample")
        self.training_view = QSplitter(Qt.Horizontal)
        self.training_view.addWidget(left)
        self.training_view.addWidget(self.tabs)
        self.training_view.setSizes([400, 880])
        self.workspace = QTabWidget(documentMode=True)
        self.workspace.addTab(self.training_view, "Books and training")
        self.workspace.addTab(self.results, "Backstories")
        self._inspect_placeholder = QWidget()
        self.workspace.addTab(self._inspect_placeholder, "Inspect")
        self.workspace.currentChanged.connect(self._workspace_shown)
        self.results.inspect_requested.connect(self.inspect_backstory)
        self.pages = QStackedWidget()
        self.empty_state = EmptyState(self)
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.workspace)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        dock = QDockWidget("Runs", self, objectName="runsDock")
        dock.setWidget(self.runs)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        self.resizeDocks([dock], [160], Qt.Vertical)  # a few runs; the plots keep the room

    @cached_property
    def inspect(self) -> InspectPanel:
        """The Inspect tab, built when first shown or used: a third of the window's build,
        which a session that only trains never needs."""
        panel = InspectPanel(lambda: RunFolder(self.run_dir).checkpoints() if self.run_dir
                             else [], self.settings)
        panel.problem.connect(self.banner.show_message)
        panel.set_backstories(self.results.backstories())
        self.results.backstories_loaded.connect(panel.set_backstories)
        index = self.workspace.indexOf(self._inspect_placeholder)
        title = self.workspace.tabText(index)
        with QSignalBlocker(self.workspace):  # the same tab stays current
            current = self.workspace.currentIndex()
            self.workspace.removeTab(index)
            self.workspace.insertTab(index, panel, title)
            self.workspace.setCurrentIndex(current)
        self._inspect_placeholder.deleteLater()
        return panel

    def _workspace_shown(self, index: int) -> None:
        if self.workspace.widget(index) is self._inspect_placeholder:
            self.workspace.setCurrentWidget(self.inspect)

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(f"<b>{title}</b>"))
        layout.addWidget(widget, 1)
        return box

    def _build_status(self) -> None:
        self.status_label = QLabel("idle")
        self.device_label = QLabel()
        self.memory_label = QLabel()
        bar = self.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.device_label)
        bar.addPermanentWidget(self.memory_label)

    # --- books ------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> None:
        self.books.add_paths(paths)

    def load_demo(self) -> None:
        self.demo = True
        self.books.add_paths([resources.demo_books()])
        self.results.add_csvs([resources.demo_train_csv(), resources.demo_test_csv()])
        if self.config_panel.modified.isHidden() and self.config_panel.preset.currentText() \
                == "paper":
            self.config_panel.set_config(cfg.PRESETS["cpu"])

    def _books_changed(self) -> None:
        self.config_panel.set_shortest_book(self.books.shortest_included())
        self.pages.setCurrentWidget(self.workspace if self.books.infos or self.plots.books
                                    or self.results.has_input() else self.empty_state)
        self._update_controls()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        csvs = [p for p in paths if p.suffix.lower() == ".csv"]
        if csvs:
            self.results.add_csvs(csvs)
            self.pages.setCurrentWidget(self.workspace)
            self.workspace.setCurrentWidget(self.results)
        if len(csvs) < len(paths):
            self.add_paths([p for p in paths if p not in csvs])

    # --- training ---------------------------------------------------------

    @property
    def training(self) -> bool:
        return self.worker.running

    @property
    def control(self) -> TaskControl | None:
        """The running training's pause and stop switches."""
        return self.worker.control

    def _runtime_changed(self) -> None:
        """The settings' device and precision serve sampling and the classifier too."""
        values = self.config_panel.raw_values()
        for panel in (self.sample_box, self.results):
            panel.set_runtime(values["device"], values["precision"])

    def _update_controls(self) -> None:
        valid = self.config_panel.config() is not None
        has_books = bool(self.books.included())
        can_train = valid and has_books and not self.training and not self.results.running
        self.train_action.setEnabled(can_train)
        self.new_run_action.setEnabled(can_train)
        self.results.set_training(self.training)
        reason = ("" if valid else "fix the settings marked in red") if has_books else \
            "add or check at least one usable book"
        what = (f"Continue the run {self.run_dir.name}: resume stopped books, skip finished "
                f"ones, train the rest" if self.run_dir is not None
                else "Train every checked book into a new run")
        self.train_action.setToolTip(f"{what} (Ctrl+R)" if not reason
                                     else f"Cannot train: {reason}")
        self.pause_action.setEnabled(self.training)
        self.stop_action.setEnabled(self.training)
        self.config_panel.setEnabled(not self.training and not self.run_readonly)
        has_run = self.run_dir is not None
        self.export_action.setEnabled(has_run and not self.training
                                      and not self.exporter.running)
        self.folder_action.setEnabled(has_run)

    def default_run_name(self) -> str:
        config = self.config_panel.config() or cfg.PRESETS["cpu"]
        return default_run_name([p.stem for p in self.books.included()], config, time.time())

    def ask_new_run(self) -> None:
        name, ok = QInputDialog.getText(self, "New run", "Name of the new run:",
                                        text=self.default_run_name())
        if ok and name.strip():
            self.start_training(new_run_folder(self.runs_root, name.strip()))

    def ask_runs_root(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for runs", str(self.runs_root))
        if folder:
            self.runs_root = Path(folder)
            self.settings.setValue("runs_root", folder)
            self.runs.set_root(self.runs_root)

    def start_training(self, run_dir: Path | None = None) -> None:
        """Train into ``run_dir``, else continue the current run, else start a new one.

        The engine resumes stopped books and skips finished ones, so "continue"
        is training into the same folder with the run's own settings.
        """
        config, books = self.config_panel.config(), self.books.included()
        if config is None or not books or self.training:
            return
        self.banner.hide()
        out = Path(run_dir) if run_dir else self.run_dir
        if out is None:
            out = new_run_folder(self.runs_root, self.default_run_name())
        config, out = self._settings_for(out, config)
        if config is None:
            return
        self.run_dir = out
        self.runs.busy = {out}
        self.results.set_models_folder(out)
        self.plots.clear()
        self.progress = Progress()

        def task(control: TaskControl):
            if (out / METRICS).is_file():  # the curves so far, so the new points continue them
                control.partial(PastEvents(list(read_events(out))))
            try:
                return train_run(config, books, out, on_event=control.partial, control=control)
            except BadBooks as exc:  # the list shows them unusable too, then the banner says why
                control.partial(RefusedBooks(exc.problems))
                raise

        # The bookkeeping first: once the worker runs, the GUI thread's Python waits for the GIL.
        self.save_settings()
        self.books.hold_for_run()
        self.worker.start(task)
        self.pause_action.setText("Pause")
        self._update_controls()

    def _settings_for(self, run_dir: Path, config: cfg.TrainConfig
                      ) -> tuple[cfg.TrainConfig | None, Path]:
        """The settings and folder to train with, asking when they differ from the run's."""
        try:
            saved = RunFolder(run_dir).saved_config()
        except UserError:
            return config, run_dir  # the engine says what is wrong with the folder
        changed = [] if saved is None else changed_settings(saved, config)
        if not changed:
            return config, run_dir
        choice = self.ask_settings_conflict(run_dir, changed)
        if choice == CONTINUE:
            runtime = {k: getattr(config, k) for k in RUNTIME_ONLY}
            return saved.replace(**runtime), run_dir
        if choice == NEW_RUN:
            return config, new_run_folder(self.runs_root, self.default_run_name())
        return None, run_dir

    def ask_settings_conflict(self, run_dir: Path, changed: list[str]) -> str:
        """CONTINUE with the run's settings, a NEW_RUN with these, or CANCEL."""
        box = QMessageBox(QMessageBox.Question, "Settings differ from the run's",
                          f"The run {run_dir.name} was trained with other settings:\n"
                          + "\n".join(changed[:12]), parent=self)
        buttons = {box.addButton("Continue with the run's settings",
                                 QMessageBox.AcceptRole): CONTINUE,
                   box.addButton("New run with these settings", QMessageBox.YesRole): NEW_RUN,
                   box.addButton(QMessageBox.Cancel): CANCEL}
        box.exec()
        return buttons.get(box.clickedButton(), CANCEL)

    @Slot(object)
    def on_event(self, event: ev.Event | PastEvents | RefusedBooks) -> None:
        if isinstance(event, PastEvents):
            self.plots.load_events(event.events)
            return
        if isinstance(event, RefusedBooks):
            for path, problem in event.problems.items():
                self.books.mark_unusable(path, problem.removeprefix(f"{path.name}: "))
            return
        self.plots.handle(event)
        self.progress.update(event)
        if isinstance(event, ev.BookStarted):
            self.books.set_state(event.book, "training")
        elif isinstance(event, ev.BookFinished):
            state = {"finished": "trained"}.get(event.status, event.status)
            detail = f"val loss {event.val_loss:.3f}" if event.val_loss is not None else ""
            if event.status == "failed":
                detail = event.message
            elif event.status == "partial":
                detail = f"stopped at step {event.step}" + (f", {detail}" if detail else "")
            self.books.set_state(event.book, state, detail)
        elif isinstance(event, (ev.BookFailed, ev.BookWarning, ev.RunFailed)):
            self.banner.show_message(event.message)
        if isinstance(event, (ev.RunStarted, ev.BookFinished, ev.RunFinished)):
            self.runs.schedule()  # its state, losses and size moved on
        elif isinstance(event, ev.CheckpointSaved):
            self.sample_box.set_checkpoints(RunFolder(self.run_dir).checkpoints())

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.banner.show_message(message)

    @Slot()
    def on_finished(self) -> None:
        self.books.release()
        self.runs.busy = set()
        self.pause_action.setText("Pause")
        self._update_controls()
        self._refresh_status()
        if self.run_dir is not None:
            self.sample_box.set_checkpoints(RunFolder(self.run_dir).checkpoints())

    def toggle_pause(self) -> None:
        if self.control is None:
            return
        if self.control.paused:
            self.control.resume()
            self.pause_action.setText("Pause")
            self.progress.state = "training"
        else:
            self.control.pause()
            self.pause_action.setText("Resume")
            self.progress.state = "paused"

    def stop_training(self) -> None:
        if self.training:
            self.worker.cancel()
            self.progress.state = "stopping…"

    def running_tasks(self) -> list[BackgroundTask]:
        """Every background task of the window and its panels that is running now."""
        return [task for task in self.findChildren(BackgroundTask) if task.running]

    def stop_and_wait(self, seconds: float = JOIN_SECONDS) -> list[str]:
        """Cancel every task, then join them all within one deadline: what closing needs.

        Returns what could not be joined in time (empty when all ended).
        """
        tasks = self.running_tasks()
        self.stop_training()  # says "stopping…" in the status bar
        for task in tasks:
            task.cancel()
        deadline = time.monotonic() + seconds
        return [task.what for task in tasks
                if not task.wait(max(0, round(1000 * (deadline - time.monotonic()))))]


    def _refresh_status(self) -> None:
        self.status_label.setText(self.progress.text())
        if self.progress.device:
            self.device_label.setText(f"{self.progress.device}, {self.progress.precision}")
        self.memory_label.setText(memory_in_use(self.progress.device))

    # --- runs and outputs -------------------------------------------------

    def ask_open_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Run folder (with metrics.jsonl)")
        if folder:
            self.open_run(Path(folder))

    def open_run(self, folder: Path) -> None:
        """Show a run as it is on disk; its files are read in the background."""
        if self.training or self.opener.running:
            self.banner.show_message("Wait for the current run to end before opening another.")
            return
        folder = Path(folder)
        self.opener.start(lambda control: (folder, read_run(folder), summarize(folder)))

    def banner_message(self, text: str) -> None:
        self.banner.show_message(text)

    def _show_run(self, opened: tuple) -> None:
        """Replace everything the last run left on screen with this run's own state."""
        folder, log, summary = opened
        events = log.events
        self.banner.hide()
        if log.skipped:
            self.banner.show_message(log.note())
        self.run_dir = folder
        self.plots.clear()
        self.plots.load_events(events)
        self.books.clear()
        missing = self._show_run_books(summary)
        self.progress = Progress()
        for event in events:
            self.progress.update(event)
            if isinstance(event, ev.BookFinished):
                self.on_event(event)
        for name, problem in missing.items():
            self.books.set_state(name, "unusable", problem)
        if summary.state not in ("running",):
            self.progress.state = summary.state_text
        self._refresh_status()
        config = config_of(summary)
        if config is not None:
            self.config_panel.set_config(config)
        self.run_readonly = config is not None
        self.run_settings_label.setText(f"Settings of the run <b>{summary.name}</b> "
                                        f"(read-only; Train continues it)")
        self.read_only_bar.setVisible(self.run_readonly)
        self.results.set_models_folder(folder)
        self.sample_box.set_checkpoints(RunFolder(folder).checkpoints())
        self.runs.select(folder)
        self.pages.setCurrentWidget(self.workspace)
        if summary.state == "damaged":
            self.banner.show_message(f"{summary.name} is damaged: {summary.detail}")
        self._update_controls()

    def _show_run_books(self, summary) -> dict[str, str]:
        """The run's books, where it found them; returns the missing ones and why."""
        paths = [Path(p) for p in summary.book_paths]
        self.books.add_paths([p for p in paths if p.is_file()])
        known = {p.stem for p in paths if p.is_file()}
        missing = {}
        for name in summary.books:
            if name not in known:
                where = next((str(p) for p in paths if p.stem == name), "")
                missing[name] = self.books.add_missing(name, where)
        return missing

    def new_run_from(self, summary) -> None:
        """Start editing a new run from a run's books and settings (the shown one if None)."""
        if self.training:
            self.banner.show_message("Wait for the current run to end before starting another.")
            return
        if summary is not None:
            config = config_of(summary)
            if config is not None:
                self.config_panel.set_config(config)
            self.books.clear()
            self._show_run_books(summary)
        self.run_dir = None
        self.run_readonly = False
        self.read_only_bar.hide()
        self.plots.clear()
        self.progress = Progress()
        self._refresh_status()
        self._update_controls()

    def compare_runs(self, summaries: list) -> None:
        """Overlay the checked runs in the Compare tab (their logs are read in the background);
        only the latest choice is shown."""
        folders = [Path(s.path) for s in summaries]

        def task(control: TaskControl) -> list:
            runs = []
            for folder in folders:  # a run's log is the unit of work
                control.check()
                runs.append(load_run(folder))
            return runs

        self.comparer.start(task)

    def inspect_backstory(self, row: Backstory) -> None:
        """Open the Inspect tab on a backstory row, read by its book's model."""
        self.workspace.setCurrentWidget(self.inspect)
        self.inspect.show_backstory(row)

    def _show_comparison(self, runs: list) -> None:
        self.compare.set_runs(runs)
        if runs:
            self.pages.setCurrentWidget(self.workspace)
            self.workspace.setCurrentWidget(self.training_view)
            self.tabs.setCurrentWidget(self.compare)

    def _run_renamed(self, old: Path, new: Path) -> None:
        if self.run_dir == old:
            self.run_dir = new
            self.results.set_models_folder(new)
            self._update_controls()

    def ask_export(self) -> None:
        if self.run_dir is None:
            return
        target = QFileDialog.getExistingDirectory(self, "Export book models to")
        if not target:
            return
        bare = QMessageBox.question(
            self, "Export format",
            "Write bare state_dicts (for Pathway's reference BDH) instead of full checkpoints?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No) == QMessageBox.Yes
        self.export_checkpoints(Path(target), bare)

    def export_checkpoints(self, target: Path, bare: bool = False) -> None:
        """Copy (or strip to bare state_dicts) this run's book models in the background."""
        sources = RunFolder(self.run_dir).checkpoints()

        def task(control: TaskControl) -> list[Path]:
            written = []
            # every target first: a refused export writes nothing
            targets = [checkpoints.check_export_target(target / p.name, sources, "folder")
                       for p in sources]
            try:
                for done, (path, out) in enumerate(zip(sources, targets)):
                    control.check()
                    control.progress(done / len(sources), f"exporting {path.stem}…")
                    checkpoints.export_model(path, out, bare)
                    written.append(out)
            except UserError as exc:
                raise UserError(f"Export stopped after {len(written)} model(s): {exc}") from None
            return written

        self.exporter.start(task)
        self._update_controls()

    @Slot(object)
    def _exported(self, written: list[Path]) -> None:
        where = written[0].parent if written else ""
        self.statusBar().showMessage(f"Exported {len(written)} model(s) to {where}", 8000)

    def show_run_folder(self) -> None:
        if self.run_dir is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.run_dir)))

    def ask_save_config(self) -> None:
        config = self.config_panel.config()
        if config is None:
            self.banner.show_message("Fix the settings marked in red before saving them.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save settings", "bdh-settings.json",
                                              "JSON (*.json)")
        if path:
            config.save(path)

    def ask_load_config(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load settings", "", "JSON (*.json)")
        if path:
            self.load_config(Path(path))

    def load_config(self, path: Path) -> None:
        try:
            self.config_panel.set_config(cfg.load(path))
        except UserError as exc:
            self.banner.show_message(str(exc))

    # --- settings and closing ---------------------------------------------

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("config", self.config_panel.raw_values())
        s.setValue("books", self.books.all_paths())
        s.setValue("demo", self.demo)
        self.results.save_settings(s)
        s.sync()

    def restore_settings(self) -> None:
        s = self.settings
        if s.value("geometry") is not None:
            self.restoreGeometry(s.value("geometry"))
        saved = s.value("config")
        if isinstance(saved, dict):
            try:
                self.config_panel.set_config(cfg.from_dict(saved))
            except UserError:
                pass  # settings from another version: keep the defaults
        paths = [Path(p) for p in (s.value("books") or []) if Path(p).exists()]
        if paths:
            self.books.add_paths(paths)
        self.results.restore_settings(s)
        self._books_changed()  # CSVs alone are reason enough to leave the empty state

    def closeEvent(self, event) -> None:
        running = [task.what for task in self.running_tasks() if task.ask_on_close]
        if running:
            kept = " The book in training keeps a partial checkpoint." if self.training else ""
            answer = QMessageBox.question(
                self, "Work is running", f"Stop {', '.join(running)} and quit?{kept}",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                event.ignore()
                return
        stuck = self.stop_and_wait(JOIN_SECONDS)
        if stuck:
            QMessageBox.warning(
                self, "Still running",
                f"{', '.join(stuck)} did not stop within {JOIN_SECONDS:.0f} s. The window "
                f"stays open so no work is cut off mid-write; close it again to wait longer.")
            event.ignore()
            return
        self.save_settings()
        event.accept()
