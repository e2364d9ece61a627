"""fp16 matrix products on the CPU done as a GPU does them, at a CPU's speed.

A CUDA fp16 GEMM accumulates in float32 and rounds its output to fp16, so a
result past 65,504 becomes inf.  The CPU's own fp16 GEMMs have no fast kernel
(a paper-preset forward of 512 bytes takes minutes); this mode computes them
in float32 and rounds the output to fp16, which keeps exactly what the tests
look for: where a product leaves fp16's range.
"""

from __future__ import annotations

import contextlib

import torch
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten
PRODUCTS = {aten.mm.default, aten.bmm.default, aten.addmm.default, aten.baddbmm.default}


class Fp16ProductsInFloat32(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in PRODUCTS and any(isinstance(a, torch.Tensor) and a.dtype == torch.float16
                                    for a in args):
            wide = [a.float() if isinstance(a, torch.Tensor) else a for a in args]
            return func(*wide, **kwargs).half()
        return func(*args, **kwargs)


def fp16_autocast(device: str) -> contextlib.AbstractContextManager:
    """fp16 autocast on ``device``; on the CPU with its products as a GPU computes them."""
    stack = contextlib.ExitStack()
    stack.enter_context(torch.autocast(device, dtype=torch.float16))
    if device == "cpu":
        stack.enter_context(Fp16ProductsInFloat32())
    return stack
