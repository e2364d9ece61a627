"""One real training step on fake tensors: the memory it holds at its peak, the bytes it moves.

Fake tensors (``torch._subclasses.fake_tensor``) carry shapes, dtypes and
strides but no data, so the paper preset's step (~39 GiB, 22 TFLOP in bf16) runs
here in about a second on any machine.  The step is the trainer's: the
model under autocast, the backward, fused AdamW and ``zero_grad``.  A
TorchDispatchMode watches every aten operation of it:

- ``LiveBytes`` follows each storage from the operation that made it until
  Python frees it (a weak reference's callback), so its ``peak`` is the most
  memory the step held at once: what the memory estimate (memory.py) must
  predict;
- ``BytesMoved`` adds up what each operation reads and writes, the cost of
  the memory-bound (elementwise) work on a GPU.

Autocast here is the CPU's (fake CUDA tensors cannot enter autograd on a
CPU-only build).  For this model its casts are CUDA's but for LayerNorm,
which CUDA runs in float32: (B, H, T, D)-sized tensors, about 1% of the
paper step.
"""

from __future__ import annotations

import contextlib
import math
import weakref
from typing import Any

import torch
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from .config import TrainConfig
from .model import BDH
from .runtime import DTYPES


def _tensors(tree: Any) -> list[torch.Tensor]:
    return [t for t in tree_flatten(tree)[0] if isinstance(t, torch.Tensor)]


class LiveBytes(TorchDispatchMode):
    """The bytes of every storage alive, and the most there ever were at once."""

    def __init__(self) -> None:
        super().__init__()
        self.live = self.peak = 0
        self._refs: dict[int, weakref.ref] = {}

    def track(self, t: torch.Tensor) -> None:
        storage = t.untyped_storage()
        key = id(storage)  # unique while the weak reference below is alive
        if key in self._refs:
            return
        size = storage.nbytes()
        self._refs[key] = weakref.ref(storage, lambda _, k=key, n=size: self._free(k, n))
        self.live += size
        self.peak = max(self.peak, self.live)

    def _free(self, key: int, size: int) -> None:
        self.live -= size
        del self._refs[key]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in _tensors(out):
            self.track(t)
        return out


def _distinct_bytes(t: torch.Tensor) -> int:
    """Bytes an operation touches in ``t``: a broadcast (stride 0) dimension is read once."""
    return math.prod(n for n, s in zip(t.shape, t.stride()) if s != 0) * t.element_size()


def _moves_data(func, inputs: list[torch.Tensor], outputs: list[torch.Tensor]) -> bool:
    """Whether an operation reads or writes memory: not a view, nor a query (``prim.device``).

    A view is any output sharing an input's storage (``_unsafe_view`` and
    ``detach`` are not marked as views), unless the operation works in place.
    """
    if not outputs:
        return False
    if func._schema.is_mutable:
        return True
    sources = {t.untyped_storage()._cdata for t in inputs}
    return not any(t.untyped_storage()._cdata in sources for t in outputs)


class BytesMoved(TorchDispatchMode):
    """Bytes read plus bytes written by every operation that computes."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.by_op: dict[str, int] = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs, outputs = _tensors((args, kwargs)), _tensors(out)
        if _moves_data(func, inputs, outputs):
            moved = sum(map(_distinct_bytes, inputs + outputs))
            self.total += moved
            name = func.overloadpacket.__name__
            self.by_op[name] = self.by_op.get(name, 0) + moved
        return out


def fake_step(config: TrainConfig, precision: str, mode: TorchDispatchMode,
              steps: int = 2, model_class: type[BDH] = BDH) -> TorchDispatchMode:
    """Run ``steps`` training steps of ``config`` on fake CPU tensors under ``mode``.

    Two steps by default: the optimizer's state appears during the first, so
    the second is the steady state.  ``mode`` sees the weights when it is a
    LiveBytes; ``model_class`` lets a benchmark trace a variant of the model.
    """
    dtype = DTYPES[precision]
    with FakeTensorMode():
        torch.manual_seed(0)
        model = model_class(config.model_config(), checkpoint_layers=config.checkpoint_layers)
        optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr,
                                      weight_decay=config.weight_decay, fused=True)
        if isinstance(mode, LiveBytes):
            for t in [*model.parameters(), *model.buffers()]:
                mode.track(t)
        autocast = (contextlib.nullcontext() if dtype == torch.float32
                    else torch.autocast("cpu", dtype=dtype))
        with mode:
            for _ in range(steps):
                x = torch.randint(0, config.model_config().vocab_size,
                                  (config.batch_size, config.block_size))
                with autocast:
                    _, loss = model(x, x)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                del loss
    return mode
