"""fp16 autocast: the paper preset's forward at init on real text stays finite and close to fp32."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from bdh_studio import resources
from bdh_studio.core.config import PRESETS
from bdh_studio.core.model import BDH, CausalLinearAttention
from devices import DEVICES
from fp16 import fp16_autocast

FP16_MAX = torch.finfo(torch.float16).max


def middle_bytes(path, n: int = 512) -> torch.Tensor:
    data = path.read_bytes()
    start = len(data) // 2
    return torch.tensor(list(data[start: start + n])).view(1, -1)


def check_fp16_forward(model: BDH, x: torch.Tensor, device: str) -> None:
    """The fp16 hidden states are finite and match fp32's, where fp32's attention leaves fp16."""
    model, x = model.to(device).eval(), x.to(device)
    peak = []
    hook = model.attn.register_forward_hook(lambda m, args, out: peak.append(out.abs().max()))
    with torch.no_grad():
        expected = model.hidden(x)
        hook.remove()
        assert max(peak) > FP16_MAX  # without care, this text overflows fp16
        with fp16_autocast(device):
            got = model.hidden(x)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got.float(), expected, atol=0.05, rtol=0.05)


@pytest.mark.slow  # two paper-preset forwards: ~5 s on 2 idle cores, minutes when loaded
@pytest.mark.parametrize("device", DEVICES)
def test_fp16_forward_of_the_paper_preset_on_a_demo_book(device):
    torch.manual_seed(0)
    book = sorted(resources.demo_books().glob("*.txt"))[0]
    check_fp16_forward(BDH(PRESETS["paper"].model_config()), middle_bytes(book), device)


@pytest.mark.slow
@pytest.mark.parametrize("device", DEVICES)
def test_fp16_forward_of_the_paper_preset_on_a_novel(kdsh, device):
    torch.manual_seed(0)
    novel = kdsh / "books" / "The Count of Monte Cristo.txt"
    check_fp16_forward(BDH(PRESETS["paper"].model_config()), middle_bytes(novel), device)


@pytest.mark.parametrize("device", DEVICES)
def test_attention_past_fp16s_range_stays_finite_forward_and_backward(device):
    """Positive scores of ~100 summed over 1,000 positions: 1e5 per output entry.

    QR is fp16 as the model's sparse activations are under autocast; V float32 as its
    LayerNorm outputs are.
    """
    QR = torch.full((1, 1, 1024, 64), 1.25, device=device, dtype=torch.float16,
                    requires_grad=True)
    V = torch.ones(1, 1, 1024, 8, device=device, requires_grad=True)
    with fp16_autocast(device):
        out = CausalLinearAttention.apply(QR, V)
    assert out.abs().max() > FP16_MAX and torch.isfinite(out).all()
    (out / out.abs().max().detach()).sum().backward()
    assert torch.isfinite(QR.grad).all() and torch.isfinite(V.grad).all()


def test_the_cpu_emulation_agrees_with_the_cpus_own_fp16_products():
    """What the tests above run on the CPU is what fp16 computes, on a model small enough
    for the CPU's slow fp16 kernels."""
    torch.manual_seed(0)
    config = dataclasses.replace(PRESETS["tiny"].model_config(), n_layer=1)
    model, x = BDH(config).eval(), torch.randint(0, 256, (1, 64))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.float16):
        native = model.hidden(x)
    with torch.no_grad(), fp16_autocast("cpu"):
        emulated = model.hidden(x)
    torch.testing.assert_close(emulated, native, atol=2e-2, rtol=2e-2)
