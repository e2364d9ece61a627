"""The memory estimate against what a real training step holds, traced on fake tensors."""

import functools

import pytest
import torch

from bdh_studio.core import trainer
from bdh_studio.core.model import BDH
from bdh_studio.core.config import PRESETS, ConfigError, TrainConfig
from bdh_studio.core.memory import step_memory
from bdh_studio.core.runtime import Runtime
from bdh_studio.core.step_trace import LiveBytes, fake_step
from devices import CUDA

GIB = 2**30
PAPER = PRESETS["paper"]


@functools.cache
def traced_peak(config: TrainConfig, precision: str) -> int:
    """The peak bytes of two traced steps; each case is traced once (a paper trace: ~0.5 s)."""
    return fake_step(config, precision, LiveBytes()).peak


CASES = [
    ("paper", PAPER, "bf16"),
    ("paper, dropout 0", PAPER.replace(dropout=0.0), "bf16"),
    ("paper", PAPER, "fp32"),
    ("paper, dropout 0", PAPER.replace(dropout=0.0), "fp32"),
    ("paper, batch 4 x block 256", PAPER.replace(batch_size=4, block_size=256), "bf16"),
    ("paper, 2 layers, block 1024", PAPER.replace(n_layer=2, batch_size=8, block_size=1024),
     "bf16"),
    ("cpu", PRESETS["cpu"], "fp32"),
    ("cpu, dropout 0.1", PRESETS["cpu"].replace(dropout=0.1), "bf16"),
    ("tiny, dropout 0.1", PRESETS["tiny"].replace(dropout=0.1), "fp32"),
    ("paper, layers checkpointed", PAPER.replace(checkpoint_layers=True), "bf16"),
    ("paper, layers checkpointed", PAPER.replace(checkpoint_layers=True), "fp32"),
    ("cpu, layers checkpointed", PRESETS["cpu"].replace(checkpoint_layers=True), "fp32"),
]


@pytest.mark.parametrize("name, config, precision", CASES,
                         ids=[f"{name}-{precision}" for name, _, precision in CASES])
def test_estimate_is_within_10_percent_of_a_traced_step(name, config, precision):
    traced = traced_peak(config, precision)
    estimate = step_memory(config, precision).total
    assert abs(estimate - traced) <= 0.10 * traced, \
        f"{name} {precision}: estimate {estimate / GIB:.2f} GiB, traced {traced / GIB:.2f} GiB"


def test_the_trace_sees_what_the_issue_measured():
    """The paper preset's step does not fit a 32 GB card in bf16 nor an 80 GB one in fp32."""
    assert traced_peak(PAPER, "bf16") > 32 * 10**9
    assert traced_peak(PAPER, "fp32") > 75 * GIB


def test_checkpointed_layers_fit_the_paper_preset_on_a_16_gb_card():
    assert traced_peak(PAPER.replace(checkpoint_layers=True), "bf16") < 10 * GIB


def test_the_trainer_checks_the_whole_step_in_the_runtimes_precision(monkeypatch):
    need = step_memory(PAPER, "bf16").total
    monkeypatch.setattr(trainer, "free_memory", lambda device: need - 1)
    with pytest.raises(ConfigError, match=f"{need / GIB:.1f} GiB a training step in bf16"):
        trainer.check_memory(PAPER, Runtime(torch.device("cpu"), "bf16"))
    trainer.check_memory(PAPER.replace(batch_size=16), Runtime(torch.device("cpu"), "bf16"))


@pytest.mark.parametrize("device", [CUDA])
@pytest.mark.parametrize("precision", ["bf16", "fp32"])
@pytest.mark.parametrize("checkpoint_layers", [False, True])
def test_real_steps_on_a_gpu_peak_near_the_estimate(device, precision, checkpoint_layers):
    """The allocator's own peak over two steps, where CUDA autocast and kernels are the real ones."""
    if precision == "bf16" and not torch.cuda.is_bf16_supported(including_emulation=False):
        pytest.skip("this GPU has no native bf16")
    config = PAPER.replace(batch_size=4, block_size=256, checkpoint_layers=checkpoint_layers)
    runtime = Runtime(torch.device(device), precision)
    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    model = BDH(config.model_config(), checkpoint_layers=checkpoint_layers).to(device)
    optimizer = trainer.make_optimizer(model, config)
    idx = torch.randint(0, 256, (config.batch_size, config.block_size), device=device)
    for _ in range(2):
        with runtime.autocast():
            _, loss = model(idx, idx)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        del loss
    peak = torch.cuda.max_memory_allocated() - before
    estimate = step_memory(config, precision).total
    assert abs(estimate - peak) <= 0.10 * peak, \
        f"estimate {estimate / GIB:.2f} GiB, allocator peak {peak / GIB:.2f} GiB"
