"""Files the app writes get the mode the user's umask gives, not mkstemp's 0600."""

import os
import stat

import pytest

from bdh_studio.core.atomic import write_csv
from bdh_studio.core.run.export import export_models


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_an_exported_model_and_a_csv_have_the_umasks_mode(demo_models, tmp_path, mask):
    sources = sorted((demo_models / "checkpoints").glob("*.pt"))[:1]
    old = os.umask(mask)
    try:
        written = export_models(sources, tmp_path / "out")
        write_csv(tmp_path / "table.csv", ["a"], [[1]])
    finally:
        os.umask(old)
    for path in [*written, tmp_path / "table.csv"]:
        assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(0o666 & ~mask), path
