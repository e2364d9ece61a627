"""Backstories: load the CSVs, cross-validate the classifier, read and export its results.

The panel owns no classifier logic: Run calls core.classifier.classify in a
worker thread, and the outcome is laid out by the widgets of cv_report,
predictions_table and surprise_view.  A selected row's shading is computed
in a second worker with the book models the run kept: on a CPU a paper-preset
model takes seconds for one backstory (a cpu-preset one 20-700 ms on a busy
two-core machine), too long for the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox,
                               QSplitter, QStackedWidget, QVBoxLayout, QWidget)

from ..core import backstories
from ..core.backstories import LABELS, Backstory, BackstorySet
from ..core.classifier import Outcome, classify, write_predictions
from ..core.classify_runs import checkpoints_used, describe, load, partial_note, save, saved
from ..core.config import CLASSIFIER_MODES
from ..core.control import TaskControl
from ..core.countdown import Countdown, duration, timed
from ..core.errors import UserError, WriteFailed
from ..core.outputs import check_file
from ..core.predictions import PredictionRow, out_of_fold, prediction_rows, write_table
from ..core.run.summary import is_run
from ..core.runtime import resolve
from ..core.surprise import char_surprise
from . import file_dialogs
from .background import BackgroundTask
from .cv_report import FoldChart, ReportTables
from .elided_label import ElidedLabel
from .predictions_table import (CONFIDENCE, TEXT, ConfidenceDelegate, PredictionsFilter,
                                PredictionsModel, PredictionsView)
from .problems_line import ProblemsLine
from .surprise_view import SurpriseView
from .work_queue import WorkQueue

SETTINGS = "backstories"
TEXT_CHARS = 24  # the backstory column's width where the others leave it no room
EXPORT_IDS, EXPORT_TABLE = "Export id,label…", "Export table…"  # named in messages as well


def read_csv(path: Path) -> tuple[bool, BackstorySet] | str:
    """Whether the CSV is labelled (train) and its rows, or why it cannot be used."""
    try:
        labelled = backstories.is_labelled(path)
        return labelled, backstories.read(path, labelled=labelled)
    except UserError as exc:
        return str(exc)


@dataclass(frozen=True)
class Shown:
    """A classifier result as the panel shows it, and what it was made from."""
    outcome: Outcome
    note: str
    models: str  # the book-model folder it used: another folder's result is not shown
    kept: Path | None  # where it is kept, if it is
    not_kept: str = ""  # why a run folder could not keep it, and what to do


def keep(models: str, outcome: Outcome, settings: dict) -> tuple[Path | None, str]:
    """Keep ``outcome`` under its book-model run: the folder, or why not and what to do.

    A full disk or a read-only run folder must not cost the minutes of work
    just done: the result is shown all the same, and Export saves it elsewhere.
    """
    try:
        return save(models, outcome, settings), ""
    except WriteFailed as exc:
        return None, (f"This classifier result is shown but could not be kept with the run: "
                      f"{exc}. To save it now, use {EXPORT_IDS} (the test predictions) or "
                      f"{EXPORT_TABLE} (every row) below the predictions: they write to a "
                      f"folder you choose.")


class ResultsPanel(QWidget):
    problem = Signal(str)
    warning = Signal(str)  # added below the banner's message: the work it concerns is shown
    busy_changed = Signal()
    backstories_loaded = Signal(list)  # the usable rows of the loaded CSVs, train then test
    inspect_requested = Signal(object)  # the Backstory of the selected row

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.outcome: Outcome | None = None
        self._shown: Shown | None = None
        self._training = False
        self.device, self.precision = "auto", "auto"
        self._surprise: dict[tuple[str, str], np.ndarray] = {}
        self._loaded: dict[bool, BackstorySet] = {}  # by labelled: what the CSVs hold
        self._build()
        self.worker = BackgroundTask("the classifier", self)
        self.worker.progressed.connect(self._progress)
        self.worker.succeeded.connect(self._classified)
        self.worker.cancelled.connect(self._stopped)
        self.worker.failed.connect(self._failed)
        self.worker.idle.connect(self._update_controls)
        self.worker.idle.connect(self.progress.hide)
        self.worker.idle.connect(self.busy_changed)
        self.scorer = BackgroundTask("surprise scoring", self, replace=True,
                                     ask_on_close=False)
        self.scorer.succeeded.connect(self._show_surprise)
        self.scorer.failed.connect(self.surprise.show_message)
        # A CSV of a few thousand rows takes well over 50 ms to parse and check.
        self.loader = WorkQueue("reading backstories", read_csv, self)
        self.loader.done_one.connect(self._csv_read)
        self.loader.drained.connect(self._csvs_read)
        # Replacing: each keystroke in the models field asks anew, the last one wins.
        self.kept_lister = BackgroundTask("listing kept results", self, replace=True,
                                          ask_on_close=False)
        self.kept_lister.succeeded.connect(self._show_kept)
        self._update_controls()

    # --- building ---------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_inputs())
        self.problems = ProblemsLine()
        layout.addWidget(self.problems)
        self.pages = QStackedWidget()
        self.hint = QLabel("Load a train CSV (and a test CSV), choose the folder of book "
                           "models, and press Run: the cross-validated report, the "
                           "predictions and each backstory's surprise show here.",
                           wordWrap=True, alignment=Qt.AlignCenter)
        self.hint.setStyleSheet("color: #666;")
        self.pages.addWidget(self.hint)
        self.pages.addWidget(self._build_results())
        layout.addWidget(self.pages, 1)

    def _path(self, row: QHBoxLayout, label: str, placeholder: str, ask) -> QLineEdit:
        edit = QLineEdit(placeholderText=placeholder)
        edit.textChanged.connect(self._update_controls)
        edit.textChanged.connect(edit.setToolTip)
        browse = QPushButton("…", clicked=ask)
        browse.setToolTip(f"Choose the {label.lower()}")
        browse.setFixedWidth(32)
        row.addWidget(QLabel(label))
        row.addWidget(edit, 1)
        row.addWidget(browse)
        row.addSpacing(8)
        return edit

    def _build_inputs(self) -> QVBoxLayout:
        paths = QHBoxLayout()
        self.train_path = self._path(paths, "Train CSV", "id,book_name,char,caption,content,"
                                     "label", self.ask_train)
        self.test_path = self._path(paths, "Test CSV", "optional, no label column",
                                    self.ask_test)
        self.models_path = self._path(paths, "Book models", "a run folder, or a folder of .pt "
                                      "files", self.ask_models)
        self.mode = QComboBox()
        self.mode.addItems(CLASSIFIER_MODES)
        self.mode.setToolTip("features: book-model surprise and hidden states into a logistic "
                             "regression (fast); finetune: each book model plus a head, "
                             "trained per fold (slow)")
        self.folds = QSpinBox(minimum=2, maximum=20, value=5, prefix="k = ")
        self.folds.setToolTip("folds of the stratified k-fold cross-validation")
        self.repeats = QSpinBox(minimum=1, maximum=20, value=1, suffix=" repeat(s)")
        self.repeats.setToolTip("repeat the k folds with other splits, for a steadier spread")
        self.run_button = QPushButton("Run", clicked=self.run)
        self.stop_button = QPushButton("Stop", clicked=self.stop)
        self.progress = QProgressBar(maximum=1000, textVisible=False)
        self.progress.setFixedWidth(180)
        self.progress.hide()  # shown while a run goes; after it, the words beside it have its room
        # Cut at its end: what finished comes first, the folder it is kept in last.  Cut in
        # its middle it read "features: 36 train rows …26-12-04_20-07-35-198075" at 1024 px.
        self.message = ElidedLabel(objectName="classifierMessage", elide=Qt.ElideRight)
        self.message.setAccessibleName("What the classifier is doing")
        options = QHBoxLayout()
        for w in (QLabel("Mode"), self.mode, self.folds, self.repeats, self.run_button,
                  self.stop_button, self.progress):
            options.addWidget(w)
        options.addWidget(self.message, 1)
        self.kept = QComboBox(objectName="keptClassifierRuns")
        self.kept.setAccessibleName("Classifier runs kept with this run")
        self.kept.setPlaceholderText("none kept with these book models yet")
        self.kept.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.kept.setMinimumContentsLength(40)
        self.reopen_button = QPushButton("Reopen", objectName="reopenClassifierRun",
                                         clicked=self.reopen)
        self.reopen_button.setToolTip("Show a kept classifier run again, as it was, without "
                                      "running it again")
        self.models_path.textChanged.connect(self.refresh_kept)
        kept = QHBoxLayout()
        for w in (QLabel("Kept results"), self.kept, self.reopen_button):
            kept.addWidget(w)
        kept.addStretch(1)
        inputs = QVBoxLayout()
        inputs.addLayout(paths)
        inputs.addLayout(options)
        inputs.addLayout(kept)
        return inputs

    def _build_results(self) -> QWidget:
        self.chart = FoldChart()
        self.report = ReportTables()  # scrolls, not overlaps, in a small window
        top = QSplitter(Qt.Horizontal)
        top.addWidget(self.chart)
        top.addWidget(self.report)
        top.setSizes([420, 780])
        self.surprise = SurpriseView()
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(self._build_predictions())
        bottom.addWidget(self.surprise)
        bottom.setSizes([880, 380])
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([300, 420])
        return split

    def _build_predictions(self) -> QWidget:
        self.model = PredictionsModel(self)
        self.proxy = PredictionsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = PredictionsView()
        self.table.setObjectName("predictions")
        self.table.setAccessibleName("Predictions")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setItemDelegateForColumn(CONFIDENCE, ConfidenceDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        # The text fills what the other columns leave, but keeps room for a few words (and
        # its title) where they leave none: stretched, it was 26 px, "…ks", at 1024x700.
        header.setSectionResizeMode(TEXT, QHeaderView.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(TEXT, header.fontMetrics().averageCharWidth() * TEXT_CHARS)
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)
        self.book_filter, self.label_filter = QComboBox(), QComboBox()
        self.label_filter.addItem("any label", None)
        for label in LABELS:
            self.label_filter.addItem(f"predicted {label}", label)
        self.split_filter = QComboBox()
        self.split_filter.addItems(PredictionsFilter.SPLITS)
        for combo in (self.book_filter, self.label_filter, self.split_filter):
            combo.currentIndexChanged.connect(self._filter)
        self.export_button = QPushButton(EXPORT_IDS, clicked=self.ask_export_predictions)
        self.export_button.setToolTip("The test predictions as the competition expects them")
        self.export_table_button = QPushButton(EXPORT_TABLE, clicked=self.ask_export_table)
        self.export_table_button.setToolTip("Every row with its book, character, confidence, "
                                            "true label (train rows) and text")
        self.inspect_button = QPushButton("Inspect row", objectName="inspectRow",
                                          clicked=self.inspect_selected)
        self.inspect_button.setAccessibleName("Inspect the selected row")
        self.inspect_button.setToolTip("Read the selected backstory with its book's model in "
                                       "the Inspect tab: which neurons fire, layer by layer")
        self.inspect_button.setEnabled(False)
        # The filters above the table, what to do with a row below it: in one row they
        # asked for 743 px and, with the surprise view beside them, widened the window.
        filters, actions = QHBoxLayout(), QHBoxLayout()
        for w in (QLabel("<b>Predictions</b>"), self.book_filter, self.label_filter,
                  self.split_filter):
            filters.addWidget(w)
        filters.addStretch(1)
        actions.addStretch(1)
        for w in (self.inspect_button, self.export_button, self.export_table_button):
            actions.addWidget(w)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        return box

    # --- inputs -----------------------------------------------------------

    def ask_train(self) -> None:
        self._ask_csv("Train CSV (with a label column)")

    def ask_test(self) -> None:
        self._ask_csv("Test CSV")

    def _ask_csv(self, title: str) -> None:
        path = file_dialogs.open_file(self, title, "CSV (*.csv)")
        if path:
            self.add_csvs([Path(path)])

    def ask_models(self) -> None:
        folder = file_dialogs.folder(self, "Run folder or folder of book models")
        if folder:
            self.models_path.setText(folder)

    def add_csvs(self, paths: list[Path]) -> None:
        """Each CSV goes to train or test by its header (a label column makes it train);
        they are read in the background."""
        self.loader.add(paths)

    @property
    def loading(self) -> bool:
        return self.loader.busy

    def _csv_read(self, read: tuple[bool, BackstorySet] | str) -> None:
        if isinstance(read, str):
            self.problem.emit(read)
            return
        labelled, rows = read
        self._loaded[labelled] = rows
        (self.train_path if labelled else self.test_path).setText(str(rows.path))

    def _csvs_read(self) -> None:
        self.problems.show_sets(list(self._loaded.values()))
        self.backstories_loaded.emit(self.backstories())
        loaded = ", ".join(f"{s.path.name}: {len(s.rows)} rows" for s in self._loaded.values())
        if loaded and not self.running:
            self.message.setText(f"loaded {loaded}")

    def backstories(self) -> list[Backstory]:
        """The usable rows of the loaded CSVs, train then test."""
        return [row for labelled in (True, False)
                for row in getattr(self._loaded.get(labelled), "rows", [])]

    def set_models_folder(self, folder: Path | None) -> None:
        if folder is not None:
            self.models_path.setText(str(folder))

    def has_input(self) -> bool:
        return bool(self.train_path.text() or self.test_path.text()) or self.loading

    # --- running ----------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.worker.running

    def set_runtime(self, device: str, precision: str) -> None:
        """The window's device and precision, for the next run (its rows are scored alike)."""
        self.device, self.precision = device, precision

    def set_training(self, training: bool) -> None:
        """While books train, their models change under the classifier: Run waits."""
        self._training = training
        self._update_controls()

    def _update_controls(self) -> None:
        ready = bool(self.train_path.text().strip() and self.models_path.text().strip())
        self.run_button.setEnabled(ready and not self.running and not self._training)
        reason = ("wait for training to finish" if self._training else
                  "" if ready else "choose a train CSV and the book models folder")
        self.run_button.setToolTip("Cross-validate, then predict the test rows (in the "
                                   "background)" if not reason else f"Cannot run: {reason}")
        self.stop_button.setEnabled(self.running)
        self.reopen_button.setEnabled(self.kept.count() > 0 and not self.running)
        self.export_button.setEnabled(bool(self.outcome and self.outcome.predictions))
        self.export_table_button.setEnabled(self.outcome is not None)

    def run(self) -> None:
        if not self.run_button.isEnabled():
            return
        train, test = self.train_path.text().strip(), self.test_path.text().strip() or None
        models, mode = self.models_path.text().strip(), self.mode.currentText()
        folds, repeats = self.folds.value(), self.repeats.value()
        device, precision = self.device, self.precision

        def task(control: TaskControl) -> Shown:
            began = Countdown()
            outcome = classify(train, models, test, mode=mode, folds=folds, repeats=repeats,
                               control=control.relay(timed(control.progress)),
                               runtime=resolve(device, precision))
            # The result's message replaces the progress one, which said how long it took.
            took = f"in {duration(began.elapsed())}"
            note, kept, not_kept = partial_note(checkpoints_used(outcome)), None, ""
            if is_run(Path(models)):  # a run folder keeps the results made from it
                settings = {"train": train, "test": test, "models": models, "mode": mode,
                            "folds": folds, "repeats": repeats}
                kept, not_kept = keep(models, outcome, settings)
                where = f"kept in {kept}" if kept else "not kept: see the message at the top"
                note = "; ".join(filter(None, [where, note]))
            return Shown(outcome, "; ".join(filter(None, [took, note])), models, kept, not_kept)

        self.worker.start(task)
        self.progress.setValue(0)
        self.progress.show()
        self.message.setText(f"{mode}: starting…")
        self._update_controls()
        self.busy_changed.emit()

    def refresh_kept(self) -> None:
        """List the classifier runs kept under the book-model run chosen, in the background;
        a result of other book models leaves the screen with them."""
        models = self.models_path.text().strip()
        if self._shown is not None and self._shown.models != models:
            self._clear_outcome()
        self.kept_lister.start(lambda control: [(folder, describe(folder))
                                                for folder in saved(models or None)])

    def _show_kept(self, kept: list[tuple[Path, str]]) -> None:
        """The kept classifier runs, newest first, each by its mode, k, repeats and accuracy;
        the one shown is current."""
        self.kept.clear()
        for folder, description in kept:
            self.kept.addItem(description, str(folder))
        shown = self.kept.findData(str(self._shown.kept)) if self._shown and \
            self._shown.kept else -1
        self.kept.setCurrentIndex(shown if shown >= 0 else 0 if self.kept.count() else -1)
        self._update_controls()

    def reopen(self) -> None:
        folder = self.kept.currentData()
        if folder is None or self.running:
            return

        models = self.models_path.text().strip()

        def task(control: TaskControl) -> Shown:
            outcome, kept = load(folder)
            return Shown(outcome, "; ".join(filter(None, [f"reopened {Path(folder).name}",
                                                          kept.get("partial", "")])),
                         models, Path(folder))

        self.worker.start(task)
        self.message.setText(f"reopening {Path(folder).name}…")
        self._update_controls()
        self.busy_changed.emit()

    @Slot(object)
    def _classified(self, shown: Shown) -> None:
        self.show_outcome(shown.outcome)
        self._shown = shown
        if shown.note:
            self.message.setText(f"{self.message.text()}; {shown.note}")
        if shown.not_kept:
            self.warning.emit(shown.not_kept)
        self.refresh_kept()

    def stop(self) -> None:
        if self.running:
            self.worker.cancel()
            self.message.setText("stopping after the current step…")

    @Slot(float, str)
    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(1000 * fraction))
        self.message.setText(message)

    @Slot()
    def _stopped(self) -> None:
        self.message.setText("stopped; the last results are kept")

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.message.setText("failed: see the message at the top")
        self.problem.emit(message)

    # --- results ----------------------------------------------------------

    @Slot(object)
    def show_outcome(self, outcome: Outcome) -> None:
        """Lay out ``outcome``; the mode, k and repeats fields show how it was made."""
        self.outcome, self._shown = outcome, None
        repeats = len({f.repeat for f in outcome.report.folds}) or 1
        self.mode.setCurrentText(outcome.mode)
        self.folds.setValue(len(outcome.report.folds) // repeats)
        self.repeats.setValue(repeats)
        self._surprise.clear()
        self.problems.show_sets([outcome.train, outcome.test])
        self.chart.show_report(outcome.report)
        self.report.show_report(outcome.report, out_of_fold(outcome)["confusion"])
        self.model.set_rows(prediction_rows(outcome))
        self._fill_book_filter(outcome)
        self.surprise.show_message("Select a row to see how surprising its book's model "
                                   "finds each character.")
        self.pages.setCurrentIndex(1)
        n_test = len(outcome.predictions)
        self.message.setText(f"{outcome.mode}: {len(outcome.oof)} train rows cross-validated"
                             + (f", {n_test} test rows predicted" if n_test else ""))
        self._update_controls()

    def _clear_outcome(self) -> None:
        self.outcome, self._shown = None, None
        self._surprise.clear()
        self.model.set_rows([])
        self.pages.setCurrentIndex(0)
        self.message.setText("")
        self._update_controls()

    def _fill_book_filter(self, outcome: Outcome) -> None:
        self.book_filter.blockSignals(True)
        self.book_filter.clear()
        self.book_filter.addItem("all books", None)
        for key, book in sorted(outcome.models.items()):
            self.book_filter.addItem(book.name, key)
        self.book_filter.blockSignals(False)
        self._filter()

    def _filter(self) -> None:
        self.proxy.set_filter(self.book_filter.currentData(), self.label_filter.currentData(),
                              self.split_filter.currentText())

    def select_row(self, proxy_row: int) -> None:
        """Select a visible row, as a click does."""
        self.table.selectionModel().setCurrentIndex(
            self.proxy.index(proxy_row, 0),
            QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)

    # --- a row's surprise -------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _row_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.inspect_button.setEnabled(current.isValid())
        if not current.isValid() or self.outcome is None:
            return  # rows without a classifier run have no book models to score with
        row = self.model.rows[self.proxy.mapToSource(current).row()]
        cached = self._surprise.get((row.split, row.story.id))
        if cached is not None:
            self._show_surprise((row, cached))
            return
        self.surprise.show_message(f"Scoring row {row.story.id} with the model of "
                                   f"{row.story.book_name}…")
        book = self.outcome.models[row.story.book_key]
        text = row.story.text()
        # The scorer replaces: a click made meanwhile cancels the row before it.
        self.scorer.start(lambda control: (row, char_surprise(book, text, control)))

    @Slot(object)
    def _show_surprise(self, result: tuple[PredictionRow, np.ndarray]) -> None:
        row, nats = result
        self._surprise[(row.split, row.story.id)] = nats
        if self.selected_row() is not row:
            return
        s, p = row.story, row.prediction
        truth = f", true {s.label}" if s.label else ""
        self.surprise.show_text(f"<b>Row {s.id}</b> · {s.book_name} · {s.char} — predicted "
                                f"{p.label} ({p.confidence:.0%}){truth}", s.text(), nats)

    def inspect_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.inspect_requested.emit(row.story)

    def selected_row(self) -> PredictionRow | None:
        current = self.table.selectionModel().currentIndex()
        return self.model.rows[self.proxy.mapToSource(current).row()] \
            if current.isValid() else None

    # --- exports and settings -----------------------------------------------

    def ask_export_predictions(self) -> None:
        path = file_dialogs.save_file(self, "Export predictions", "predictions.csv",
                                      "CSV (*.csv)")
        if path:
            self.export_predictions(Path(path))

    def ask_export_table(self) -> None:
        path = file_dialogs.save_file(self, "Export the predictions table",
                                      "predictions-table.csv", "CSV (*.csv)")
        if path:
            self.export_table(Path(path))

    def export_predictions(self, path: Path) -> None:
        """id,label of the test rows: exactly the competition's file."""
        self._export(lambda: write_predictions(path, self.outcome.predictions,
                                               confidence=False), path)

    def export_table(self, path: Path) -> None:
        self._export(lambda: write_table(path, self.model.rows), path)

    def _export(self, write, path: Path) -> None:
        try:
            check_file(path, [], "file", path.name)
            write()
        except UserError as exc:
            self.problem.emit(str(exc))
        else:
            self.message.setText(f"wrote {path}")

    def save_settings(self, s: QSettings) -> None:
        s.beginGroup(SETTINGS)
        for key, value in (("train", self.train_path.text()), ("test", self.test_path.text()),
                           ("models", self.models_path.text()),
                           ("mode", self.mode.currentText()), ("folds", self.folds.value()),
                           ("repeats", self.repeats.value())):
            s.setValue(key, value)
        s.endGroup()

    def restore_settings(self, s: QSettings) -> None:
        s.beginGroup(SETTINGS)
        self.mode.setCurrentText(str(s.value("mode", self.mode.currentText())))
        self.folds.setValue(int(s.value("folds", self.folds.value())))
        self.repeats.setValue(int(s.value("repeats", self.repeats.value())))
        self.models_path.setText(str(s.value("models", "")))
        csvs = [Path(str(s.value(key, ""))) for key in ("train", "test") if s.value(key)]
        s.endGroup()
        self.add_csvs([p for p in csvs if p.is_file()])
