"""The Inspect tab driven as a person would: pick a model and a book, read, scan, search, graph."""

import re
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from bdh_studio import resources
from bdh_studio.core.inspection import activity, concepts, graph, neurons
from bdh_studio.gui.inspect.activity_view import ActivityView
from bdh_studio.gui.inspect.concept_view import ConceptView
from bdh_studio.gui.inspect.graph_view import GraphView
from bdh_studio.gui.inspect.neuron_view import NeuronView
from bdh_studio.gui.inspect.panel import InspectPanel
from test_main_window import checked


@pytest.fixture
def panel(qtbot, settings, demo_models, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    checkpoints = sorted((demo_models / "checkpoints").glob("*.pt"))
    p = InspectPanel(lambda: checkpoints, settings)
    qtbot.addWidget(p)
    p.show()
    p.book.setText(str(resources.demo_books() / f"{checkpoints[0].stem}.txt"))
    p.sample_kb.setValue(4)
    yield p
    p.cancel()
    p.worker.wait()


def finish(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=60_000)
    assert panel.status.text() == "Done.", panel.status.text()


def press_every_computation(qtbot, panel) -> None:
    """Read a text, scan the book, search a word and compute the graph, each by its button."""
    panel.activity.text.setPlainText("The salt road ran north.")
    panel.concept.word.setText("the")
    for button in (panel.activity.read_button, panel.neuron.scan_button,
                   panel.concept.search_button, panel.graph.compute_button):
        qtbot.mouseClick(button, Qt.LeftButton)
        finish(qtbot, panel)


def click_cell(qtbot, plot, layer: int, position: int) -> None:
    """A left click with the mouse on the middle of the heatmap's cell (layer, byte)."""
    plot.repaint()  # the view box has its final geometry before a point is mapped through it
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(position + 0.5, layer + 0.5))
    qtbot.mouseClick(plot.viewport(), Qt.LeftButton, pos=plot.mapFromScene(scene))


def test_controls_are_named_for_tests_and_screen_readers(panel):
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox,
                                   QComboBox, QLineEdit, QPlainTextEdit)
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit,
             QAbstractItemView)
    controls = [w for kind in kinds for w in panel.findChildren(kind)
                if w.window() is panel and not w.objectName().startswith("qt_")
                and not isinstance(w.parent(), kinds)]
    unnamed = [type(w).__name__ for w in controls if not w.objectName() or not w.accessibleName()]
    assert len(controls) > 20 and not unnamed


def test_read_a_text_then_click_a_byte_then_open_a_neuron(panel, qtbot):
    assert panel.model.count() == 3  # the run's book models
    panel.activity.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    a = panel.activity.activity
    assert a.fractions["x"].shape == (2, len(b"The salt road ran north."))
    assert panel.activity.image.image.shape == (2, 24)
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    assert "layer 1 at byte 4 (s)" in panel.activity.neurons_title.text()
    assert "<b style='background:#ffd54f'>s</b>" in panel.activity.reading.text()
    finish(qtbot, panel)
    table = panel.activity.neurons
    expected = activity.top_neurons(panel.subject.model, a.data, 1, 4, "x")
    assert [int(table.item(r, 1).text()) for r in range(table.rowCount())] == \
        [v.index for v in expected] and table.rowCount() == 20
    first = table.item(0, 0).data(Qt.UserRole)
    table.cellDoubleClicked.emit(0, 0)  # opens the neuron and scans the book for it
    assert panel.views.currentWidget() is panel.neuron
    finish(qtbot, panel)
    assert panel.neuron.neuron.value() == first
    assert "Fires on" in panel.neuron.facts.text()
    assert panel.neuron.contexts.toPlainText()


def watched(real, on_gui: list[bool]):
    """``real``, noting for each call whether it ran on the GUI thread."""
    def call(*args, **kwargs):
        on_gui.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)
    return call


