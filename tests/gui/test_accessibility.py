"""Every control of the window can be found by name: by scripts, tests and screen readers."""

from PySide6.QtWidgets import QToolBar

from bdh_studio.gui.accessibility import controls, unnamed
from test_main_window import checked


def test_every_control_has_an_object_and_an_accessible_name(window, qtbot):
    window.load_demo()  # the panels that fill in with books and CSVs
    checked(window, qtbot)
    window.workspace.setCurrentWidget(window.inspect)  # a tab built when first shown
    assert len(controls(window)) > 40
    assert unnamed(window) == []


def test_the_main_actions_are_found_by_their_names(window):
    toolbar = window.findChild(QToolBar)
    for name in ("train", "pause", "stop", "newRun", "openRun", "exportCheckpoints"):
        button = window.findChild(type(toolbar.widgetForAction(window.train_action)), name)
        assert button is not None and button.accessibleName(), name
    assert window.findChild(type(window.runs), "runsPanel").accessibleName() == "Runs"
