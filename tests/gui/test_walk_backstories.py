"""The Backstories tab as a demanding user walked it (issue 26 items 3, 4 and the kept list)."""

import errno
import os
import re
import shutil
from pathlib import Path

import pytest

from bdh_studio.core import countdown
from bdh_studio.core.classify_runs import CLASSIFY, saved
from bdh_studio.gui import file_dialogs
from test_runs_panel import opened


@pytest.fixture
def runs_root(demo_models, tmp_path):
    """Two runs of the demo books' models, A and B, with no classifier result kept yet."""
    root = tmp_path / "runs"
    for name in ("A", "B"):
        shutil.copytree(demo_models, root / name, ignore=shutil.ignore_patterns(CLASSIFY))
    return root


def classified(window, qtbot, folds=2, repeats=1):
    """Run the classifier once the demo CSVs are read: they are read in the background, and
    until the train CSV is known Run is disabled and a click on it does nothing."""
    panel = window.results
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    assert panel.run_button.isEnabled(), panel.run_button.toolTip()
    panel.mode.setCurrentText("features")
    panel.folds.setValue(folds)
    panel.repeats.setValue(repeats)
    with qtbot.waitSignal(panel.worker.idle, timeout=120_000):
        panel.run_button.click()
    assert panel.outcome is not None, window.banner.label.text()
    listed(panel, qtbot)
    return panel


def listed(panel, qtbot):
    """Wait for the kept results' list, read in the background."""
    qtbot.waitUntil(lambda: not panel.kept_lister.running, timeout=30_000)


def test_opening_another_run_takes_the_last_runs_result_off_the_screen(window, qtbot,
                                                                       runs_root):
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    panel = classified(window, qtbot)
    assert panel.pages.currentIndex() == 1 and panel.kept.count() == 1
    opened(window, qtbot, runs_root / "B")
    listed(panel, qtbot)
    assert panel.kept.count() == 0
    assert panel.outcome is None and panel.model.rowCount() == 0
    assert panel.pages.currentIndex() == 0 and "kept in" not in panel.message.text()


def test_reopen_shows_the_mode_k_and_repeats_of_the_result_it_shows(window, qtbot, runs_root):
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    panel = classified(window, qtbot, folds=2)
    panel = classified(window, qtbot, folds=3, repeats=2)
    older, newer = reversed(saved(runs_root / "A"))
    assert panel.kept.currentData() == str(newer)
    assert panel.kept.currentText().startswith("features · k = 3 · 2 repeat(s) · accuracy ")
    panel.kept.setCurrentIndex(panel.kept.findData(str(older)))
    with qtbot.waitSignal(panel.worker.idle, timeout=60_000):
        panel.reopen_button.click()
    listed(panel, qtbot)
    assert panel.message.text().endswith(f"reopened {older.name}")
    assert panel.kept.currentData() == str(older)
    assert "k = 2 · 1 repeat(s)" in panel.kept.currentText()
    assert (panel.mode.currentText(), panel.folds.value(), panel.repeats.value()) == \
        ("features", 2, 1)


@pytest.mark.parametrize("code, why, todo", [
    (errno.ENOSPC, "the disk is full", "free some disk space"),
    (errno.EACCES, "no permission to write there", "make it writable")])
def test_a_result_the_run_folder_cannot_keep_is_shown_and_says_why_and_what_to_do(
        window, qtbot, runs_root, tmp_path, monkeypatch, code, why, todo):
    write_text = Path.write_text

    def refused(path, text, *args, **kwargs):
        if ".report.json." in path.name:  # the kept result's last file, in its temporary
            raise OSError(code, os.strerror(code))
        return write_text(path, text, *args, **kwargs)
    monkeypatch.setattr(Path, "write_text", refused)
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    panel = classified(window, qtbot)
    assert panel.pages.currentIndex() == 1 and panel.model.rowCount() > 0
    assert panel.report.table.rowCount() > 0 and saved(runs_root / "A") == []
    assert "not kept" in panel.message.text() and "kept in" not in panel.message.text()
    message = window.banner.label.text()
    assert window.banner.isVisibleTo(window), panel.message.text()
    for words in ("could not be kept", why, todo, panel.export_button.text()):
        assert words in message
    out = tmp_path / "exported" / "predictions.csv"
    out.parent.mkdir()
    monkeypatch.setattr(file_dialogs, "save_file", lambda *args: str(out))
    panel.export_button.click()
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "id,label" and len(rows) == 1 + len(panel.outcome.predictions) > 1


def test_a_run_says_how_long_it_has_run_and_about_how_long_it_has_left(window, qtbot,
                                                                     runs_root, monkeypatch):
    """On a clock that moves 10 s at each look, so a run of the tiny demo models reads as
    minutes of work, and every report after the first few percent tells the time left."""
    ticks, real = iter(range(0, 10**6, 10)), countdown.Countdown
    monkeypatch.setattr(countdown, "Countdown", lambda clock: real(lambda: float(next(ticks))))
    panel, seen = window.results, []  # each report's fraction, and the message shown for it
    panel.worker.progressed.connect(lambda fraction, message:
                                    seen.append((fraction, panel.message.text())))
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    classified(window, qtbot)
    under_way = [message for fraction, message in seen if 0.05 <= fraction < 1.0]
    assert under_way and all(re.search(r" · \d+:\d\d elapsed, about \d+:\d\d left$", message)
                             for message in under_way), seen
    assert any(message.startswith("grouped fold") for message in under_way), seen
    assert re.fullmatch(r"done · \d+:\d\d elapsed", seen[-1][1]), seen
    assert re.search(r"rows predicted; in \d+:\d\d; kept in ", panel.message.text())  # took