def test_the_model_works_off_the_gui_thread_and_the_views_draw_on_it(panel, qtbot,
                                                                       monkeypatch):
    on_gui: dict[str, list[bool]] = {}
    for owner, name in ((activity, "text_activity"), (activity, "top_neurons"),
                        (neurons, "cached_scan"), (concepts, "search_concept"),
                        (graph, "graph_report"), (ActivityView, "show_activity"),
                        (ActivityView, "show_neurons"), (NeuronView, "show_scan"),
                        (ConceptView, "show_result"), (GraphView, "show_report")):
        monkeypatch.setattr(owner, name, watched(getattr(owner, name),
                                                 on_gui.setdefault(name, [])))
    press_every_computation(qtbot, panel)
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    finish(qtbot, panel)
    assert on_gui == {"text_activity": [False], "top_neurons": [False], "cached_scan": [False],
                      "search_concept": [False], "graph_report": [False],
                      "show_activity": [True], "show_neurons": [True], "show_scan": [True],
                      "show_result": [True], "show_report": [True]}


def test_a_passage_of_the_book_fills_the_text(panel, qtbot):
    qtbot.mouseClick(panel.activity.passage_button, Qt.LeftButton)
    finish(qtbot, panel)
    passage = panel.activity.text.toPlainText()
    assert len(passage) > 100 and passage in Path(panel.book.text()).read_text(encoding="utf-8")


def test_scan_search_and_graph_with_exports(panel, qtbot, tmp_path):
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    finish(qtbot, panel)
    assert panel.scan is not None and panel.scan.sample.n_bytes <= 4000
    panel.concept.word.setText("the")
    qtbot.mouseClick(panel.concept.search_button, Qt.LeftButton)
    finish(qtbot, panel)
    assert "Best neuron AUC" in panel.concept.verdict.text()
    assert panel.concept.table.rowCount() == 20
    panel.graph.q.setValue(0.05)
    qtbot.mouseClick(panel.graph.compute_button, Qt.LeftButton)
    finish(qtbot, panel)
    assert "Hill α" in panel.graph.summary.text()
    assert panel.graph.hubs.rowCount() == 20
    for view in (panel.neuron, panel.concept, panel.graph):
        for suffix in ("png", "svg"):
            out = tmp_path / f"{view.export.prefix}.{suffix}"
            view.export.run(view.export.image, str(out))
            assert out.stat().st_size > 0
        out = tmp_path / f"{view.export.prefix}.csv"
        view.export.run(view.export.table, str(out))
        assert len(out.read_text().splitlines()) > 1


def rewound(bar) -> bool:
    """The bar shows no progress at all (as before any task), not a part of one."""
    return bar.value() < bar.minimum()


def test_cancel_stops_a_graph_within_a_block(panel, qtbot, monkeypatch):
    monkeypatch.setattr(graph, "BLOCK_ENTRIES", 256)  # one row a block: many reports
    clicked, real = threading.Event(), graph.graph_report

    def held_after_each_block(model, control, q, progress):
        def report(fraction, message):
            progress(fraction, message)
            clicked.wait(30)  # else the graph can end before the click is handled
        return real(model, control, q, report)

    monkeypatch.setattr(graph, "graph_report", held_after_each_block)
    qtbot.mouseClick(panel.graph.compute_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=30_000)
    qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    clicked.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.status.text() == "Cancelled."
    assert panel.graph.report is None
    assert rewound(panel.progress), f"the bar stayed at {panel.progress.value()}"


def test_choices_are_remembered(panel, qtbot, settings, demo_models):
    panel.concept.word.setText("Kessel")
    panel.graph.q.setValue(0.02)
    panel.kind.setCurrentIndex(panel.kind.findData("y"))
    panel.save_settings()
    again = InspectPanel(list, settings)
    qtbot.addWidget(again)
    assert again.concept.word.text() == "Kessel" and again.graph.q.value() == 0.02
    assert again.kind.currentData() == "y" and again.book.text() == panel.book.text()
    assert again.model.currentData() == panel.model.currentData()


