"""What a demanding user found walking the window (issue 26), each as they met it."""

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QMenu, QMessageBox,
                               QPushButton, QToolBar)

from bdh_studio.core import events as ev
from bdh_studio.core.run.folder import RunFolder
from bdh_studio.gui import file_dialogs
from bdh_studio.gui.compare_plots import METRICS, ComparePlots
from bdh_studio.gui.plots import TrainingPlots
from named import answer
from shown import shown
from test_compare import compared as compared_run
from test_inspect_panel import (click_cell, finish, panel,  # noqa: F401 (a fixture)
                                press_every_computation)
from test_main_window import FAST, checked, drop, use_tiny
from test_plots import log_steps, paint
from test_runs_panel import opened, runs_root, two_runs  # noqa: F401 (fixtures)


def listed(window, qtbot, n=2):
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == n, timeout=30_000)


def compared(window):
    return {line.run for line in window.compare.lines}


def test_renaming_a_compared_run_keeps_it_in_compare_by_its_new_name(window, qtbot, runs_root):
    listed(window, qtbot)
    window.runs.set_checked(runs_root / "A", True)
    qtbot.waitUntil(lambda: compared(window) == {"A"}, timeout=30_000)
    window.runs.select(runs_root / "A")
    window.runs.buttons["renameRunButton"].click()
    answer(qtbot, window, "renameRunDialog", "Renamed A")
    qtbot.waitUntil(lambda: compared(window) == {"Renamed A"}, timeout=30_000)
    qtbot.waitUntil(lambda: not window.runs.reader.running, timeout=30_000)
    listed(window, qtbot)
    assert [s.name for s in window.runs.checked()] == ["Renamed A"]
    assert compared(window) == {"Renamed A"}


def point_at(plots, qtbot, x, y=None):
    """The mouse moved over the loss plot at (x, y) in the plot's units (y: mid-height)."""
    paint(plots)
    if y is None:
        y = sum(plots.loss_plot.vb.viewRange()[1]) / 2
    scene = plots.loss_plot.vb.mapViewToScene(QPointF(x, y))
    qtbot.mouseMove(plots.canvas.viewport(), plots.canvas.mapFromScene(scene))
    qtbot.waitUntil(lambda: plots.cursor.isVisible() and "step" in plots.readout.text(),
                    timeout=10_000)


def test_the_training_cursor_leaves_with_the_mouse_and_with_the_run(window, qtbot, runs_root):
    opened(window, qtbot, runs_root / "A")
    plots = window.plots
    window.training_view.tabs.setCurrentWidget(plots)
    assert not plots.cursor.isVisible()
    point_at(plots, qtbot, 3)
    assert "step" in plots.readout.text()
    QApplication.sendEvent(plots.canvas, QEvent(QEvent.Leave))
    assert not plots.cursor.isVisible() and not plots.readout.text().strip()
    point_at(plots, qtbot, 4)  # elsewhere: the mouse moves
    opened(window, qtbot, runs_root / "B")
    assert not plots.cursor.isVisible() and not plots.readout.text().strip()


def test_the_readout_under_a_still_cursor_follows_the_curve(qtbot):
    plots = shown(qtbot, TrainingPlots(), 900, 600)
    plots.handle(ev.BookStarted("a", 0, 1, 40))
    log_steps(plots, "a", 1, 2)
    plots.redraw()
    point_at(plots, qtbot, 30)
    assert "a: step 2," in plots.readout.text()
    log_steps(plots, "a", 3, 20)
    plots.redraw()
    assert "a: step 22," in plots.readout.text(), plots.readout.text()


def test_a_finished_run_in_steps_ends_its_x_axis_near_its_last_step(qtbot):
    plots = shown(qtbot, TrainingPlots(), 900, 600)
    plots.handle(ev.BookStarted("a", 0, 1, 500))
    log_steps(plots, "a", 1, 500, val_every=50)
    plots.redraw()
    paint(plots)
    for plot in (plots.loss_plot, plots.tokens_plot, plots.sparsity_plot):
        low, high = plot.vb.viewRange()[0]
        assert low <= 1 and 500 <= high <= 525, (plot.titleLabel.text, high)


