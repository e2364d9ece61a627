"""The per-book training loop, nanoGPT-plain: a fresh BDH per book, a fresh batch per step.

The loop knows nothing of who listens: it reports through a callback of
events (events.py) and obeys a TaskControl between steps.  On a GPU it
never waits for the device inside a step: losses add up on the device and
are read once per logging interval.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch

from . import checkpoints
from . import events as ev
from .budget import StepBudget, make_budget
from .config import ConfigError, TrainConfig, check
from .control import TaskControl
from .corpus import BadBooks, BatchSampler, Book, CorpusError, check_books
from .distributed import Distributed, JobFailure
from .errors import UserError, WriteFailed
from .memory import step_memory
from .model import BDH
from .run.colours import give_colour
from .run.folder import RunFolder
from .runtime import Runtime, free_memory, release_memory, resolve
from .threads import ThreadChoice, use_threads


VAL_STREAM = 2**32 - 1  # a batch stream no training rank or step uses
# A last validation loss this much above the book's best says the model overfits: beyond the
# noise of a few validation batches.
OVERFIT_RISE = 0.05


class TrainingFailed(Exception):
    """Ends one book; the message is for a person and says what to try."""


class OutOfMemory(UserError):
    """Ends the run: every book of a run needs the same memory."""


@dataclass
class RunResult:
    finished: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)  # bad books skipped before the start
    stopped: bool = False
    error: str | None = None  # what ended the whole run early (a full disk, a lost peer)
    disk_full: bool = False  # what ended it was a full disk: more space, and it resumes

    @property
    def ok(self) -> bool:
        return not self.failed and self.error is None


def lr_at(step: int, config: TrainConfig, fraction: float | None = None) -> float:
    """Linear warmup over the first warmup_iters steps, under constant or cosine decay to min_lr.

    The decay follows ``fraction``, how much of a time budget is used, or
    without one the steps after warmup of those planned; either way the last
    step's rate is min_lr.  Warmup counts optimizer updates in both.
    """
    if fraction is None:
        fraction = (step - config.warmup_iters) / max(config.max_iters - config.warmup_iters, 1)
    fraction = min(max(fraction, 0.0), 1.0)
    decayed = config.lr if config.lr_schedule == "constant" else (
        config.min_lr + 0.5 * (1 + math.cos(math.pi * fraction)) * (config.lr - config.min_lr))
    if step < config.warmup_iters:
        return min(decayed, config.lr * (step + 1) / config.warmup_iters)
    return decayed


FUSED_ADAMW_DEVICES = ("cpu", "cuda")


def make_optimizer(model: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW, fused into one kernel where PyTorch has one (4x faster optimizer step on a CPU)."""
    device = next(model.parameters()).device
    return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay,
                             fused=device.type in FUSED_ADAMW_DEVICES)


@torch.no_grad()
def evaluate(model: torch.nn.Module, batches: list, runtime: Runtime) -> torch.Tensor:
    """Mean loss over fixed held-out batches, as a device tensor (no sync here)."""
    model.eval()
    total = torch.zeros((), device=runtime.device)
    for x, y in batches:
        with runtime.autocast():
            total += model(x, y)[1].float()
    model.train()
    return total / len(batches)


class _Clock:
    """Wall time that does not count pauses, so tokens/s and ETA stay honest."""

    now = staticmethod(time.perf_counter)  # a test gives a clock that steps evenly

    def __init__(self, already: float = 0.0):
        self.start = self.now() - already
        self.paused = 0.0

    def wait_if_paused(self, control: TaskControl | None) -> None:
        if control is not None and control.paused:
            t0 = self.now()
            while control.paused and not control.stop_requested:
                control.wait_while_paused(0.2)
            self.paused += self.now() - t0

    def elapsed(self) -> float:
        return self.now() - self.start - self.paused