def test_no_model_says_what_to_do(qtbot, settings):
    p = InspectPanel(list, settings)
    qtbot.addWidget(p)
    with qtbot.waitSignal(p.problem) as seen:
        qtbot.mouseClick(p.graph.compute_button, Qt.LeftButton)
    assert "Choose a book model first" in seen.args[0]


def test_the_window_builds_the_tab_when_it_is_first_shown(window, qtbot):
    titles = [window.workspace.tabText(i) for i in range(window.workspace.count())]
    assert "Inspect" in titles and not window.findChildren(InspectPanel)
    window.load_demo()  # backstories loaded before the tab exists are offered in it
    checked(window, qtbot)
    window.workspace.setCurrentIndex(titles.index("Inspect"))  # as a click on the tab does
    panel = window.workspace.currentWidget()
    assert isinstance(panel, InspectPanel) and panel is window.inspect and panel.isVisible()
    assert window.workspace.tabText(window.workspace.indexOf(panel)) == "Inspect"
    assert len(panel.activity.rows) == 36 + 15 and panel.activity.backstory.isEnabled()
    assert window.findChildren(InspectPanel) == [panel]


def choose_in_list(qtbot, combo, index):
    """Open a combo box's list and click one of its items, as a person does."""
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    # The part of the item a person sees: a narrow list's items reach past its edge.
    rect = view.visualRect(view.model().index(index, 0)).intersected(view.viewport().rect())
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())


def test_a_backstory_row_is_read_by_its_books_model(window, qtbot, demo_models, tmp_path,
                                                    monkeypatch):
    from bdh_studio.core.backstories import Backstory
    from bdh_studio.core.classifier import Prediction
    from bdh_studio.core.predictions import PredictionRow
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    inspect = window.inspect
    models = {p.stem: p for p in (demo_models / "checkpoints").glob("*.pt")}
    for path in sorted(models.values()):
        inspect.add_checkpoint(path)
    assert not inspect.activity.backstory.isEnabled()  # nothing loaded: nothing to offer
    window.load_demo()  # the demo train and test CSVs, in the Backstories tab
    checked(window, qtbot)
    rows = inspect.activity.rows
    assert len(rows) == 36 + 15 and inspect.activity.backstory.isEnabled()
    window.workspace.setCurrentWidget(inspect)
    index = next(i for i, r in enumerate(rows) if r.book_name == "Winter on Kessel Pass")
    choose_in_list(qtbot, inspect.activity.backstory, index)
    row = rows[index]
    assert inspect.activity.text.toPlainText() == row.content
    assert inspect.model.currentData() == str(models["Winter on Kessel Pass"])
    assert "press Read" in inspect.status.text()
    qtbot.mouseClick(inspect.activity.read_button, Qt.LeftButton)
    finish(qtbot, inspect)
    assert inspect.activity.activity.data == row.content.encode("utf-8")

    other = next(r for r in rows if r.book_name == "The Salt Road")  # from the results table
    results = window.results
    window.workspace.setCurrentWidget(results)
    results.pages.setCurrentIndex(1)
    results.model.set_rows([PredictionRow(other, Prediction(other.id, "consistent", 0.6, 0.6),
                                          "train")])
    assert not results.inspect_button.isEnabled()
    results.select_row(0)
    qtbot.mouseClick(results.inspect_button, Qt.LeftButton)
    assert window.workspace.currentWidget() is inspect
    assert inspect.views.currentWidget() is inspect.activity
    assert inspect.activity.backstory.currentIndex() == rows.index(other)
    assert inspect.activity.text.toPlainText() == other.content
    assert inspect.model.currentData() == str(models["The Salt Road"])

    stranger = Backstory("900", "A Book Nobody Trained", "Ada", "", "She never left.")
    inspect.show_backstory(stranger)  # a row of another file is listed, not lost
    assert inspect.activity.rows[-1] == stranger
    assert inspect.activity.text.toPlainText() == "She never left."
    assert "No book model of A Book Nobody Trained" in inspect.status.text()


