"""The precision auto picks, from what the device runs natively; free memory per device."""

from __future__ import annotations

import pytest
import torch

from bdh_studio.core.config import ConfigError
from bdh_studio.core.runtime import free_memory, pick_precision


def test_auto_takes_fp16_on_a_gpu_that_only_emulates_bf16(monkeypatch):
    """T4, V100, RTX 20xx: bf16 runs there, emulated without tensor cores."""
    monkeypatch.setattr(torch.cuda, "is_bf16_supported",
                        lambda including_emulation=True: including_emulation)
    assert pick_precision(torch.device("cuda")) == "fp16"
    assert pick_precision(torch.device("cuda"), "bf16") == "bf16"  # asked for, it runs


def test_auto_takes_bf16_on_a_gpu_that_has_it(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    assert pick_precision(torch.device("cuda")) == "bf16"


def test_auto_takes_bf16_on_mps_from_macos_14(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_macos_or_newer", lambda major, minor: major <= 14)
    assert pick_precision(torch.device("mps")) == "bf16"
    monkeypatch.setattr(torch.backends.mps, "is_macos_or_newer", lambda major, minor: major <= 13)
    assert pick_precision(torch.device("mps")) == "fp32"
    with pytest.raises(ConfigError, match="macOS 14"):
        pick_precision(torch.device("mps"), "bf16")


@pytest.mark.parametrize("avx512_bf16, amx, expected", [
    (True, False, "bf16"), (False, True, "bf16"), (False, False, "fp32")])
def test_auto_takes_bf16_on_a_cpu_that_multiplies_it_in_hardware(monkeypatch, avx512_bf16, amx,
                                                                 expected):
    """Emulated bf16 is slower than fp32 on a CPU; native bf16 trains ~1.3x faster."""
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert pick_precision(torch.device("cpu")) == expected
    assert pick_precision(torch.device("cpu"), "fp32") == "fp32"  # asked for, it runs


def test_free_memory_on_mps_is_metals_budget_less_what_it_holds(monkeypatch):
    monkeypatch.setattr(torch.mps, "recommended_max_memory", lambda: 48 * 2**30)
    monkeypatch.setattr(torch.mps, "driver_allocated_memory", lambda: 6 * 2**30)
    assert free_memory(torch.device("mps")) == 42 * 2**30
