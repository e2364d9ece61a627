"""Hostile input and interruptions at the command line: one line, the right exit code, no traceback.

The cases of issue 27 that once ended in a traceback or a silent wrong answer.
"""

import shutil

import pytest

from bdh_studio.cli import main


@pytest.fixture
def run_dir(demo_models, tmp_path):
    return shutil.copytree(demo_models, tmp_path / "run")


@pytest.fixture
def model_file(run_dir):
    return str(run_dir / "checkpoints" / "The Salt Road.pt")


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_prompt_of_bytes_that_are_not_utf8_is_continued_byte_for_byte(model_file, capsys):
    """The shell hands Python b"caf\\xe9" as "caf\\udce9" (surrogateescape)."""
    assert main(["sample", model_file, "--prompt", "caf\udce9 au lait", "--length", "5",
                 "--seed", "1"]) == 0
    assert capsys.readouterr().out.startswith("caf\\xe9 au lait")


def test_a_lone_surrogate_in_a_prompt_or_text_is_refused_in_one_line(model_file, tmp_path,
                                                                    capsys):
    assert main(["sample", model_file, "--prompt", "a\ud800b"]) == 2
    assert ("--prompt: the text holds a lone surrogate U+D800 at character 1, which is not "
            "text; remove it") in one_line(capsys)
    assert main(["inspect", model_file, "--text", "\ud800", "--out",
                 str(tmp_path / "a.json")]) == 2
    assert "--text: the text holds a lone surrogate U+D800 at character 0" in one_line(capsys)
    assert not (tmp_path / "a.json").exists()


def test_a_100_kb_prompt_is_continued(model_file, capsys):
    """Once an 80 GB allocation; the prompt now runs in chunks (see test_model's bound)."""
    prompt = "the salt road ran on " * 5_000
    assert main(["sample", model_file, "--prompt", prompt, "--length", "20", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(prompt) and len(out.encode()) >= len(prompt) + 20