def hold(monkeypatch, owner, name: str) -> tuple[threading.Event, threading.Event]:
    """``owner.name`` made to wait in its worker until released: (started, release)."""
    started, release, real = threading.Event(), threading.Event(), getattr(owner, name)

    def held(*args, **kwargs):
        started.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return started, release


def test_a_reading_of_a_model_no_longer_chosen_does_not_fill_the_views(panel, qtbot,
                                                                       monkeypatch):
    panel.activity.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    first = panel.model.currentData()
    started, release = hold(monkeypatch, activity, "text_activity")
    panel.activity.text.setPlainText("Snow fell on the pass.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    choose_in_list(qtbot, panel.model, 1)  # another model, while the first one reads
    assert panel.model.currentData() != first and panel.activity.activity is None
    release.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.activity.activity is None, "the first model's reading filled the views"
    assert "another model" in panel.status.text(), panel.status.text()
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)  # the model chosen reads it
    finish(qtbot, panel)
    assert panel.activity.activity.data == b"Snow fell on the pass."
    assert str(panel.subject.path) == panel.model.currentData()


def test_a_scan_of_a_book_no_longer_chosen_does_not_fill_the_neuron_view(panel, qtbot,
                                                                         monkeypatch):
    from bdh_studio.gui.inspect import panel as module
    started, release = hold(monkeypatch, neurons, "cached_scan")
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    other = next(p for p in resources.demo_books().glob("*.txt") if str(p) != panel.book.text())
    monkeypatch.setattr(module, "open_file", lambda *args: str(other))
    qtbot.mouseClick(panel.book_button, Qt.LeftButton)  # another book, while the scan runs
    assert panel.book.text() == str(other)
    release.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.scan is None and panel.neuron.scan is None, "the first book's scan was shown"
    assert panel.neuron.list.rowCount() == 0
    assert "another book" in panel.status.text(), panel.status.text()


def test_a_result_that_arrives_after_another_model_is_chosen_is_dropped(panel, qtbot,
                                                                       monkeypatch):
    """The task ended before the choice (too late to cancel), its result is heard after it."""
    from bdh_studio.gui import background
    ended, real = threading.Event(), background.run_task

    def run_task(task, control):
        try:
            return real(task, control)
        finally:
            ended.set()

    monkeypatch.setattr(background, "run_task", run_task)
    panel.graph.q.setValue(0.05)
    qtbot.mouseClick(panel.graph.compute_button, Qt.LeftButton)
    assert ended.wait(60)  # the GUI thread hears nothing of it before the next line
    panel.model.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.graph.report is None and panel.subject is None, "a stale graph was shown"
    assert panel.status.text() == "Dropped: another model was chosen while it ran."
    assert rewound(panel.progress), f"the bar stayed at {panel.progress.value()}"


def choose_kind(qtbot, combo, kind: str) -> None:
    choose_in_list(qtbot, combo, combo.findData(kind))
    assert combo.currentData() == kind


# How a person changes each setting a scan or a search is of, and what the status calls it.
SETTINGS = {"layer": lambda qtbot, p: qtbot.keyClick(p.layer, Qt.Key_Up),
            "activation": lambda qtbot, p: choose_kind(qtbot, p.kind, "y"),
            "sample size": lambda qtbot, p: qtbot.keyClick(p.sample_kb, Qt.Key_Up)}


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_scan_of_settings_no_longer_chosen_does_not_fill_the_neuron_view(panel, qtbot,
                                                                           monkeypatch, setting):
    started, release = hold(monkeypatch, neurons, "cached_scan")
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    before = (panel.layer.value(), panel.kind.currentData(), panel.sample_kb.value())
    SETTINGS[setting](qtbot, panel)  # while the scan runs
    assert (panel.layer.value(), panel.kind.currentData(), panel.sample_kb.value()) != before
    release.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.scan is None and panel.neuron.scan is None, "a scan of other settings was shown"
    assert f"another {setting}" in panel.status.text(), panel.status.text()


