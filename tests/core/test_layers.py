"""Import rules, checked in one fresh interpreter (each costs ~1.5 s): the engine and the
command line never import Qt or pyqtgraph, and a refused command imports no other command's
heavy modules."""

import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import bdh_studio.core

PROBE = textwrap.dedent("""
    import importlib, json, sys
    import torch
    from bdh_studio.cli import main
    code = main(sys.argv[2:])
    heavy = sorted(m for m in ("sklearn", "scipy") if m in sys.modules)
    for name in sys.argv[1].split(","):
        importlib.import_module(name)
    gui = sorted({m.split(".")[0] for m in sys.modules
                  if m.startswith(("PySide6", "shiboken6", "pyqtgraph"))})
    print(json.dumps({"code": code, "heavy": heavy, "gui": gui}))
""")


def test_core_and_cli_import_no_gui_library_and_a_refusal_imports_no_sklearn(demo_models):
    core = [f"bdh_studio.core.{m.name}" for m in pkgutil.iter_modules(bdh_studio.core.__path__)]
    assert "bdh_studio.core.trainer" in core and "bdh_studio.core.classifier" in core
    refused = ["sample", str(demo_models / "checkpoints" / "The Salt Road.pt"), "--device",
               "banana"]
    done = subprocess.run([sys.executable, "-c", PROBE, ",".join([*core, "bdh_studio.cli"]),
                           *refused], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["gui"] == []  # the GUI libraries the engine or the command line imported
    # What keeps a refusal to seconds: the command line imports scikit-learn and scipy (a
    # second or more) only for the commands that use them.
    assert seen["code"] == 2 and seen["heavy"] == [], seen
    assert done.stderr.strip() == ("bdh-studio sample: device 'banana' is not a device; use "
                                   "auto, cpu, cuda or mps")
