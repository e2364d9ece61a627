"""The hyperparameters table: only the settings that differ, then final and best val loss."""

from dataclasses import dataclass, field

import numpy as np

from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.hparams import hparams_table


@dataclass
class Run:
    name: str
    config: dict | None
    points: dict = field(default_factory=dict)

    def val_points(self):
        return self.points


def curve(*values):
    return np.arange(len(values)) * 100, np.array(values, dtype=float)


def test_only_the_differing_settings_and_each_books_losses_are_columns():
    base = PRESETS["tiny"].to_dict()
    runs = [Run("a", base, {"Book": curve(3.0, 2.0, 2.5)}),
            Run("b", {**base, "lr": 0.01}, {"Book": curve(3.0, 1.5), "Other": curve(4.0)}),
            Run("c", None, {})]
    table = hparams_table(runs)
    settings = table.columns[1: 1 + table.settings]
    assert "lr" in settings and "n_layer" not in settings
    assert table.columns[1 + table.settings:] == [
        "Book final val", "Book best val", "Book best step",
        "Other final val", "Other best val", "Other best step"]
    losses = {row[0]: row[1 + table.settings:] for row in table.rows}
    assert losses["a"] == [2.5, 2.0, 100, None, None, None]
    assert losses["b"] == [1.5, 1.5, 100, 4.0, 4.0, 0]
    assert losses["c"] == [None] * 6
    lr = table.columns.index("lr")
    assert [row[lr] for row in table.rows] == [base["lr"], 0.01, None]
    assert table.text()[2][lr] == "—"


def test_one_run_shows_its_losses_only():
    table = hparams_table([Run("a", PRESETS["tiny"].to_dict(), {"B": curve(2.0, np.nan)})])
    assert table.columns == ["run", "B final val", "B best val", "B best step"]
    assert table.rows == [["a", None, 2.0, 0]]
