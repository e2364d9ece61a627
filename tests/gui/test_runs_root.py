"""The runs root the command line computes without Qt is the one the window's Qt finds."""

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from bdh_studio.core.run.root import app_data_folder, default_runs_root
from bdh_studio.gui.paths import name_application


@pytest.mark.parametrize("xdg_data_home", [None, "/srv/data", "relative/data", ""])
def test_the_app_data_folder_is_qts(qapp, monkeypatch, xdg_data_home):
    if xdg_data_home is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg_data_home)
    name_application()
    qt = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    assert app_data_folder() == qt
    assert default_runs_root() == qt / "runs"