def test_paused_says_paused_in_the_books_the_runs_and_the_status_bar(window, qtbot, books_dir):
    drop(window, qtbot, [books_dir])
    use_tiny(window, **FAST)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.books.state_of("Alpha Book") == "training"
                    and window.runs._item(str(window.run_dir)) is not None, timeout=120_000)
    window.pause_action.trigger()
    row = window.runs._item(str(window.run_dir))
    assert window.books.state_of("Alpha Book") == "paused" and row.text(4) == "paused"
    assert window.run_status.label.text().endswith("paused")
    toolbar = window.findChild(QToolBar, "main-toolbar")
    qtbot.mouseMove(toolbar.widgetForAction(window.stop_action))
    qtbot.mouseMove(toolbar.widgetForAction(window.train_action))
    assert window.statusBar().currentMessage() == "" and window.run_status.label.isVisible()
    window.runs.refresh()  # the list read again from the disk still says so
    qtbot.waitUntil(lambda: not window.runs.reader.running, timeout=30_000)
    assert window.runs._item(str(window.run_dir)).text(4) == "paused"
    window.pause_action.trigger()
    assert window.books.state_of("Alpha Book") == "training"
    assert window.runs._item(str(window.run_dir)).text(4) == "running"
    with qtbot.waitSignal(window.session.finished, timeout=60_000):
        window.stop_action.trigger()


def test_show_run_folder_without_a_file_manager_says_so_with_the_path(window, qtbot, runs_root,
                                                                     monkeypatch):
    asked = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(url) or False)
    opened(window, qtbot, runs_root / "A")
    window.folder_action.trigger()
    assert asked and window.banner.isVisible()
    assert str(runs_root / "A") in window.banner.label.text()
    window.banner.hide()
    window.runs.select(runs_root / "B")
    window.runs.buttons["revealRunButton"].click()
    assert window.banner.isVisible() and str(runs_root / "B") in window.banner.label.text()


def test_new_run_names_the_run_and_lets_the_settings_be_edited_before_train(
        window, qtbot, runs_root, books_dir):
    drop(window, qtbot, [books_dir])
    use_tiny(window, **FAST)
    window.new_run_action.trigger()
    answer(qtbot, window, "newRunDialog", "my run")
    assert not window.training and window.config_panel.isEnabled()
    assert "new run my run" in window.train_action.toolTip()
    assert not (runs_root / "my run").exists()  # nothing written before Train
    use_tiny(window, max_iters=4, log_interval=2, eval_interval=2, eval_batches=1)
    with qtbot.waitSignal(window.session.finished, timeout=120_000):
        window.train_action.trigger()
    assert window.run_dir == runs_root / "my run", window.banner.label.text()
    assert RunFolder(window.run_dir).saved_config().max_iters == 4


def test_a_new_run_shows_its_books_untrained_and_train_takes_its_hint_off_the_status_bar(
        window, qtbot, runs_root):
    """Seen in the real window: New run after a finished run listed the books it had not yet
    trained as "trained: val loss …", and "set its books and settings, then Train" stayed
    on the status bar over the progress of the training it had started."""
    opened(window, qtbot, runs_root / "A")
    qtbot.waitUntil(lambda: window.new_run_action.isEnabled(), timeout=30_000)  # books checked
    assert window.books.state_of("Beta").startswith("trained")
    window.new_run_action.trigger()
    answer(qtbot, window, "newRunDialog", "fresh")
    qtbot.waitUntil(lambda: not window.books.checking, timeout=30_000)
    assert [window.books.state_of(name) for name in ("Alpha", "Beta")] == ["new", "new"]
    assert "then Train" in window.statusBar().currentMessage()
    use_tiny(window, max_iters=4, log_interval=2, eval_interval=2, eval_batches=1)
    messages = []
    window.session.starting.connect(lambda out: messages.append(
        window.statusBar().currentMessage()))
    with qtbot.waitSignal(window.session.finished, timeout=120_000):
        window.train_action.trigger()
    assert messages == [""] and window.statusBar().currentMessage() == ""
    assert window.books.state_of("Beta").startswith("trained")


