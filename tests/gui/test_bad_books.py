"""Books that cannot be trained, in the window: listed unchecked with why, never trained."""

from bdh_studio.core.config import PRESETS
from textgen import make_text


def add_and_check(window, qtbot, paths):
    window.add_paths(paths)
    qtbot.waitUntil(lambda: not window.books.checking, timeout=60_000)


def test_a_book_too_short_to_train_is_listed_unchecked_and_a_short_one_is_named(
        window, qtbot, tmp_path):
    (tmp_path / "tiny.txt").write_text("eleven byte")
    (tmp_path / "note.txt").write_text(make_text(1000))
    add_and_check(window, qtbot, [tmp_path / "tiny.txt", tmp_path / "note.txt"])
    assert window.books.state_of("tiny").startswith("unusable: too short to train on (11 bytes")
    assert [p.name for p in window.books.included()] == ["note.txt"]
    window.books.set_included("tiny", True)  # it cannot be checked
    assert [p.name for p in window.books.included()] == ["note.txt"]
    window.config_panel.set_config(PRESETS["cpu"].replace(block_size=128))
    assert window.config_panel.errors["block_size"].text() == (
        "128 is too long for 'note': 1,000 bytes, 100 of them held out for validation; lower "
        "block_size to at most 99 or leave the book out")
    assert not window.train_action.isEnabled()


def test_a_book_spoilt_after_its_check_stops_the_run_and_is_unchecked(window, qtbot, books_dir,
                                                                      tmp_path):
    add_and_check(window, qtbot, [books_dir])
    window.config_panel.set_config(PRESETS["tiny"].replace(max_iters=10))
    (books_dir / "Alpha Book.txt").write_bytes(b"\0 overwritten since the list checked it")
    window.train_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=60_000)
    text = window.banner.label.text()
    assert window.banner.isVisible() and "1 of 2 book(s) cannot be trained" in text
    assert "Alpha Book.txt: not a text file" in text
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    assert window.books.state_of("Alpha Book").startswith("unusable: not a text file")
    assert [p.name for p in window.books.included()] == ["beta book.TXT"]
    assert window.train_action.isEnabled()
