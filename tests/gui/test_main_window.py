"""The window as a person uses it: drop books, fix settings, train, pause, stop, close."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from bdh_studio.core import checkpoints
from pausewatch import WAIT, Timeline, WatchedControl
from textgen import make_text

FAST = {"max_iters": 400, "log_interval": 2, "eval_interval": 10, "eval_batches": 1}


def checked(window, qtbot):
    """Wait, as a person does, until the dropped books are no longer "checking…" and the
    backstory CSVs are read."""
    qtbot.waitUntil(lambda: not window.books.checking and not window.results.loading,
                    timeout=60_000)


def drop(window, qtbot, paths):
    """Drop files on the window and wait for their check."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPointF(20, 20).toPoint(), Qt.CopyAction, mime, Qt.LeftButton,
                            Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(QPointF(20, 20), Qt.CopyAction, mime,
                                              Qt.LeftButton, Qt.NoModifier))
    checked(window, qtbot)


def use_tiny(window, **changes):
    from bdh_studio.core.config import PRESETS
    window.config_panel.set_config(PRESETS["tiny"].replace(**changes))


def test_first_launch_shows_what_to_do(window):
    assert window.pages.currentWidget() is window.empty_state
    assert not window.train_action.isEnabled()


def test_dropping_a_folder_and_files_lists_the_books(window, qtbot, books_dir, tmp_path):
    extra = tmp_path / "Gamma.txt"
    extra.write_text(make_text(9000, 3))
    binary = tmp_path / "picture.txt"
    binary.write_bytes(b"\x89PNG\x00\x00")
    drop(window, qtbot, [books_dir, extra, binary])
    assert window.pages.currentWidget() is window.workspace
    assert sorted(window.books.infos) == ["Alpha Book", "Gamma", "beta book", "picture"]
    assert [p.name for p in window.books.included()] == ["Alpha Book.txt", "beta book.TXT",
                                                         "Gamma.txt"]
    assert window.books.state_of("picture").startswith("unusable: not a text file")
    assert window.books.state_of("Alpha Book") == "new"


def test_book_names_get_the_room_they_need_and_the_state_keeps_some(window, qtbot, books_dir,
                                                                     tmp_path):
    drop(window, qtbot, [books_dir])
    tree = window.books.tree
    assert tree.columnWidth(0) >= tree.sizeHintForColumn(0)  # short names whole
    long_name = tmp_path / ("A Very Long Title " * 8 + "Volume Two.txt")
    long_name.write_text(make_text(9000, 4))
    drop(window, qtbot, [long_name])
    assert tree.columnWidth(0) <= 0.6 * tree.viewport().width()
    assert tree.textElideMode() == Qt.ElideMiddle  # "A Very Long…Volume Two"


def test_dropping_an_empty_folder_says_so(window, qtbot, tmp_path):
    (tmp_path / "empty").mkdir()
    drop(window, qtbot, [tmp_path / "empty"])
    assert window.banner.isVisible()
    assert "no .txt books in it" in window.banner.label.text()


def test_an_invalid_field_disables_train_and_says_why(window, qtbot, books_dir):
    drop(window, qtbot, [books_dir])
    use_tiny(window)
    assert window.train_action.isEnabled()
    window.config_panel.editors["n_head"].setValue(3)
    assert not window.train_action.isEnabled()
    error = window.config_panel.errors["n_head"]
    assert error.isVisible() and error.text() == "n_embd 32 is not divisible by n_head 3"
    assert "fix the settings marked in red" in window.train_action.toolTip()
    window.config_panel.editors["n_head"].setValue(2)
    window.config_panel.editors["lr"].setText("fast")
    assert window.config_panel.errors["lr"].text() == "'fast' is not a valid float"
    assert not window.train_action.isEnabled()
    window.config_panel.editors["lr"].setText("1e-3")
    window.config_panel.editors["block_size"].setValue(50_000)
    assert "50000 is too long for 'beta book'" in window.config_panel.errors["block_size"].text()
    assert not window.train_action.isEnabled()


