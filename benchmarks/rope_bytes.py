"""Benchmark 9: bytes a training step moves, before and after RoPE became one operation.

A training step of the paper preset (batch 32 x block 512, bf16 autocast, and
fp32) runs on fake tensors (core/step_trace.py): no data, so it runs on this
CPU in seconds.  Every aten operation's bytes read plus bytes written are
added up (views move nothing), and its FLOPs counted by PyTorch's own
FlopCounterMode.  An H100 SXM is then estimated on the roofline:
max(bytes / HBM bandwidth, FLOPs / 40% of the bf16 dense peak) a step.  Eager
kernels run one after the other, so the sum of the two is printed too.

"before" is the engine's RoPE as it was: cos and sin again in every layer;
in float32 one complex product per pair differentiated by autograd; under
autocast the reference's expression (bf16 x float32 products).

Then both models train the cpu and tiny presets on this CPU (real tensors,
fp32), side by side in ABBA rounds: the fused path must not slow them.

    python benchmarks/rope_bytes.py [--rounds 5] [--no-cpu]
"""

from __future__ import annotations

import argparse
import math

import torch
from torch.utils.flop_counter import FlopCounterMode

from common import alternate, header, median, paired, spread
from engine_vs_loop import VariantAttention, step_rate
from loops import demo_book

from bdh_studio.core.config import PRESETS, TrainConfig
from bdh_studio.core.corpus import BatchSampler, Book
from bdh_studio.core.model import BDH, CausalLinearAttention
from bdh_studio.core.step_trace import BytesMoved, fake_step
from bdh_studio.core.trainer import make_optimizer

H100_HBM = 3.35e12  # bytes/s, H100 SXM (HBM3)
H100_BF16_DENSE = 989e12  # FLOP/s
TARGET_MFU = 0.40
TARGET_TOKENS = 258_694  # benchmarks/README.md, item 8
CPU_STEPS = {"tiny": 40, "cpu": 10}


def previous_rope(phases: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The engine's rope before this change, as it was (called once per layer)."""
    angle = (phases % 1) * (2 * math.pi)
    if v.dtype == torch.float32 and v.device.type in ("cpu", "cuda"):
        half = angle[..., ::2]
        turn = torch.complex(torch.cos(half), torch.sin(half))
        pairs = torch.view_as_complex(v.unflatten(-1, (-1, 2)))
        return torch.view_as_real(pairs * turn).flatten(-2)
    v_rot = torch.stack((-v[..., 1::2], v[..., ::2]), dim=-1).view(*v.shape)
    return (v * torch.cos(angle)).to(v.dtype) + (v_rot * torch.sin(angle)).to(v.dtype)


class BeforeBDH(BDH):
    """BDH with the previous RoPE: per layer, not one operation."""

    def __init__(self, config, checkpoint_layers: bool = False):
        super().__init__(config, checkpoint_layers)
        self.attn = VariantAttention(config, previous_rope, CausalLinearAttention.apply)


def traced(config: TrainConfig, precision: str, model_class: type[BDH]) -> tuple[BytesMoved, int]:
    """Bytes moved and FLOPs of one steady-state training step."""
    moved = fake_step(config, precision, BytesMoved(), steps=1, model_class=model_class)
    flops = FlopCounterMode(display=False)
    fake_step(config, precision, flops, steps=1, model_class=model_class)
    return moved, flops.get_total_flops()


def h100(config: TrainConfig, moved: int, flops: int) -> str:
    memory, compute = moved / H100_HBM, flops / (TARGET_MFU * H100_BF16_DENSE)
    tokens = config.batch_size * config.block_size
    return (f"memory {memory * 1e3:.0f} ms, matmuls {compute * 1e3:.0f} ms -> roofline "
            f"{tokens / max(memory, compute):,.0f} tokens/s; one after the other "
            f"{tokens / (memory + compute):,.0f} tokens/s")


def bytes_per_step() -> None:
    config = PRESETS["paper"]
    print(f"\n[paper] one training step, batch {config.batch_size} x block {config.block_size}, "
          f"fake tensors; H100 SXM ESTIMATE: {H100_HBM / 1e12:.2f} TB/s HBM, "
          f"{TARGET_MFU:.0%} of {H100_BF16_DENSE / 1e12:.0f} TFLOPS bf16")
    for precision in ("bf16", "fp32"):
        runs = {name: traced(config, precision, cls)
                for name, cls in (("before", BeforeBDH), ("after", BDH))}
        for name, (moved, flops) in runs.items():
            top = sorted(moved.by_op.items(), key=lambda kv: -kv[1])[:5]
            print(f"  {precision} {name:6s}: {moved.total / 2**30:7.1f} GiB moved, "
                  f"{flops / 1e12:.2f} TFLOP; H100 estimate: {h100(config, moved.total, flops)}")
            print("      most bytes: " + ", ".join(f"{op} {b / 2**30:.1f}" for op, b in top))
        before, after = runs["before"][0].total, runs["after"][0].total
        print(f"  {precision}: after / before = {after / before:.3f} "
              f"({(before - after) / 2**30:.1f} GiB a step less)")
    print(f"  target (benchmarks/README.md item 8): {TARGET_TOKENS:,} tokens/s; the H100 figures "
          f"above are estimates from counted bytes and FLOPs, not measurements")


def cpu_presets(rounds: int) -> None:
    book = Book(demo_book(), 0.1)
    for preset, steps in CPU_STEPS.items():
        config = PRESETS[preset].replace(device="cpu")
        sampler = BatchSampler(book.train, config.block_size, config.batch_size, config.seed)
        batches = [sampler.sample() for _ in range(8)]
        contestants = {}
        for name, cls in (("before", BeforeBDH), ("after", BDH)):
            torch.manual_seed(config.seed)
            model = cls(config.model_config()).train()
            contestants[name] = step_rate(model, make_optimizer(model, config), batches, steps)
        print(f"\n[{preset}] steps/s on this CPU, fp32, {steps} steps a round, {rounds} rounds")
        figures = alternate(contestants, rounds, label=preset)
        for name, values in figures.items():
            print(f"  {name:6s} steps/s {spread(values)}")
        ratio = median(figures["after"]) / median(figures["before"])
        print(f"  after / before = x{ratio:.3f} ({paired(figures['after'], figures['before'])})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-cpu", action="store_true", help="only the bytes, no timing")
    args = parser.parse_args()
    header("Benchmark 9: bytes moved a training step, RoPE before and after fusing")
    bytes_per_step()
    if not args.no_cpu:
        cpu_presets(args.rounds)


if __name__ == "__main__":
    main()
