"""A run's notes, tags and colour: kept in its folder, replaced whole, never torn."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bdh_studio.core.errors import UserError
from bdh_studio.core.run.colours import (PALETTE, fallback_colour, give_colour, new_colour,
                                          run_colour)
from bdh_studio.core.run.notes import NOTES, RunNotes, clean_tags, read_notes, write_notes

ROOT = Path(__file__).resolve().parents[2]


def test_notes_are_written_and_read_back(tmp_path):
    write_notes(tmp_path, RunNotes("lr too high?\nsecond line", ["baseline", "lr"], "#4e79a7"))
    notes, problem = read_notes(tmp_path)
    assert problem == ""
    assert notes == RunNotes("lr too high?\nsecond line", ["baseline", "lr"], "#4e79a7")
    assert json.loads((tmp_path / NOTES).read_text())["tags"] == ["baseline", "lr"]


def test_a_folder_without_notes_has_empty_ones(tmp_path):
    assert read_notes(tmp_path) == (RunNotes(), "")


def test_tags_as_typed_are_cleaned():
    assert clean_tags(" a, b  c,,a ") == ["a", "b", "c"]
    assert clean_tags(["x ", "", "x", "y"]) == ["x", "y"]


@pytest.mark.parametrize("text, reason", [
    ("{torn", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"tags": "a b"}', '"tags" is not a list of text'),
    ('{"notes": 3}', '"notes" is not text'),
    ('{"colour": "red"}', '"colour" is not a #rrggbb colour'),
])
def test_damaged_notes_give_the_reason_and_empty_notes(tmp_path, text, reason):
    (tmp_path / NOTES).write_text(text)
    notes, problem = read_notes(tmp_path)
    assert notes == RunNotes()
    assert problem.startswith(f"{NOTES} is damaged ({reason})")


def test_saving_again_replaces_damaged_notes(tmp_path):
    (tmp_path / NOTES).write_text("{torn")
    write_notes(tmp_path, RunNotes("fixed"))
    assert read_notes(tmp_path) == (RunNotes("fixed"), "")


def test_notes_follow_the_folder_through_a_rename(tmp_path):
    (tmp_path / "a").mkdir()
    write_notes(tmp_path / "a", RunNotes("n", ["t"]))
    (tmp_path / "a").rename(tmp_path / "b")
    assert read_notes(tmp_path / "b") == (RunNotes("n", ["t"]), "")


def test_writing_into_a_missing_folder_is_an_error_not_a_new_folder(tmp_path):
    with pytest.raises(UserError, match="no such run folder"):
        write_notes(tmp_path / "gone", RunNotes("x"))
    assert not (tmp_path / "gone").exists()


WRITER = textwrap.dedent("""
    import sys
    from bdh_studio.core.run.notes import RunNotes, write_notes
    folder = sys.argv[1]
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        write_notes(folder, RunNotes("note %d " % i + "x" * (i % 5000), [f"t{i}"] * 1 + ["k"]))
""")


def test_a_writer_killed_again_and_again_never_leaves_a_torn_file(tmp_path):
    """kill -9 at random instants of a writer replacing the notes in a loop: every read
    between kills finds whole notes (the last ones written, or the ones before)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seen = set()
    for round_ in range(12):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], env=env,
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.013 * round_)  # a different instant of the loop each round
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        notes, problem = read_notes(tmp_path)
        assert problem == "", problem
        assert notes.notes.startswith("note ") and notes.tags[-1] == "k"
        seen.add(notes.notes.split()[1])
    assert len(seen) > 1  # the kills did land mid-loop, at different writes


def test_a_run_keeps_its_stored_colour_and_an_old_run_a_fixed_one():
    assert run_colour("#123456", 1.7e9, "a") == "#123456"
    assert run_colour(None, 1.7e9, "a") == run_colour(None, 1.7e9, "b") in PALETTE
    assert run_colour(None, 0.0, "a") == fallback_colour("a")


def test_a_new_run_is_given_the_colour_its_siblings_use_least(tmp_path):
    for name, colour in (("a", PALETTE[0]), ("b", PALETTE[1])):
        (tmp_path / name).mkdir()
        write_notes(tmp_path / name, RunNotes(colour=colour))
    (tmp_path / "new").mkdir()
    give_colour(tmp_path / "new")
    assert read_notes(tmp_path / "new")[0].colour == PALETTE[2]
    write_notes(tmp_path / "new", RunNotes("mine", colour=PALETTE[5]))
    give_colour(tmp_path / "new")  # a run that has notes keeps them
    assert read_notes(tmp_path / "new")[0] == RunNotes("mine", colour=PALETTE[5])


def test_a_new_run_gets_the_least_used_colour():
    assert new_colour([]) == PALETTE[0]
    assert new_colour([PALETTE[0], PALETTE[1], PALETTE[0]]) == PALETTE[2]
    assert new_colour(list(PALETTE) * 2 + [PALETTE[0]]) == PALETTE[1]
