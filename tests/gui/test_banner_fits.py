"""A banner of any length leaves the window within a 1024x700 screen, its text all readable.

On the Backstories tab after a classifier run, a two-line message (a run
folder's path to copy, since no file manager opened it) made the window
712 px tall at 1024 px wide, and a list of ten books that cannot be trained
far taller: the status bar went below the screen's edge.  A folder name with
no space to break at was wider than the screen.
"""

import shutil

import pytest
from PySide6.QtGui import QDesktopServices

from bdh_studio.core.classify_runs import CLASSIFY
from bdh_studio.core.corpus import BadBooks
from test_runs_panel import opened
from test_walk_backstories import classified
from test_window_width import SCREEN, SCREEN_HEIGHT, fits

SPACED = "a folder name as long as the ones people make on shared drives, runs of BDH Studio"
UNBROKEN = "a_folder_name_with_no_space_in_it_" * 6  # wider than the screen on one line


@pytest.fixture
def folder() -> str:
    """The name of the folder the runs are in."""
    return SPACED


@pytest.fixture
def runs_root(demo_models, tmp_path, folder):
    root = tmp_path / SPACED / folder / "runs"
    shutil.copytree(demo_models, root / "A", ignore=shutil.ignore_patterns(CLASSIFY))
    return root


@pytest.fixture
def backstories(window, qtbot, runs_root):
    """The window at 1024x700 on the Backstories tab after a classifier run, the run checked
    for Compare: its tallest, with 36 px to spare for a banner."""
    window.resize(SCREEN, SCREEN_HEIGHT)
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == 1, timeout=30_000)
    window.runs.set_checked(runs_root / "A", True)  # a run not yet listed could not be checked
    qtbot.waitUntil(lambda: bool(window.compare.lines), timeout=30_000)
    window.workspace.setCurrentWidget(window.results)
    classified(window, qtbot)
    assert window.size().toTuple() == (SCREEN, SCREEN_HEIGHT)
    assert window.minimumSizeHint().height() >= SCREEN_HEIGHT - 40, "not the tallest window"
    return window


def wholly_readable(window, qtbot, text: str) -> None:
    """The window kept its size, the banner holds ``text`` whole, wrapped within its width and
    scrolled to its last line if need be, and Dismiss is on the screen."""
    qtbot.waitUntil(window.banner.isVisible)
    fits(window, f"the banner {text[:40]!r}")
    assert window.size().toTuple() == (SCREEN, SCREEN_HEIGHT)
    view = window.banner.label
    assert view.text() == text
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    end = view.textCursor()
    end.movePosition(end.MoveOperation.End)
    assert view.horizontalScrollBar().maximum() == 0, "the text runs off the right"
    assert 0 <= view.cursorRect(end).bottom() <= view.viewport().height(), "its end is out of reach"
    dismiss = window.banner.dismiss
    corner = dismiss.mapTo(window, dismiss.rect().bottomRight())
    assert dismiss.isVisible() and window.rect().contains(corner)


@pytest.mark.parametrize("folder", [SPACED, UNBROKEN])
def test_a_run_folders_path_to_copy_leaves_the_window_1024x700(backstories, qtbot, runs_root,
                                                                 monkeypatch, folder):
    window = backstories
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    window.folder_action.trigger()
    wholly_readable(window, qtbot, "No file manager opened the folder (none is set up here). "
                    f"Its path, to copy: {runs_root / 'A'}")
    window.grab().save(f"/tmp/banner/path-{len(folder)}.png")


def test_ten_books_that_cannot_be_trained_leave_the_window_1024x700(backstories, qtbot,
                                                                     tmp_path):
    window = backstories
    problems = {tmp_path / f"{SPACED} {i}.txt": f"{SPACED} {i}.txt: not a text file (a NUL "
                f"byte at offset {i})" for i in range(10)}
    window.session.problem.emit(str(BadBooks(problems, 11)))  # as a refused run says it
    wholly_readable(window, qtbot, str(BadBooks(problems, 11)))
    window.grab().save("/tmp/banner/ten.png")
