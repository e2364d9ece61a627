"""No command writes over one of its inputs or into a run folder: every output flag, every target.

The property: for every command and every output flag, pointing the output at
any of that command's inputs (by its name, a symlink or a hard link) or at any
file or folder of a run folder leaves every byte as it was and exits 2 with
one line.  The table of output flags is checked against the parser, so a new
output flag cannot miss the rule.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from bdh_studio import resources
from bdh_studio.cli import build_parser, main
from bdh_studio.core.atomic import is_temporary, write_whole
from bdh_studio.core.outputs import enclosing_run, is_run_folder
from damage import digests
from textgen import make_text


class World:
    """Every input a command takes, and a second run folder that is no input of any."""

    def __init__(self, root: Path, demo_models: Path, books_dir: Path):
        self.root = root
        self.run = Path(shutil.copytree(demo_models, root / "run"))
        self.other = Path(shutil.copytree(demo_models, root / "other-run"))
        self.checkpoint = self.run / "checkpoints" / "The Salt Road.pt"
        self.books = books_dir
        self.settings = root / "settings.json"
        self.settings.write_text(json.dumps({"max_iters": 20}), encoding="utf-8")
        self.train = Path(shutil.copy(resources.demo_train_csv(), root / "train.csv"))
        self.test = Path(shutil.copy(resources.demo_test_csv(), root / "test.csv"))
        self.text = root / "text.txt"
        self.text.write_text("The salt road ran north.", encoding="utf-8")
        self.book = root / "book.txt"
        self.book.write_text(make_text(5_000, 3), encoding="utf-8")


# command -> (output flag, argv given the world and the output, the inputs named in argv)
COMMANDS = {
    "train --out": lambda w, out: (["train", str(w.books), "--preset", "tiny", "--iters", "20",
                                    "--config", str(w.settings), "--out", out],
                                   [w.books, w.settings]),
    "classify --out": lambda w, out: (["classify", "--train", str(w.train), "--test",
                                       str(w.test), "--models", str(w.run), "--out", out],
                                      [w.train, w.test, w.run]),
    "inspect --out (text)": lambda w, out: (["inspect", str(w.checkpoint), "--text-file",
                                             str(w.text), "--out", out],
                                            [w.checkpoint, w.text]),
    "inspect --out (book)": lambda w, out: (["inspect", str(w.checkpoint), "--neurons", "--book",
                                             str(w.book), "--out", out],
                                            [w.checkpoint, w.book]),
    "export OUT.pt": lambda w, out: (["export", str(w.checkpoint), out], [w.checkpoint]),
    "export-tensorboard OUT_DIR": lambda w, out: (["export-tensorboard", str(w.run), out],
                                                  [w.run]),
    "runs compare --out": lambda w, out: (["runs", "compare", str(w.run), str(w.other),
                                           "--out", out], [w.run, w.other]),
}
FOLDER_OUTPUTS = {"train --out", "export-tensorboard OUT_DIR"}


def output_flags() -> set[str]:
    """'command flag' for every argument of every command that names where to write."""
    found = set()

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())
            elif action.dest.startswith("out"):
                found.add(f"{prefix} {action.option_strings[0] if action.option_strings else action.metavar}")
    walk(build_parser(), "")
    return found


def test_the_table_names_every_output_flag_of_every_command():
    assert output_flags() == {name.split(" (")[0] for name in COMMANDS}


def targets(w: World, inputs: list[Path], command: str) -> dict[str, Path]:
    """Each input by its name, a symlink and a hard link, and each file and folder of a run."""
    links = w.root / "links"
    links.mkdir(exist_ok=True)
    found = {}
    for i, source in enumerate(inputs):
        found[f"input {source.name}"] = source
        found[f"symlink to input {source.name}"] = links / f"sym{i}{source.suffix}"
        found[f"symlink to input {source.name}"].symlink_to(source)
        if source.is_file():
            found[f"hard link to input {source.name}"] = links / f"hard{i}{source.suffix}"
            os.link(source, found[f"hard link to input {source.name}"])
    for run in (w.run, w.other):
        for path in (run, *sorted(run.rglob("*"))):
            found[f"{run.name}/{path.relative_to(run)}"] = path
        found[f"symlink into {run.name}"] = links / f"{run.name}-config.json"
        found[f"symlink into {run.name}"].symlink_to(run / "config.json")
    if command == "train --out":  # a run folder itself is train's to continue
        del found["run/."], found["other-run/."]
    return found


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_output_lands_on_an_input_or_in_a_run_folder(command, demo_models, books_dir,
                                                        tmp_path, capsys):
    w = World(tmp_path / "world", demo_models, books_dir)
    _, inputs = COMMANDS[command](w, "")
    for what, target in targets(w, inputs, command).items():
        before = digests(tmp_path)  # the links made for the targets
        argv, _ = COMMANDS[command](w, str(target))
        assert main(argv) == 2, f"{command} onto {what}"
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err, (what, err)
        assert str(target) in err or target.name in err, (what, err)
        assert digests(tmp_path) == before, f"{command} onto {what} changed a file"
    assert not any(is_temporary(p) for p in tmp_path.rglob("*"))


def test_a_hard_link_to_a_runs_file_elsewhere_is_replaced_as_a_name_not_written_through(
        demo_models, tmp_path, capsys):
    """A hard link outside any run cannot be told from a new file; the rename keeps the run whole."""
    run = Path(shutil.copytree(demo_models, tmp_path / "run"))
    link = tmp_path / "activity.json"
    os.link(run / "metrics.jsonl", link)
    before = digests(run)
    assert main(["inspect", str(run / "checkpoints" / "The Salt Road.pt"), "--text", "salt",
                 "--out", str(link)]) == 0
    assert digests(run) == before
    assert isinstance(json.loads(link.read_text()), dict)


def test_classify_onto_a_checkpoint_or_a_runs_config_writes_nothing(demo_models, tmp_path,
                                                                    capsys):
    """Issue 27 item 1: it wrote CSV over them and a *.cv.pt beside them."""
    run = Path(shutil.copytree(demo_models, tmp_path / "run"))
    before = digests(tmp_path)
    for target in (run / "checkpoints" / "The Salt Road.pt", run / "config.json"):
        assert main(["classify", "--train", str(resources.demo_train_csv()), "--models",
                     str(run), "--out", str(target)]) == 2
        assert "is an input of this command (a file of --models" in capsys.readouterr().err
    assert digests(tmp_path) == before
    assert not list(run.rglob("*.cv.*"))


@pytest.mark.parametrize("which", ["checkpoint", "book", "text-file"])
def test_inspect_onto_its_own_inputs_writes_nothing(demo_models, tmp_path, capsys, which):
    """Issue 27 item 2: it wrote JSON over its checkpoint, --book or --text-file."""
    run = Path(shutil.copytree(demo_models, tmp_path / "run"))
    ckpt = run / "checkpoints" / "The Salt Road.pt"
    book = tmp_path / "book.txt"
    book.write_text(make_text(5_000, 4), encoding="utf-8")
    argv = {"checkpoint": ["--text", "salt", "--out", str(ckpt)],
            "book": ["--concept", "salt", "--book", str(book), "--out", str(book)],
            "text-file": ["--text-file", str(book), "--out", str(book)]}[which]
    before = digests(tmp_path)
    assert main(["inspect", str(ckpt), *argv]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert digests(tmp_path) == before


def test_export_writes_nothing_inside_any_run_folder(demo_models, tmp_path, capsys):
    """Issue 27 item 5: export CK RUN/config.json wrote a pickle over the run's settings."""
    run = Path(shutil.copytree(demo_models, tmp_path / "run"))
    other = Path(shutil.copytree(demo_models, tmp_path / "other"))
    before = digests(tmp_path)
    for target in (run / "config.json", other / "config.json", other / "notes" / "bare.pt",
                   other / "metrics.jsonl"):
        assert main(["export", str(run / "checkpoints" / "The Salt Road.pt"), str(target)]) == 2
        err = capsys.readouterr().err
        assert "which holds only the run's own files" in err, err
    assert digests(tmp_path) == before
    assert not (other / "notes").exists()


