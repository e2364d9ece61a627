"""What a demanding user found walking the window (issue 26), each as they met it."""

from PySide6.QtWidgets import QInputDialog

from test_runs_panel import opened, runs_root, two_runs  # noqa: F401 (fixtures)


def listed(window, qtbot, n=2):
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == n, timeout=30_000)


def compared(window):
    return {line.run for line in window.compare.lines}


def test_renaming_a_compared_run_keeps_it_in_compare_by_its_new_name(window, qtbot, runs_root,
                                                                     monkeypatch):
    listed(window, qtbot)
    window.runs.set_checked(runs_root / "A", True)
    qtbot.waitUntil(lambda: compared(window) == {"A"}, timeout=30_000)
    window.runs.select(runs_root / "A")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Renamed A", True))
    window.runs.buttons["renameRunButton"].click()
    qtbot.waitUntil(lambda: compared(window) == {"Renamed A"}, timeout=30_000)
    qtbot.waitUntil(lambda: not window.runs.reader.running, timeout=30_000)
    listed(window, qtbot)
    assert [s.name for s in window.runs.checked()] == ["Renamed A"]
    assert compared(window) == {"Renamed A"}