class BookTrainer:
    """Trains one book from scratch or from its checkpoint, reporting as it goes."""

    def __init__(self, book: Book, config: TrainConfig, runtime: Runtime, folder: RunFolder,
                 emit: ev.EventCallback, control: TaskControl | None, dist: Distributed):
        self.book, self.config, self.runtime = book, config, runtime
        self.folder, self.emit, self.control, self.dist = folder, emit, control, dist
        self.path = folder.checkpoint_path(book.name)
        torch.manual_seed(config.seed)
        self.raw = BDH(config.model_config(), checkpoint_layers=config.checkpoint_layers)
        self.model = dist.wrap(runtime.prepare(self.raw))
        self.optimizer = make_optimizer(self.raw, config)
        self.scaler = runtime.grad_scaler()
        self.step, self.val_loss, self.train_loss, self.elapsed_before = 0, None, None, 0.0
        self.best: tuple[float, int] | None = None  # the lowest validation loss, its step
        self.waited = 0  # validations since the best one: patience runs out at config.patience
        self.stopped_early: str | None = None  # why the book stopped before its budget's end

    def resume_from(self, ckpt: dict) -> None:
        self.raw.load_state_dict(ckpt["state_dict"])
        if ckpt.get("optimizer"):
            self.optimizer.load_state_dict(ckpt["optimizer"])
            for group in self.optimizer.param_groups:  # how this device steps, not the saver's
                group["fused"] = self.optimizer.defaults["fused"]
                group["foreach"] = self.optimizer.defaults["foreach"]
        if ckpt.get("scaler") and self.scaler.is_enabled():
            self.scaler.load_state_dict(ckpt["scaler"])
        t = ckpt["training"]
        self.step, self.val_loss = t["step"], t.get("val_loss")
        self.train_loss, self.elapsed_before = t.get("train_loss"), t.get("elapsed", 0.0)
        if t.get("best_val") is not None:
            self.best = (t["best_val"], t["best_step"])
        self.waited = t.get("waited", 0)

    def save(self, partial: bool, elapsed: float) -> None:
        self.dist.record_weights(self.book.name, self.raw)
        if not self.dist.writes_results:
            return
        training = {"step": self.step, "max_iters": self.config.max_iters,
                    "budget": self.config.budget, "max_seconds": self.config.max_seconds,
                    "train_loss": self.train_loss, "val_loss": self.val_loss,
                    "best_val": self.best[0] if self.best else None,
                    "best_step": self.best[1] if self.best else None,
                    "waited": self.waited, "stopped_early": self.stopped_early,
                    "elapsed": elapsed, "world_size": self.dist.book_ranks,
                    "tokens": self.step * self.config.batch_size * self.config.block_size
                    * self.dist.book_ranks, "saved_at": time.time()}
        checkpoints.save(self.path, model=self.raw, config=self.config, book=self.book.meta(),
                         training=training, partial=partial, optimizer=self.optimizer,
                         scaler=self.scaler)
        self.emit(ev.CheckpointSaved(self.book.name, self.step, str(self.path), partial))

    def validate(self, batches: list, clock: _Clock, budget: StepBudget) -> None:
        """The held-out loss, the same number on every rank.

        Every rank measures the same batches, so it matches a single process's;
        the mean keeps the ranks in step, so a NaN fails the book on all at once.
        """
        began = clock.elapsed()
        loss = self.dist.mean(evaluate(self.model, batches, self.runtime)).item()
        budget.validated(clock.elapsed() - began)
        if not math.isfinite(loss):
            raise TrainingFailed(f"{self.book.name}: the validation loss became {loss} at step "
                                 f"{self.step}; {divergence_advice(self.config, self.runtime)}")
        self.val_loss = loss
        if self.best is None or loss < self.best[0]:
            self.best, self.waited = (loss, self.step), 0
        else:
            self.waited += 1
        self.emit(ev.ValidationLogged(self.book.name, self.step, loss, loss / math.log(2),
                                      clock.elapsed(), time.time()))

    def out_of_patience(self) -> str | None:
        """Why to stop now, when ``patience`` validations in a row found no lower loss.

        Ranks sharing the book decide alike with no vote: the loss they compare
        is the all-reduced mean, the same number on each, and the best and the
        count come from the same history (or the checkpoint rank 0 sent them).
        """
        patience = self.config.patience
        if not patience or self.waited < patience:
            return None
        (best, at), plural = self.best, "s" if self.waited > 1 else ""
        return (f"stopped early at step {self.step:,}: no lower validation loss in "
                f"{self.waited} validation{plural} since step {at:,} (best {best:.3f})")

    def overfitting(self) -> str | None:
        """What to say when the last validation loss rose well above the book's best.

        The checkpoint is the last step's: a person comparing runs by their final
        loss, or classifying with these models, should know the model got worse
        on text it never saw while it learnt its training text by heart.
        """
        if self.best is None or self.val_loss is None:
            return None
        best, at = self.best
        if self.val_loss <= best * (1 + OVERFIT_RISE):
            return None
        patience = (f"a lower patience (now {self.config.patience})" if self.config.patience
                    else "patience (e.g. 2: it stops after 2 validations without a lower loss)")
        return (f"{self.book.name}: the validation loss rose from {best:.3f} at step {at:,} to "
                f"{self.val_loss:.3f} at step {self.step:,}: the model overfits this book, and "
                f"its checkpoint is the last step's. Train it for fewer steps or seconds "
                f"(about {at:,} steps), with dropout, or with {patience}")

    def stopping(self) -> bool:
        """Whether to stop before this step.

        Ranks sharing the book must stop at the same step, so they agree, and
        only at log intervals: an all-reduce is a host sync on a GPU.
        """
        wanted = self.control is not None and self.control.stop_requested
        if not self.dist.active:
            return wanted
        return self.step % self.config.log_interval == 0 and self.dist.any(wanted)

    def learn(self, x: torch.Tensor, y: torch.Tensor, lr: float, stats: dict | None
              ) -> torch.Tensor:
        """One optimizer step at ``lr`` on the batch (x, y); its loss, in float32 on the device.

        ``stats``, when a dict, receives the step's sparsities.
        """
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        with self.runtime.autocast():
            _, loss = self.model(x, y, stats)
        self.scaler.scale(loss).backward()
        if self.config.grad_clip > 0:
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.raw.parameters(), self.config.grad_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        return loss.detach().float()

    def run(self) -> str:
        """Train until the budget (steps or seconds) is used or a stop; return finished or partial.

        Training by time, the clock covers the steps, the validations and the
        final save, and the budget ends the loop early enough for the last two.
        A book out of patience (``stopped_early`` says why) is finished too:
        its checkpoint is the last step's, as at the budget's end.
        """
        c, rt = self.config, self.runtime
        stream = (self.dist.book_rank, self.step)
        train = BatchSampler(self.book.train, c.block_size, c.batch_size, c.seed, stream, rt.device)
        val = BatchSampler(self.book.val, c.block_size, c.batch_size, c.seed, (VAL_STREAM,), rt.device)
        val_batches = val.fixed_batches(c.eval_batches)
        clock = _Clock(self.elapsed_before)
        budget = make_budget(c, self.dist, self.raw)
        budget.start(clock.elapsed())
        self.model.train()
        loss_sum, n_summed, t_log, step_log = torch.zeros((), device=rt.device), 0, \
            clock.elapsed(), self.step
        while not budget.done(self.step):
            clock.wait_if_paused(self.control)
            if self.stopping():
                self.save(partial=True, elapsed=clock.elapsed())
                return "partial"
            lr = lr_at(self.step, c, budget.fraction)
            self.step += 1
            stats = {} if self.step % c.log_interval == 0 or budget.done(self.step) else None
            loss_sum += self.learn(*train.sample(), lr, stats)
            n_summed += 1
            budget.advance(self.step, clock.elapsed())
            last = budget.done(self.step)
            if self.step % c.log_interval == 0 or last:
                self.train_loss = (self.dist.mean(loss_sum) / n_summed).item()
                if not math.isfinite(self.train_loss):
                    raise TrainingFailed(
                        f"{self.book.name}: the loss became {self.train_loss} at step {self.step}; "
                        f"{divergence_advice(c, rt)}. The last good checkpoint, if any, is kept.")
                now = clock.elapsed()
                tokens = (self.step - step_log) * c.batch_size * c.block_size \
                    * self.dist.book_ranks
                self.emit(ev.StepLogged(self.book.name, self.step, self.train_loss, lr,
                                        tokens / max(now - t_log, 1e-9), now,
                                        *_sparsities(stats), time.time()))
                loss_sum.zero_()
                n_summed, t_log, step_log = 0, now, self.step
            if budget.validation_now(self.step):
                self.validate(val_batches, clock, budget)
                budget.advance(self.step, clock.elapsed())  # a long one may use up the time
                if not budget.done(self.step):
                    self.stopped_early = self.out_of_patience()
                    if self.stopped_early:
                        break
            if c.checkpoint_interval and self.step % c.checkpoint_interval == 0 and not last:
                began = clock.elapsed()
                self.save(partial=True, elapsed=began)
                budget.saved(clock.elapsed() - began)
        self.save(partial=False, elapsed=clock.elapsed())
        return "finished"


