"""The intra-op threads a CPU run trains with: who chooses, and that the run says so."""

import math

import pytest
import torch

from bdh_studio.cli import main
from bdh_studio.core import threads
from bdh_studio.core.corpus import find_books
from bdh_studio.core.run.log import read_run
from bdh_studio.core.threads import pick_threads
from bdh_studio.core.trainer import train_run


@pytest.mark.parametrize("cores, load, expected", [
    (2, 0.0, 2),    # an idle machine: both cores
    (2, 0.4, 2),    # a bit of noise still leaves both
    (2, 1.2, 1),    # another job on one core
    (2, 5.0, 1),    # a busy machine: one thread, never none
    (8, 2.6, 5),
    (8, -1.0, 8),   # never more than the cores
    (4, None, 4),   # no load average kept (Windows): torch's own choice
])
def test_auto_takes_the_cores_other_processes_leave(cores, load, expected):
    choice = pick_threads(0, cores, load, {})
    assert choice.threads == expected
    assert f"{cores} cores" in choice.why


def test_the_threads_setting_wins_over_the_environment_and_the_load():
    choice = pick_threads(3, 2, 7.0, {"OMP_NUM_THREADS": "1"})
    assert (choice.threads, choice.why) == (3, "the threads setting")


@pytest.mark.parametrize("value, expected", [("1", 1), ("4", 4), ("4,2", 4), (" 3 ", 3)])
def test_omp_num_threads_is_respected_whatever_the_load(value, expected):
    for load in (0.0, 9.0):
        choice = pick_threads(0, 2, load, {"OMP_NUM_THREADS": value})
        assert (choice.threads, choice.why) == (expected, "OMP_NUM_THREADS")


@pytest.mark.parametrize("value", ["", "0", "many", "-2"])
def test_an_unusable_omp_num_threads_leaves_the_choice_to_the_load(value):
    assert pick_threads(0, 2, 5.0, {"OMP_NUM_THREADS": value}).threads == 1


def test_this_process_own_work_is_not_counted_as_another_job(monkeypatch):
    """A second run right after a first (seeds, the window's next run) is not halved by
    the load the first one made."""
    meter = threads.LoadMeter()
    clock, cpu = iter([meter.when + 120.0]), iter([meter.cpu + 240.0])  # 2 cores busy 2 min
    monkeypatch.setattr(threads.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(threads, "cpu_seconds", lambda: next(cpu))
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (2.1, 1.5, 0.8))
    assert meter.others() == pytest.approx(2.1 - 2 * (1 - math.exp(-2)))


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def run_started(config, books_dir, out):
    train_run(config, find_books(books_dir), out)
    return read_run(out).events[0]


def test_a_run_records_and_uses_the_threads_setting(tiny_config, books_dir, tmp_path,
                                                     restore_threads):
    started = run_started(tiny_config.replace(threads=2, max_iters=5), books_dir, tmp_path / "r")
    assert (started.threads, started.threads_why) == (2, "the threads setting")
    assert torch.get_num_threads() == 2


def test_a_run_follows_and_records_omp_num_threads(tiny_config, books_dir, tmp_path,
                                                    restore_threads, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    torch.set_num_threads(2)
    started = run_started(tiny_config.replace(max_iters=5), books_dir, tmp_path / "r")
    assert (started.threads, started.threads_why) == (1, "OMP_NUM_THREADS")
    assert torch.get_num_threads() == 1


def test_the_command_line_threads_flag_is_in_the_start_line(books_dir, tmp_path, capsys,
                                                             restore_threads):
    out = tmp_path / "run"
    assert main(["train", str(books_dir), "--out", str(out), "--preset", "tiny",
                 "--iters", "5", "--threads", "1"]) == 0
    assert ", 1 intra-op thread (the threads setting)" in capsys.readouterr().err
    assert read_run(out).events[0].threads == 1
