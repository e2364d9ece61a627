"""Compare's hyperparameters as parallel coordinates: a line per checked run in its colour;
clicking one isolates that run, as clicking its table row does."""

import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from bdh_studio.core.run.compare import load_run
from bdh_studio.gui.compare_plots import ComparePlots
from fake_runs import write_runs
from shown import shown

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


@pytest.mark.parametrize("size", [(1100, 420), (1100, 140), (1100, 90), (700, 300)])
def test_labels_never_overlap_and_lines_stay_between_the_axes_ends(qtbot, six_runs, size):
    """Fourteen axes (tiny and cpu differ in many settings): names in two staggered rows,
    each tick's label inside its axis; a view too short for them drops the ticks' labels."""
    import pyqtgraph as pg

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
    assert ticks == (sum(len(a.ticks) for a in chart.axes) if size[1] > 100 else 0)
    for line in view.lines.values():
        y = line.getData()[1]
        assert ((0 <= y) & (y <= 1)).all()
