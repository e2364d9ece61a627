"""Kept results' folder names: a name taken is never written into; times are said locally."""

import datetime
import os
from pathlib import Path

from bdh_studio.core.kept_names import claim, made_at


def test_a_name_another_save_took_after_the_folder_was_read_is_not_written_into(
        tmp_path, monkeypatch):
    taken = tmp_path / "0001_20261025T023000.000000Z"
    taken.mkdir()
    (taken / "report.json").write_text("theirs")
    frozen = datetime.datetime(2026, 10, 25, 2, 30, tzinfo=datetime.timezone.utc)
    monkeypatch.setattr(datetime, "datetime", type("Clock", (datetime.datetime,), {
        "now": classmethod(lambda cls, tz=None: frozen)}))
    monkeypatch.setattr(Path, "iterdir", lambda self: iter(()))  # read before it was made
    mine = claim(tmp_path)
    assert mine.name == "0002_20261025T023000.000000Z" and os.listdir(mine) == []
    assert (taken / "report.json").read_text() == "theirs"


def test_a_name_says_when_in_local_time_the_old_names_too():
    utc = datetime.datetime(2026, 12, 7, 10, 45, 12, 123456, tzinfo=datetime.timezone.utc)
    assert made_at(Path("0007_20261207T104512.123456Z")) == utc.astimezone()
    assert made_at(Path("2026-12-04_15-22-01-000001")) == \
        datetime.datetime(2026, 12, 4, 15, 22, 1, 1)
    assert made_at(Path("best one")) is None
