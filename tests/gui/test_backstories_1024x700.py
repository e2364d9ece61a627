"""The Backstories tab read at 1024x700 after a classifier run (issue 26).

Each thing here was cut at that size: the report's note on the standard error
lost its second line under the Predictions box, the status beside the
progress bar read "features: 36 train rows …26-12_04_20-07-35-198075" (the
middle of the sentence and of the folder's path taken out), the
predictions' last column header was "…ks", and the report's rows were 29 px
for a line of text.
"""

import shutil

import pytest
from PySide6.QtCore import Qt

from bdh_studio.core.classify_runs import CLASSIFY
from bdh_studio.core.evaluation import METRICS, Fold, Report
from bdh_studio.gui.cv_report import ReportTables
from bdh_studio.gui.predictions_table import TEXT
from shown import shown
from test_runs_panel import opened
from test_walk_backstories import classified


@pytest.fixture
def runs_root(demo_models, tmp_path):
    root = tmp_path / "runs"
    shutil.copytree(demo_models, root / "A", ignore=shutil.ignore_patterns(CLASSIFY))
    return root


@pytest.fixture
def panel(window, qtbot, runs_root):
    window.resize(1024, 700)
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    window.workspace.setCurrentWidget(window.results)
    panel = classified(window, qtbot, folds=3)
    panel.select_row(0)
    qtbot.waitUntil(lambda: not panel.scorer.running, timeout=60_000)
    assert window.size().toTuple() == (1024, 700)
    return panel


def test_the_reports_note_is_shown_whole(panel, qtbot):
    caveat = panel.report.caveat

    def whole() -> bool:
        return (caveat.height() >= caveat.heightForWidth(caveat.width())
                and caveat.visibleRegion().boundingRect() == caveat.rect())
    qtbot.waitUntil(whole, timeout=5_000)  # once laid out


def test_the_status_says_what_finished_first(panel):
    drawn, text = panel.message.elided(), panel.message.text()
    assert drawn.startswith("features: 36 train rows cross-validated, 15 test rows predicted"), \
        drawn
    assert text.startswith(drawn.rstrip("…")) and panel.message.toolTip() == text


def test_the_backstory_column_keeps_its_header_legible(panel):
    header = panel.table.horizontalHeader()
    title = header.fontMetrics().horizontalAdvance("Backstory")
    assert header.sectionSize(TEXT) >= title + 16
    bar = panel.table.horizontalScrollBar()
    bar.setValue(bar.maximum())  # a person scrolls to it
    right = header.sectionViewportPosition(TEXT) + header.sectionSize(TEXT)
    assert header.sectionViewportPosition(TEXT) >= 0 and right <= header.viewport().width()



def test_the_report_rows_stay_one_line_tall_once_the_columns_widen(qtbot):
    """Laid out narrow for a moment (the window between sizes, the tab hidden), the rows
    wrapped to 29 px for 18 px of text and kept it once wide: at 1024x700 two of the five
    rows showed."""
    same = {metric: 0.5 for metric in METRICS}
    baselines = {name: same for name in ("majority class", "majority per book")}
    report = Report([Fold(0, i, same, baselines) for i in range(3)], n_rows=36)
    view = shown(qtbot, ReportTables(), 300, 300)
    view.show_report(report, [[5, 3], [2, 6]])
    view.resize(900, 300)  # the confusion matrix beside the table takes ~240 px of it
    table = view.table
    qtbot.waitUntil(lambda: table.columnWidth(0) > 100)
    line = table.verticalHeader().sectionSizeHint(0)
    assert [table.rowHeight(r) for r in range(table.rowCount())] == [line] * table.rowCount()


def test_the_report_and_the_matrix_show_whole_rows(panel, qtbot):
    """Too narrow for both side by side, they are two tabs; the table's rows that do not fit
    scroll in a row at a time, none cut by an edge."""
    from test_backstories_report_fits import rows_whole, whole
    report = panel.report
    tabs = report.tabs
    assert whole(tabs.tabBar()) and tabs.tabText(0).startswith("Cross-validated report")
    for tab, parts in ((0, [report.table]), (1, [report.confusion_title, report.confusion])):
        qtbot.mouseClick(tabs.tabBar(), Qt.LeftButton, pos=tabs.tabBar().tabRect(tab).center())
        qtbot.waitUntil(lambda: all(whole(w) for w in parts), timeout=5_000)
        table = parts[-1]
        bar = table.verticalScrollBar()
        for value in range(bar.minimum(), bar.maximum() + 1):
            bar.setValue(value)
            assert rows_whole(table), (table.objectName(), value)
        last = table.rowCount() - 1  # scrolled to its end, the last row is whole
        assert table.rowViewportPosition(last) + table.rowHeight(last) \
            <= table.viewport().height()
