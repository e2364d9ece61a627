"""pyproject's torch floor is one the code runs on: every module imports, and every
optimizer, scaler, autocast and wrapper the trainer builds is built and steps once."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import torch
import torch.distributed as torch_dist
from packaging.version import Version

import bdh_studio
from bdh_studio.core.config import PRESETS
from bdh_studio.core.distributed import data_parallel
from bdh_studio.core.model import BDH
from bdh_studio.core.runtime import Runtime
from bdh_studio.core.trainer import make_optimizer
from devices import DEVICES

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def torch_floor() -> Version:
    found = re.search(r'"torch>=([0-9.]+)"', PYPROJECT.read_text(encoding="utf-8"))
    assert found, "pyproject.toml names no torch floor"
    return Version(found.group(1))


def test_the_installed_torch_is_at_the_floor_or_above():
    assert Version(torch.__version__.split("+")[0]) >= torch_floor()


def test_every_module_imports():
    names = [m.name for m in pkgutil.walk_packages(bdh_studio.__path__, "bdh_studio.")]
    assert "bdh_studio.core.trainer" in names and "bdh_studio.cli.train" in names
    for name in names:
        importlib.import_module(name)


def one_step(model: torch.nn.Module, raw: BDH, runtime: Runtime) -> None:
    """A training step as the trainer takes it: autocast, scaled backward, fused AdamW."""
    config = PRESETS["tiny"]
    optimizer, scaler = make_optimizer(raw, config), runtime.grad_scaler()
    x = torch.randint(0, 256, (2, 16), device=runtime.device)
    with runtime.autocast():
        _, loss = model(x, x)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    assert torch.isfinite(loss)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_every_precision_steps(device, precision):
    raw = BDH(PRESETS["tiny"].model_config()).to(device)
    one_step(raw, raw, Runtime(torch.device(device), precision))


@pytest.mark.parametrize("device", DEVICES)
def test_ddp_over_a_one_rank_group_steps(device, tmp_path):
    backend = "nccl" if device == "cuda" else "gloo"
    torch_dist.init_process_group(backend, init_method=f"file://{tmp_path / 'store'}",
                                  rank=0, world_size=1)
    try:
        raw = BDH(PRESETS["tiny"].model_config()).to(device)
        one_step(data_parallel(raw), raw, Runtime(torch.device(device), "fp32"))
    finally:
        torch_dist.destroy_process_group()


def test_the_compile_wrapper_builds():
    model = Runtime(torch.device("cpu"), "fp32", compile=True).prepare(BDH(PRESETS["tiny"]
                                                                          .model_config()))
    assert model._orig_mod is not None