def test_train_pause_resume_stop_keeps_a_partial_checkpoint(window, qtbot, books_dir, tmp_path,
                                                           monkeypatch):
    timeline = Timeline()
    drop(window, qtbot, [books_dir])
    use_tiny(window, **FAST)
    monkeypatch.setattr("bdh_studio.gui.background.TaskControl",
                        lambda *listeners: WatchedControl(timeline, *listeners))
    window.start_training(tmp_path / "run")
    assert window.training and window.stop_action.isEnabled()
    # The first optimizer of the process imports torch._dynamo: a minute on a loaded machine.
    qtbot.waitUntil(lambda: "Alpha Book" in window.plots.books
                    and len(window.plots.curve_points("Alpha Book", "train")[0]) >= 3,
                    timeout=120_000)
    window.pause_action.trigger()
    assert window.pause_action.text() == "Resume"
    qtbot.waitUntil(lambda: timeline.count(WAIT) >= 1, timeout=10_000)
    timeline.mark("paused")
    # paused through three more of the trainer's own wake-ups, the window kept live meanwhile
    qtbot.waitUntil(lambda: timeline.count(WAIT) >= 4, timeout=10_000)
    window.pause_action.trigger()
    assert window.pause_action.text() == "Pause"
    qtbot.waitUntil(lambda: len(timeline.steps_after("resumed")) >= 2, timeout=10_000)
    assert timeline.steps_between("paused", "resumed") == []
    qtbot.waitUntil(lambda: window.plots.drawn_points("Alpha Book", "train")[0].size > 0,
                    timeout=5_000)
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)
    ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")
    assert ckpt["partial"] and ckpt["training"]["step"] > 0
    assert window.books.state_of("Alpha Book").startswith("partial: stopped at step")
    assert window.train_action.isEnabled()  # the next run can start


def test_a_full_run_reports_each_book_and_samples(window, qtbot, books_dir, tmp_path):
    drop(window, qtbot, [books_dir])
    use_tiny(window, max_iters=20, log_interval=5, eval_interval=10, eval_batches=1)
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: not window.training, timeout=60_000)
    assert window.books.state_of("Alpha Book").startswith("trained: val loss")
    assert window.books.state_of("beta book").startswith("trained: val loss")
    assert "finished" in window.session.progress.text()
    assert window.sample_box.model_choice.count() == 2
    window.sample_box.prompt.setText("The sea")
    window.sample_box.length.setValue(30)
    window.sample_box.generate()
    qtbot.waitUntil(lambda: window.sample_box.speed.text().startswith("done: 30 of 30 bytes"),
                    timeout=30_000)
    assert window.sample_box.generated().startswith("The sea")
    with qtbot.waitSignal(window.session.exporter.succeeded, timeout=30_000) as exported:
        window.session.export_checkpoints(tmp_path / "exported", bare=True)
    assert sorted(p.name for p in exported.args[0]) == ["Alpha Book.pt", "beta book.pt"]
    assert sorted(p.name for p in (tmp_path / "exported").iterdir()) == ["Alpha Book.pt",
                                                                        "beta book.pt"]


def test_errors_show_in_the_window_and_it_keeps_working(window, qtbot, books_dir, tmp_path,
                                                        monkeypatch):
    drop(window, qtbot, [books_dir])
    use_tiny(window, max_iters=10, log_interval=5, eval_interval=5, eval_batches=1)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text('{oops')
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)
    assert window.banner.isVisible() and "config.json: unreadable" in \
        window.banner.label.text()
    window.start_training(tmp_path / "run2")
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)
    assert window.books.state_of("beta book").startswith("trained")


def test_open_run_draws_a_past_run(window, qtbot, tiny_config, books_dir, tmp_path):
    from bdh_studio.core.corpus import find_books
    from bdh_studio.core.trainer import train_run
    train_run(tiny_config, find_books(books_dir), tmp_path / "past")
    window.session.open_run(tmp_path / "past")
    qtbot.waitUntil(lambda: window.run_dir == tmp_path / "past", timeout=30_000)
    steps, losses = window.plots.curve_points("beta book", "train")
    assert list(steps) == [5, 10, 15, 20] and (losses > 0).all()
    assert window.pages.currentWidget() is window.workspace
    window.session.open_run(tmp_path / "nothing")
    qtbot.waitUntil(lambda: f"{tmp_path / 'nothing'}: no such folder" in
                    window.banner.label.text(), timeout=30_000)



def test_opening_a_run_folds_its_events_once_for_the_plots_and_the_status(
        window, qtbot, demo_models, monkeypatch):
    """open_run folded the log in the background, and the plots folded it again."""
    from bdh_studio.core.run.log import read_run
    from bdh_studio.core.run.state import RunState
    events = read_run(demo_models).events
    folded = []
    handle = RunState.handle

    def counted(self, event):
        folded.append(event)
        return handle(self, event)

    monkeypatch.setattr(RunState, "handle", counted)
    window.session.open_run(demo_models)
    qtbot.waitUntil(lambda: window.run_dir == demo_models, timeout=30_000)
    assert len(folded) == len(events)
    for book in window.books.infos:
        steps, _ = window.plots.curve_points(book, "train")
        assert list(steps) == [20, 40]