def test_a_concept_search_of_another_activation_does_not_fill_the_view(panel, qtbot,
                                                                        monkeypatch):
    started, release = hold(monkeypatch, concepts, "search_concept")
    panel.concept.word.setText("the")
    qtbot.mouseClick(panel.concept.search_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    choose_kind(qtbot, panel.kind, "xy")
    release.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.concept.result is None and panel.concept.table.rowCount() == 0
    assert "another activation" in panel.status.text(), panel.status.text()


def test_top_neurons_of_an_activation_no_longer_shown_are_not_listed(panel, qtbot, monkeypatch):
    panel.activity.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    started, release = hold(monkeypatch, activity, "top_neurons")
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    choose_kind(qtbot, panel.activity.kind, "y")  # the heatmap now shows y: the cell is forgotten
    release.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.activity.neurons.rowCount() == 0, "x's top neurons were listed under y's heatmap"
    assert "another activation" in panel.status.text(), panel.status.text()
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)  # the cell, read as y
    finish(qtbot, panel)
    table, expected = panel.activity.neurons, activity.top_neurons(
        panel.subject.model, panel.activity.activity.data, 1, 4, "y")
    assert [int(table.item(r, 1).text()) for r in range(table.rowCount())] == \
        [v.index for v in expected]


def test_a_scan_cancelled_part_way_by_another_layer_rewinds_the_progress_bar(panel, qtbot,
                                                                             monkeypatch):
    started, release, real = threading.Event(), threading.Event(), neurons.cached_scan

    def held_part_way(*args, progress, **kwargs):
        progress(0.4, "scanning")  # the panel's report: the bar shows 40%
        started.set()
        release.wait(30)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(neurons, "cached_scan", held_part_way)
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: started.is_set() and panel.progress.value() == 400, timeout=30_000)
    qtbot.keyClick(panel.layer, Qt.Key_Up)
    release.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert panel.status.text() == "Cancelled: another layer was chosen."
    assert rewound(panel.progress), f"the bar stayed at {panel.progress.value()}"


def test_a_graph_that_fails_part_way_rewinds_the_progress_bar(panel, qtbot, monkeypatch):
    from bdh_studio.core.errors import UserError

    def fails_part_way(model, control, q, progress):
        progress(0.4, "the graph's first blocks")
        raise UserError("the disk is full")

    monkeypatch.setattr(graph, "graph_report", fails_part_way)
    with qtbot.waitSignal(panel.problem, timeout=30_000) as seen:
        qtbot.mouseClick(panel.graph.compute_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=30_000)
    assert "the disk is full" in seen.args[0]
    assert rewound(panel.progress), f"the bar stayed at {panel.progress.value()}"


def read_a_text(qtbot, panel) -> None:
    panel.activity.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)


def listed(panel) -> list[int]:
    """The indices of the neurons the Activity view's table lists."""
    table = panel.activity.neurons
    return [int(table.item(r, 1).text()) for r in range(table.rowCount())]


def top_of(panel, layer: int, position: int) -> list[int]:
    """The indices of the top neurons at the cell (layer, byte) of the activation shown."""
    return [v.index for v in activity.top_neurons(panel.subject.model, panel.activity.activity.data,
                                                  layer, position,
                                                  panel.activity.kind.currentData())]


