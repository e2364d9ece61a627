"""The patience setting in the window: its field, and a book that stops early saying so."""

import itertools

import torch
from PySide6.QtWidgets import QSpinBox

from bdh_studio.core.config import FIELDS
from test_main_window import drop, use_tiny


def test_patience_has_a_named_field_with_its_help(window):
    field = window.config_panel.findChild(QSpinBox, "patience")
    assert field is not None and field.accessibleName() == "patience"
    assert field.toolTip() == FIELDS["patience"].metadata["help"]
    assert field.value() == 0  # never stop early: the presets' choice


def test_a_book_out_of_patience_says_so_in_the_books_list_and_the_banner(
        window, qtbot, books_dir, tmp_path, monkeypatch):
    losses = itertools.cycle([2.0, 2.05])  # each book: its best, then no lower loss
    monkeypatch.setattr("bdh_studio.core.trainer.evaluate",
                        lambda model, batches, runtime: torch.tensor(next(losses)))
    drop(window, qtbot, [books_dir])
    use_tiny(window, max_iters=100, log_interval=5, eval_interval=10, eval_batches=1)
    window.config_panel.findChild(QSpinBox, "patience").setValue(1)
    assert window.config_panel.config().patience == 1
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: not window.training, timeout=60_000)
    why = "stopped early at step 20: no lower validation loss in 1 validation since step 10 " \
          "(best 2.000)"
    for book in ("Alpha Book", "beta book"):
        assert window.books.state_of(book) == f"trained: val loss 2.050; {why}"
    assert window.banner.label.text().splitlines() == [f"Alpha Book: {why}",
                                                       f"beta book: {why}"]