def test_closing_during_training_stops_cleanly(qtbot, settings, books_dir, tmp_path,
                                               monkeypatch):
    import shiboken6
    from PySide6.QtWidgets import QMessageBox

    from bdh_studio.gui.main_window import MainWindow
    window = MainWindow(settings)
    window.show()
    drop(window, qtbot, [books_dir])
    use_tiny(window, **FAST)
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: len(window.plots.books) > 0, timeout=30_000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    assert window.close()
    assert not window.training
    assert checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")["partial"]
    shiboken6.delete(window)


def test_settings_are_restored_on_the_next_launch(qtbot, settings, books_dir):
    import shiboken6

    from bdh_studio.gui.main_window import MainWindow
    first = MainWindow(settings)
    drop(first, qtbot, [books_dir])
    first.config_panel.editors["n_layer"].setValue(3)
    first.config_panel.editors["lr"].setText("0.0005")
    first.close()
    shiboken6.delete(first)
    second = MainWindow(settings)
    checked(second, qtbot)
    config = second.config_panel.config()
    assert (config.n_layer, config.lr) == (3, 0.0005)
    assert sorted(second.books.infos) == ["Alpha Book", "beta book"]
    shiboken6.delete(second)


def test_a_first_launch_fits_the_screen_so_the_status_bar_shows(window):
    assert window.height() <= window.screen().availableGeometry().height()  # 800 here
    assert window.statusBar().isVisible()


def test_settings_json_round_trip(window, tmp_path):
    use_tiny(window, n_layer=3)
    window.config_panel.config().save(tmp_path / "c.json")
    window.config_panel.editors["n_layer"].setValue(5)
    window.run_settings.load(tmp_path / "c.json")
    assert window.config_panel.config().n_layer == 3
    (tmp_path / "bad.json").write_text("{oops")
    window.run_settings.load(tmp_path / "bad.json")
    assert "is not a JSON configuration" in window.banner.label.text()


