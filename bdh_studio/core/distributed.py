"""Who this process is in a torchrun job, and the few collectives the trainer needs.

A single process is the world of size one: every method is then a no-op, so
the trainer has one code path.  Under torchrun the ranks either train each
book together (DistributedDataParallel: each rank draws its own batches, the
gradients are averaged, the effective batch is world_size x batch_size) or,
with ``spread_books``, train whole books of their own with no traffic at all.

The backend is chosen here and nowhere else: nccl for CUDA, gloo otherwise.
Collectives wait at most BDH_STUDIO_DIST_TIMEOUT seconds (default 120, or 1800
with compile on: ranks recompile at the first log step and validation), so a
peer that hangs becomes an error instead of a hang; one that dies is noticed
at once (its sockets close) and torchrun stops the others too.  Spread ranks
meet only at the start and the end, and wait there as long as it takes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, Sequence, TypeVar

import torch
import torch.distributed as torch_dist
from torch import nn

from .config import ConfigError, TrainConfig
from .errors import UserError
from .runtime import Runtime, pick_device

TIMEOUT_VARIABLE, DEFAULT_TIMEOUT = "BDH_STUDIO_DIST_TIMEOUT", 120.0
# Compiled, every rank recompiles at the first log step and the first validation
# (new shapes, no_grad) while its peers already wait in a collective: minutes each.
COMPILE_TIMEOUT = 1800.0
SPREAD_WAIT = timedelta(days=365)
# A test hook, not a feature: with this set, every rank writes a digest of its
# weights each time a checkpoint is due, so a test can see DDP kept them equal.
DEBUG_WEIGHTS_VARIABLE = "BDH_STUDIO_DEBUG_WEIGHTS_DIR"

T = TypeVar("T")


class JobFailure(UserError):
    """This process cannot go on in step with the others of its torchrun job.

    A fault of the job, not input a person changes at the command line: exit 1,
    as a run that ends early does, wherever the ranks were when it happened.
    """

    exit_code = 1


def timeout(compiling: bool = False) -> timedelta:
    """How long a collective waits for a peer: the variable's, or longer while compiling."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        seconds = float(raw) if raw else COMPILE_TIMEOUT if compiling else DEFAULT_TIMEOUT
    except ValueError:
        raise ConfigError(f"{TIMEOUT_VARIABLE}={raw!r}: give the seconds a collective may "
                          f"wait for a peer, e.g. 120") from None
    return timedelta(seconds=seconds)


def _from_backend(exc: BaseException) -> bool:
    """Whether an error is the process group's (a peer died, hung or left), not this process's.

    gloo raises plain RuntimeErrors that name their source file; nccl's name NCCL.
    """
    text = str(exc)
    return isinstance(exc, torch_dist.DistError) or "gloo" in text or "NCCL" in text


