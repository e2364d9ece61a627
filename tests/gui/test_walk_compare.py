"""Compare at a small screen, as the walk of issue 26 met it: default run names, three books."""

import re

from PySide6.QtCore import QPointF

from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.naming import default_run_name
from bdh_studio.gui.compare_plots import ComparePlots
from shown import shown
from test_compare import compared

BOOKS = ["The Glasshouse at Aldern", "The Salt Road", "Winter on Kessel Pass"]
MADE_AT = 1_796_000_000.0  # a run's creation time; the second run three minutes later


def default_named_runs():
    """Two runs of the same books and preset whose default names differ only in the time."""
    names = [default_run_name(BOOKS, PRESETS["cpu"], MADE_AT + minutes * 60)
             for minutes in (0, 3)]
    assert names[0] != names[1]
    return [compared(name, BOOKS, lr, 1.0) for name, lr in zip(names, (1e-3, 3e-3))]


def hover_over(plots, qtbot, x, y):
    plots.canvas.grab()  # painted, as the event loop would: the view has its range
    scene = plots.plot.vb.mapViewToScene(QPointF(x, y))
    qtbot.mouseMove(plots.canvas.viewport(), plots.canvas.mapFromScene(scene))
    qtbot.waitUntil(plots.hover.isVisible, timeout=10_000)


def test_two_runs_named_alike_but_for_their_time_get_different_labels(qtbot):
    plots = shown(qtbot, ComparePlots(), 900, 500)
    plots.set_runs(default_named_runs())
    legend = [label.text for _, label in plots.legend.items]
    assert len(set(legend)) == len(legend) == 6, legend
    hover_over(plots, qtbot, 25, 3.0)
    runs = re.findall(r"<tr><td>(.*?)</td><td>", plots.hover.text())
    assert len(runs) == 6 and len(set(runs)) == 2, runs  # a run's books share its label
    headers = [plots.diff.horizontalHeaderItem(c).text() for c in range(2)]
    assert headers[0] != headers[1], headers
    assert all(plots.diff.horizontalHeader().sectionSize(c) >= plots.diff.horizontalHeader()
               .sectionSizeFromContents(c).width() for c in range(2))  # shown whole
