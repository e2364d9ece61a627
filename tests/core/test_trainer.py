"""The training loop: events, run folders, stop and resume, and what goes wrong."""

import json
import math
import weakref

import pytest
import torch

from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core.control import TaskControl
from bdh_studio.core.corpus import Book, CorpusError, find_books
from bdh_studio.core.distributed import Distributed
from bdh_studio.core.run.folder import RunFolder, RunFolderError
from bdh_studio.core.run.log import read_run
from bdh_studio.core.runtime import Runtime
from bdh_studio.core.trainer import (BookTrainer, divergence_advice, lr_at, make_optimizer,
                                     train_run)
from devices import DEVICES
from pausewatch import WAIT, Timeline, WatchedControl, wait_until
from textgen import make_text


def run(config, books_dir, out, **kwargs):
    seen = []
    result = train_run(config, find_books(books_dir), out, on_event=seen.append, **kwargs)
    return result, seen


def test_trains_every_book_and_reports_in_order(tiny_config, books_dir, tmp_path):
    result, seen = run(tiny_config, books_dir, tmp_path / "run")
    assert result.finished == ["Alpha Book", "beta book"] and result.ok
    kinds = [e.kind for e in seen]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert kinds.count("book_started") == 2 and kinds.count("checkpoint") == 2
    steps = [e for e in seen if isinstance(e, ev.StepLogged) and e.book == "Alpha Book"]
    assert [e.step for e in steps] == [5, 10, 15, 20]
    assert steps[-1].train_loss < steps[0].train_loss
    assert all(0 < e.x_sparsity < 1 and 0 < e.y_sparsity < 1 and e.tokens_per_s > 0 for e in steps)
    vals = [e for e in seen if isinstance(e, ev.ValidationLogged) and e.book == "Alpha Book"]
    assert [e.step for e in vals] == [10, 20]
    assert vals[-1].bits_per_byte == pytest.approx(vals[-1].val_loss / math.log(2))
    assert list(read_run(tmp_path / "run").events) == seen  # metrics.jsonl replays the same run


def test_checkpoint_is_safe_to_load_and_exports_for_the_reference(tiny_config, books_dir,
                                                                   tmp_path):
    run(tiny_config, books_dir, tmp_path / "run")
    path = tmp_path / "run" / "checkpoints" / "Alpha Book.pt"
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == checkpoints.FORMAT and raw["partial"] is False
    assert raw["book"]["name"] == "Alpha Book" and len(raw["book"]["sha256"]) == 64
    assert raw["training"]["step"] == 20 and raw["train_config"]["block_size"] == 64
    assert {"torch", "bdh_studio", "python"} <= set(raw["versions"])
    checkpoints.export_state_dict(path, tmp_path / "bare.pt")
    bare = torch.load(tmp_path / "bare.pt", weights_only=True)
    assert set(bare) == {"decoder", "encoder", "encoder_v", "lm_head", "attn.freqs",
                         "embed.weight"}
    model, _ = checkpoints.load_model(path)
    model.load_state_dict(bare, strict=True)


@pytest.mark.slow
def test_fresh_batches_beat_one_batch_at_equal_compute(kdsh, tmp_path):
    """The issue's check: the original's one-batch loop ended at 4.8, fresh batches below 2.0."""
    from bdh_studio.core.config import PRESETS
    config = PRESETS["tiny"].replace(n_layer=2, n_embd=64, n_head=4, mlp_internal_dim_multiplier=16,
                                     block_size=128, batch_size=8, max_iters=500,
                                     eval_interval=500, log_interval=50)
    result, seen = run(config, kdsh / "books", tmp_path / "run")
    final = [e for e in seen if isinstance(e, ev.ValidationLogged)
             and e.book == "The Count of Monte Cristo"][-1]
    assert final.step == 500 and final.val_loss < 2.0