def test_a_byte_clicked_while_another_bytes_neurons_are_found_gets_its_own(panel, qtbot,
                                                                            monkeypatch):
    read_a_text(qtbot, panel)
    started, release = hold(monkeypatch, activity, "top_neurons")
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    click_cell(qtbot, panel.activity.heatmap, layer=0, position=9)  # while byte 4's are found
    assert "layer 0 at byte 9" in panel.activity.neurons_title.text()
    release.set()
    finish(qtbot, panel)
    assert "layer 0 at byte 9" in panel.activity.neurons_title.text()
    assert listed(panel) == top_of(panel, 0, 9), "byte 4's neurons were listed under byte 9's title"


def test_a_bytes_neurons_are_not_listed_under_the_next_byte_clicked(panel, qtbot, monkeypatch):
    read_a_text(qtbot, panel)
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    finish(qtbot, panel)
    assert listed(panel) == top_of(panel, 1, 4)
    started, release = hold(monkeypatch, activity, "top_neurons")
    click_cell(qtbot, panel.activity.heatmap, layer=0, position=9)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    assert panel.activity.neurons.rowCount() == 0, "byte 4's neurons stayed under byte 9's title"
    release.set()
    finish(qtbot, panel)
    assert listed(panel) == top_of(panel, 0, 9)


def test_a_byte_clicked_while_a_scan_runs_is_not_titled_over_another_bytes_neurons(panel, qtbot,
                                                                                    monkeypatch):
    from bdh_studio.gui.inspect.activity_view import PICK_NEURONS
    read_a_text(qtbot, panel)
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    finish(qtbot, panel)
    started, release = hold(monkeypatch, neurons, "cached_scan")
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    click_cell(qtbot, panel.activity.heatmap, layer=0, position=9)  # nothing can find its neurons
    assert "Wait for the running computation" in panel.status.text(), panel.status.text()
    assert panel.activity.neurons_title.text() == PICK_NEURONS, "a byte named without its neurons"
    assert panel.activity.neurons.rowCount() == 0 and not panel.activity.mark.isVisible()
    release.set()
    finish(qtbot, panel)



def test_a_byte_clicked_again_while_its_neurons_are_found_gets_them(panel, qtbot, monkeypatch):
    read_a_text(qtbot, panel)
    started, release = hold(monkeypatch, activity, "top_neurons")
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    qtbot.waitUntil(started.is_set, timeout=30_000)
    click_cell(qtbot, panel.activity.heatmap, layer=1, position=4)
    release.set()
    finish(qtbot, panel)
    assert "layer 1 at byte 4" in panel.activity.neurons_title.text()
    assert listed(panel) == top_of(panel, 1, 4)


def open_tab(qtbot, panel, view) -> None:
    """Click the tab of one of the panel's views."""
    bar = panel.views.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(panel.views.indexOf(view)).center())
    assert panel.views.currentWidget() is view


