"""The Backstories tab as a person uses it: load the CSVs, run, read, filter, select, export."""

import csv
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bdh_studio import resources
from bdh_studio.gui.predictions_table import BOOK, CONFIDENCE, SORT_ROLE
from test_main_window import drop

N_TRAIN, N_TEST = 36, 15


def read(qtbot, panel):
    """Wait, as a person does, until the CSVs added are read."""
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)


def run(window, qtbot, models, folds=3):
    panel = window.results
    read(qtbot, panel)
    panel.set_models_folder(models)
    panel.mode.setCurrentText("features")
    panel.folds.setValue(folds)
    assert panel.run_button.isEnabled()
    panel.run()
    assert panel.running and not window.train_action.isEnabled()
    # A deadline, not a speed check: each fit of the features mode chooses its model by an
    # inner cross-validation (60 small fits), a few seconds a fold on a shared machine.
    qtbot.waitUntil(lambda: not panel.running, timeout=120_000)
    return panel


def visible(panel, column):
    return [panel.proxy.index(r, column).data() for r in range(panel.proxy.rowCount())]


def test_a_run_shows_folds_report_confusion_and_predictions(window, qtbot, demo_models, tmp_path,
                                                            monkeypatch):
    window.load_demo()
    panel = run(window, qtbot, demo_models)
    assert not window.banner.isVisible()
    assert panel.pages.currentIndex() == 1 and panel.progress.value() == 1000
    assert len(panel.chart.bars.opts["height"]) == 3
    assert 0 < panel.chart.baseline_line.value() < 100
    names = [panel.report.table.verticalHeaderItem(r).text()
             for r in range(panel.report.table.rowCount())]
    assert names[:2] == ["model", "majority class"]
    assert "±" in panel.report.table.item(1, 0).text()
    assert "standard error" in panel.report.caveat.text()
    counts = [int(panel.report.confusion.item(t, p).text().split()[0])
              for t in range(2) for p in range(2)]
    assert sum(counts) == N_TRAIN
    assert panel.model.rowCount() == N_TEST + N_TRAIN

    panel.table.sortByColumn(CONFIDENCE, Qt.DescendingOrder)
    confidences = [panel.proxy.index(r, CONFIDENCE).data(SORT_ROLE)
                   for r in range(panel.proxy.rowCount())]
    assert confidences == sorted(confidences, reverse=True)
    panel.book_filter.setCurrentText("The Salt Road")
    assert set(visible(panel, BOOK)) == {"The Salt Road"} and panel.proxy.rowCount() < 51
    panel.label_filter.setCurrentIndex(panel.label_filter.findData("contradict"))
    assert all(panel.model.rows[panel.proxy.mapToSource(panel.proxy.index(r, 0)).row()]
               .prediction.label == "contradict" for r in range(panel.proxy.rowCount()))
    panel.book_filter.setCurrentIndex(0)
    panel.label_filter.setCurrentIndex(0)
    panel.split_filter.setCurrentText("test")
    assert panel.proxy.rowCount() == N_TEST

    panel.select_row(0)
    row = panel.selected_row()
    qtbot.waitUntil(lambda: "bits per character" in panel.surprise.title.text(), timeout=10_000)
    assert panel.surprise.browser.toPlainText() == row.story.text()
    assert panel.surprise.words.text().startswith("Most surprising words (bits): <b>")
    shaded = panel.surprise.browser.toHtml()
    assert shaded.count("background-color") > len(row.story.text()) / 2  # alike ones merge

    scored, cancelled = [], []

    def scoring(book, text, control):
        scored.append(text)
        while len(scored) == 1:  # the first row scores until it is cancelled
            control.check()
            time.sleep(0.001)
        return np.zeros(len(text))

    monkeypatch.setattr("bdh_studio.gui.results_panel.char_surprise", scoring)
    panel.scorer.cancelled.connect(lambda: cancelled.append(True))
    panel.select_row(1)
    qtbot.waitUntil(lambda: len(scored) == 1, timeout=10_000)
    panel.select_row(2)  # a new request: the scoring of row 1 is cancelled
    qtbot.waitUntil(lambda: "mean 0.00 bits" in panel.surprise.title.text(), timeout=10_000)
    assert cancelled == [True] and len(scored) == 2
    assert panel.surprise.browser.toPlainText() == panel.selected_row().story.text() == scored[1]

    panel.export_predictions(tmp_path / "predictions.csv")
    with open(tmp_path / "predictions.csv", newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["id", "label"] and len(lines) == 1 + N_TEST
    assert {label for _, label in lines[1:]} <= {"consistent", "contradict"}
    panel.export_table(tmp_path / "table.csv")
    assert len((tmp_path / "table.csv").read_text().splitlines()) > N_TEST + N_TRAIN


def test_a_csv_missing_a_column_says_so_and_the_panel_keeps_working(window, qtbot, demo_models,
                                                                    tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,book_name,char,label\n1,The Salt Road,Maren Holt,consistent\n")
    window.results.add_csvs([bad])
    read(qtbot, window.results)
    assert window.banner.isVisible()
    assert "missing column(s) caption, content" in window.banner.label.text()
    assert window.results.train_path.text() == ""
    window.banner.hide()
    window.results.add_csvs([resources.demo_train_csv()])
    panel = run(window, qtbot, tmp_path)  # a folder without book models
    assert "no book models" in window.banner.label.text()
    window.banner.hide()
    panel = run(window, qtbot, demo_models)
    assert not window.banner.isVisible() and panel.model.rowCount() == N_TRAIN
    assert not panel.export_button.isEnabled()  # no test rows: nothing to submit


def test_stop_ends_a_run_and_the_panel_keeps_working(window, qtbot, monkeypatch):
    import time

    def slow_classify(*args, control, **kwargs):
        while True:
            control.check()
            control.progress(0.5, "fold 1 of 5")
            time.sleep(0.01)

    monkeypatch.setattr("bdh_studio.gui.results_panel.classify", slow_classify)
    panel = window.results
    panel.add_csvs([resources.demo_train_csv()])
    read(qtbot, panel)
    panel.set_models_folder(resources.demo_books())
    panel.run()
    qtbot.waitUntil(lambda: panel.message.text().startswith("fold 1 of 5 · "), timeout=5_000)
    assert panel.stop_button.isEnabled()
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=5_000)
    assert panel.message.text() == "stopped; the last results are kept"
    assert not window.banner.isVisible()
    assert panel.run_button.isEnabled() and not panel.stop_button.isEnabled()


def test_rows_left_out_are_listed(window, qtbot, tmp_path):
    rows = resources.demo_train_csv().read_text().splitlines()
    messy = tmp_path / "train.csv"
    messy.write_text("\n".join(rows + [rows[1]]) + "\n")  # a duplicate id
    window.results.add_csvs([messy])
    read(qtbot, window.results)
    problems = window.results.problems
    assert not problems.isHidden()
    assert problems.summary.text() == "1 row left out: duplicate id"
    assert "row id 49 (line 38): duplicate id (also on line 2)" in problems.details.toPlainText()


def test_dropped_csvs_go_to_the_panel_not_the_books(window, qtbot):
    drop(window, qtbot, [resources.demo_test_csv(), resources.demo_train_csv()])
    panel = window.results
    assert panel.train_path.text() == str(resources.demo_train_csv())
    assert panel.test_path.text() == str(resources.demo_test_csv())
    assert panel.message.text() == "loaded test.csv: 15 rows, train.csv: 36 rows"
    assert window.books.infos == {}
    assert window.pages.currentWidget() is window.workspace
    assert window.workspace.currentWidget() is panel


def test_panel_settings_are_restored(qtbot, settings):
    import shiboken6

    from bdh_studio.gui.main_window import MainWindow
    first = MainWindow(settings)
    first.results.add_csvs([resources.demo_train_csv()])
    read(qtbot, first.results)
    first.results.mode.setCurrentText("finetune")
    first.results.folds.setValue(4)
    first.results.repeats.setValue(2)
    first.close()
    shiboken6.delete(first)
    second = MainWindow(settings)
    panel = second.results
    read(qtbot, panel)
    assert (panel.mode.currentText(), panel.folds.value(), panel.repeats.value()) == \
        ("finetune", 4, 2)
    assert panel.train_path.text() == str(resources.demo_train_csv())
    assert second.pages.currentWidget() is second.workspace
    shiboken6.delete(second)


def rows(n):
    from bdh_studio.core.backstories import Backstory
    from bdh_studio.core.classifier import Prediction
    from bdh_studio.core.predictions import PredictionRow
    return [PredictionRow(Backstory(str(i), "The Salt Road", "Mara", "", f"story {i}",
                                    "consistent"), Prediction(str(i), "contradict", 0.7, 0.7),
                          "train") for i in range(n)]


def test_tab_leaves_the_predictions_table_and_arrows_move_within(window, qtbot):
    panel = window.results
    window.pages.setCurrentWidget(window.workspace)
    window.workspace.setCurrentWidget(panel)
    panel.pages.setCurrentIndex(1)
    panel.model.set_rows(rows(3))
    table = panel.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=5_000)
    panel.select_row(0)
    qtbot.keyClick(table, Qt.Key_Down)
    assert table.currentIndex().row() == 1 and table.hasFocus()
    qtbot.keyClick(table, Qt.Key_Tab, Qt.ControlModifier)
    assert table.currentIndex().column() == 1 and table.hasFocus()
    qtbot.keyClick(table, Qt.Key_Tab)
    assert not table.hasFocus() and QApplication.focusWidget() is not None
    assert table.currentIndex().row() == 1  # leaving moved no cell


