"""What the results panel reads from a run: the predictions table, its exports, the shading."""

import csv
from pathlib import Path

import numpy as np
import pytest

from bdh_studio import resources
from bdh_studio.core import backstories
from bdh_studio.core.classifier import Outcome, Prediction, write_predictions
from bdh_studio.core.config import PRESETS
from bdh_studio.core.errors import UserError
from bdh_studio.core.evaluation import Report
from bdh_studio.core.features import BookModel, byte_surprise
from bdh_studio.core.model import BDH
from bdh_studio.core.predictions import out_of_fold, prediction_rows, write_table
from bdh_studio.core.surprise import char_surprise, per_character, surprising_words


def outcome() -> Outcome:
    """The demo CSVs with made-up predictions: every third train row wrong."""
    train = backstories.read(resources.demo_train_csv(), labelled=True)
    test = backstories.read(resources.demo_test_csv(), labelled=False)
    flip = {"consistent": "contradict", "contradict": "consistent"}
    oof = [Prediction(r.id, flip[r.label] if i % 3 == 0 else r.label, 0.75, 0.5)
           for i, r in enumerate(train.rows)]
    predictions = [Prediction(r.id, "contradict", 0.6, 0.6) for r in test.rows]
    return Outcome("features", Report(), train, test, oof, predictions, {})


def test_the_table_holds_the_test_rows_then_every_train_row_with_its_truth():
    result = outcome()
    rows = prediction_rows(result)
    assert [r.split for r in rows] == ["test"] * 15 + ["train"] * 36
    assert {r.correct for r in rows[:15]} == {None}
    assert sum(r.correct is False for r in rows) == 12
    confusion = np.array(out_of_fold(result)["confusion"])
    assert confusion.sum() == 36 and np.trace(confusion) == 24


def test_exports_give_the_competition_file_and_the_full_table(tmp_path):
    rows = prediction_rows(outcome())
    write_predictions(tmp_path / "p.csv", [r.prediction for r in rows if r.split == "test"],
                      confidence=False)
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "id,label" and len(lines) == 16
    write_table(tmp_path / "all.csv", rows)
    with open(tmp_path / "all.csv", newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert len(table) == 51 and table[0]["true_label"] == "" and table[-1]["split"] == "train"
    assert table[-1]["true_label"] in backstories.LABELS and table[-1]["content"]
    with pytest.raises(UserError, match="could not write .*all.csv: Not a directory"):
        write_table(tmp_path / "p.csv" / "all.csv", rows)  # under a file: no folder to make


def test_a_multibyte_character_gets_the_sum_of_its_bytes():
    values = per_character("aé€", np.array([1.0, 2.0, 0.5, 3.0, 0.25, 0.25]))
    np.testing.assert_allclose(values, [1.0, 2.5, 3.5])
    assert per_character("", np.zeros(0)).shape == (0,)
    with pytest.raises(ValueError):
        per_character("ab", np.zeros(3))


def test_the_dearest_words_come_first():
    text = "an old Varrow ox"
    nats = np.ones(len(text))
    nats[7:13] = 5.0
    assert surprising_words(text, nats, n=2) == [("Varrow", 30.0), ("old", 3.0)]


def test_char_surprise_has_one_value_per_character():
    config = PRESETS["tiny"]
    book = BookModel("x", Path("x.pt"), BDH(config.model_config()).eval(), config.block_size)
    text = "Une phrase accentuée, longue: " * 4
    values = char_surprise(book, text)
    assert values.shape == (len(text),)
    assert values.sum() == pytest.approx(byte_surprise(book.model, text, 64).sum(), rel=1e-5)


def test_a_dropped_csv_is_train_when_it_has_a_label_column():
    assert backstories.is_labelled(resources.demo_train_csv())
    assert not backstories.is_labelled(resources.demo_test_csv())
