"""The main window's actions, and the toolbar and File and Run menus that show them.

Each action is kept on the window as ``<what>_action``, where its code and the tests find
it (and by objectName); the slots are the window's methods and its panels'.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from .actions import add_actions, make_action

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_actions(window: MainWindow) -> None:
    """The window's actions, as ``window.<what>_action``, then the bars that show them."""
    a = partial(make_action, window)
    window.open_action = a("openFolder", "Open folder…", window.books.ask_folder,
                           QKeySequence.Open, "Add a folder of .txt books")
    window.demo_action = a("tryDemo", "Try demo", window.load_demo, None,
                           "Load the bundled demo books and backstories")
    window.train_action = a("train", "Train", window.start_training, "Ctrl+R",
                            "Train every checked book with these settings")
    window.new_run_action = a("newRun", "New run…", window.ask_new_run, "Ctrl+Shift+N",
                              "Train the checked books into a new named run")
    window.pause_action = a("pause", "Pause", window.toggle_pause, "Ctrl+P",
                            "Pause or resume after the current step")
    window.stop_action = a("stop", "Stop", window.session.stop, "Ctrl+.",
                           "Stop after the current step; the book keeps a partial "
                           "checkpoint and Train resumes it")
    window.open_run_action = a("openRun", "Open run…", window.ask_open_run, "Ctrl+Shift+O",
                               "Show a run folder: its books, settings, curves and state")
    window.runs_root_action = a("runsFolder", "Runs folder…", window.ask_runs_root, None,
                                "Choose the folder new runs are made in")
    window.export_action = a("exportCheckpoints", "Export checkpoints…", window.ask_export,
                             "Ctrl+E", "Copy this run's book models to a folder")
    window.folder_action = a("showRunFolder", "Show run folder", window.show_run_folder,
                             None, "Open the run folder in the file manager")
    window.save_config_action = a("saveSettings", "Save settings…",
                                  window.run_settings.ask_save, None,
                                  "Save these settings as JSON (bdh-studio train "
                                  "--config reads it)")
    window.load_config_action = a("loadSettings", "Load settings…",
                                  window.run_settings.ask_load, None,
                                  "Load settings from a JSON file")
    window.quit_action = a("quit", "Quit", window.close, QKeySequence.Quit,
                           "Quit BDH Studio")
    build_bars(window)


def build_bars(window: MainWindow) -> None:
    """The toolbar, and the File and Run menus (View and Help come with the layout)."""
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
    add_actions(toolbar, (window.open_action, window.demo_action, None, window.train_action,
                          window.new_run_action, window.pause_action, window.stop_action, None,
                          window.open_run_action, window.export_action, window.folder_action))
    add_actions(window.menuBar().addMenu("&File"), (
        window.open_action, window.demo_action, window.open_run_action, window.runs_root_action,
        window.save_config_action, window.load_config_action, window.export_action,
        window.folder_action, None, window.quit_action))
    add_actions(window.menuBar().addMenu("&Run"), (
        window.train_action, window.new_run_action, window.pause_action, window.stop_action))
