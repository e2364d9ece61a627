"""Compare at a small screen, as the walk of issue 26 met it: default run names, three books."""

import re

from PySide6.QtCore import QPointF

from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.naming import default_run_name
from bdh_studio.gui.compare_plots import ComparePlots
from shown import laid_out, shown
from test_compare import compared
from test_main_window import checked

BOOKS = ["The Glasshouse at Aldern", "The Salt Road", "Winter on Kessel Pass"]
MADE_AT = 1_796_000_000.0  # a run's creation time; the second run three minutes later


def default_named_runs():
    """Two runs of the same books and preset whose default names differ only in the time."""
    names = [default_run_name(BOOKS, PRESETS["cpu"], MADE_AT + minutes * 60)
             for minutes in (0, 3)]
    assert names[0] != names[1]
    return [compared(name, BOOKS, lr, 1.0) for name, lr in zip(names, (1e-3, 3e-3))]


def hover_over(plots, qtbot):
    """The mouse over the plot's middle, once the legend has its rows."""
    plots.canvas.grab()  # painted, as the event loop would: the view has its range
    laid_out(qtbot, plots.plot)
    x_range, y_range = plots.plot.vb.viewRange()
    scene = plots.plot.vb.mapViewToScene(QPointF(sum(x_range) * 0.6, sum(y_range) / 2))
    qtbot.mouseMove(plots.canvas.viewport(), plots.canvas.mapFromScene(scene))
    qtbot.waitUntil(plots.hover.isVisible, timeout=10_000)


def test_two_runs_named_alike_but_for_their_time_get_different_labels(qtbot):
    plots = shown(qtbot, ComparePlots(), 900, 500)
    plots.set_runs(default_named_runs())
    legend = [label.text for _, label in plots.legend.items]
    assert len(set(legend)) == len(legend) == 5, legend  # each run, then each book
    hover_over(plots, qtbot)
    runs = re.findall(r"<tr><td>(.*?)</td><td>", plots.hover.text())
    assert len(runs) == 6 and len(set(runs)) == 2, runs  # a run's books share its label
    headers = [plots.diff.horizontalHeaderItem(c).text() for c in range(2)]
    assert headers[0] != headers[1], headers
    assert all(plots.diff.horizontalHeader().sectionSize(c) >= plots.diff.horizontalHeader()
               .sectionSizeFromContents(c).width() for c in range(2))  # shown whole


def test_at_1024x700_compare_keeps_its_plot_and_the_hover_table_inside_it(window, qtbot):
    window.resize(1024, 700)
    window.load_demo()  # the books listed as in the walk, the workspace shown
    checked(window, qtbot)
    window.training_view.tabs.setCurrentWidget(window.compare)
    plots = window.compare
    plots.set_runs(default_named_runs())  # two runs of three books: six curves
    hover_over(plots, qtbot)
    assert window.minimumSizeHint().height() <= 700 and window.height() == 700
    view = plots.plot.vb.sceneBoundingRect()
    assert view.height() >= 100, view  # the legend and the tables left the curves room
    area = plots.canvas.mapFromScene(view).boundingRect()
    table = plots.hover.geometry()
    assert area.contains(table), (area, table)
    assert table.width() * table.height() <= 0.5 * area.width() * area.height()
    assert not table.contains(plots.canvas.mapFromScene(plots.crosshair.scenePos()).x(),
                              table.center().y())  # beside the cursor's line, not over it
    curves = len(re.findall(r"<tr><td>", plots.hover.text()))
    more = re.search(r"\+(\d+) more", plots.hover.text())
    assert curves >= 2 and more and curves + int(more[1]) == 6  # the nearest, the rest said