def test_stop_keeps_a_partial_checkpoint_and_resume_continues(tiny_config, books_dir, tmp_path):
    control = TaskControl()

    def stop_at_ten(event):
        if isinstance(event, ev.StepLogged) and event.step == 10:
            control.stop()

    config = tiny_config.replace(max_iters=30)
    result = train_run(config, find_books(books_dir), tmp_path / "run",
                       on_event=stop_at_ten, control=control)
    assert result.stopped and result.partial == ["Alpha Book"] and result.finished == []
    ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")
    assert ckpt["partial"] and ckpt["training"]["step"] == 10 and ckpt["optimizer"]
    for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines():
        json.loads(line)

    result, seen = run(config, books_dir, tmp_path / "run")
    started = [e for e in seen if isinstance(e, ev.BookStarted)]
    assert started[0].start_step == 10
    steps = [e.step for e in seen if isinstance(e, ev.StepLogged) and e.book == "Alpha Book"]
    assert steps[0] == 15 and steps[-1] == 30
    assert result.finished == ["Alpha Book", "beta book"]


def test_rerun_skips_finished_books_unless_retrained(tiny_config, books_dir, tmp_path):
    run(tiny_config, books_dir, tmp_path / "run")
    result, seen = run(tiny_config, books_dir, tmp_path / "run")
    assert result.skipped == ["Alpha Book", "beta book"]
    assert not any(isinstance(e, ev.StepLogged) for e in seen)
    result, _ = run(tiny_config, books_dir, tmp_path / "run", retrain=True)
    assert result.finished == ["Alpha Book", "beta book"]


def test_a_changed_book_is_trained_again_and_every_old_model_kept(tiny_config, books_dir,
                                                                  tmp_path):
    folder = tmp_path / "run" / "checkpoints"
    run(tiny_config, books_dir, tmp_path / "run")
    models = [(folder / "Alpha Book.pt").read_bytes()]
    for seed in (9, 10):  # changed twice: the second change keeps the first one's backup
        (books_dir / "Alpha Book.txt").write_text(make_text(30_000, seed))
        result, seen = run(tiny_config, books_dir, tmp_path / "run")
        assert result.finished == ["Alpha Book"] and result.skipped == ["beta book"]
        models.append((folder / "Alpha Book.pt").read_bytes())
    assert (folder / "Alpha Book.pt.book-changed").read_bytes() == models[0]
    assert (folder / "Alpha Book.pt.book-changed.2").read_bytes() == models[1]
    assert any("kept it as Alpha Book.pt.book-changed.2" in e.message for e in seen
               if isinstance(e, ev.BookWarning))


def test_other_settings_on_the_same_folder_are_refused(tiny_config, books_dir, tmp_path):
    run(tiny_config, books_dir, tmp_path / "run")
    with pytest.raises(RunFolderError, match=r"other settings \(n_layer 2 -> 3\); choose a new"):
        run(tiny_config.replace(n_layer=3), books_dir, tmp_path / "run")


def test_a_bad_book_stops_the_run_before_it_starts_unless_skipped(tiny_config, books_dir,
                                                                   tmp_path):
    (books_dir / "short.txt").write_text(make_text(300))
    with pytest.raises(CorpusError, match=r"1 of 3 book\(s\) cannot be trained, so nothing was "
                                          r"started.*\n  short.txt: too short for block_size 64"):
        run(tiny_config, books_dir, tmp_path / "run")
    assert not (tmp_path / "run").exists()
    result, seen = run(tiny_config, books_dir, tmp_path / "run", skip_bad_books=True)
    assert result.finished == ["Alpha Book", "beta book"] and result.ok
    assert "short.txt: too short for block_size 64" in result.left_out["short"]
    assert any(isinstance(e, ev.BookWarning) and e.book == "short" for e in seen)


@pytest.mark.parametrize("precision, says, not_said", [
    ("fp32", "lower lr (now 0.003) or turn on grad_clip", "fp32"),
    ("bf16", "or use fp32 precision", "fp16"),
    ("fp16", "use bf16 if the GPU has it, or fp32", "lower lr"),
])
def test_divergence_advice_is_what_can_help_at_this_precision(tiny_config, precision, says,
                                                              not_said):
    advice = divergence_advice(tiny_config, Runtime(torch.device("cuda"), precision))
    assert says in advice and not_said not in advice


def test_nan_loss_stops_the_book_with_advice(tiny_config, books_dir, tmp_path, monkeypatch):
    from bdh_studio.core.model import BDH
    forward = BDH.forward

    def diverging(self, idx, targets=None, stats=None):
        logits, loss = forward(self, idx, targets, stats)
        return logits, loss * float("nan")

    monkeypatch.setattr(BDH, "forward", diverging)
    result, seen = run(tiny_config.replace(precision="fp32"), books_dir, tmp_path / "run")
    message = result.failed["Alpha Book"]
    assert "Alpha Book: the loss became nan at step 5; lower lr (now 0.003) or turn on " \
           "grad_clip (e.g. 1.0). The last good checkpoint" in message  # fp32 here: not "use fp32"
    assert not (tmp_path / "run" / "checkpoints" / "Alpha Book.pt").exists()
    assert any(isinstance(e, ev.BookFailed) and e.message == message for e in seen)


