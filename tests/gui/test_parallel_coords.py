"""Compare's hyperparameters as parallel coordinates: a line per checked run in its colour;
clicking one isolates that run, as clicking its table row does."""

import json

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt

from bdh_studio.core.run.compare import load_run
from bdh_studio.gui.compare_plots import ComparePlots
from fake_runs import write_runs
from shown import laid_out, shown
from test_main_window import checked

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-3)


@pytest.fixture
def six_runs(tmp_path):
    folders = write_runs(tmp_path / "runs", 6, steps=200)
    for folder, lr in zip(folders, LRS):
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps({**config, "lr": lr}))
    return [load_run(folder) for folder in folders]


def far_from_the_others(view, runs):
    """A run and a point of its line (in view coordinates) where no other line passes near."""
    ys = {name: line.getData()[1] for name, line in view.lines.items()}
    best = None
    for name in runs:
        for a in range(len(ys[name]) - 1):
            y = (ys[name][a] + ys[name][a + 1]) / 2
            others = [(o[a] + o[a + 1]) / 2 for n, o in ys.items() if n != name]
            gap = min(abs(y - o) for o in others if np.isfinite(o))
            if np.isfinite(y) and (best is None or gap > best[0]):
                best = (gap, name, QPointF(a + 0.5, y))
    return best[1], best[2]


def test_the_toggle_shows_a_line_per_run_and_clicking_one_isolates_it(qtbot, six_runs):
    plots = shown(qtbot, ComparePlots(), 1100, 800)
    plots.set_runs(six_runs)
    view = plots.hparams
    assert view.pages.currentWidget() is view.table
    qtbot.mouseClick(view.show_parallel, Qt.LeftButton)
    assert view.pages.currentWidget() is view.parallel and view.parallel.isVisible()
    assert view.show_parallel.isChecked() and not view.show_table.isChecked()
    lines = view.parallel.lines
    assert list(lines) == [run.name for run in six_runs]
    assert {name: line.opts["pen"].color().name() for name, line in lines.items()} == {
        run.name: run.colour for run in six_runs}
    axes = len(view.parallel.lines[six_runs[0].name].getData()[0])
    assert axes == view.data.settings + 2  # the settings that differ, each book's best val
    name, point = far_from_the_others(view.parallel, [run.name for run in six_runs])
    qtbot.waitUntil(lambda: view.parallel.plotItem.vb.viewRect().width() > 0, timeout=5_000)
    scene = view.parallel.plotItem.vb.mapViewToScene(point)
    qtbot.mouseClick(view.parallel.viewport(), Qt.LeftButton,
                     pos=view.parallel.mapFromScene(scene))
    assert plots.isolate.currentText() == name
    assert {line.run for line in plots.lines if line.item.isVisible()} == {name}
    qtbot.mouseClick(view.show_table, Qt.LeftButton)
    assert view.pages.currentWidget() is view.table


@pytest.mark.parametrize("size", [(1100, 420), (1100, 140), (1100, 90), (1100, 64), (700, 300)])
def test_labels_never_overlap_and_lines_stay_between_the_axes_ends(qtbot, six_runs, size):
    """Fourteen axes (tiny and cpu differ in many settings): names in two staggered rows, or
    in one where a second would take the ticks' labels' room; each tick's label inside its
    axis; a view too short for them drops the ticks' labels."""
    from bdh_studio.core.run.hparams import hparams_table
    from bdh_studio.core.run.parallel import parallel_coordinates
    from bdh_studio.gui.parallel_coords import ParallelCoordinatesView

    view = shown(qtbot, ParallelCoordinatesView(), *size)
    chart = parallel_coordinates(hparams_table(six_runs))
    assert len(chart.axes) >= 12
    view.set_chart(chart, {})
    view.grab()  # painted, as the event loop would: the labels are placed
    labels = [item for item in view.plotItem.items if isinstance(item, pg.TextItem)]
    rects = [item.mapRectToScene(item.boundingRect()) for item in labels]
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(seen.contains(rect) for rect in rects)
    overlapping = [(a.toPlainText(), b.toPlainText()) for i, (a, ra) in
                   enumerate(zip(labels, rects)) for b, rb in zip(labels[i + 1:], rects[i + 1:])
                   if ra.intersected(rb).height() > 2 and ra.intersected(rb).width() > 2]
    assert overlapping == []
    ticks = len(labels) - len(chart.axes)
    assert ticks == (sum(len(a.ticks) for a in chart.axes) if size[1] > 80 else 0)
    for line in view.lines.values():
        y = line.getData()[1]
        assert ((0 <= y) & (y <= 1)).all()


