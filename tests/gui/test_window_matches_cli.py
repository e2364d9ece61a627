"""The Backstories tab and `bdh-studio classify` report the same numbers (issue 23).

A researcher reads a figure in the window and quotes the README's command, or
the other way round: the two must agree to the digit, every row of the report
and every prediction, for the same rows, models, folds and repeats.
"""

import csv
import re

from bdh_studio import resources
from bdh_studio.cli import main
from test_results_panel import read

FOLDS, REPEATS = 3, 2


def cli_report(capsys, models, out) -> dict[str, list[str]]:
    code = main(["classify", "--train", str(resources.demo_train_csv()),
                 "--test", str(resources.demo_test_csv()), "--models", str(models),
                 "--out", str(out), "--folds", str(FOLDS), "--repeats", str(REPEATS)])
    assert code == 0
    table = {}
    for line in capsys.readouterr().out.splitlines():
        cells = re.findall(r"(-?\d+\.\d) ± +(\d+\.\d)", line)
        if len(cells) == 4:  # a report row: its name, then four metrics
            table[line[:24].strip()] = [f"{mu} ± {sd}" for mu, sd in cells]
    return table


def window_report(window, qtbot, models) -> dict[str, list[str]]:
    panel = window.results
    read(qtbot, panel)
    panel.set_models_folder(models)
    panel.mode.setCurrentText("features")
    panel.folds.setValue(FOLDS)
    panel.repeats.setValue(REPEATS)
    panel.run()
    qtbot.waitUntil(lambda: not panel.running, timeout=180_000)
    table = panel.report.table
    return {table.verticalHeaderItem(r).text(): [table.item(r, c).text()
                                                 for c in range(table.columnCount())]
            for r in range(table.rowCount())}


def test_the_window_reports_what_the_command_line_reports(window, qtbot, capsys, demo_models,
                                                          tmp_path):
    window.load_demo()
    shown = window_report(window, qtbot, demo_models)
    printed = cli_report(capsys, demo_models, tmp_path / "cli.csv")
    assert "model" in shown and shown == printed  # the model, three baselines, grouped check
    window.results.export_predictions(tmp_path / "window.csv")
    with open(tmp_path / "window.csv", newline="") as a, open(tmp_path / "cli.csv",
                                                              newline="") as b:
        labels = [row[:2] for row in csv.reader(b)]  # the window's file is the submission's
        assert list(csv.reader(a)) == labels and len(labels) > 1