def test_deleting_the_current_run_clears_it_and_train_never_makes_it_again(
        window, qtbot, runs_root, monkeypatch):
    opened(window, qtbot, runs_root / "B")
    assert window.plots.books
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.Yes)  # no trash
    window.runs.select(runs_root / "B")
    with qtbot.waitSignal(window.runs.deleted, timeout=30_000):
        window.runs.buttons["deleteRunButton"].click()
    assert not (runs_root / "B").exists()
    assert window.run_dir is None and not window.plots.books
    assert window.config_panel.isEnabled() and not window.export_action.isEnabled()
    use_tiny(window, max_iters=4, log_interval=2, eval_interval=2, eval_batches=1)
    checked(window, qtbot)
    with qtbot.waitSignal(window.session.finished, timeout=120_000):
        window.train_action.trigger()
    assert window.run_dir is not None and window.run_dir.parent == runs_root
    assert not (runs_root / "B").exists()


def test_file_dialogs_start_in_the_runs_root_or_the_last_folder_used(window, qtbot, runs_root,
                                                                      tmp_path, monkeypatch):
    started, out = [], tmp_path / "exports"
    out.mkdir()

    def pick_folder(parent, title, start=""):
        started.append(start)
        return ""

    def save_as(parent, title, start="", filters=""):
        started.append(start)
        return str(out / Path(start).name), ""

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", pick_folder)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.open_run_action.trigger()
    assert started[-1] == str(runs_root)
    opened(window, qtbot, runs_root / "A")
    [export_image] = [b for b in window.plots.findChildren(QPushButton)
                      if b.text() == "Export image…"]
    export_image.click()
    assert started[-1] == str(Path.home() / "training.png")  # never the working directory
    assert (out / "training.png").is_file()
    window.compare.findChild(QPushButton, "compareExportCsv").click()
    assert started[-1] == str(out / "compare.csv")
    window.export_action.trigger()
    assert started[-1] == str(out)
    window.save_settings()
    file_dialogs.set_last_folder(None)
    window.restore_settings()
    window.export_action.trigger()
    assert started[-1] == str(out)  # kept between launches


def test_compare_with_long_run_names_keeps_legend_off_the_curves_and_hover_in_the_plot(qtbot):
    plots = shown(qtbot, ComparePlots(), 900, 500)
    plots.smoothing.setValue(0)
    stamp = "The Glass Lighthouse + The Salt Road + Winter Orchard · tiny · 2026-12-04 15-"
    plots.set_runs([compared_run(stamp + "20-11", ["The Glass Lighthouse", "The Salt Road"],
                             1e-3, 1.0),
                    compared_run(stamp + "40-57", ["The Glass Lighthouse"], 3e-3, 0.5)])
    qtbot.waitUntil(lambda: plots.legend.sceneBoundingRect().height() > 0 and not plots.legend
                    .sceneBoundingRect().intersects(plots.plot.vb.sceneBoundingRect()),
                    timeout=10_000)  # once laid out, beside the curves, never over them
    plots.canvas.grab()  # painted, as the event loop would: the view has its range
    scene = plots.plot.vb.mapViewToScene(QPointF(25, 3.0))
    qtbot.mouseMove(plots.canvas.viewport(), plots.canvas.mapFromScene(scene))
    qtbot.waitUntil(plots.hover.isVisible, timeout=10_000)
    assert "40-57" in plots.hover.text()  # the end of a name that tells runs apart
    assert plots.hover.width() <= plots.plot.sceneBoundingRect().width()
    assert plots.canvas.rect().contains(plots.hover.geometry())


