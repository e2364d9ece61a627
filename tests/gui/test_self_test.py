"""``--self-test`` names the step that failed (the passing run is in tests/packaging)."""

from __future__ import annotations

from bdh_studio.cli import main


def test_a_failed_step_is_named_and_exits_1(qapp, tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr("bdh_studio.resources.demo_books", lambda: tmp_path / "empty")
    assert main(["--self-test"]) == 1
    out, err = capsys.readouterr()
    assert "self-test: FAILED at 'open the window': no usable demo book" in err
    assert "passed" not in out