def test_many_rows_left_out_take_one_line_and_the_window_keeps_its_height(window, qtbot,
                                                                           demo_models, tmp_path):
    import csv as csvlib
    with open(resources.demo_train_csv(), newline="", encoding="utf-8") as f:
        rows = list(csvlib.DictReader(f))
    extra = [dict(rows[0], id=f"m{i}", book_name="The Count of Monte Cristo") for i in range(46)]
    train = tmp_path / "train.csv"
    with open(train, "w", newline="", encoding="utf-8") as f:
        writer = csvlib.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + extra)
    window.resize(1280, 800)
    drop(window, qtbot, [train])
    qtbot.waitUntil(lambda: window.height() == 800, timeout=5_000)
    panel = run(window, qtbot, demo_models)
    QApplication.processEvents()
    assert window.minimumSizeHint().height() <= 800  # nothing makes the window grow
    assert window.height() == 800
    line = panel.problems.summary
    assert line.isVisible() and line.height() < 2 * line.fontMetrics().lineSpacing()
    assert line.text() == "46 rows left out: book 'The Count of Monte Cristo' matches no book " \
                          "model"
    assert not panel.problems.details.isVisible()
    panel.problems.toggle.click()
    QApplication.processEvents()
    assert window.minimumSizeHint().height() <= 800 and window.height() == 800
    details = panel.problems.details
    assert details.isVisible() and details.toPlainText().count("row id m") == 46
    assert details.verticalScrollBar().maximum() > 0  # the list scrolls in its own view
