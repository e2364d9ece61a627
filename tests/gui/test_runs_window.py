"""Runs in the window: Train continues a run, New run starts one, settings that differ ask."""

import pytest

from bdh_studio.core import events as ev
from bdh_studio.core.control import TaskControl
from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.log import read_run
from bdh_studio.gui import settings_conflict as conflict
from bdh_studio.gui.name_dialog import NameDialog
from named import answer, asked
from test_main_window import checked
from test_window_width import SCREEN

SHORT = {"max_iters": 12, "log_interval": 1, "eval_interval": 6, "eval_batches": 1}


def sessions(run_dir):
    """The run's events, one list per Train."""
    out = []
    for event in read_run(run_dir).events:
        if isinstance(event, ev.RunStarted):
            out.append([])
        out[-1].append(event)
    return out


def test_train_after_stop_continues_the_same_run(window, qtbot, monkeypatch):
    window.load_demo()
    checked(window, qtbot)
    window.config_panel.set_config(PRESETS["tiny"].replace(**SHORT))
    first, second, third = [p.stem for p in window.books.included()]
    window.books.set_included(third, False)
    held = []

    class HeldInSecondBook(TaskControl):
        """Pauses the trainer at the second book's first step, so the window's Stop, which
        hears of that step up to a mailbox interval later, still falls inside the book."""

        def partial(self, value):
            super().partial(value)
            if isinstance(value, ev.StepLogged) and value.book == second and not held:
                held.append(value.step)
                self.pause()

    def stop_in_second_book(event):
        if isinstance(event, ev.StepLogged) and event.book == second:
            window.stop_action.trigger()

    monkeypatch.setattr("bdh_studio.gui.background.TaskControl", HeldInSecondBook)
    window.session.trainer.partial.connect(stop_in_second_book)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=120_000)
    window.session.trainer.partial.disconnect(stop_in_second_book)
    run_dir = window.run_dir
    assert run_dir.parent == window.runs_root
    stopped = [e for e in sessions(run_dir)[0] if isinstance(e, ev.BookFinished)
               and e.status == "partial"][0]
    assert stopped.book == second

    window.train_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=120_000)
    assert window.run_dir == run_dir and [p.name for p in window.runs_root.iterdir()] == [
        run_dir.name]
    resumed = sessions(run_dir)[1]
    assert not [e for e in resumed if isinstance(e, ev.BookStarted) and e.book == first]
    assert [e.status for e in resumed if isinstance(e, ev.BookFinished) and e.book == first] \
        == ["skipped"]
    started = [e for e in resumed if isinstance(e, ev.BookStarted) and e.book == second][0]
    steps = [e.step for e in resumed if isinstance(e, ev.StepLogged) and e.book == second]
    assert started.start_step == stopped.step and steps[0] == stopped.step + 1
    drawn = window.plots.curve_points(second, "train")[0]
    assert list(drawn) == list(range(1, SHORT["max_iters"] + 1))  # one continuous curve
    assert window.books.state_of(first).startswith("finished, skipped: val loss")
    assert window.books.state_of(second).startswith("trained: val loss")


def test_the_runs_panel_watches_other_processes_runs_not_the_windows_own(window, qtbot):
    window.load_demo()
    checked(window, qtbot)
    window.config_panel.set_config(PRESETS["tiny"].replace(**SHORT))
    window.train_action.trigger()
    qtbot.waitUntil(lambda: bool(window.plots.books), timeout=60_000)
    window.pause_action.trigger()  # the run stays "running" while the panel is read
    log = str(window.run_dir / "metrics.jsonl")
    panel = window.runs

    def listed_running() -> bool:
        summary = panel.summaries.get(str(window.run_dir))
        return not panel.reader.running and summary is not None and summary.state == "running"

    panel.refresh()
    qtbot.waitUntil(listed_running, timeout=30_000)
    assert log not in panel.watcher.files()  # its events say what its log would
    panel.busy = set()  # as if another process trained it
    panel.refresh()
    qtbot.waitUntil(lambda: log in panel.watcher.files(), timeout=30_000)
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)


def test_the_runs_list_shows_the_windows_run_validation_loss_while_it_trains(window, qtbot,
                                                                            monkeypatch):
    """A W&B user reads a live run's last val loss in the table, not only once a book ends."""
    window.load_demo()
    checked(window, qtbot)
    window.config_panel.set_config(PRESETS["tiny"].replace(**SHORT))
    first = window.books.included()[0].stem

    class HeldAfterFirstValidation(TaskControl):
        def partial(self, value):
            super().partial(value)
            if isinstance(value, ev.ValidationLogged) and value.book == first:
                self.pause()

    monkeypatch.setattr("bdh_studio.gui.background.TaskControl", HeldAfterFirstValidation)
    window.train_action.trigger()
    panel = window.runs

    def live_val() -> float | None:
        summary = panel.summaries.get(str(window.run_dir)) if window.run_dir else None
        return None if summary is None else summary.val_loss.get(first)

    qtbot.waitUntil(lambda: live_val() is not None, timeout=60_000)
    assert panel.summaries[str(window.run_dir)].state == "running"
    assert window.books.state_of(first) != "finished"
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)


