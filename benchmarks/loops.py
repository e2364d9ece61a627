"""The bare training loop the engine and the window are measured against, and its book.

It is what a person writes without the studio, nanoGPT-style: set the
learning rate, sample a batch, forward, backward, step; read the loss every
log_interval steps and the validation loss every eval_interval steps (on the
same held-out batches as the engine); save the weights at the end.  From the
same seed, on the same batches and with the same optimizer it does exactly
the engine's training and validation work, minus the engine: events, the
metrics log, run folders, atomic checkpoints, pause and stop.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, TypeVar

import torch

from common import timed

from bdh_studio.core.config import TrainConfig
from bdh_studio.core.corpus import BatchSampler, Book, find_books
from bdh_studio.core.model import BDH
from bdh_studio.core.trainer import VAL_STREAM, lr_at, make_optimizer
from bdh_studio.resources import demo_books

T = TypeVar("T")


def demo_book() -> Path:
    """A bundled book, present on every install."""
    return find_books(demo_books())[0]


def engine_model(config: TrainConfig) -> BDH:
    """The model train_run builds: the same class, from the same seed."""
    torch.manual_seed(config.seed)
    return BDH(config.model_config())


def bare_loop(config: TrainConfig, book_path: Path, out: Path,
              make_model: Callable[[TrainConfig], torch.nn.Module] = engine_model,
              make_opt: Callable = make_optimizer,
              validate: bool = True) -> tuple[float, torch.nn.Module]:
    """Seconds for a whole run of config.max_iters steps, and the trained model."""
    model = None

    def run():
        nonlocal model
        c = config
        book = Book(book_path, c.val_fraction)
        model = make_model(c)
        opt = make_opt(model, c)
        batches = BatchSampler(book.train, c.block_size, c.batch_size, c.seed, (0, 0))
        val_batches = BatchSampler(book.val, c.block_size, c.batch_size, c.seed,
                                   (VAL_STREAM,)).fixed_batches(c.eval_batches)
        model.train()
        for step in range(1, c.max_iters + 1):
            for group in opt.param_groups:
                group["lr"] = lr_at(step - 1, c)
            x, y = batches.sample()
            _, loss = model(x, y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            if step % c.log_interval == 0:
                loss.item()
            if validate and (step % c.eval_interval == 0 or step == c.max_iters):
                model.eval()
                with torch.no_grad():
                    sum(model(vx, vy)[1].item() for vx, vy in val_batches)
                model.train()
        torch.save(model.state_dict(), out / "bare.pt")

    return timed(run), model


def in_fresh_thread(fn: Callable[[], T]) -> T:
    """``fn()`` run in a new thread that ends with it.

    OpenMP gives every thread that runs parallel work a pool of its own for
    the thread's lifetime.  Once two pools exist on a 2-core machine libgomp
    stops spinning and sleeps between parallel regions, which halves training
    (as does any parallel torch work in the GUI thread before a run).  So the
    bare loop runs the way the window's worker does, in a thread of its own,
    and the GUI thread of a benchmark never runs torch work.
    """
    result: list = []
    worker = threading.Thread(target=lambda: result.append(fn()))
    worker.start()
    worker.join()
    if not result:
        raise RuntimeError("the benchmark's thread failed; see the traceback above")
    return result[0]


def same_weights(checkpoint: Path, model: torch.nn.Module) -> bool:
    """Whether a run's checkpoint holds exactly ``model``'s weights (the same work was done)."""
    saved = torch.load(checkpoint, weights_only=True)["state_dict"]
    return all(torch.equal(saved[k], v) for k, v in model.state_dict().items())
