"""The Inspect tab: choose a book model and a book, then read, scan, search and graph.

All the work runs in one background task at a time with a progress bar, the time
it has run and about how long it has left, and Cancel; what was chosen is
remembered in QSettings.  A task never reads a control: what the controls say is
read on the GUI thread into a ``Choice`` before it starts, and the model it
loaded comes back with its result.  A
result is of the choices its task started with (the model; for a scan or a
search also the book, sample size, layer and activation; for a byte's top
neurons the byte and the activation shown): choosing another cancels the task,
and a result that still arrives is dropped, so a view never shows one choice's
result under the controls of another.  A scan or a concept search already
shown is cleared too when a setting it was made with changes, its note saying
which (a neuron opened from a search would be scanned for the settings chosen
now, not for the search's).  A task asked for while a replaced one is still
ending starts once that one has ended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSpinBox, QTabWidget, QVBoxLayout,
                               QWidget)

from ...core.backstories import Backstory, normalise
from ...core.control import TaskControl
from ...core.countdown import timed
from ...core.errors import UserError
from ...core.inspection import activity, cache, concepts, graph, neurons
from ...core.inspection.activity import KINDS
from ...core.inspection.reading import DEFAULT_SAMPLE_BYTES
from ...core.inspection.subject import Subject
from ..background import BackgroundTask
from ..elided_label import ElidedLabel
from ..file_dialogs import open_file
from .activity_view import ActivityView
from .common import named
from .concept_view import ConceptView
from .graph_view import GraphView
from .neuron_view import NeuronView

PASSAGE_BYTES = 600
LAST_LAYER = -1
Progress = Callable[[float, str], None]
# What a task's result is of: Choice's fields of these names, and how a person calls them.
MODEL, BOOK, N_BYTES, LAYER, KIND = "model", "book", "n_bytes", "layer", "kind"
SHOWN, CELL = "shown", "cell"
SAID = {MODEL: "model", BOOK: "book", N_BYTES: "sample size", LAYER: "layer", KIND: "activation",
        SHOWN: "activation", CELL: "byte"}
SAMPLED = (MODEL, BOOK, N_BYTES, LAYER, KIND)  # a scan's or a concept search's
PROGRESS_WIDTH = 160  # px: the status beside it has the rest of the row


@dataclass(frozen=True)
class Choice:
    """What the controls say as a task starts, and the model already loaded, if any."""
    model: str
    book: str
    n_bytes: int
    layer: int  # LAST_LAYER: the model's last
    kind: str
    shown: str  # the activation the Activity view shows (its top neurons are of it)
    cell: tuple[int, int] | None  # the heatmap's (layer, byte) whose top neurons are listed
    held: Subject | None  # the model loaded for an earlier task

    def subject(self) -> Subject:
        """The chosen model: the one held if it is still the chosen one, else loaded now."""
        if self.held is not None and str(self.held.path) == self.model:
            return self.held
        return Subject.load(self.model)

    def layer_of(self, subject: Subject) -> int:
        return subject.last_layer if self.layer == LAST_LAYER else self.layer

    def book_file(self) -> str:
        if not self.book or not Path(self.book).is_file():
            raise UserError("choose the book file first (Book…): scans, concepts and passages "
                            "read it")
        return self.book


@dataclass(frozen=True)
class Outcome:
    """A task's result and the model it used (None: it needed none)."""
    subject: Subject | None
    value: Any


