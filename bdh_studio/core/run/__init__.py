"""A run as a unit: its folder, its log, its curves, and what a researcher keeps of it.

Qt-free: the window, the command line and scripts share it.
"""