def _detail(exc: BaseException) -> str:
    """The backend's first sentence, without its source-file prefix."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"^\[[^\]]*\]\s*", "", first).split(". ")[0]


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    spread_books: bool = False
    device: torch.device = torch.device("cpu")  # where collectives' tensors live

    @classmethod
    def single(cls) -> "Distributed":
        return cls()

    @classmethod
    def from_environment(cls, config: TrainConfig | None = None,
                         spread_books: bool = False) -> "Distributed":
        """The process group torchrun describes in the environment, or a single process.

        Spread ranks only meet at the start and at the end, so they use gloo
        even on GPUs.
        """
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size <= 1:
            return cls.single()
        rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        device = pick_device(config.device if config is not None else "auto")
        if device.type == "mps" and not spread_books:
            raise ConfigError("several processes train one book together on cuda or cpu only; "
                              "on mps use --spread-books or --device cpu")
        if device.type == "cuda":
            device = torch.device("cuda", local_rank)
            torch.cuda.set_device(device)
        nccl = device.type == "cuda" and not spread_books
        torch_dist.init_process_group("nccl" if nccl else "gloo",
                                      timeout=SPREAD_WAIT if spread_books else timeout(
                                          config is not None and config.compile),
                                      device_id=device if nccl else None)
        return cls(rank, world_size, local_rank, spread_books,
                   device if nccl else torch.device("cpu"))

    def close(self) -> None:
        if torch_dist.is_available() and torch_dist.is_initialized():
            torch_dist.destroy_process_group()

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        """Whether the ranks train each book together, so collectives run."""
        return self.world_size > 1 and not self.spread_books

    @property
    def book_rank(self) -> int:
        """This process's place among those training the book: it picks the batch stream."""
        return self.rank if self.active else 0

    @property
    def book_ranks(self) -> int:
        """How many processes train each book together: the effective batch is this x batch_size."""
        return self.world_size if self.active else 1

    @property
    def writes_results(self) -> bool:
        """Rank 0 writes every book's files when ranks share books; each rank its own if spread."""
        return self.is_main or self.spread_books

    def share(self, books: Sequence[T]) -> list[T]:
        """The books this process trains: all, or every world_size-th from its rank when spread."""
        return list(books[self.rank::self.world_size] if self.spread_books else books)

    def adjust(self, runtime: Runtime) -> Runtime:
        """On CUDA each rank uses the GPU of its local rank."""
        if runtime.device.type != "cuda" or self.world_size == 1:
            return runtime
        return dataclasses.replace(runtime, device=torch.device("cuda", self.local_rank))

    def wrap(self, model: nn.Module) -> nn.Module:
        """DistributedDataParallel when ranks share the book, the model itself otherwise."""
        return data_parallel(model) if self.active else model

    @contextlib.contextmanager
    def explained(self) -> Iterator[None]:
        """Turn the backend's error about a lost peer into a JobFailure a person can act on."""
        try:
            yield
        except RuntimeError as exc:
            if self.world_size == 1 or not _from_backend(exc):
                raise
            raise JobFailure(
                f"another process of this torchrun job failed, was killed or stopped answering "
                f"({_detail(exc)}); this one stops too. The checkpoints saved so far are kept: "
                f"run the same command again to resume") from exc

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        """The average over the ranks sharing the book, the same number on every rank."""
        if not self.active:
            return value
        total = value.detach().clone()
        with self.explained():
            torch_dist.all_reduce(total)
        return total / self.world_size

    def any(self, flag: bool) -> bool:
        """Whether any rank sharing the book says yes; every rank must ask together."""
        if not self.active:
            return flag
        votes = torch.tensor(float(flag), device=self.device)
        with self.explained():
            torch_dist.all_reduce(votes)
        return votes.item() > 0

    def maximum(self, value: float) -> float:
        """The largest of the ranks' values, the same number on every rank; all must ask."""
        if not self.active:
            return value
        largest = torch.tensor(value, dtype=torch.float64, device=self.device)
        with self.explained():
            torch_dist.all_reduce(largest, op=torch_dist.ReduceOp.MAX)
        return largest.item()

    def any_problem(self, problem: str | None) -> str | None:
        """This rank's problem, or else another's naming its rank, or None if no rank has one.

        Every rank sharing the book must ask together: a rank that alone skipped
        a book would wait in the next book's collectives while the others wait
        in this one's.
        """
        return self.shared_problems([problem])[0] if self.active else problem

    def shared_problems(self, problems: Sequence[str | None]) -> list[str | None]:
        """For each item, this rank's problem, or else another's naming its rank, or None.

        Every rank of the job asks together, spread or not, so all agree on
        which items are bad: a book one rank cannot read is bad on every rank.
        """
        if self.world_size == 1:
            return list(problems)
        gathered: list[list[str | None] | None] = [None] * self.world_size
        with self.explained():
            torch_dist.all_gather_object(gathered, list(problems))

        def agreed(i: int, mine: str | None) -> str | None:
            others = (f"on rank {rank}: {theirs[i]}" for rank, theirs in enumerate(gathered)
                      if i < len(theirs) and theirs[i])
            return mine or next(others, None)

        return [agreed(i, mine) for i, mine in enumerate(problems)]

    def barrier(self) -> None:
        if self.world_size > 1:
            with self.explained():
                torch_dist.barrier()

    def finish(self, stopped: bool) -> None:
        """Wait until every rank is done, so none exits while another still trains or saves.

        torchrun stops all ranks as soon as one exits with an error code (130
        after a stop, 1 after a failed book).  Ranks sharing books stop
        together, so they wait for rank 0's last save; a spread rank that was
        stopped does not wait, and its exit stops the others with partial
        checkpoints.
        """
        if not (self.spread_books and stopped):
            self.barrier()

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's object on every rank sharing the book."""
        if not self.active:
            return obj
        holder = [obj]
        with self.explained():
            torch_dist.broadcast_object_list(holder, src=0, device=self.device)
        return holder[0]

    def record_weights(self, book: str, model: nn.Module) -> None:
        """The test hook of DEBUG_WEIGHTS_VARIABLE: this rank's weights digest for ``book``."""
        folder = os.environ.get(DEBUG_WEIGHTS_VARIABLE)
        if folder:
            Path(folder, f"{book}.rank{self.rank}").write_text(weights_digest(model.state_dict()))


def data_parallel(model: nn.Module) -> nn.Module:
    """The DistributedDataParallel wrapper of ranks sharing a book.

    No device_ids: the batches are already on the rank's device, so DDP
    need not move (and rebuild) the arguments.  BDH's only buffer is
    constant, so it is not synced every step.
    """
    return nn.parallel.DistributedDataParallel(model, forward_sync_buffers=False)


def weights_digest(state_dict: dict[str, torch.Tensor]) -> str:
    """sha256 over the weights' bytes in key order: equal digests, equal models."""
    digest = hashlib.sha256()
    for key in sorted(state_dict):
        digest.update(key.encode())
        digest.update(state_dict[key].detach().cpu().reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()
