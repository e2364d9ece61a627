"""The Backstories tab's report read whole after a classifier run (issue 26).

At 1280x800 the report's table and the confusion matrix under it scrolled in
a box too short for them: the matrix's title was cut in half by the box's
lower edge, and at 1024x700 the table's last row shown was cut.
"""

import shutil

import pytest
from PySide6.QtWidgets import QLabel

from bdh_studio.core.classify_runs import CLASSIFY
from test_runs_panel import opened
from test_walk_backstories import classified


@pytest.fixture
def runs_root(demo_models, tmp_path):
    root = tmp_path / "runs"
    shutil.copytree(demo_models, root / "A", ignore=shutil.ignore_patterns(CLASSIFY))
    return root


def titled(report, words: str) -> QLabel:
    return next(label for label in report.findChildren(QLabel) if words in label.text())


def whole(widget) -> bool:
    """Nothing of ``widget`` cut by the widgets around it."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def rows_whole(table) -> bool:
    """The rows in view end at the view's lower edge or above it, never across it."""
    bottom = table.viewport().height()
    ends = [table.rowViewportPosition(r) + table.rowHeight(r) for r in range(table.rowCount())]
    return bottom in ends or max(ends) < bottom or min(ends) > bottom


def all_rows_in_view(table) -> bool:
    return all(0 <= table.rowViewportPosition(r) and table.rowViewportPosition(r)
               + table.rowHeight(r) <= table.viewport().height()
               for r in range(table.rowCount()))


def report_parts(report):
    return [titled(report, "Cross-validated report"), report.table,
            titled(report, "Confusion matrix"), report.confusion]


def test_the_whole_report_shows_at_1280x800_and_1920x1080(window, qtbot, runs_root):
    window.resize(1280, 800)
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    window.workspace.setCurrentWidget(window.results)
    report = classified(window, qtbot, folds=3).report
    for size in ((1280, 800), (1920, 1080)):
        window.resize(*size)
        qtbot.waitUntil(lambda: window.size().toTuple() == size)
        qtbot.waitUntil(lambda: all(whole(w) for w in report_parts(report)), timeout=5_000)
        for table in (report.table, report.confusion):
            assert all_rows_in_view(table), (size, table.objectName())