def _sparsities(stats: dict | None) -> tuple[float | None, float | None]:
    """The step's x and y sparsity, when the model was asked for them."""
    if stats is None:
        return None, None
    return float(stats["x_sparsity"]), float(stats["y_sparsity"])


def divergence_advice(config: TrainConfig, runtime: Runtime) -> str:
    """What can bring a non-finite loss back, for this precision.

    fp16 overflows where bf16 and fp32 do not, and no learning rate or
    clipping helps a forward pass that overflows; in fp32 the precision is
    not the cause.
    """
    if runtime.precision == "fp16":
        return "fp16 overflows where bf16 and fp32 do not: use bf16 if the GPU has it, or fp32"
    advice = f"lower lr (now {config.lr:g}) or turn on grad_clip (e.g. 1.0)"
    return advice + (", or use fp32 precision" if runtime.precision == "bf16" else "")


def _is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and ("out of memory" in str(exc).lower()
                                           or "can't allocate memory" in str(exc).lower()))


def _memory_advice(book: str, config: TrainConfig, runtime: Runtime) -> str:
    return (f"{book}: out of memory on {runtime.device} with batch_size {config.batch_size} "
            f"and block_size {config.block_size}; lower batch_size or block_size (or n_embd, "
            f"mlp_internal_dim_multiplier) and train again")


