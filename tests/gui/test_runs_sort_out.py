"""Sorting runs out in the Runs panel: notes and tags edited and kept, a filter, best-so-far
columns that sort as numbers, and each run's colour."""

import pytest
from PySide6.QtCore import Qt

from bdh_studio.core.run.notes import NOTES, RunNotes, read_notes
from bdh_studio.gui.runs_panel import COLUMNS, RunsPanel
from fake_runs import write_runs

BEST = COLUMNS.index("Best val loss (step)")


@pytest.fixture
def panel(qtbot, tmp_path):
    write_runs(tmp_path / "runs", 6, steps=200)
    widget = RunsPanel(tmp_path / "runs")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: len(widget.summaries) == 6, timeout=30_000)
    yield widget
    widget.wait()  # a listing the last edit started must end before its thread is destroyed


def select(panel, name, qtbot=None):
    """Select the run, and wait as a person would for its notes editor to appear."""
    items = panel.tree.findItems(name, Qt.MatchExactly, 0)
    panel.tree.setCurrentItem(items[0])
    if qtbot is not None:
        qtbot.waitUntil(lambda: panel.editor.save.isVisible() and panel.editor.save.width() > 1,
                        timeout=10_000)


def test_notes_and_tags_are_edited_saved_and_read_back(panel, qtbot, tmp_path):
    select(panel, "run 001", qtbot)
    editor = panel.editor
    assert editor.tags.text() == "" and editor.notes.toPlainText() == ""
    qtbot.keyClicks(editor.tags, "baseline, keep")
    qtbot.keyClicks(editor.notes, "the one to beat")
    qtbot.mouseClick(editor.save, Qt.LeftButton)
    folder = tmp_path / "runs" / "run 001"
    qtbot.waitUntil(lambda: panel.summaries[str(folder)].tags == ["baseline", "keep"],
                    timeout=30_000)
    assert read_notes(folder)[0].notes == "the one to beat"
    row = panel.tree.findItems("run 001", Qt.MatchExactly, 0)[0]
    assert row.text(COLUMNS.index("Tags")) == "baseline keep"
    assert row.text(COLUMNS.index("Notes")) == "the one to beat"
    select(panel, "run 002")
    assert editor.notes.toPlainText() == ""
    select(panel, "run 001")
    assert editor.notes.toPlainText() == "the one to beat"
    renamed = panel.rename(folder, "best so far")
    qtbot.waitUntil(lambda: str(renamed) in panel.summaries, timeout=30_000)
    assert panel.summaries[str(renamed)].tags == ["baseline", "keep"]
    relaunched = RunsPanel(tmp_path / "runs")
    qtbot.addWidget(relaunched)
    qtbot.waitUntil(lambda: str(renamed) in relaunched.summaries, timeout=30_000)
    assert relaunched.summaries[str(renamed)].notes == "the one to beat"
    relaunched.wait()


def test_a_run_with_damaged_notes_is_listed_with_the_reason(panel, qtbot, tmp_path):
    folder = tmp_path / "runs" / "run 002"
    (folder / NOTES).write_text("{torn")
    panel.refresh()
    qtbot.waitUntil(lambda: panel.summaries[str(folder)].notes_problem != "", timeout=30_000)
    row = panel.tree.findItems("run 002", Qt.MatchExactly, 0)[0]
    assert row.text(COLUMNS.index("Notes")).startswith("notes.json is damaged")
    assert row.text(COLUMNS.index("State")) == "finished"
    select(panel, "run 002", qtbot)
    assert panel.editor.problem.isVisible()
    qtbot.keyClicks(panel.editor.notes, "fixed")
    qtbot.mouseClick(panel.editor.save, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.summaries[str(folder)].notes == "fixed", timeout=30_000)
    assert not panel.editor.problem.isVisible()


def test_the_filter_box_state_and_preset(panel, qtbot):
    bar = panel.filter_bar
    qtbot.keyClicks(bar.text, "sweep")
    assert sorted(panel.shown()) == ["run 000", "run 003"]
    bar.text.clear()
    qtbot.keyClicks(bar.text, "-lr1 sweep")
    assert panel.shown() == ["run 003"]
    qtbot.keyClicks(bar.text, " (")  # not a regex: said, and the last filter stays
    assert panel.shown() == ["run 003"] and "not a regular expression" in bar.text.toolTip()
    bar.text.clear()
    bar.preset.setCurrentIndex(bar.preset.findData("tiny"))
    assert sorted(panel.shown()) == ["run 001", "run 003", "run 005"]
    bar.state.setCurrentIndex(bar.state.findData("failed"))
    assert panel.shown() == []


def test_best_so_far_columns_sort_as_numbers(panel):
    panel.tree.sortByColumn(BEST, Qt.AscendingOrder)
    firsts = [panel.summaries[panel.tree.topLevelItem(i).data(0, Qt.UserRole)]
              for i in range(panel.tree.topLevelItemCount())]
    bests = [min(b.loss for b in run.best_val.values()) for run in firsts]
    assert bests == sorted(bests) and len(set(bests)) > 1
    assert "(200)" in panel.tree.topLevelItem(0).text(BEST)
    panel.tree.sortByColumn(COLUMNS.index("Date"), Qt.DescendingOrder)
    assert panel.shown()[:2] == ["run 005", "run 004"]  # newest first


def test_a_chosen_colour_is_kept_with_the_run(panel, qtbot, tmp_path):
    folder = tmp_path / "runs" / "run 004"
    select(panel, "run 004", qtbot)
    panel.editor.set_colour("#123456")
    qtbot.waitUntil(lambda: panel.summaries[str(folder)].colour == "#123456", timeout=30_000)
    assert read_notes(folder)[0] == RunNotes(colour="#123456")
    row = panel.tree.findItems("run 004", Qt.MatchExactly, 0)[0]
    assert row.icon(0).pixmap(10, 10).toImage().pixelColor(5, 5).name() == "#123456"