def test_help_tells_version_torch_device_licence_shortcuts_and_view_shows_the_dock(
        window, monkeypatch):
    import torch
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget

    from bdh_studio import __version__
    said = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: said.append(text))
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text, *rest: said.append(text))
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Run", "&View", "&Help"]
    window.findChild(QAction, "about").trigger()
    assert all(part in said[0] for part in (__version__, torch.__version__, "device cpu", "MIT"))
    window.findChild(QAction, "keyboardShortcuts").trigger()
    assert "Train" in said[1] and "Ctrl+R" in said[1] and "Open run" in said[1]
    readme = window.menuBar().findChild(QMenu, "readmeSections")
    assert "Quick start" in [a.text() for a in readme.actions()]
    dock, toggle = window.findChild(QDockWidget, "runsDock"), window.findChild(QAction,
                                                                              "showRunsDock")
    toggle.trigger()
    assert not dock.isVisible()
    toggle.trigger()
    assert dock.isVisible()


def test_a_relaunch_reopens_the_last_run(window, qtbot, settings, runs_root):
    import shiboken6

    from bdh_studio.gui.main_window import MainWindow
    opened(window, qtbot, runs_root / "A")
    window.close()
    again = MainWindow(settings, runs_root=runs_root)
    try:
        again.show()
        qtbot.waitUntil(lambda: again.run_dir == runs_root / "A" and bool(again.plots.books),
                        timeout=30_000)
        assert again.pages.currentWidget() is again.workspace
    finally:
        again.stop_and_wait()
        again.close()
        shiboken6.delete(again)


def test_empty_plots_say_no_data_yet_instead_of_meaningless_axes(qtbot):
    plots = shown(qtbot, TrainingPlots(), 900, 600)
    note = plots.canvas.empty_note
    assert note.isVisible() and "No data yet" in note.text()
    assert note.geometry() == plots.canvas.rect()  # over the axes, all of them
    plots.handle(ev.BookStarted("a", 0, 1, 40))
    log_steps(plots, "a", 1, 5)
    plots.redraw()
    assert not note.isVisible()
    plots.clear()
    assert note.isVisible()
    compare = shown(qtbot, ComparePlots(), 900, 500)
    assert compare.canvas.empty_note.isVisible()
    compare.set_runs([compared_run("A", ["x"], 1e-3, 1.0)])
    assert not compare.canvas.empty_note.isVisible()


INSPECT_PLOTS = {"activity": ("heatmap", "means"), "neuron": ("histogram", "table"),
                 "concept": ("curve",), "graph": ("plot",)}


def note_over(widget) -> str:
    """The text shown over ``widget`` in place of its axes or rows; "" when nothing covers it."""
    labels = widget.findChildren(QLabel, options=Qt.FindDirectChildrenOnly)
    notes = [label.text() for label in labels
             if label.isVisible() and label.geometry() == widget.rect()]
    return notes[0] if notes else ""


def inspect_notes(panel) -> dict[str, str]:
    """What each Inspect view's plots say over their axes, each view looked at in turn."""
    said = {}
    for name, plots in INSPECT_PLOTS.items():
        view = getattr(panel, name)
        panel.views.setCurrentWidget(view)
        said |= {f"{name} {plot}": note_over(getattr(view, plot)) for plot in plots}
    panel.views.setCurrentWidget(panel.activity)
    return said


