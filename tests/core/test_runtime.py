"""The precision auto picks, from what the device runs natively."""

from __future__ import annotations

import torch

from bdh_studio.core.runtime import pick_precision


def test_auto_takes_fp16_on_a_gpu_that_only_emulates_bf16(monkeypatch):
    """T4, V100, RTX 20xx: bf16 runs there, emulated without tensor cores."""
    monkeypatch.setattr(torch.cuda, "is_bf16_supported",
                        lambda including_emulation=True: including_emulation)
    assert pick_precision(torch.device("cuda")) == "fp16"
    assert pick_precision(torch.device("cuda"), "bf16") == "bf16"  # asked for, it runs


def test_auto_takes_bf16_on_a_gpu_that_has_it(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    assert pick_precision(torch.device("cuda")) == "bf16"