def check_memory(config: TrainConfig, runtime: Runtime) -> None:
    """Refuse up front what cannot fit, instead of meeting the kernel's OOM killer mid-run."""
    free = free_memory(runtime.device)
    need = step_memory(config, runtime.precision).total
    if free is not None and need > free:
        raise ConfigError(
            f"batch_size {config.batch_size} with block_size {config.block_size} needs about "
            f"{need / 2**30:.1f} GiB a training step in {runtime.precision}, and "
            f"{runtime.device} has "
            f"{free / 2**30:.1f} GiB free; lower batch_size or block_size, pick a smaller preset "
            f"(cpu), or train on a GPU")


def _previous(folder: RunFolder, book: Book, retrain: bool,
              emit: ev.EventCallback) -> dict | None:
    """The checkpoint to resume this book from, if it is of this very book and setup.

    One that cannot be used is renamed aside, never deleted, and a warning says so.
    """
    path = folder.checkpoint_path(book.name)
    if retrain or not path.is_file():
        return None
    try:
        ckpt = checkpoints.load(path)
    except checkpoints.CheckpointError as exc:
        _set_aside(path, ".unreadable", str(exc), book.name, emit)
        return None
    if ckpt.get("book", {}).get("sha256") != book.sha256:
        _set_aside(path, ".book-changed", f"{book.path.name} changed since its model was trained",
                   book.name, emit)
        return None
    return ckpt


def _set_aside(path: Path, suffix: str, reason: str, book: str, emit: ev.EventCallback) -> None:
    aside = _unused_name(path, suffix)
    path.replace(aside)
    emit(ev.BookWarning(book, f"{reason}; kept it as {aside.name} and training {book} "
                              f"from the start"))


def _unused_name(path: Path, suffix: str) -> Path:
    """``NAME.pt<suffix>``, else ``NAME.pt<suffix>.2``, ``.3``…: a model set aside before is kept."""
    aside, n = path.with_name(path.name + suffix), 1
    while aside.exists() or aside.is_symlink():
        n += 1
        aside = path.with_name(f"{path.name}{suffix}.{n}")
    return aside


