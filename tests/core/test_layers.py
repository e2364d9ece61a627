"""Import rules, checked in one fresh interpreter (each costs ~1.5 s): the engine and the
command line never import Qt or pyqtgraph, and a refused command imports no other command's
heavy modules."""

import ast
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import bdh_studio.core
from damage import flip_weight_bytes
from fake_runs import write_runs

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
    core = [m.name for m in pkgutil.walk_packages(bdh_studio.core.__path__, "bdh_studio.core.")]
    assert "bdh_studio.core.run.summary" in core
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


# --- the layers, read from the source: every module, subpackages included ---------------

PACKAGE = Path(bdh_studio.core.__file__).parents[1]  # bdh_studio/
GUI_LIBRARIES = ("PySide6", "shiboken6", "pyqtgraph")
# What the command line may take from the GUI, only inside the function that needs it: the
# window and its launch options, and the Compare tab's drawing for ``runs compare --out x.png``.
CLI_MAY_USE = {"bdh_studio.cli": {"bdh_studio.gui.app", "bdh_studio.gui.self_test",
                                  "bdh_studio.gui.desktop_entry"},
               "bdh_studio.cli.runs": {"bdh_studio.gui.compare_plots"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_our_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path) -> set[tuple[str, bool]]:
    """(module imported, whether at the module's top level) of every import in ``path``,
    relative imports made absolute (``from ..gui import app`` imports bdh_studio.gui.app)."""
    tree, name = ast.parse(path.read_text(encoding="utf-8")), module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = {id(node) for node in tree.body}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(alias.name, id(node) in top) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add((target if is_our_module(target) else base, id(node) in top))
    return found


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_core_imports_no_qt_and_nothing_of_the_gui_or_the_command_line():
    paths = sorted((PACKAGE / "core").rglob("*.py"))
    assert PACKAGE / "core" / "run" / "log.py" in paths  # subpackages are read too
    wrong = [f"{module_name(path)} imports {name}" for path in paths
             for name, _ in imports(path)
             if within(name, *GUI_LIBRARIES, "bdh_studio.gui", "bdh_studio.cli")]
    assert wrong == []


def test_the_command_line_imports_the_gui_only_to_open_the_window_or_draw_it():
    wrong = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        name = module_name(path)
        for imported, top_level in imports(path):
            allowed = not top_level and imported in CLI_MAY_USE.get(name, set())
            if within(imported, *GUI_LIBRARIES, "bdh_studio.gui") and not allowed:
                wrong.append(f"{name} imports {imported}" + (" at its top" if top_level else ""))
    assert wrong == []


def test_the_layer_checks_see_relative_and_function_level_imports():
    """The checks above would pass on a reader that finds nothing: this one shows they see."""
    assert ("bdh_studio.core.events", True) in imports(PACKAGE / "core" / "run" / "folder.py")
    assert ("bdh_studio.gui.compare_plots", False) in imports(PACKAGE / "cli" / "runs.py")
    assert ("bdh_studio.gui.desktop_entry", False) in imports(PACKAGE / "cli" / "__init__.py")


READS_WITHOUT_QT = textwrap.dedent("""
    import json, sys
    import bdh_studio.cli.runs
    from bdh_studio.cli import main
    code = main(["runs", "compare", *sys.argv[1:]])
    print(json.dumps({"code": code, "qt": sorted(m for m in sys.modules
                                                 if m.startswith(("PySide6", "pyqtgraph")))}))
""")


def test_runs_compare_into_a_csv_loads_no_qt(demo_models, tmp_path):
    out = tmp_path / "x.csv"
    done = subprocess.run([sys.executable, "-c", READS_WITHOUT_QT, str(demo_models), "--out",
                           str(out)], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"code": 0, "qt": []}
    assert out.read_text(encoding="utf-8").startswith("run,book,kind,step")


def test_one_function_turns_log_lines_into_events():
    """Every reader of metrics*.jsonl goes through core.run.log (one rule for bad lines)."""
    callers = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "from_dict" and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "ev" for call in ast.walk(node)):
                callers.add(f"{module_name(path)}.{node.name}")
    assert callers == {"bdh_studio.core.run.log._event"}


LONGEST_FUNCTION = 60  # lines, docstring included: STYLE.md's "short functions"


def test_no_function_in_the_package_is_longer_than_sixty_lines():
    long = [f"{module_name(path)}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
            for path in sorted(PACKAGE.rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION]
    assert long == []


LISTS_WITHOUT_TORCH = textwrap.dedent("""
    import json, runpy, sys
    sys.argv = ["bdh-studio", "runs", "list", "--json", "--runs-dir", sys.argv[1]]
    try:
        runpy.run_module("bdh_studio", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    print(json.dumps({"code": code, "torch": "torch" in sys.modules}), file=sys.stderr)
""")


def list_in_a_process(root: Path, cache: Path | None = None) -> tuple[list[dict], bool]:
    """``python -m bdh_studio runs list --json`` on ``root``: the runs, and whether it
    imported torch."""
    env = {**os.environ, **({"XDG_CACHE_HOME": str(cache)} if cache else {})}
    done = subprocess.run([sys.executable, "-c", LISTS_WITHOUT_TORCH, str(root)], env=env,
                          capture_output=True, text=True, cwd=Path(__file__).parents[2],
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stderr.splitlines()[-1])
    assert seen["code"] == 0, done.stderr[-2000:]
    return json.loads(done.stdout), seen["torch"]


def test_runs_list_starts_without_torch(tmp_path):
    """``runs list`` reads only text: importing torch (2+ s of CPU) would be most of its
    time (benchmarks/README.md §14)."""
    write_runs(tmp_path / "root", 3, steps=100)
    runs, torch_imported = list_in_a_process(tmp_path / "root")
    assert len(runs) == 3 and not torch_imported


def test_runs_list_checks_a_book_model_once_until_it_changes(demo_models, tmp_path):
    """The first listing reads each book model (torch); the next, in a new process, keeps
    the verdict of each file that did not change, and reads a changed one again."""
    run = Path(shutil.copytree(demo_models, tmp_path / "root" / "run"))
    cache = tmp_path / "cache"
    first, torch_imported = list_in_a_process(run.parent, cache)
    assert first[0]["state"] == "finished" and torch_imported
    again, torch_imported = list_in_a_process(run.parent, cache)
    assert again == first and not torch_imported
    flip_weight_bytes(sorted((run / "checkpoints").glob("*.pt"))[0])
    damaged, torch_imported = list_in_a_process(run.parent, cache)
    assert damaged[0]["state"] == "damaged" and "sha256 differs" in damaged[0]["detail"]
    assert torch_imported