def wheel(widget, notches):
    """A real mouse wheel over the middle of ``widget``: negative notches scroll down."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre)), QPoint(),
                        QPoint(0, 120 * notches), Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_turns_a_settings_field_only_when_focused(window, qtbot, books_dir):
    drop(window, qtbot, [books_dir])
    window.resize(1280, 600)  # the settings taller than their panel
    scroll = window.run_settings.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0, timeout=5_000)
    panel = window.config_panel
    block_size, preset = panel.editors["block_size"], panel.preset.currentText()
    before = block_size.value()
    wheel(block_size, -3)
    wheel(panel.editors["precision"], -3)
    assert block_size.value() == before and panel.preset.currentText() == preset
    assert panel.modified.isHidden() and not block_size.hasFocus()
    assert scroll.value() > 0  # the panel scrolled instead
    block_size.setFocus()
    qtbot.waitUntil(block_size.hasFocus, timeout=5_000)
    wheel(block_size, -1)
    assert block_size.value() < before  # a focused field still turns


def test_books_in_a_run_cannot_be_removed_or_unchecked_until_it_ends(window, qtbot, books_dir,
                                                                     tmp_path):
    extra = tmp_path / "Gamma.txt"
    extra.write_text(make_text(9000, 3))
    drop(window, qtbot, [books_dir, extra])
    books, tree = window.books, window.books.tree
    books.set_included("Gamma", False)
    use_tiny(window, **FAST)
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: books.state_of("Alpha Book") == "training", timeout=30_000)

    def press_space_on(name):
        tree.setCurrentItem(books._item(name))
        qtbot.keyClick(tree, Qt.Key_Space)
        return books._item(name).checkState(0)

    assert press_space_on("beta book") == Qt.Checked  # its check box is locked
    assert press_space_on("Alpha Book") == Qt.Checked
    assert "stop the run to uncheck" in books._item("Alpha Book").toolTip(0)
    assert not books.remove_button.isEnabled()
    assert "stop the run" in books.remove_button.toolTip()
    books.remove_selected()  # asked anyway: refused, saying why
    assert "Alpha Book" in books.infos
    assert "'Alpha Book' is in the running training" in window.banner.label.text()
    assert press_space_on("Gamma") == Qt.Checked  # a book outside the run stays free
    assert books.remove_button.isEnabled()
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)
    assert press_space_on("Alpha Book") == Qt.Unchecked
    books.remove_button.click()
    assert "Alpha Book" not in books.infos


def demo_checkpoints(models):
    return sorted((models / "checkpoints").glob("*.pt"))


def test_sampling_streams_with_its_speed_and_stops_within_a_byte(window, qtbot, demo_models):
    box = window.sample_box
    box.set_checkpoints(demo_checkpoints(demo_models))
    box.prompt.setText("The sea")
    box.length.setValue(100_000)
    pieces = []
    box.worker.partial.connect(pieces.append)
    box.generate_button.click()
    assert box.generated() == "The sea"  # the prompt at once, apart from what follows
    qtbot.waitUntil(lambda: len(pieces) >= 3, timeout=30_000)
    assert "bytes/s" in box.speed.text() and box.stop_button.isEnabled()
    box.stop_button.click()
    qtbot.waitUntil(lambda: not box.worker.running, timeout=10_000)
    assert box.speed.text().startswith("stopped: ") and pieces[-1].bytes_done < 100_000
    # A text box shows "\r", "\r\n" and the Unicode line separators as line breaks.
    shown = re.sub("\r\n?|[\u2028\u2029]", "\n", "".join(p.text for p in pieces))
    assert box.generated() == "The sea" + shown
    assert box.generate_button.isEnabled() and not box.stop_button.isEnabled()


def test_closing_asks_once_then_joins_sampling_classifying_and_training(
        qtbot, settings, books_dir, tmp_path, demo_models, monkeypatch):
    import shiboken6
    from PySide6.QtWidgets import QMessageBox

    from bdh_studio import resources
    from bdh_studio.gui.main_window import MainWindow
    window = MainWindow(settings)
    window.show()
    drop(window, qtbot, [books_dir])
    use_tiny(window, **FAST)
    panel, box = window.results, window.sample_box
    panel.add_csvs([resources.demo_train_csv()])
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    panel.set_models_folder(demo_models)
    panel.mode.setCurrentText("finetune")
    panel.run()
    box.set_checkpoints(demo_checkpoints(demo_models))
    box.length.setValue(100_000)
    box.generate()
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: panel.message.text().startswith("fine-tuning step")
                    and "bytes/s" in box.speed.text() and len(window.plots.books) > 0,
                    timeout=60_000)
    asked, cancelled = [], []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a: asked.append(text) or QMessageBox.Yes)
    for task in (window.session.trainer, panel.worker, box.worker):
        task.cancelled.connect(lambda what=task.what: cancelled.append(what))
    assert window.close()
    assert len(asked) == 1 and all(what in asked[0] for what in
                                   ("training", "the classifier", "sampling"))
    assert sorted(cancelled) == ["sampling", "the classifier", "training"]
    assert not window.running_tasks()
    shiboken6.delete(window)


def test_a_task_that_cannot_be_joined_keeps_the_window_open_and_says_so(window, qtbot,
                                                                          monkeypatch):
    import threading

    from PySide6.QtWidgets import QMessageBox

    from bdh_studio.gui.background import BackgroundTask
    qtbot.waitUntil(lambda: not window.runs.reader.running, timeout=30_000)  # not stuck too
    release, started = threading.Event(), threading.Event()
    stubborn = BackgroundTask("a stubborn task", window)
    stubborn.start(lambda control: started.set() or release.wait(60))  # never checks
    assert started.wait(30)
    monkeypatch.setattr("bdh_studio.gui.closing.JOIN_SECONDS", 0.2)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.Yes)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    assert not window.close()
    assert len(warned) == 1 and warned[0].startswith("a stubborn task did not stop within 0.2 s")
    release.set()
    assert stubborn.wait(30_000)


def test_training_by_time_from_the_form_counts_seconds_in_the_status(window, qtbot, books_dir,
                                                                     tmp_path):
    drop(window, qtbot, [books_dir / "Alpha Book.txt"])
    use_tiny(window, log_interval=5, eval_batches=1)
    panel = window.config_panel
    assert panel.editors["max_iters"].isEnabled() and not panel.editors["max_seconds"].isEnabled()
    panel.editors["budget"].setCurrentText("seconds")
    assert not panel.editors["max_iters"].isEnabled() and panel.editors["max_seconds"].isEnabled()
    assert panel.errors["max_seconds"].text() == "must be above 0 to train by time (budget seconds)"
    assert not window.train_action.isEnabled()
    panel.editors["max_seconds"].clear()
    QTest.keyClicks(panel.editors["max_seconds"], "2")
    assert panel.config().max_seconds == 2 and window.train_action.isEnabled()
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: " of 0:02 (" in window.run_status.label.text()
                    and "ETA book 0:0" in window.run_status.label.text(), timeout=60_000)
    assert "step" in window.run_status.label.text()
    qtbot.waitUntil(lambda: not window.training, timeout=60_000)
    assert window.books.state_of("Alpha Book").startswith("trained: val loss")
    training = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")["training"]
    assert training["budget"] == "seconds" and training["max_seconds"] == 2