def train_run(config: TrainConfig, books: Sequence[str | Path], out: str | Path,
              on_event: ev.EventCallback | None = None, control: TaskControl | None = None,
              retrain: bool = False, dist: Distributed | None = None,
              skip_bad_books: bool = False) -> RunResult:
    """Train every book in turn into the run folder ``out``.

    Raises UserError (with a message to show) for what stops the run before it
    starts, having created nothing: an impossible configuration, no books, an
    unusable folder, books that cannot be trained (BadBooks, all of them;
    ``skip_bad_books`` leaves them out instead, with a warning each).  A book
    that fails later is reported as an event and the run goes on.  Under
    torchrun, ``dist`` says whether this rank trains every book with the others
    or a share of the books alone.
    """
    dist = dist or Distributed.single()
    check(config)
    if not books:
        raise CorpusError("no books to train; pick a folder with .txt books in it")
    runtime = resolve(config.device, config.precision, config.compile)
    runtime = dist.adjust(runtime)
    check_memory(config, runtime)
    bad = _bad_books(books, config, skip_bad_books, dist)
    folder = _open_folder(out, config, retrain, dist)
    books = dist.share([b for b in books if Path(b) not in bad])
    threads = use_threads(config.threads) if runtime.device.type == "cpu" else None

    emit = _logged(folder, on_event)
    result, clock = RunResult(), _Clock()
    emit(_run_started(folder, books, config, runtime, dist, threads))
    for path, problem in bad.items():
        result.left_out[path.stem] = problem
        emit(ev.BookWarning(path.stem, f"left out: {problem}"))
    try:
        with dist.explained():
            for index, path in enumerate(books):
                if dist.any(control is not None and control.stop_requested):
                    result.stopped = True
                    break
                status = _train_one(Path(path), index, len(books), config, runtime, folder,
                                    emit, control, retrain, dist, result)
                if status == "partial":
                    result.stopped = True
                    break
            dist.finish(result.stopped)
    except UserError as exc:  # a full disk or a lost peer: the next book would fail the same way
        result.error, result.disk_full = str(exc), getattr(exc, "disk_full", False)
        with contextlib.suppress(WriteFailed):  # the log may be what could not be written
            emit(ev.RunFailed(str(exc)))
    except Exception as exc:
        emit(ev.RunFailed(f"unexpected error, please report it: {type(exc).__name__}: {exc}"))
        raise
    finally:
        with contextlib.suppress(WriteFailed):
            emit(ev.RunFinished(result.stopped, clock.elapsed(), len(result.finished),
                                len(result.failed)))
        folder.close()
    return result


def _logged(folder: RunFolder, on_event: ev.EventCallback | None) -> ev.EventCallback:
    """Each event into the run's log, then to ``on_event``: a listener hears of the event
    even when the disk could not keep it (the log then raises WriteFailed)."""
    def emit(event: ev.Event) -> None:
        try:
            folder.append(event)  # a no-op where this rank keeps no log, or once it failed
        finally:
            if on_event is not None:
                on_event(event)
    return emit


def _run_started(folder: RunFolder, books: Sequence[str | Path], config: TrainConfig,
                 runtime: Runtime, dist: Distributed,
                 threads: ThreadChoice | None) -> ev.RunStarted:
    """The session's first event: what it trains, how, where, and which process does it."""
    return ev.RunStarted(str(folder.path), tuple(Path(b).stem for b in books), config.to_dict(),
                         str(runtime.device), runtime.precision, dist.book_ranks, time.time(),
                         tuple(str(Path(b).resolve()) for b in books), os.getpid(),
                         socket.gethostname(), threads.threads if threads else 0,
                         threads.why if threads else "")


def _bad_books(books: Sequence[str | Path], config: TrainConfig, skip_bad_books: bool,
               dist: Distributed) -> dict[Path, str]:
    """The books that cannot be trained; all of them in one error unless they may be skipped.

    Every rank asks about every book, in order, so all agree on the list: a
    book one rank cannot read is bad on all of them.
    """
    paths = [Path(b) for b in books]
    mine = check_books(paths, config.block_size, config.val_fraction)
    agreed = dist.shared_problems([mine.get(path) for path in paths])
    bad = {path: problem for path, problem in zip(paths, agreed) if problem is not None}
    if bad and (not skip_bad_books or len(bad) == len(paths)):
        raise BadBooks(bad, len(paths))
    return bad


def _open_folder(out: str | Path, config: TrainConfig, retrain: bool,
                 dist: Distributed) -> RunFolder:
    """Rank 0 makes or checks the folder; when books are spread, every rank logs its own."""
    folder = RunFolder(out)
    if dist.is_main:
        folder.open(config, retrain)
        give_colour(folder.path)
    dist.barrier()
    if dist.writes_results and not dist.is_main:
        folder.start_log(dist.rank)
    return folder