def test_out_of_memory_frees_the_book_and_ends_the_run(tiny_config, books_dir, tmp_path,
                                                      monkeypatch):
    """By the time the book is reported failed, its model and optimizer are gone: the
    next try (or the window's next run) has the memory they held."""
    from bdh_studio.core import trainer
    held = []

    def keep_an_eye(model, config):
        optimizer = make_optimizer(model, config)
        held.extend((weakref.ref(model), weakref.ref(optimizer)))
        return optimizer

    def no_memory(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    alive_when_reported = []

    def on_event(event):
        if isinstance(event, ev.BookFailed):
            alive_when_reported.extend(ref() is not None for ref in held)

    monkeypatch.setattr(trainer, "make_optimizer", keep_an_eye)
    monkeypatch.setattr("bdh_studio.core.model.BDH.forward", no_memory)
    result = train_run(tiny_config, find_books(books_dir), tmp_path / "run", on_event)
    assert alive_when_reported == [False, False]
    assert "Alpha Book: out of memory on cpu with batch_size 8 and block_size 64; lower " \
           "batch_size or block_size" in result.error
    assert list(result.failed) == ["Alpha Book"]  # beta book would need as much: not tried


def test_full_disk_ends_the_run_with_advice_and_keeps_old_files(tiny_config, books_dir, tmp_path,
                                                                monkeypatch):
    def disk_full(obj, f, *args, **kwargs):
        f.write(b"partial bytes")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bdh_studio.core.checkpoints.torch.save", disk_full)
    result, seen = run(tiny_config, books_dir, tmp_path / "run")
    failure = [e for e in seen if isinstance(e, ev.RunFailed)][0]
    assert "No space left on device (the disk is full); free some disk space" in failure.message
    assert result.error == failure.message and not result.failed and not result.ok
    assert list((tmp_path / "run" / "checkpoints").iterdir()) == []  # no torn temporary file


def test_no_books_and_bad_config_are_refused_before_starting(tiny_config, tmp_path):
    with pytest.raises(CorpusError, match="no books to train"):
        train_run(tiny_config, [], tmp_path / "run")
    from bdh_studio.core.config import ConfigError
    with pytest.raises(ConfigError, match="n_head: n_embd 32 is not divisible by n_head 3"):
        train_run(tiny_config.replace(n_head=3), [tmp_path / "x.txt"], tmp_path / "run")


@pytest.mark.parametrize("device", DEVICES)
def test_a_checkpoint_from_another_device_resumes_under_the_fp16_scaler(tiny_config, books_dir,
                                                                       tmp_path, device):
    """A checkpoint saved where AdamW is not fused (MPS) resumed where it is, in fp16:
    GradScaler hands a fused AdamW its scale, which the saved groups' fused=False refuse.
    fp16 on the CPU, which the settings refuse, is CUDA's path at a size the CPU runs."""
    run(tiny_config.replace(max_iters=5), books_dir, tmp_path / "run")
    ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")
    for group in ckpt["optimizer"]["param_groups"]:
        group.update(fused=False, foreach=None)  # as AdamW saves it on MPS
    config = tiny_config.replace(max_iters=10)
    trainer = BookTrainer(Book(books_dir / "Alpha Book.txt", config.val_fraction), config,
                          Runtime(torch.device(device), "fp16"), RunFolder(tmp_path / "run"),
                          lambda event: None, None, Distributed.single())
    trainer.resume_from(ckpt)
    assert trainer.scaler.is_enabled() and trainer.run() == "finished" and trainer.step == 10


def test_no_step_happens_while_paused_and_steps_go_on_after_resume(tiny_config, books_dir,
                                                                   tmp_path):
    import threading
    timeline = Timeline()
    control = WatchedControl(timeline)
    config = tiny_config.replace(max_iters=400, log_interval=1, eval_interval=400)
    results = []
    worker = threading.Thread(target=lambda: results.append(train_run(
        config, find_books(books_dir), tmp_path / "run", on_event=timeline.record,
        control=control)))
    worker.start()
    try:
        wait_until(lambda: len(timeline.steps()) >= 3, "three steps")
        control.pause()
        wait_until(lambda: timeline.count(WAIT) >= 1, "the trainer waiting")
        timeline.mark("paused")
        # paused through three more of the trainer's own wake-ups
        wait_until(lambda: timeline.count(WAIT) >= 4, "a long pause")
        control.resume()
        wait_until(lambda: len(timeline.steps_after("resumed")) >= 3, "steps after resuming")
    finally:
        control.stop()
        worker.join()
    assert timeline.steps_between("paused", "resumed") == []
    steps = timeline.steps()
    assert steps == list(range(1, len(steps) + 1))  # resumed where it paused, none lost
    assert results[0].partial == ["Alpha Book"]


def test_cosine_schedule_with_warmup():
    from bdh_studio.core.config import PRESETS
    config = PRESETS["tiny"].replace(lr=1.0, min_lr=0.1, warmup_iters=10, max_iters=110,
                                     lr_schedule="cosine")
    assert lr_at(0, config) == pytest.approx(0.1)
    assert lr_at(9, config) == pytest.approx(1.0)
    assert lr_at(60, config) == pytest.approx(0.55)
    assert lr_at(110, config) == pytest.approx(0.1)
    tiny = PRESETS["tiny"]
    assert lr_at(0, tiny) == tiny.lr  # no warmup: tests train it for as few as 2 steps
    assert lr_at(tiny.max_iters, tiny) == pytest.approx(tiny.min_lr)


def test_bf16_autocast_on_cpu_trains(tiny_config, books_dir, tmp_path):
    result, seen = run(tiny_config.replace(precision="bf16", max_iters=10), books_dir,
                       tmp_path / "run")
    assert result.ok
    assert [e for e in seen if isinstance(e, ev.RunStarted)][0].precision == "bf16"


def test_a_configuration_too_big_for_memory_is_refused_before_starting(books_dir, tmp_path,
                                                                       monkeypatch):
    from bdh_studio.core.config import PRESETS, ConfigError
    monkeypatch.setattr("bdh_studio.core.trainer.free_memory", lambda device: 8 * 2**30)
    with pytest.raises(ConfigError, match=r"batch_size 32 with block_size 512 needs about "
                                          r"\d+\.\d GiB a training step in fp32, and cpu has 8.0 GiB "
                                          r"free; "
                                          r"lower batch_size or block_size"):
        train_run(PRESETS["paper"].replace(device="cpu", precision="fp32"), find_books(books_dir),
                  tmp_path / "r")


@pytest.mark.parametrize("losses, warned", [([2.0, 1.5, 1.9], True), ([2.0, 1.5, 1.52], False),
                                            ([2.0, 1.8, 1.5], False)])
def test_a_validation_loss_that_rose_well_above_its_best_says_the_model_overfits(
        tiny_config, books_dir, tmp_path, monkeypatch, losses, warned):
    """Seen on the demo books with the cpu preset: val 1.83 at step 210, 2.57 at the end."""
    from bdh_studio.core import trainer
    measured = iter(losses * 2)  # two books
    monkeypatch.setattr(trainer, "evaluate",
                        lambda model, batches, runtime: torch.tensor(next(measured)))
    config = tiny_config.replace(max_iters=30, eval_interval=10)
    result, seen = run(config, books_dir, tmp_path / "run")
    assert result.ok  # a warning, not a failure
    said = [e for e in seen if isinstance(e, ev.BookWarning)]
    if warned:
        assert [e.message for e in said][0] == (
            "Alpha Book: the validation loss rose from 1.500 at step 20 to 1.900 at step 30: "
            "the model overfits this book, and its checkpoint is the last step's. Train it for "
            "fewer steps or seconds (about 20 steps), with dropout, or with patience (e.g. 2: "
            "it stops after 2 validations without a lower loss)")
        finished = [i for i, e in enumerate(seen) if isinstance(e, ev.BookFinished)]
        assert seen.index(said[0]) == finished[0] - 1 and len(said) == 2
    else:
        assert not said
    training = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")["training"]
    assert (training["best_val"], training["best_step"]) == \
        (pytest.approx(min(losses)), 10 * (losses.index(min(losses)) + 1))