@pytest.mark.parametrize("answer", [conflict.CANCEL, conflict.NEW_RUN, conflict.CONTINUE])
def test_settings_that_differ_from_the_run_ask_first(window, qtbot, books_dir, tmp_path,
                                                     monkeypatch, answer):
    window.add_paths([books_dir])
    checked(window, qtbot)
    window.config_panel.set_config(PRESETS["tiny"].replace(max_iters=2, log_interval=1,
                                                           eval_interval=2, eval_batches=1))
    window.start_training()
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)
    first_run = window.run_dir
    asked = []
    monkeypatch.setattr(window.session, "ask_conflict",
                        lambda run, changed: asked.append(changed) or answer)
    window.config_panel.set_config(PRESETS["tiny"].replace(max_iters=3, log_interval=1,
                                                           eval_interval=2, eval_batches=1,
                                                           lr=1e-2))
    window.train_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=30_000)
    assert asked == [["max_iters 2 -> 3", "lr 0.003 -> 0.01"]]
    runs = sorted(p.name for p in window.runs_root.iterdir())
    if answer == conflict.CANCEL:
        assert runs == [first_run.name] and len(sessions(first_run)) == 1
    elif answer == conflict.NEW_RUN:
        assert len(runs) == 2 and window.run_dir != first_run
        assert len(sessions(window.run_dir)) == 1
    else:  # continued with the run's own settings: nothing more to train
        assert runs == [first_run.name]
        assert {e.status for e in sessions(first_run)[1]
                if isinstance(e, ev.BookFinished)} == {"skipped"}


def test_new_run_asks_a_name_prefilled_from_books_and_preset(window, qtbot, books_dir):
    window.add_paths([books_dir])
    checked(window, qtbot)
    window.config_panel.set_config(PRESETS["tiny"])
    window.new_run_action.trigger()
    offered = answer(qtbot, window, "newRunDialog", "my run")
    assert offered.startswith("tiny · ") and offered.endswith(" · Alpha, beta")
    assert window.session.planned == window.runs_root / "my run" and not window.training


def test_the_new_run_dialog_shows_the_name_it_offers_whole(window, qtbot):
    """QInputDialog's field, 17 letters wide, showed only the default name's end: the preset
    and date, which tell runs apart, were scrolled out of sight."""
    window.load_demo()
    checked(window, qtbot)
    window.new_run_action.trigger()
    dialog = asked(qtbot, window, "newRunDialog")
    edit = dialog.edit
    assert len(edit.text()) > 30, edit.text()  # preset · date · books
    assert edit.fontMetrics().horizontalAdvance(edit.text()) <= edit.contentsRect().width()
    assert dialog.frameGeometry().width() <= SCREEN
    dialog.grab().save("/tmp/lr/new-run-dialog.png")


def test_a_name_too_long_to_show_whole_keeps_the_dialog_within_the_screen(window, qtbot):
    dialog = NameDialog(window, "longName", "Rename run", "New name:", "W" * 120)  # safe_name's
    dialog.open()  # longest
    qtbot.waitExposed(dialog)
    assert dialog.frameGeometry().width() <= SCREEN


def test_open_a_run_killed_mid_book_shows_no_book_in_training(window, qtbot, demo_models,
                                                               tmp_path):
    """A log that ends inside a book (kill -9) tells how the other books ended; the book it
    was training is not training any more."""
    import json
    import shutil
    run_dir = shutil.copytree(demo_models, tmp_path / "run")
    log = run_dir / "metrics.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    last_finished = max(i for i, line in enumerate(lines)
                        if json.loads(line)["event"] == "book_finished")
    killed = lines[:last_finished]  # the last book started and logged, never finished
    log.write_text("\n".join(killed) + "\n", encoding="utf-8")
    last_book = json.loads(lines[last_finished])["book"]
    window.session.open_run(run_dir)
    qtbot.waitUntil(lambda: window.run_dir == run_dir, timeout=30_000)
    states = {name: window.books.state_of(name) for name in window.books.infos}
    assert not states[last_book].startswith("training"), states
    assert sum(state.startswith("trained") for state in states.values()) == len(states) - 1
