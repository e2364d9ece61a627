"""Hostile input and interruptions at the command line: one line, the right exit code, no traceback.

The cases of issue 27 that once ended in a traceback or a silent wrong answer.
"""

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import warnings

import pytest
import torch

from bdh_studio import resources
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


def start(*argv, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bdh_studio", *map(str, argv)],
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"},
                            **kwargs)


def wait_for(stream, text: bytes, process: subprocess.Popen, seconds: float = 120) -> bytes:
    """Read ``stream`` until ``text`` shows (the command is at work) or the process ends."""
    seen, deadline = b"", time.monotonic() + seconds
    while text not in seen and time.monotonic() < deadline and process.poll() is None:
        seen += os.read(stream.fileno(), 4096)
    assert text in seen, seen
    return seen


def interrupted(process: subprocess.Popen, seen: bytes = b"") -> str:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    err = (seen + (err or b"")).decode("utf-8", "replace")
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    return err.strip().splitlines()[-1]


def test_ctrl_c_while_sampling_stops_in_one_line_with_exit_130(model_file):
    process = start("sample", model_file, "--length", "100000000", stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    wait_for(process.stdout, b"\n", process)  # the prompt, then the first piece
    assert interrupted(process) == \
        "bdh-studio sample: stopped (Ctrl-C); nothing more was written"


@pytest.mark.slow
@pytest.mark.parametrize("command", ["classify", "inspect"])
def test_ctrl_c_while_classifying_or_inspecting_stops_in_one_line_writing_nothing(
        run_dir, model_file, tmp_path, command):
    out = tmp_path / "out" / "result"
    argv = (["classify", "--train", resources.demo_train_csv(), "--models", run_dir,
             "--out", out] if command == "classify" else
            ["inspect", model_file, "--neurons", "--book", resources.demo_books() /
             "The Salt Road.txt", "--no-cache", "--out", out])
    process = start(*argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = wait_for(process.stderr, b"%|", process)  # its progress bar: at work
    assert interrupted(process, seen) == \
        f"bdh-studio {command}: stopped (Ctrl-C); nothing more was written"
    assert not out.exists() and not (tmp_path / "out").exists() or \
        list((tmp_path / "out").iterdir()) == []


@pytest.fixture
def runs_root(demo_models, tmp_path):
    shutil.copytree(demo_models, tmp_path / "runs" / "demo")
    return tmp_path / "runs"


@pytest.mark.parametrize("argv", [["runs", "list", "--json"], ["runs", "list"]])
def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(runs_root, argv):
    """`bdh-studio runs list --json | head -c 10`: the reader is gone before the writing."""
    process = start(*argv, "--runs-dir", runs_root, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert err == b"" and process.returncode == 141


@pytest.mark.parametrize("seed, most", [("-5", "4,294,967,295"), (str(2**32), "4,294,967,295")])
def test_classify_refuses_a_seed_numpy_cannot_take_in_one_line(run_dir, tmp_path, capsys, seed,
                                                              most):
    assert main(["classify", "--train", str(resources.demo_train_csv()), "--models",
                 str(run_dir), "--out", str(tmp_path / "p.csv"), "--seed", seed]) == 2
    assert f"seed {seed}: give a whole number from 0 to {most}" in one_line(capsys)
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize("seed", ["-5", str(2**64)])
def test_sample_refuses_a_seed_torch_cannot_take_in_one_line(model_file, capsys, seed):
    assert main(["sample", model_file, "--seed", seed]) == 2
    assert (f"--seed {seed}: give a whole number from 0 to 18,446,744,073,709,551,615"
            in one_line(capsys))


@pytest.mark.parametrize("setting, said", [
    ("max_iters=2000000000", "max_iters: 2,000,000,000 must be between 1 and 1,073,741,824"),
    ("max_iters=1e30", "max_iters: 1e30 must be between 1 and 1,073,741,824"),
    ("seed=99999999999999999999999999",
     "seed: 99,999,999,999,999,999,999,999,999 must be between 0 and 9,223,372,036,854,775,807"),
    ("max_seconds=2e9", "max_seconds: 2,000,000,000 must be between 0 and 1,000,000,000"),
])
def test_bounds_and_values_print_as_whole_numbers_with_separators(tmp_path, capsys, setting,
                                                                  said):
    assert main(["train", "--demo", "--out", str(tmp_path / "run"), "--set", setting]) == 2
    assert said in one_line(capsys)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_legacy_checkpoint_with_non_finite_weights_is_damaged_for_every_command(
        run_dir, tmp_path, capsys, bad):
    """No digest to check (written before digests), yet NaN weights are no model."""
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    raw = torch.load(ckpt, weights_only=True)
    del raw["state_sha256"]
    raw["state_dict"]["encoder_v"][0, 0, 0] = bad
    torch.save(raw, ckpt)
    said = f"{ckpt}: damaged: its weight encoder_v holds NaN or infinite values"
    for argv in (["sample", ckpt, "--length", "5"],
                 ["inspect", ckpt, "--text", "The sea", "--out", tmp_path / "a.json"],
                 ["classify", "--train", resources.demo_train_csv(), "--models", run_dir,
                  "--out", tmp_path / "p.csv"]):
        assert main(list(map(str, argv))) == 2, argv
        assert said in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_configuration_that_does_not_fit_the_weights_names_the_file_the_tensor_and_the_remedy(
        run_dir, tmp_path, capsys):
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    raw = torch.load(ckpt, weights_only=True)
    raw["model_config"]["mlp_internal_dim_multiplier"] *= 2  # the digest covers weights only
    torch.save(raw, ckpt)
    D, H, M = (raw["model_config"][k] for k in ("n_embd", "n_head", "mlp_internal_dim_multiplier"))
    said = (f"{ckpt}: its weights do not fit its configuration (n_layer "
            f"{raw['model_config']['n_layer']}, n_embd {D}, n_head {H}, "
            f"mlp_internal_dim_multiplier {M}): decoder has shape ({(M // 2) * D}, {D}) where it "
            f"makes ({M * D}, {D}); the file was "
            f"changed after it was saved, or written by another program: train that book again "
            f"or use a backup copy")
    for argv in (["sample", ckpt, "--length", "5"],
                 ["inspect", ckpt, "--text", "The sea", "--out", tmp_path / "a.json"],
                 ["classify", "--train", resources.demo_train_csv(), "--models", run_dir,
                  "--out", tmp_path / "p.csv"]):
        assert main(list(map(str, argv))) == 2, argv
        assert one_line(capsys).endswith(said)


@pytest.mark.parametrize("argv", [["export-tensorboard", "{run}", "{tmp}/tb"],
                                  ["runs", "compare", "{run}", "--out", "{tmp}/c.csv"]])
def test_a_missing_run_folder_is_named_itself_and_a_csv_is_no_run(tmp_path, capsys, argv):
    missing = tmp_path / "nowhere" / "run"
    table = tmp_path / "table.csv"
    table.write_text("id,label\n1,consistent\n")
    for run, said in ((missing, f"{missing}: no such folder; give a run folder (one with "
                                f"metrics.jsonl)"),
                      (table, f"{table}: a file, and not a run; give a run folder (one with "
                              f"metrics.jsonl) or its metrics.jsonl")):
        assert main([a.format(run=run, tmp=tmp_path) for a in argv]) == 2
        assert one_line(capsys).endswith(said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


@pytest.mark.parametrize("argv, said", [
    (["sample"], "bdh-studio sample: the following arguments are required: CHECKPOINT; see "
                 "bdh-studio sample --help"),
    (["classify", "--folds", "x"], "bdh-studio classify: argument --folds: invalid int value: "
                                   "'x'; see bdh-studio classify --help"),
    (["runs", "compare"], "bdh-studio runs compare: the following arguments are required: "
                          "RUN_DIR, --out; see bdh-studio runs compare --help"),
])
def test_a_command_line_mistake_is_one_line_not_the_usage_block(capsys, argv, said):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert one_line(capsys) == said


class RunsCode:
    def __reduce__(self):
        return (print, ("this ran",))


@pytest.mark.parametrize("write", [lambda obj, path: torch.save(obj, path),
                                   lambda obj, path: path.write_bytes(pickle.dumps(obj))])
def test_a_pickle_that_could_run_code_is_refused_without_advice_to_load_it_unsafely(
        tmp_path, capsys, write):
    path = tmp_path / "model.pt"
    write({"state_dict": RunsCode()}, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's two-line warning on a raw pickle fails this
        assert main(["sample", str(path)]) == 2
    captured = capsys.readouterr()
    assert "this ran" not in captured.out
    err = captured.err.strip()
    what = ("holds Python objects besides weights (print)," if path.read_bytes()[:2] == b"PK"
            else "is a Python pickle, not a torch checkpoint,")
    assert err == (f"bdh-studio sample: {path}: {what} which only an unpickling that can "
                   f"run code in the file would rebuild, so it is never loaded; use a checkpoint "
                   f"BDH Studio wrote")
    assert "weights_only" not in err
