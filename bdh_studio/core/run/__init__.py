"""A run as a unit: its folder and layout, its log and what the log says (curves,
progress, state), its name and settings, the runs root, comparing runs, exporting their
models, and what a researcher keeps of it.

Qt-free: the window, the command line and scripts share it.  Modules are imported by
name (``from bdh_studio.core.run.log import read_run``); this package imports none of
them, so importing one costs only what it needs.
"""
