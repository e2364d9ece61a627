"""A banner of any length leaves the window within a 1024x700 screen, its text all readable.

In the window's tallest state, a two-line message (a run folder's path to
copy, since no file manager opened it) made the window 712 px tall at 1024 px
wide, and a list of ten books that cannot be trained far taller: the status
bar went below the screen's edge.  A folder name with no space to break at was
wider than the screen.
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


def compared(window, qtbot, runs_root) -> None:
    """The window at 1024x700 on the demo books, run A checked for Compare."""
    window.resize(SCREEN, SCREEN_HEIGHT)
    window.load_demo()
    opened(window, qtbot, runs_root / "A")
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == 1, timeout=30_000)
    window.runs.set_checked(runs_root / "A", True)  # a run not yet listed could not be checked
    qtbot.waitUntil(lambda: bool(window.compare.lines), timeout=30_000)


@pytest.fixture
def tallest(window, qtbot, runs_root):
    """The window at 1024x700 showing Compare's plots of a checked run: its tallest state,
    with 36 px to spare for a banner."""
    compared(window, qtbot, runs_root)
    assert window.training_view.tabs.currentWidget() is window.compare
    assert window.size().toTuple() == (SCREEN, SCREEN_HEIGHT)

    def tallest_state() -> None:
        assert window.minimumSizeHint().height() >= SCREEN_HEIGHT - 40, "not the tallest window"
    qtbot.waitUntil(tallest_state, timeout=5_000)  # the layout settles in posted events
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
def test_a_run_folders_path_to_copy_leaves_the_window_1024x700(tallest, qtbot, runs_root,
                                                                 monkeypatch, folder):
    window = tallest
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    window.folder_action.trigger()
    wholly_readable(window, qtbot, "No file manager opened the folder (none is set up here). "
                    f"Its path, to copy: {runs_root / 'A'}")
    window.grab().save(f"/tmp/banner/path-{len(folder)}.png")


def ten_books_that_cannot_be_trained(window, tmp_path) -> str:
    """Said as a refused run says it."""
    problems = {tmp_path / f"{SPACED} {i}.txt": f"{SPACED} {i}.txt: not a text file (a NUL "
                f"byte at offset {i})" for i in range(10)}
    window.session.problem.emit(str(BadBooks(problems, 11)))
    return str(BadBooks(problems, 11))


def test_ten_books_that_cannot_be_trained_leave_the_window_1024x700(tallest, qtbot, tmp_path):
    wholly_readable(tallest, qtbot, ten_books_that_cannot_be_trained(tallest, tmp_path))
    tallest.grab().save("/tmp/banner/ten.png")


def test_the_backstories_tab_gives_a_long_message_three_lines_or_more(window, qtbot, runs_root,
                                                                      tmp_path):
    """Compare's plots, hidden on the other tab, set the window's minimum height on the
    Backstories tab after a classifier run too: a message there had one line at 1024x700."""
    compared(window, qtbot, runs_root)
    window.workspace.setCurrentWidget(window.results)
    classified(window, qtbot)
    wholly_readable(window, qtbot, ten_books_that_cannot_be_trained(window, tmp_path))
    view = window.banner.label
    qtbot.waitUntil(lambda: view.viewport().height() >= 3 * view.fontMetrics().lineSpacing(),
                    timeout=5_000)
    window.grab().save("/tmp/banner/backstories-ten.png")