def double_click_row(qtbot, table, row: int) -> None:
    """Double-click a table's row with the mouse, as a person opens what it lists."""
    pos = table.visualItemRect(table.item(row, 0)).center()
    # QTest's double click is its second click only: the view opens the row pressed first.
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=pos)


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_neuron_of_a_search_is_not_shown_from_a_scan_of_other_settings(panel, qtbot, setting):
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    finish(qtbot, panel)
    SETTINGS[setting](qtbot, panel)  # after the scan
    panel.concept.word.setText("the")
    qtbot.mouseClick(panel.concept.search_button, Qt.LeftButton)
    finish(qtbot, panel)
    chosen, search = int(panel.concept.table.item(0, 0).text()), panel.concept.result
    open_tab(qtbot, panel, panel.concept)
    double_click_row(qtbot, panel.concept.table, 0)
    assert panel.views.currentWidget() is panel.neuron and panel.neuron.neuron.value() == chosen
    finish(qtbot, panel)
    scan = panel.scan
    sample = panel.subject.sample(panel.book.text(), panel.sample_kb.value() * 1000)
    assert (scan.settings.layer, scan.settings.kind, scan.sample.n_bytes) == \
        (search.layer, search.kind, sample.n_bytes), f"a scan of the {setting} before was used"
    assert panel.neuron.scan is scan
    assert f"layer {search.layer}, {search.kind}." in panel.neuron.facts.text()
    assert panel.neuron.neuron.value() == chosen
    open_tab(qtbot, panel, panel.concept)
    double_click_row(qtbot, panel.concept.table, 1)  # the scan is of these settings: kept
    assert panel.scan is scan and not panel.worker.running
    assert panel.neuron.neuron.value() == int(panel.concept.table.item(1, 0).text())


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_search_is_cleared_when_a_setting_it_was_made_with_changes(panel, qtbot, setting):
    """Its neurons, opened, would be scanned for the settings chosen now, not for the search's:
    the view goes back to asking for a search, as for another model or book."""
    panel.concept.word.setText("the")
    qtbot.mouseClick(panel.concept.search_button, Qt.LeftButton)
    finish(qtbot, panel)
    open_tab(qtbot, panel, panel.concept)
    assert panel.concept.table.rowCount() == 20 and not panel.concept.curve_note.isVisible()
    SETTINGS[setting](qtbot, panel)
    assert panel.concept.result is None and panel.concept.table.rowCount() == 0
    note = panel.concept.curve_note
    assert note.isVisible() and f"another {setting}" in note.text() and "Search" in note.text()


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_scan_is_cleared_when_a_setting_it_was_made_with_changes(panel, qtbot, setting):
    """Its list, contexts and histogram are of the settings it was made with: the view goes
    back to asking for a scan, naming what changed, as the concept search does."""
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    finish(qtbot, panel)
    open_tab(qtbot, panel, panel.neuron)
    assert panel.neuron.list.rowCount() > 0 and not panel.neuron.list_note.isVisible()
    SETTINGS[setting](qtbot, panel)
    assert panel.neuron.list.rowCount() == 0, f"a scan of the {setting} before is still listed"
    assert panel.scan is None and not panel.neuron.contexts.toPlainText()
    note = panel.neuron.list_note
    assert note.isVisible() and f"another {setting}" in note.text() and "Scan" in note.text()
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)  # scanned again, for these
    finish(qtbot, panel)
    assert panel.neuron.list.rowCount() > 0 and not note.isVisible()
    assert f"layer {panel.scan.settings.layer}, {panel.kind.currentData()}." in \
        panel.neuron.facts.text()


def test_a_long_computation_says_how_long_it_has_run_and_about_how_long_it_has_left(
        panel, qtbot, monkeypatch):
    monkeypatch.setattr(graph, "BLOCK_ENTRIES", 256)  # one row a block: many reports
    seen = []  # each report's fraction, and the status shown for it
    panel.worker.progressed.connect(lambda fraction, message:
                                    seen.append((fraction, panel.status.text())))
    qtbot.mouseClick(panel.graph.compute_button, Qt.LeftButton)
    finish(qtbot, panel)
    under_way = [status for fraction, status in seen if 0.05 <= fraction < 1.0]
    assert under_way and all(re.search(r" · \d+:\d\d elapsed, about \d+:\d\d left$", status)
                             for status in under_way), seen


def test_the_progress_bar_shows_only_while_a_task_runs(panel, qtbot, monkeypatch):
    """Idle, an empty bar across the settings row looked like a text field to type in."""
    assert not panel.progress.isVisible()
    held, real = threading.Event(), graph.graph_report

    def held_at_its_first_block(model, control, q, progress):
        progress(0.1, "the graph's first blocks")
        held.wait(30)
        return real(model, control, q, progress)

    monkeypatch.setattr(graph, "graph_report", held_at_its_first_block)
    qtbot.mouseClick(panel.graph.compute_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() == 100, timeout=30_000)
    assert panel.progress.isVisible() and panel.progress.width() < panel.status.width()
    held.set()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=60_000)
    assert not panel.progress.isVisible() and panel.status.text() == "Done."