@pytest.mark.parametrize("command", ["classify", "inspect"])
def test_a_refused_output_creates_no_folder(demo_models, tmp_path, capsys, command):
    """Issue 27 item 26: classify --out missing/sub/p.csv, refused, created missing/sub/."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,hello\n", encoding="utf-8")
    out = str(tmp_path / "missing" / "sub" / "p.csv")
    argv = {"classify": ["classify", "--train", str(bad), "--models", str(demo_models)],
            "inspect": ["inspect", str(bad), "--text", "salt"]}[command]  # no checkpoint
    assert main([*argv, "--out", out]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not (tmp_path / "missing").exists()


def test_write_whole_leaves_the_old_file_and_no_new_folder_when_the_write_fails(tmp_path):
    old = tmp_path / "p.csv"
    old.write_text("old\n")

    def full_disk(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    for target in (old, tmp_path / "new" / "deeper" / "p.csv"):
        with pytest.raises(Exception, match="No space left on device"):
            write_whole(target, full_disk, make_folders=True)
    assert old.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_a_run_folder_is_known_by_its_log_or_its_settings_beside_checkpoints(demo_models,
                                                                             tmp_path):
    assert is_run_folder(demo_models)
    assert enclosing_run(demo_models / "checkpoints" / "x.pt") == demo_models.resolve()
    project = tmp_path / "project"
    project.mkdir()
    (project / "config.json").write_text("{}")  # a person's own config.json is no run
    assert not is_run_folder(project) and enclosing_run(project / "p.csv") is None


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_paragraph(start: str) -> str:
    text = README.read_text(encoding="utf-8")
    at = text.index(start)
    return " ".join(text[at: text.index("\n\n", at)].split())


def test_the_readme_names_every_output_flag_and_quotes_the_guards_own_lines(demo_models,
                                                                           tmp_path, capsys):
    """The README's bad-input paragraph is checked against the program, not trusted."""
    paragraph = readme_paragraph("Every path a command is given to write")
    listed = paragraph[paragraph.index("before any work:"): paragraph.index("and the window's")]
    assert set(re.findall(r"`([^`]+)`", listed)) == output_flags()
    quoted = [q for q in re.findall(r"`([^`]+)`", paragraph) if q.startswith("PATH: ")]
    run = Path(shutil.copytree(demo_models, tmp_path / "run"))
    train = Path(shutil.copy(resources.demo_train_csv(), tmp_path / "train.csv"))
    for out, line in zip((train, run / "p.csv"), quoted, strict=True):
        assert main(["classify", "--train", str(train), "--models", str(run),
                     "--out", str(out)]) == 2
        expected = line.replace("PATH", str(out)).replace("RUN", str(run))
        assert capsys.readouterr().err.strip() == f"bdh-studio classify: {expected}"
    rule = readme_paragraph("The rule for bad input and faults")
    assert ("no command ever writes over one of its own inputs, a file of a run folder, or a "
            "file it did not create; every failure is one line naming the file and the remedy, "
            "exit 2 for bad input, 1 for a fault; nothing half-made is left behind.") in rule


@pytest.mark.parametrize("command", ["classify", "inspect"])
def test_a_model_elsewhere_is_never_replaced_by_text(demo_models, tmp_path, capsys, command):
    """A checkpoint outside any run and given to no command is still no file these write."""
    kept = tmp_path / "kept" / "model.pt"
    kept.parent.mkdir()
    shutil.copy(demo_models / "checkpoints" / "The Salt Road.pt", kept)
    before = digests(tmp_path)
    argv = {"classify": ["classify", "--train", str(resources.demo_train_csv()), "--models",
                         str(demo_models), "--out", str(kept)],
            "inspect": ["inspect", str(demo_models / "checkpoints" / "The Salt Road.pt"),
                        "--text", "salt", "--out", str(kept)]}[command]
    assert main(argv) == 2
    assert f"{kept}: holds a model or an archive" in capsys.readouterr().err
    assert digests(tmp_path) == before
