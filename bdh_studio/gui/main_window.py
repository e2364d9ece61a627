"""The main window: books and settings on the left, live plots on the right; backstories
on a second tab, the model inspector on a third.

It lays out, holds the actions and wires: the run it shows is a ``RunSession``,
which trains, opens, compares and exports in the background and answers by
signals; the panels do their own work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QMainWindow, QStackedWidget, QTabWidget,
                               QVBoxLayout, QWidget)

from .. import resources
from ..core import config as cfg
from ..core import events as ev
from ..core.backstories import Backstory
from ..core.run.naming import new_run_folder
from ..core.run.root import default_runs_root
from ..core.run.summary import OpenedRun, config_of
from . import file_dialogs
from .accessibility import name_controls
from .actions import train_tip
from .background import BackgroundTask, stop_and_join
from .banner import Banner
from .books_panel import BooksPanel
from .closing import JOIN_SECONDS, may_close
from .compare_plots import ComparePlots
from .config_panel import ConfigPanel
from .dialogs import ask_export_target
from .empty_state import EmptyState
from .file_drops import FileDrops
from .help_menu import build_help_menu
from .inspect.panel import InspectPanel
from .lazy_tab import LazyTab
from .name_dialog import ask_name
from .plots import TrainingPlots
from .results_panel import ResultsPanel
from .run_session import RunSession
from .run_settings import RunSettings
from .run_status import RunStatus
from .runs_panel import RunsPanel
from .sample_box import SampleBox
from .screen_fit import first_size
from .settings_conflict import ask_settings_conflict
from .show_folder import show_folder
from .shown_tab import height_of_shown_tab
from .training_view import TrainingView
from .window_actions import build_actions
from .window_state import restore_state, save_state


def banner_text(event: ev.Event) -> str | None:
    """What the banner tells of a training event: a failure, a warning, or why a book
    finished before its budget (its patience ran out)."""
    if isinstance(event, (ev.BookFailed, ev.BookWarning, ev.RunFailed)):
        return event.message
    if isinstance(event, ev.BookFinished) and event.status == "finished" and event.message:
        return f"{event.book}: {event.message}"
    return None


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, runs_root: Path | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        # --runs-dir holds for one launch; the root picked in the window is remembered.
        self.runs_root = Path(runs_root or self.settings.value("runs_root")
                              or default_runs_root())
        self.setWindowTitle("BDH Studio")
        self.setWindowIcon(QIcon(str(resources.icon())))
        self.resize(first_size())
        self.demo = False
        self.session = RunSession(self.runs_root, lambda run, changed: ask_settings_conflict(
            self, run, changed), self)
        self.books = BooksPanel()
        self.config_panel = ConfigPanel()
        self.plots = TrainingPlots()
        self.sample_box = SampleBox()
        self.results = ResultsPanel()
        self.runs = RunsPanel(self.runs_root)
        self.compare = ComparePlots()
        self.run_settings = RunSettings(self.config_panel)
        self.banner = Banner()
        self.drops = FileDrops(self)
        build_actions(self)
        self._build_layout()
        self.run_status = RunStatus(self.statusBar(), lambda: self.session.progress)
        self._wire()
        self.restore_settings()
        self._update_controls()
        name_controls(self)

    def _wire(self) -> None:
        s = self.session
        s.starting.connect(self._training_starts)
        s.event.connect(self.on_event)
        s.past.connect(self.plots.show_state)
        s.refused.connect(lambda problems: [self.books.mark_unusable(path, why.removeprefix(
            f"{path.name}: ")) for path, why in problems.items()])
        s.finished.connect(self._training_ended)
        s.opened.connect(self._show_run)
        s.checkpoints_listed.connect(self.sample_box.set_checkpoints)
        s.compared.connect(self._show_comparison)
        s.status.connect(self.statusBar().showMessage)
        s.changed.connect(self._update_controls)
        for source in (s, self.run_settings, self.books, self.results, self.plots, self.runs, self.compare):
            source.problem.connect(self.banner.show_message)
        self.drops.csvs.connect(self._csvs_dropped)
        self.drops.books.connect(self.books.add_paths)
        self.books.changed.connect(self._books_changed)
        self.runs.open_requested.connect(self.session.open_run)
        self.runs.new_from_config.connect(self.new_run_from)
        self.run_settings.new_run_requested.connect(lambda: self.new_run_from(None))
        self.runs.renamed.connect(self._run_renamed)
        self.runs.deleted.connect(self._run_deleted)
        self.runs.checked_changed.connect(
            lambda summaries: s.compare([Path(summary.path) for summary in summaries]))
        self.results.busy_changed.connect(self._update_controls)
        self.results.warning.connect(self.banner.add_message)
        self.results.inspect_requested.connect(self.inspect_backstory)
        self.config_panel.changed.connect(self._update_controls)
        self.config_panel.changed.connect(self._runtime_changed)
        self.config_panel.seeds.valueChanged.connect(self._update_controls)

    # --- building ---------------------------------------------------------

    def _build_layout(self) -> None:
        self.training_view = TrainingView(self.books, self.run_settings, (
            (self.plots, "Training"), (self.compare, "Compare"), (self.sample_box, "Sample")))
        self.workspace = QTabWidget(documentMode=True)
        self.workspace.addTab(self.training_view, "Books and training")
        self.workspace.addTab(self.results, "Backstories")
        self._inspect_tab = LazyTab(self.workspace, "Inspect", self._build_inspect)
        for tabs in (self.workspace, self.training_view.tabs):
            height_of_shown_tab(tabs)
        self.pages = QStackedWidget()
        self.empty_state = EmptyState(self.books.ask_folder, self.load_demo, self.ask_open_run)
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
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        # As short as its rows allow (two runs, a selected run's notes): at 1024x700 the
        # 160 px it had were the loss plot's, 40 px tall.  A person drags it taller.
        self.resizeDocks([dock], [dock.minimumSizeHint().height()], Qt.Vertical)
        view = self.menuBar().addMenu("&View")
        toggle = dock.toggleViewAction()  # checked while shown: closing it is undone here
        toggle.setObjectName("showRunsDock")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+U"))
        view.addAction(toggle)
        build_help_menu(self, self.menuBar().addMenu("&Help"))

    @property
    def inspect(self) -> InspectPanel:
        """The Inspect tab, built when first shown or used: a third of the window's build,
        which a session that only trains never needs."""
        return self._inspect_tab.widget

    def _build_inspect(self) -> InspectPanel:
        panel = InspectPanel(self.session.checkpoints, self.settings,
                             run_books=self.books.all_paths)
        panel.problem.connect(self.banner.show_message)
        panel.set_backstories(self.results.backstories())
        self.results.backstories_loaded.connect(panel.set_backstories)
        return panel

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

    def _csvs_dropped(self, csvs: list[Path]) -> None:
        self.results.add_csvs(csvs)
        self.pages.setCurrentWidget(self.workspace)
        self.workspace.setCurrentWidget(self.results)

    # --- training ---------------------------------------------------------

    @property
    def training(self) -> bool:
        return self.session.training

    @property
    def run_dir(self) -> Path | None:
        return self.session.run_dir

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
        self.train_action.setToolTip(train_tip(valid, has_books, self.run_dir,
                                               self.session.planned, self._seeds()))
        self.pause_action.setEnabled(self.training)
        self.stop_action.setEnabled(self.training)
        self.config_panel.setEnabled(not self.training and not self.session.readonly)
        has_run = self.run_dir is not None
        self.export_action.setEnabled(has_run and not self.training
                                      and not self.session.exporter.running)
        self.folder_action.setEnabled(has_run)

    def ask_new_run(self) -> None:
        """Name a new run and make it current, its settings open to edit; Train makes it."""
        ask_name(self, "newRunDialog", "New run", "Name of the new run:",
                 self.session.default_name(self.config_panel.config(), self.books.included()),
                 self._plan_run)

    def _plan_run(self, name: str) -> None:
        self.new_run_from(None, new_run_folder(self.runs_root, name))
        self.statusBar().showMessage(f"New run {self.session.planned.name}: set its books "
                                     f"and settings, then Train", 30_000)

    def ask_runs_root(self) -> None:
        folder = file_dialogs.folder(self, "Folder for runs", self.runs_root)
        if folder:
            self.runs_root = self.session.runs_root = Path(folder)
            self.settings.setValue("runs_root", folder)
            self.runs.set_root(self.runs_root)

    def _seeds(self) -> int:
        """How many runs Train makes: an opened run's Train continues that one run (its
        settings, Seeds with them, are read-only)."""
        return 1 if self.session.readonly else self.config_panel.seeds.value()

    def start_training(self, run_dir: Path | None = None) -> None:
        """Train into ``run_dir``, else continue the current run, else start a new one."""
        config, books = self.config_panel.config(), self.books.included()
        if config is not None and books and not self.training:
            self.banner.hide()
            self.session.train(config, books, run_dir, self._seeds())

    def _training_starts(self, out: Path) -> None:
        self.statusBar().clearMessage()  # a hint such as New run's ("…, then Train") is done
        self.runs.busy = {out}
        self.results.set_models_folder(out)
        self.plots.clear()
        self.save_settings()
        self.books.hold_for_run()
        self.pause_action.setText("Pause")

    def on_event(self, event: ev.Event) -> None:
        self.plots.handle(event)
        self.books.show_event(event)
        if (news := banner_text(event)) is not None:
            self.banner.add_message(news)
        if isinstance(event, (ev.RunStarted, ev.ValidationLogged, ev.BookFinished,
                              ev.RunFinished)):
            self.runs.schedule()  # its state, losses, duration and size moved on

    def _training_ended(self) -> None:
        self.books.release()
        self.runs.busy = set()
        self.runs.set_paused(self.run_dir, False)
        self.pause_action.setText("Pause")
        self._update_controls()
        self.run_status.refresh()

    def toggle_pause(self) -> None:
        """Pause or resume; the book, the run and the status bar all say which."""
        if not self.training:
            return
        paused = self.session.toggle_pause()
        self.pause_action.setText("Resume" if paused else "Pause")
        if self.session.progress.book:
            self.books.set_state(self.session.progress.book, "paused" if paused else "training")
        self.runs.set_paused(self.run_dir, paused)
        self.run_status.refresh()

    def running_tasks(self) -> list[BackgroundTask]:
        """Every background task of the window and its panels that is running now."""
        return [task for task in self.findChildren(BackgroundTask) if task.running]

    def stop_and_wait(self, seconds: float = JOIN_SECONDS) -> list[str]:
        """Cancel every task and join them within one deadline; returns those still running."""
        tasks = self.running_tasks()
        self.session.stop()  # says "stopping…" in the status bar
        return stop_and_join(tasks, seconds)

    # --- runs and outputs -------------------------------------------------

    def ask_open_run(self) -> None:
        folder = file_dialogs.folder(self, "Run folder (with metrics.jsonl)", self.runs_root)
        if folder:
            self.session.open_run(Path(folder))

    def _show_run(self, run: OpenedRun) -> None:
        """Replace everything the last run left on screen with this run's own state."""
        summary = run.summary
        self.banner.hide()
        self.plots.show_state(run.state)
        self.books.show_run(summary.book_paths, summary.books, run.state.outcomes)
        self.run_status.refresh()
        self.run_settings.show_run(config_of(summary), summary.name if self.session.readonly
                                   else None)
        self.results.set_models_folder(run.folder)
        self.runs.select(run.folder)
        self.pages.setCurrentWidget(self.workspace)
        problems = [run.log.note()] if run.log.skipped else []
        if summary.state == "damaged":
            problems.append(f"{summary.name} is damaged: {summary.detail}")
        if problems:
            self.banner.show_message("\n".join(problems))
        self._update_controls()

    def new_run_from(self, summary, planned: Path | None = None) -> None:
        """Start editing a new run from a run's books and settings (the shown one if None),
        in the folder ``planned`` if a person named it."""
        if self.training:
            self.banner.show_message("Wait for the current run to end before starting another.")
            return
        if summary is not None:
            self.books.clear()
            self.books.add_run_books(summary.book_paths, summary.books)
        self.session.leave_run(planned)
        self.books.forget_outcomes()
        self.run_settings.show_run(config_of(summary) if summary else None, None)
        self.plots.clear()
        self.run_status.refresh()
        self._update_controls()

    def inspect_backstory(self, row: Backstory) -> None:
        """Open the Inspect tab on a backstory row, read by its book's model."""
        self.workspace.setCurrentWidget(self.inspect)
        self.inspect.show_backstory(row)

    def _show_comparison(self, runs: list) -> None:
        self.compare.set_runs(runs)
        if runs:
            self.pages.setCurrentWidget(self.workspace)
            self.workspace.setCurrentWidget(self.training_view)
            self.training_view.tabs.setCurrentWidget(self.compare)

    def _run_renamed(self, old: Path, new: Path) -> None:
        if self.run_dir == old:
            self.session.renamed(old, new)
            self.results.set_models_folder(new)

    def _run_deleted(self, folder: Path) -> None:
        """The deleted run leaves the screen: the next Train makes a new run, never it again."""
        if self.run_dir == folder and not self.training:
            self.new_run_from(None)
            self.sample_box.set_checkpoints([])

    def ask_export(self) -> None:
        answer = ask_export_target(self) if self.run_dir is not None else None
        if answer is not None:
            self.session.export_checkpoints(*answer)

    def show_run_folder(self) -> None:
        if self.run_dir is not None:
            show_folder(self.run_dir, self.banner.show_message)

    # --- settings and closing ---------------------------------------------

    def save_settings(self) -> None:
        save_state(self.settings, self, self.config_panel, self.books, self.results, self.demo)
        self.compare.hparams.save_settings(self.settings)
        self.settings.setValue("run", str(self.run_dir or ""))
        self.settings.sync()

    def restore_settings(self) -> None:
        restore_state(self.settings, self, self.config_panel, self.books, self.results)
        self.compare.hparams.restore_settings(self.settings)
        self._books_changed()  # CSVs alone are reason enough to leave the empty state
        last = Path(str(self.settings.value("run") or ""))
        if last.name and last.is_dir():
            self.session.open_run(last)  # the last run, as it is on disk now

    def closeEvent(self, event) -> None:
        if may_close(self, self.running_tasks(), self.training, self.stop_and_wait):
            self.save_settings()
            event.accept()
        else:
            event.ignore()
