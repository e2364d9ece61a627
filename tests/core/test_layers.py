"""The one-way rule as a check: the engine and the command line never import Qt or pyqtgraph."""

import pkgutil
import subprocess
import sys
import textwrap

import bdh_studio.core

PROBE = textwrap.dedent("""
    import importlib, sys
    for name in sys.argv[1:]:
        importlib.import_module(name)
    print(",".join(sorted({m.split(".")[0] for m in sys.modules
                           if m.startswith(("PySide6", "shiboken6", "pyqtgraph"))})))
""")


def test_core_and_the_command_line_import_no_gui_library():
    core = [f"bdh_studio.core.{m.name}" for m in pkgutil.iter_modules(bdh_studio.core.__path__)]
    assert "bdh_studio.core.trainer" in core and "bdh_studio.core.classifier" in core
    done = subprocess.run([sys.executable, "-c", PROBE, *core, "bdh_studio.cli"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""  # the GUI libraries the probe found, if any