def body_px(view) -> float:
    """The axes' length on screen, from their bottom end (0) to their top end (1)."""
    vb = view.plotItem.vb
    return vb.mapViewToDevice(QPointF(0, 0)).y() - vb.mapViewToDevice(QPointF(0, 1)).y()


def compare_shown(window, qtbot, runs, size):
    """Compare's tab at ``size``, comparing ``runs``."""
    window.resize(*size)
    window.load_demo()  # the workspace shown, as in the walk
    checked(window, qtbot)
    window.training_view.tabs.setCurrentWidget(window.compare)
    window.compare.set_runs(runs)
    return window.compare


@pytest.mark.parametrize("size, least", [((1024, 700), 60), ((1280, 800), 120),
                                         ((1920, 1080), 120)])
def test_chosen_parallel_coordinates_get_axes_long_enough_to_read(window, qtbot, six_runs,
                                                                  size, least):
    """In the tables' third of Compare's height, under two rows of names, the axes were
    20 px long at 1024x700 and 1280x800: the chart gets half while it shows, each tick's
    value still drawn, and gives it back for the table."""
    plots = compare_shown(window, qtbot, six_runs[:2], size)
    laid_out(qtbot, plots.plot)
    plot_height = plots.canvas.height()
    qtbot.mouseClick(plots.hparams.show_parallel, Qt.LeftButton)
    view = plots.hparams.parallel
    laid_out(qtbot, view.plotItem)
    assert body_px(view) >= least, body_px(view)
    texts = [item for item in view.plotItem.items if isinstance(item, pg.TextItem)]
    assert len(texts) == sum(1 + len(axis.ticks) for axis in view.chart.axes)
    assert window.height() == size[1]
    qtbot.mouseClick(plots.hparams.show_table, Qt.LeftButton)
    laid_out(qtbot, plots.plot)
    assert plots.canvas.height() == plot_height


def test_a_launch_that_remembers_parallel_coordinates_gives_them_half_too(qtbot, settings,
                                                                         runs_root, six_runs):
    import shiboken6

    from bdh_studio.gui.hparams_table import VIEW_KEY
    from bdh_studio.gui.main_window import MainWindow

    settings.setValue(VIEW_KEY, "parallel")
    window = MainWindow(settings, runs_root=runs_root)
    try:
        window.show()
        plots = compare_shown(window, qtbot, six_runs[:2], (1024, 700))
        view = plots.hparams.parallel
        assert view.isVisible()
        laid_out(qtbot, view.plotItem)
        assert body_px(view) >= 60, body_px(view)
    finally:
        window.stop_and_wait()
        window.close()
        shiboken6.delete(window)


def test_the_table_or_parallel_choice_is_kept_across_launches(qtbot, settings, runs_root):
    import shiboken6

    from bdh_studio.gui.main_window import MainWindow

    def relaunched(click: str) -> tuple[str, bool, bool]:
        """A launch's hyperparameters page and toggle as they open; then a click on its
        ``click`` button, and the window closed."""
        window = MainWindow(settings, runs_root=runs_root)
        view = window.compare.hparams
        opened = (view.pages.currentWidget().objectName(), view.show_table.isChecked(),
                 view.show_parallel.isChecked())
        qtbot.mouseClick(getattr(view, click), Qt.LeftButton)
        window.close()
        shiboken6.delete(window)
        return opened

    assert relaunched("show_parallel") == ("hparamsTable", True, False)
    assert relaunched("show_table") == ("parallelCoordinates", False, True)
    assert relaunched("show_table") == ("hparamsTable", True, False)