def _agreed_previous(folder: RunFolder, book: Book, emit: ev.EventCallback, retrain: bool,
                     dist: Distributed) -> dict | None:
    """The checkpoint to resume from, as the rank that writes it sees it, on every rank.

    Its book's sha256 comes along: ranks whose books differ (or that failed to
    read a book the others read) would otherwise train different books as one.
    """
    mine = _previous(folder, book, retrain, emit) if dist.writes_results else None
    name, sha256, previous = dist.broadcast((book.name, book.sha256, mine))
    if sha256 != book.sha256:
        raise JobFailure(f"rank 0 is training {name} and rank {dist.rank} {book.name}, or "
                         f"their bytes differ; every machine needs the same books in BOOKS_DIR")
    return previous


def _train_one(path: Path, index: int, total: int, config: TrainConfig, runtime: Runtime,
               folder: RunFolder, emit: ev.EventCallback, control: TaskControl | None,
               retrain: bool, dist: Distributed, result: RunResult) -> str:
    """Train one book; a book that cannot train fails alone, running out of memory ends the run."""
    name = path.stem
    try:
        return _train_book(path, index, total, config, runtime, folder, emit, control, retrain,
                           dist, result)
    except (CorpusError, TrainingFailed) as exc:
        return _failed(name, str(exc), emit, result)
    except (RuntimeError, MemoryError) as exc:
        if not (isinstance(exc, MemoryError) or _is_out_of_memory(exc)):
            raise
    # Out of memory.  Only here, the exception gone with the frames it held (the trainer,
    # its optimizer state, the batch, the loss and its graph), can that memory be freed.
    release_memory(runtime.device)
    advice = _memory_advice(name, config, runtime)
    _failed(name, advice, emit, result)
    # The next book needs as much; under DDP the other ranks cannot go on without this one.
    raise OutOfMemory(advice)


def _train_book(path: Path, index: int, total: int, config: TrainConfig, runtime: Runtime,
                folder: RunFolder, emit: ev.EventCallback, control: TaskControl | None,
                retrain: bool, dist: Distributed, result: RunResult) -> str:
    name = path.stem
    book, problem = _open_book(path, config)
    problem = dist.any_problem(problem)  # ranks sharing the book fail it together
    if problem is not None:
        raise CorpusError(problem)
    previous = _agreed_previous(folder, book, emit, retrain, dist)
    if previous and _already_trained(previous, config):
        emit(ev.BookFinished(name, "skipped", previous["training"]["step"],
                             previous["training"].get("val_loss"),
                             "already trained with these settings", time.time()))
        result.skipped.append(name)
        return "skipped"
    trainer = BookTrainer(book, config, runtime, folder, emit, control, dist)
    if previous:
        trainer.resume_from(previous)
    emit(ev.BookStarted(name, index, total, config.max_iters, trainer.step,
                        len(book.train), len(book.val), config.budget, config.max_seconds,
                        trainer.elapsed_before, time.time()))
    status = trainer.run()
    if status == "finished" and (warning := trainer.overfitting()) is not None:
        emit(ev.BookWarning(name, warning))
    emit(ev.BookFinished(name, status, trainer.step, trainer.val_loss,
                         trainer.stopped_early or "", time.time()))
    (result.finished if status == "finished" else result.partial).append(name)
    return status


def _already_trained(previous: dict, config: TrainConfig) -> bool:
    """Whether a book's checkpoint is finished for this budget: more steps or seconds resume.

    A finished checkpoint trained by steps counts as trained when training by time, and
    one that stopped early for its patience (a setting of the run folder) as trained.
    """
    training = previous["training"]
    if previous["partial"]:
        return False
    if training.get("stopped_early"):
        return True
    if config.budget == "seconds":
        return training.get("budget") != "seconds" or training["max_seconds"] >= config.max_seconds
    return training["step"] >= config.max_iters


def _open_book(path: Path, config: TrainConfig) -> tuple[Book | None, str | None]:
    """The book, or why it cannot be trained with this block size."""
    try:
        book = Book(path, config.val_fraction)
        book.check_fits(config.block_size)
    except CorpusError as exc:
        return None, str(exc)
    return book, None


def _failed(name: str, message: str, emit: ev.EventCallback, result: RunResult) -> str:
    emit(ev.BookFailed(name, message))
    emit(ev.BookFinished(name, "failed", 0, None, message, time.time()))
    result.failed[name] = message
    return "failed"