def test_inspect_plots_say_what_to_do_until_they_have_data(panel, qtbot):
    said = inspect_notes(panel)
    assert all(text.startswith("No data yet") for text in said.values()), said
    assert "press Read" in said["activity heatmap"] and "Compute graph" in said["graph plot"]
    view = panel.activity
    view.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(view.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    assert not inspect_notes(panel)["activity heatmap"] and not note_over(view.means)
    assert "click a byte" in note_over(view.neurons)  # the top-neurons table, still empty
    click_cell(qtbot, view.heatmap, layer=1, position=4)
    finish(qtbot, panel)
    assert not note_over(view.neurons) and view.mark.isVisible()
    panel.concept.word.setText("the")
    for button in (panel.neuron.scan_button, panel.concept.search_button,
                   panel.graph.compute_button):
        qtbot.mouseClick(button, Qt.LeftButton)
        finish(qtbot, panel)
    assert not any(inspect_notes(panel).values())


def test_inspect_views_are_cleared_with_a_new_book_or_model(panel, qtbot):
    press_every_computation(qtbot, panel)
    other = panel.model.itemData(1)
    panel.book.setText(str(Path(panel.book.text()).with_name(f"{Path(other).stem}.txt")))
    said = inspect_notes(panel)  # a scan and a search are of the book: the read text is not
    assert [plot for plot, text in said.items() if text.startswith("No data yet")] == \
        ["neuron histogram", "neuron table", "concept curve"]
    shown = inspect_notes(panel)
    panel.hide()
    panel.show()  # the tab shown again lists the models again: the same one is still chosen
    assert inspect_notes(panel) == shown
    panel.model.setCurrentIndex(1)
    said = inspect_notes(panel)
    assert all(text.startswith("No data yet") for text in said.values()), said
    assert panel.activity.activity is None and panel.scan is None


def test_picking_a_runs_model_in_inspect_fills_in_its_book(window, qtbot, runs_root):
    opened(window, qtbot, runs_root / "A")
    checked(window, qtbot)
    window.workspace.setCurrentWidget(window.inspect)
    panel = window.inspect
    qtbot.waitUntil(lambda: panel.model.count() == 2, timeout=10_000)
    for i in range(2):
        panel.model.setCurrentIndex(i)
        stem = Path(panel.model.itemData(i)).stem
        assert Path(panel.book.text()).name == f"{stem}.txt"
        assert Path(panel.book.text()).is_file()


def test_the_sample_tabs_progress_bar_shows_only_while_sampling(window, qtbot, runs_root):
    box = window.sample_box
    assert box.progress.isHidden()  # idle and empty it looked like a text box
    opened(window, qtbot, runs_root / "A")
    box.generate_button.click()
    assert not box.progress.isHidden() and box.progress.isTextVisible()
    qtbot.waitUntil(lambda: not box.worker.running, timeout=60_000)
    assert box.progress.isHidden()


def test_the_activity_heatmap_has_a_colour_bar_and_marks_the_cell_clicked(panel, qtbot):
    panel.activity.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    view = panel.activity
    grid = view.activity.fractions[view.kind.currentData()]
    assert view.colour_bar.levels() == pytest.approx((0.0, float(grid.max())))
    assert view.colour_bar.isVisible() and not view.mark.isVisible()
    click_cell(qtbot, view.heatmap, layer=1, position=4)
    assert view.mark.isVisible() and view.mark.rect() == QRectF(4, 1, 1, 1)
    view.kind.setCurrentIndex(1)  # another activation: the mark was of the one before
    assert not view.mark.isVisible()


def test_the_cell_marked_leaves_the_heatmap_fitted_to_its_layers(panel, qtbot):
    panel.activity.text.setPlainText("The salt road ran north.")
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    view = panel.activity
    click_cell(qtbot, view.heatmap, layer=1, position=4)
    assert view.mark.isVisible()
    bottom, top = view.heatmap.getPlotItem().vb.childrenBounds()[1]
    assert (bottom, top) == (0, view.activity.n_layer)  # no empty band above the top layer


def test_a_scan_lists_every_neuron_sortable_by_firing_rate_and_selectivity(panel, qtbot):
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    finish(qtbot, panel)
    view, scan = panel.neuron, panel.scan
    model = view.table.model()
    assert model.rowCount() == scan.n_neurons
    rates = [float(model.index(r, 1).data()) for r in range(model.rowCount())]
    assert rates == sorted(rates, reverse=True)  # the busiest first
    view.table.sortByColumn(2, Qt.DescendingOrder)
    chosen = view.list.neuron(0)
    assert scan.selectivity()[chosen] == scan.selectivity().max()
    view.table.clicked.emit(model.index(0, 0))
    assert view.neuron.value() == chosen and f"Neuron {chosen} " in view.facts.text()


def test_one_click_on_selectivity_lists_the_most_selective_neurons_first(panel, qtbot):
    qtbot.mouseClick(panel.neuron.scan_button, Qt.LeftButton)
    finish(qtbot, panel)
    header, selectivity = panel.neuron.table.horizontalHeader(), panel.scan.selectivity()
    click = header.sectionViewportPosition(2) + header.sectionSize(2) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPointF(click, 5).toPoint())
    assert selectivity[panel.neuron.list.neuron(0)] == selectivity.max()


