"""The Runs panel and Open run: what a run shows is its own, and nothing of the last one."""

import shutil

import pytest
from PySide6.QtCore import QFile, QTimer
from PySide6.QtWidgets import QMessageBox

from bdh_studio.core import events as ev
from bdh_studio.core.config import PRESETS
from bdh_studio.core.control import TaskControl
from bdh_studio.core.trainer import train_run
from test_main_window import checked
from textgen import make_text


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run A: two books, finished.  Run B: another book and lr, stopped at step 4."""
    tmp = tmp_path_factory.mktemp("two-runs")
    books = tmp / "books"
    books.mkdir()
    for name, seed in (("Alpha", 1), ("Beta", 2), ("Gamma", 3)):
        (books / f"{name}.txt").write_text(make_text(6_000, seed))
    config = PRESETS["tiny"].replace(max_iters=6, log_interval=2, eval_interval=2,
                                     eval_batches=1)
    train_run(config, [books / "Alpha.txt", books / "Beta.txt"], tmp / "runs" / "A")
    control = TaskControl()

    def stop_at_4(event):
        if isinstance(event, ev.StepLogged) and event.step >= 4:
            control.stop()

    train_run(config.replace(lr=2e-3), [books / "Gamma.txt"], tmp / "runs" / "B",
              on_event=stop_at_4, control=control)
    return tmp / "runs"


@pytest.fixture
def runs_root(two_runs, tmp_path):
    """The window's runs folder (conftest), holding runs A and B from its launch."""
    return shutil.copytree(two_runs, tmp_path / "runs")


def opened(window, qtbot, folder):
    """Open ``folder`` and wait, as a person would, until its curves and its row in the
    Runs list (read in the background, maybe after the run opens) are both there."""
    window.session.open_run(folder)
    qtbot.waitUntil(lambda: not window.session.opener.running and window.run_dir == folder
                    and str(folder) in window.runs.summaries, timeout=30_000)


def test_opening_run_b_after_run_a_leaves_nothing_of_a(window, qtbot, runs_root):
    opened(window, qtbot, runs_root / "A")
    assert sorted(window.books.infos) == ["Alpha", "Beta"]
    assert window.books.state_of("Alpha").startswith("trained: val loss")
    assert "finished" in window.run_status.label.text()
    opened(window, qtbot, runs_root / "B")
    assert sorted(window.books.infos) == ["Gamma"]
    assert window.books.state_of("Gamma").startswith("partial: stopped at step 4, val loss")
    assert sorted(window.plots.books) == ["Gamma"]
    status = window.run_status.label.text()
    assert "Gamma" in status and "stopped at step 4" in status and "Alpha" not in status
    assert window.config_panel.config().lr == 2e-3
    assert not window.config_panel.isEnabled() and window.run_settings.read_only_bar.isVisible()
    assert "B" in window.run_settings.label.text()


def test_new_run_from_this_config_unlocks_the_settings(window, qtbot, runs_root):
    opened(window, qtbot, runs_root / "B")
    window.run_settings.new_run_button.click()
    checked(window, qtbot)  # the run's books, listed again, are checked in the background
    assert window.run_dir is None and window.config_panel.isEnabled()
    assert window.config_panel.config().lr == 2e-3
    assert not window.run_settings.read_only_bar.isVisible() and not window.plots.books
    assert "new run" in window.train_action.toolTip()


def listed(panel):
    tree = panel.tree
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(4)
            for i in range(tree.topLevelItemCount())}


def test_the_panel_lists_runs_and_follows_the_folder(window, qtbot, runs_root):
    panel = window.runs
    qtbot.waitUntil(lambda: listed(panel) == {"A": "finished", "B": "stopped at step 4"},
                    timeout=30_000)
    damaged = runs_root / "C"
    shutil.copytree(runs_root / "A", damaged)  # a new folder under the root: the watcher
    (damaged / "config.json").write_text("{oops")
    qtbot.waitUntil(lambda: "C" in listed(panel), timeout=30_000)
    assert listed(panel)["C"].startswith("damaged: config.json is damaged")


def test_rename_and_delete(window, qtbot, runs_root, monkeypatch):
    panel = window.runs
    qtbot.waitUntil(lambda: "A" in listed(panel), timeout=30_000)
    opened(window, qtbot, runs_root / "A")
    assert panel.rename(runs_root / "A", "Run: one") == runs_root / "Run_ one"
    assert window.run_dir == runs_root / "Run_ one"
    qtbot.waitUntil(lambda: "Run_ one" in listed(panel), timeout=30_000)
    assert panel.rename(runs_root / "B", "Run_ one") is None  # taken: said, not done
    assert "a run of that name exists" in window.banner.label.text()
    monkeypatch.setattr(QFile, "moveToTrash", lambda path: False)  # a system without a trash
    answers = iter([QMessageBox.No, QMessageBox.Yes])
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: next(answers))
    panel.delete(runs_root / "B")
    qtbot.waitUntil(lambda: not panel.deleter.running, timeout=30_000)
    assert (runs_root / "B").is_dir()  # the second question said no
    panel.delete(runs_root / "B")
    qtbot.waitUntil(lambda: not panel.deleter.running, timeout=30_000)
    assert not (runs_root / "B").exists()
    qtbot.waitUntil(lambda: "B" not in listed(panel), timeout=30_000)


def test_checked_runs_are_announced_for_comparison(window, qtbot, runs_root):
    panel = window.runs
    qtbot.waitUntil(lambda: len(listed(panel)) == 2, timeout=30_000)
    with qtbot.waitSignal(panel.checked_changed) as blocker:
        panel.set_checked(runs_root / "A", True)
    assert [r.name for r in blocker.args[0]] == ["A"]


def test_writes_that_never_pause_still_get_the_list_read_within_a_second(window, qtbot,
                                                                          runs_root):
    """A fast run's validations come five a second: reading only once they settle never read."""
    panel = window.runs
    qtbot.waitUntil(lambda: str(runs_root / "A") in panel.summaries, timeout=30_000)
    shutil.copytree(runs_root / "A", runs_root / "C")
    writes = QTimer(interval=100, timeout=panel.schedule)
    writes.start()
    try:
        qtbot.waitUntil(lambda: str(runs_root / "C") in panel.summaries, timeout=10_000)
    finally:
        writes.stop()
