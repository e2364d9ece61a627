"""The runs root the command line computes without Qt is the one the window's Qt finds,
under one "BDH Studio" folder; runs of the doubled-name folder are carried across."""

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from bdh_studio.cli import main
from bdh_studio.core.run.root import (app_data_folder, carry_legacy_runs, default_runs_root,
                                      legacy_runs_root)
from bdh_studio.gui.paths import name_application


@pytest.mark.parametrize("xdg_data_home", [None, "/srv/data", "relative/data", ""])
def test_the_app_data_folder_is_qts(qapp, monkeypatch, xdg_data_home):
    if xdg_data_home is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg_data_home)
    name_application()
    qt = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    data = Path(QStandardPaths.writableLocation(QStandardPaths.GenericDataLocation))
    assert app_data_folder() == qt and legacy_runs_root() == qt / "runs"
    assert default_runs_root() == data / "BDH Studio" / "runs"
    assert "BDH Studio/BDH Studio" not in default_runs_root().as_posix()


def test_runs_of_the_doubled_name_folder_are_carried_across_never_over_a_run(
        monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    legacy, root = legacy_runs_root(), default_runs_root()
    for name in ("A", "B"):
        (legacy / name).mkdir(parents=True)
        (legacy / name / "metrics.jsonl").write_text(f"{name}\n")
    (root / "B").mkdir(parents=True)
    (root / "B" / "metrics.jsonl").write_text("the new root's B\n")
    assert main(["runs", "list"]) == 0
    assert (root / "A" / "metrics.jsonl").read_text() == "A\n" and not (legacy / "A").exists()
    assert (root / "B" / "metrics.jsonl").read_text() == "the new root's B\n"
    assert (legacy / "B" / "metrics.jsonl").read_text() == "B\n"  # left, not written over
    assert carry_legacy_runs() == []  # once