def test_compare_shows_validation_loss_bits_tokens_lr_and_sparsity_on_a_log_axis(qtbot):
    from bdh_studio.core.run.compare import ComparedRun
    from bdh_studio.core.run.state import RunState
    plots = shown(qtbot, ComparePlots(), 900, 500)
    plots.smoothing.setValue(0)
    runs = []
    for name, lr in (("A", 1e-3), ("B", 3e-3)):
        events = [ev.RunStarted("r", ("x",), {}, "cpu", "fp32", started=100.0),
                  ev.BookStarted("x", 0, 1, 30)]
        for step in (10, 20, 30):
            events += [ev.StepLogged("x", step, 5 - step / 10, lr, 1000.0 + step, step / 10,
                                     0.3, 0.2, time=100.0 + step),
                       ev.ValidationLogged("x", step, 6 - step / 10, 2.0 - step / 100,
                                           step / 10, time=100.0 + step)]
        runs.append(ComparedRun(name, RunState.of(events), {"lr": lr}))
    plots.set_runs(runs)
    for key, expected in (("val", 3.0), ("bits_per_byte", 1.7), ("lr", 3e-3),
                          ("tokens", 1030.0), ("x_sparsity", 0.3)):
        plots.measure.setCurrentIndex(plots.measure.findData(key))
        last = {line.run: float(line.series.values[-1]) for line in plots.lines}
        assert last["B"] == pytest.approx(expected), (key, last)
        assert plots.plot.getAxis("left").labelText == METRICS[key][1]
    plots.log_y.setChecked(True)
    assert plots.plot.getAxis("left").logMode


@pytest.mark.parametrize("width", [700, 1000, 1800])
def test_the_heatmaps_byte_labels_never_overlap(panel, qtbot, width):
    """At 1024x700 a label for each of 120 bytes ran together into one smudge."""
    from PySide6.QtGui import QImage, QPainter
    panel.resize(width, 600)
    panel.activity.text.setPlainText("Made to sit on her left hand in class as a girl, she "
                                     "learned to write with her wrist curled above the line. " * 3)
    qtbot.mouseClick(panel.activity.read_button, Qt.LeftButton)
    finish(qtbot, panel)
    axis = panel.activity.heatmap.getAxis("bottom")
    panel.activity.heatmap.repaint()
    image = QImage(axis.size().toSize(), QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        texts = axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    rects = sorted((rect for rect, _, _ in texts), key=lambda r: r.left())
    assert len(rects) >= 5  # the heatmap's bytes are still told apart
    assert all(a.right() <= b.left() for a, b in zip(rects, rects[1:])), \
        [(round(r.left()), round(r.right())) for r in rects]


def test_every_book_that_overfits_is_named_in_the_banner_not_the_last_alone(
        window, qtbot, books_dir, monkeypatch):
    """Seen on the demo books with the cpu preset: three books overfitted, the banner named
    the last, each warning having replaced the one before."""
    import torch

    from bdh_studio.core import trainer
    measured = iter([2.0, 1.5, 1.9] * 2)  # each of the two books: best 1.5, last 1.9
    monkeypatch.setattr(trainer, "evaluate",
                        lambda model, batches, runtime: torch.tensor(next(measured)))
    drop(window, qtbot, [books_dir])
    use_tiny(window, max_iters=30, log_interval=5, eval_interval=10, eval_batches=1)
    with qtbot.waitSignal(window.session.finished, timeout=120_000):
        window.train_action.trigger()
    lines = window.banner.label.text().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Alpha Book", "beta book"], lines
    assert all("overfits" in line for line in lines)
    window.train_action.trigger()  # the next training starts with no message of this one
    assert not window.banner.isVisible()
    with qtbot.waitSignal(window.session.finished, timeout=120_000):
        window.stop_action.trigger()
