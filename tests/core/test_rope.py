"""RoPE as one operation: the spec's rotation, its backward, and what it costs under autocast."""

import math

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from bdh_studio.core.model import BDH, BDHConfig, RoPE, rope, rope_freqs, rotation
from bdh_studio.core.step_trace import BytesMoved

N, T = 64, 40


def phases() -> torch.Tensor:
    return torch.arange(T, dtype=torch.float32).view(1, 1, -1, 1) * rope_freqs(N)


def spec_rope(phases: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """BDH_SPEC.md word for word: v cos + rot(v) sin, each product cast to v's dtype."""
    v_rot = torch.stack((-v[..., 1::2], v[..., ::2]), dim=-1).view(*v.shape)
    angle = (phases % 1) * (2 * math.pi)
    return (v * torch.cos(angle)).to(v.dtype) + (v_rot * torch.sin(angle)).to(v.dtype)


def activations(dtype=torch.float32) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.relu(torch.randn(2, 3, T, N)).to(dtype)


@pytest.fixture(params=["eager", "compiled form"])
def form(request, monkeypatch):
    """Both forms of the rotation: complex (eager) and real-valued (what inductor compiles)."""
    if request.param == "compiled form":
        monkeypatch.setattr(torch.compiler, "is_compiling", lambda: True)
    return request.param


def test_float32_is_the_spec_bit_for_bit(form):
    v = activations()
    assert torch.equal(rope(phases(), v), spec_rope(phases(), v))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_rounds_the_float32_rotation_once(form, dtype):
    v = activations(dtype)
    fused = rope(phases(), v)
    assert fused.dtype == dtype
    assert torch.equal(fused, rope(phases(), v.float()).to(dtype))
    # The spec rounds each product before their sum, which can cancel: the fused rounding
    # is within half a unit in the last place of the exact rotation, and never further off.
    exact = spec_rope(phases(), v.double())
    error = (fused.double() - exact).abs()
    finfo = torch.finfo(dtype)
    assert (error <= finfo.eps / 2 * (exact.abs() + finfo.smallest_normal)).all()
    assert error.max() <= (spec_rope(phases(), v).double() - exact).abs().max()


def test_backward_is_the_inverse_rotation(form):
    cos, sin = rotation(phases())
    assert torch.autograd.gradcheck(lambda x: RoPE.apply(x, cos[..., :3, :4], sin[..., :3, :4]),
                                    (torch.randn(1, 2, 3, 8, dtype=torch.float64,
                                                 requires_grad=True),))
    v = activations(torch.float64).requires_grad_()
    grad = torch.randn_like(v)
    (RoPE.apply(v, cos, sin) * grad).sum().backward()
    expected, = torch.autograd.grad((spec_rope(phases(), v) * grad).sum(), v)
    torch.testing.assert_close(v.grad, expected)


def test_under_autocast_it_moves_far_fewer_bytes_than_the_spec_expression():
    """The reference's bf16 x float32 products make float32 (B, H, T, N) tensors and copies."""
    def moved(fn) -> int:
        v = activations(torch.bfloat16).requires_grad_()
        with BytesMoved() as tracer, torch.autocast("cpu", dtype=torch.bfloat16):
            fn(v).sum().backward()
        return tracer.total

    assert moved(lambda v: rope(phases(), v)) < 0.5 * moved(lambda v: spec_rope(phases(), v))


class Calls(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.names = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.names.append(func.overloadpacket.__name__)
        return func(*args, **(kwargs or {}))


def test_cos_and_sin_are_computed_once_a_forward_not_once_a_layer():
    model = BDH(BDHConfig(n_layer=3, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8))
    with Calls() as calls:
        model(torch.randint(0, 256, (2, 16)))
    assert calls.names.count("cos") == 1 and calls.names.count("sin") == 1