class InspectPanel(QWidget):
    problem = Signal(str)

    def __init__(self, run_checkpoints: Callable[[], list[Path]] = list,
                 settings: QSettings | None = None, parent: QWidget | None = None,
                 run_books: Callable[[], list[str]] = list):
        super().__init__(parent)
        self.run_checkpoints, self.settings = run_checkpoints, settings or QSettings()
        self.run_books = run_books  # the run's book files: a model picked fills in its own
        self.worker = BackgroundTask("inspecting a model", self)
        self.worker.progressed.connect(self._progress)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.cancelled.connect(self._cancelled)
        self.worker.failed.connect(self._failed)
        self.worker.idle.connect(self._idle)
        self._on_result: Callable[[Any], None] = lambda result: None
        self._of: dict[str, Any] = {}  # the running task's choices (MODEL, …), as started
        # A task asked for while the running one is cancelled as replaced: its choices, its start.
        self._next: tuple[dict[str, Any], Callable[[], bool]] | None = None
        self.subject: Subject | None = None
        # The views showing a scan or a search, and the choices (SAMPLED) it was made with.
        self._shown_of: dict[NeuronView | ConceptView, dict[str, Any]] = {}
        self._build()
        self._watch_settings()
        self.restore_settings()

    # --- building ---------------------------------------------------------

    def _build(self) -> None:
        self.model = named(QComboBox(), "inspectModel", "Book model to inspect")
        self.model.setPlaceholderText("a book model of the run, or open a checkpoint")
        self.model.setMinimumContentsLength(24)
        self.model.currentIndexChanged.connect(self._model_chosen)
        self.open_button = named(QPushButton("Open checkpoint…", clicked=self.ask_checkpoint),
                                 "inspectOpenCheckpoint", "Open a checkpoint file")
        self.book = named(QLineEdit(), "inspectBook", "Book file the model was trained on")
        self.book.setPlaceholderText("the book (.txt) for passages, scans and concepts")
        self.book.textChanged.connect(self._book_changed)
        self.book_button = named(QPushButton("Book…", clicked=self.ask_book), "inspectChooseBook",
                                 "Choose the book file")
        self.sample_kb = named(QSpinBox(minimum=1, maximum=100_000, suffix=" KB",
                                        value=DEFAULT_SAMPLE_BYTES // 1000),
                               "inspectSampleBytes", "Bytes of the book to sample")
        self.layer = named(QSpinBox(minimum=LAST_LAYER, maximum=63, specialValueText="last"),
                           "inspectLayer", "Layer scanned")
        self.layer.setValue(LAST_LAYER)
        self.kind = named(QComboBox(), "inspectKind", "Activation scanned")
        for kind in KINDS:
            self.kind.addItem(kind, kind)
        self.progress = named(QProgressBar(maximum=1000), "inspectProgress", "Progress")
        self.progress.setFixedWidth(PROGRESS_WIDTH)
        self.progress.hide()  # idle, an empty bar across the row read as a text field
        self.status = named(ElidedLabel(elide=Qt.ElideRight), "inspectStatus", "What the inspector is doing")
        self.cancel_button = named(QPushButton("Cancel", clicked=self.cancel), "inspectCancel",
                                   "Cancel the running computation")
        self.cancel_button.setEnabled(False)
        self.activity = ActivityView()
        self.neuron = NeuronView()
        self.concept = ConceptView()
        self.graph = GraphView()
        self.views = named(QTabWidget(), "inspectViews", "Inspector views")
        for view, title in ((self.activity, "Activity"), (self.neuron, "Neuron"),
                            (self.concept, "Concept search"), (self.graph, "Neuron graph")):
            self.views.addTab(view, title)
            view.export.problem.connect(self.problem)
        self.activity.read_requested.connect(self.read_text)
        self.activity.passage_requested.connect(self.take_passage)
        self.activity.backstory_chosen.connect(self._backstory_chosen)
        self.activity.byte_clicked.connect(self.byte_neurons)
        self.activity.neuron_chosen.connect(self.open_neuron)
        self.neuron.scan_requested.connect(self.scan_book)
        self.concept.search_requested.connect(self.search_concept)
        self.concept.neuron_chosen.connect(self.open_neuron)
        self.graph.compute_requested.connect(self.compute_graph)
        self.graph.neuron_chosen.connect(self.open_neuron)
        first = QHBoxLayout()
        for w in (QLabel("Model"), self.model, self.open_button, QLabel("Book"), self.book,
                  self.book_button):
            first.addWidget(w, 1 if w in (self.model, self.book) else 0)
        second = QHBoxLayout()
        for w in (QLabel("Sample"), self.sample_kb, QLabel("Layer"), self.layer,
                  QLabel("Activation"), self.kind, self.progress, self.status,
                  self.cancel_button):
            second.addWidget(w, 1 if w is self.status else 0)
        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.views, 1)

    def _watch_settings(self) -> None:
        """A scan, a search or a byte's top neurons are of these settings: changing one while
        it runs cancels it, as choosing another model or book does."""
        for changed in (self.sample_kb.valueChanged, self.layer.valueChanged,
                        self.kind.currentIndexChanged, self.activity.kind.currentIndexChanged):
            changed.connect(self._setting_changed)

    def _setting_changed(self) -> None:
        """Cancel the task of other settings; clear a scan or search shown if it was made with
        other settings (a search's neurons, opened, would be scanned for these, not its own)."""
        self._cancel_if_replaced()
        for view, of in list(self._shown_of.items()):
            replaced = self._replaced(of)
            if replaced:
                del self._shown_of[view]
                view.outdated(replaced)

    @property
    def scan(self) -> neurons.NeuronScan | None:
        """The scan the Neuron view shows: a neuron opened is shown from it."""
        return self.neuron.scan

    # --- choosing ---------------------------------------------------------

    def showEvent(self, event) -> None:
        self.refresh_models()
        super().showEvent(event)

    def refresh_models(self) -> None:
        """The current run's book models, plus any checkpoint opened by hand.

        The list is rebuilt silently: only a model chosen that differs from the one before
        counts as a choice (which fills in its book and clears the other model's results).
        """
        current = self.model.currentData()
        paths = [str(p) for p in self.run_checkpoints()]
        opened = [self.model.itemData(i) for i in range(self.model.count())]
        with QSignalBlocker(self.model):
            self.model.clear()
            for path in dict.fromkeys(paths + opened):
                self.model.addItem(Path(path).stem, path)
            index = self.model.findData(current)
            self.model.setCurrentIndex(index if index >= 0 else 0 if self.model.count() else -1)
        if self.model.currentData() != current:
            self._model_chosen()

    def _model_chosen(self) -> None:
        """Fill in the book of the model picked, when the run has it (a book chosen by hand
        that is none of the run's is kept); the views forget what another model showed."""
        books = {Path(p).stem: p for p in self.run_books()}
        model, shown = self.model.currentData(), self.book.text().strip()
        if model and Path(model).stem in books and (not shown or Path(shown).stem in books):
            self.book.setText(str(books[Path(model).stem]))
        if self.subject is not None and str(self.subject.path) != model:
            for view in (self.activity, self.neuron, self.concept, self.graph):
                view.clear()
            self._shown_of.clear()
        self._cancel_if_replaced()

    def _book_changed(self) -> None:
        """A scan and a concept search are of a book sample: another book's are forgotten."""
        self.neuron.clear()
        self.concept.clear()
        self._shown_of.clear()
        self._cancel_if_replaced()

    def add_checkpoint(self, path: Path) -> None:
        if self.model.findData(str(path)) < 0:
            self.model.addItem(path.stem, str(path))
        self.model.setCurrentIndex(self.model.findData(str(path)))

    def ask_checkpoint(self) -> None:
        path = open_file(self, "Book model", "Checkpoints (*.pt)")
        if path:
            self.add_checkpoint(Path(path))

    def ask_book(self) -> None:
        path = open_file(self, "Book", "Books (*.txt)")
        if path:
            self.book.setText(path)

    def set_backstories(self, rows: list[Backstory]) -> None:
        """The backstory rows the window has loaded, offered as texts to read."""
        self.activity.set_backstories(rows)

    def show_backstory(self, row: Backstory) -> None:
        """Put a backstory row in the Activity view, with its book's model chosen."""
        self.views.setCurrentWidget(self.activity)
        self.activity.show_backstory(row)

    def _backstory_chosen(self, row: Backstory) -> None:
        """A row is read by the model of its own book when one is listed."""
        for i in range(self.model.count()):
            if normalise(Path(self.model.itemData(i)).stem) == row.book_key:
                self.model.setCurrentIndex(i)
                self.status.setText(f"Backstory {row.id} ({row.char}), for the model of "
                                    f"{row.book_name}: press Read.")
                return
        chosen = self.model.currentText() or "none chosen"
        self.status.setText(f"No book model of {row.book_name} is listed (open its checkpoint "
                            f"or its run); the model chosen is {chosen}.")

    # --- running tasks ------------------------------------------------------

    def _choice(self) -> Choice:
        return Choice(self.model.currentData() or "", self.book.text().strip(),
                      self.sample_kb.value() * 1000, self.layer.value(),
                      self.kind.currentData(), self.activity.kind.currentData(),
                      self.activity.cell, self.subject)

    def _start(self, title: str, task: Callable[[Choice, Progress], Outcome],
               on_result: Callable[[Any], None], of: tuple[str, ...] = (MODEL,)) -> bool:
        """Run ``task`` in the background with progress and Cancel (or once the running task,
        cancelled as replaced, has ended); False if it cannot start.

        The task gets the controls' values as a ``Choice``, read here on the GUI thread;
        its result is of the ``of`` fields of that choice (the model, the book, …).
        """
        choice = self._choice()
        if self.worker.running:
            return self._start_next({field: getattr(choice, field) for field in of},
                                    lambda: self._start(title, task, on_result, of))
        if not choice.model:
            self.problem.emit("Choose a book model first: train a book, open a run, or open "
                              "a checkpoint.")
            return False
        self._on_result = on_result
        self._of = {field: getattr(choice, field) for field in of}
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"{title}…")
        self.save_settings()

        def run(control: TaskControl) -> Outcome:
            report = timed(control.progress)  # a scan of a large sample takes minutes

            def progress(fraction: float, message: str) -> None:
                control.check()  # each report ends a unit of the inspector's work
                report(fraction, message)
            return task(choice, progress)

        self.worker.start(run)
        return True

    def _start_next(self, of: dict[str, Any], start: Callable[[], bool]) -> bool:
        """Asked for while a task runs: if that task is of a choice no longer made (nothing
        will show it), ``start`` runs once it has ended; else the person waits for it."""
        if not self._replaced():
            self.status.setText("Wait for the running computation, or cancel it.")
            return False
        self._next = (of, start)
        self.worker.cancel()
        return True

    def cancel(self) -> None:
        self._next = None
        self.worker.cancel()
        self.status.setText("Cancelling…")

    def _replaced(self, of: dict[str, Any] | None = None) -> str:
        """What of the running task's choices (or of ``of``) is no longer chosen, in words
        ("" if none)."""
        now = self._choice()
        return next((SAID[field] for field, value in (self._of if of is None else of).items()
                     if getattr(now, field) != value), "")

    def _cancel_if_replaced(self) -> None:
        """The running task works for a choice no longer made: nothing will show it."""
        if self.worker.running and self._replaced():
            self.worker.cancel()

    def _cancelled(self) -> None:
        replaced = self._replaced()
        self._ended(f"Cancelled: another {replaced} was chosen." if replaced else "Cancelled.")

    def _ended(self, status: str) -> None:
        """A task ended with nothing shown: the bar is rewound, or its 40% would read as work
        still under way (or as a part of the result shown), and the status says why."""
        self.progress.reset()
        self.status.setText(status)

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(1000 * fraction))
        self.status.setText(message)

    def _succeeded(self, outcome: Outcome) -> None:
        """Keep the model the task loaded (loaded once, kept while it stays chosen); a result
        of a model or book no longer chosen (it ended before its cancel) is dropped."""
        replaced = self._replaced()
        if replaced:
            self._ended(f"Dropped: another {replaced} was chosen while it ran.")
            return
        if outcome.subject is not None:
            self.subject = outcome.subject
        self.progress.setValue(1000)
        self.status.setText("Done.")
        self._on_result(outcome.value)

    def _failed(self, message: str) -> None:
        self._ended("")  # the problem says what went wrong
        self.problem.emit(message)

    def _idle(self) -> None:
        """Start the task asked for while the last one ended, if its choices still hold."""
        self.cancel_button.setEnabled(False)
        self.progress.hide()
        queued, self._next = self._next, None
        if queued is not None and not self._replaced(queued[0]):
            queued[1]()

    # --- the four views' work -------------------------------------------

    def read_text(self, data: bytes) -> None:
        def task(choice: Choice, progress: Progress) -> Outcome:
            subject = choice.subject()
            return Outcome(subject, activity.text_activity(subject.model, data))

        self._start("Reading the text", task, self.activity.show_activity)

    def take_passage(self) -> None:
        def task(choice: Choice, progress: Progress) -> Outcome:
            data = Path(choice.book_file()).read_bytes()
            start = random.randrange(max(1, len(data) - PASSAGE_BYTES))
            start = data.find(b"\n", start) + 1 or start
            return Outcome(None, data[start: start + PASSAGE_BYTES].decode("utf-8", "ignore"))

        self._start("Taking a passage of the book", task, self.activity.text.setPlainText,
                    of=(BOOK,))

    def byte_neurons(self, layer: int, position: int) -> None:
        if self.worker.running and self._of.get(CELL) == (layer, position) \
                and not self._replaced():
            return  # the byte clicked again: its neurons are being found
        data = self.activity.activity.data

        def task(choice: Choice, progress: Progress) -> Outcome:
            subject = choice.subject()
            return Outcome(subject, activity.top_neurons(subject.model, data, layer, position,
                                                         choice.shown, progress=progress))

        if not self._start("Finding the top neurons", task, self.activity.show_neurons,
                           of=(MODEL, SHOWN, CELL)):
            self.activity.forget_byte()  # the byte is not marked: no neurons will come for it

    def scan_book(self) -> None:
        def task(choice: Choice, progress: Progress) -> Outcome:
            subject = choice.subject()
            settings = neurons.ScanSettings(choice.layer_of(subject), choice.kind)
            progress(0.0, "sampling the book")
            return Outcome(subject, neurons.cached_scan(
                subject.model, subject.digest, subject.sample(choice.book_file(), choice.n_bytes),
                settings, cache.default_dir(), progress=progress))

        self._start("Scanning the neurons", task, self._scanned, of=SAMPLED)

    def _scanned(self, scan: neurons.NeuronScan) -> None:
        self._shown_of[self.neuron] = dict(self._of)
        self.neuron.show_scan(scan)

    def open_neuron(self, neuron: int) -> None:
        """Show a neuron's view; scan the book first if no scan is shown (one shown is of the
        choices made: another layer's, activation's or sample's was cleared when it changed)."""
        self.views.setCurrentWidget(self.neuron)
        self.neuron.show_neuron(neuron)
        if self.scan is None and self.book.text():
            self.scan_book()

    def search_concept(self, word: str) -> None:
        def task(choice: Choice, progress: Progress) -> Outcome:
            subject = choice.subject()
            return Outcome(subject, concepts.search_concept(
                subject.model, subject.sample(choice.book_file(), choice.n_bytes), word,
                choice.layer_of(subject), choice.kind, progress=progress))

        self._start(f"Searching {word!r}", task, self._searched, of=SAMPLED)

    def _searched(self, result: concepts.ConceptResult) -> None:
        self._shown_of[self.concept] = dict(self._of)
        self.concept.show_result(result)

    def compute_graph(self, q: float) -> None:
        def task(choice: Choice, progress: Progress) -> Outcome:
            subject = choice.subject()
            report = graph.graph_report(subject.model, subject.control(), q, progress)
            return Outcome(subject, (report, subject.model.config.n_sparse))

        self._start("Computing the neuron graph", task, lambda r: self.graph.show_report(*r))

    # --- remembered state -------------------------------------------------

    KEYS = ("inspect/model", "inspect/book", "inspect/sample_kb", "inspect/layer", "inspect/kind",
            "inspect/text", "inspect/word", "inspect/q", "inspect/view")

    def save_settings(self) -> None:
        values = (self.model.currentData() or "", self.book.text(), self.sample_kb.value(),
                  self.layer.value(), self.kind.currentData(), self.activity.text.toPlainText(),
                  self.concept.word.text(), self.graph.q.value(), self.views.currentIndex())
        for key, value in zip(self.KEYS, values):
            self.settings.setValue(key, value)

    def restore_settings(self) -> None:
        s = self.settings
        model = s.value("inspect/model", "")
        if model and Path(model).is_file():
            self.add_checkpoint(Path(model))
        self.book.setText(s.value("inspect/book", ""))
        self.sample_kb.setValue(int(s.value("inspect/sample_kb", self.sample_kb.value())))
        self.layer.setValue(int(s.value("inspect/layer", LAST_LAYER)))
        self.kind.setCurrentIndex(max(0, self.kind.findData(s.value("inspect/kind", "x"))))
        self.activity.text.setPlainText(s.value("inspect/text", ""))
        self.concept.word.setText(s.value("inspect/word", ""))
        self.graph.q.setValue(float(s.value("inspect/q", 0.01)))
        self.views.setCurrentIndex(int(s.value("inspect/view", 0)))
