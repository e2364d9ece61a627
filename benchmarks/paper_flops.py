"""Benchmark 8, on paper: FLOPs per training step of the paper preset, and what an H100 must do.

Counted from the architecture (BDH_SPEC.md), one multiply-add = 2 FLOPs,
forward matmuls only, times 3 for forward plus backward (the usual
convention: the backward costs two forwards).  The attention products are
counted in full, T x T, as the reference computes them.  Elementwise work
(RoPE, ReLU, LayerNorm, the loss) is left out: it is memory-bound, not FLOPs.

    python benchmarks/paper_flops.py
"""

from __future__ import annotations

from common import header

from bdh_studio.core.config import PRESETS, TrainConfig, parameter_count

H100_BF16_DENSE = 989e12  # FLOP/s, H100 SXM, bf16 dense (no sparsity)
TARGET_MFU = 0.40


def forward_matmuls(config: TrainConfig) -> dict[str, int]:
    """FLOPs of each forward matmul over one batch, all layers."""
    m = config.model_config()
    B, T, D, H, N, V, L = (config.batch_size, config.block_size, m.n_embd, m.n_head,
                           m.n_sparse, m.vocab_size, m.n_layer)
    return {
        "x @ encoder       (B,1,T,D)@(H,D,N)": L * 2 * B * H * T * D * N,
        "QR @ QR^T         (B,H,T,N)@(B,H,N,T)": L * 2 * B * H * T * T * N,
        "scores @ V        (B,H,T,T)@(B,1,T,D)": L * 2 * B * H * T * T * D,
        "a @ encoder_v     (B,H,T,D)@(H,D,N)": L * 2 * B * H * T * D * N,
        "xy @ decoder      (B,1,T,HN)@(HN,D)": L * 2 * B * T * H * N * D,
        "x @ lm_head       (B,T,D)@(D,V), once": 2 * B * T * D * V,
    }


def main() -> None:
    header("Benchmark 8: FLOPs per training step, and the H100 target (on paper)")
    for name in ("paper", "cpu", "tiny"):
        config = PRESETS[name]
        parts = forward_matmuls(config)
        forward = sum(parts.values())
        step = 3 * forward
        tokens = config.batch_size * config.block_size
        print(f"\n[{name}] {config.n_layer} layers, D {config.n_embd}, H {config.n_head}, "
              f"N {config.model_config().n_sparse}, block {config.block_size}, "
              f"batch {config.batch_size}: {tokens:,} tokens a step, "
              f"{parameter_count(config):,} parameters")
        for part, flops in parts.items():
            print(f"  {part:42s} {flops / 1e9:11.3f} GFLOP  ({flops / forward:5.1%})")
        print(f"  {'forward':42s} {forward / 1e9:11.3f} GFLOP")
        print(f"  {'training step (x3)':42s} {step / 1e9:11.3f} GFLOP"
              f"  = {step / tokens / 1e6:.3f} MFLOP per token")
        if name == "paper":
            rate = TARGET_MFU * H100_BF16_DENSE
            print(f"  H100 at {TARGET_MFU:.0%} of {H100_BF16_DENSE / 1e12:.0f} TFLOPS bf16 dense "
                  f"= {rate / 1e12:.1f} TFLOPS: {rate / step:.2f} steps/s = "
                  f"{rate / step * tokens:,.0f} tokens/s  <- the target a GPU run must meet")
            print(f"  (500 steps a book, the paper preset's run, would then take "
                  f"{500 * step / rate:.0f} s per book)")
            scores = parts["QR @ QR^T         (B,H,T,N)@(B,H,N,T)"]
            print(f"  Not counted as savings: the engine's K=Q backward spends one QR-sized product "
                  f"where the x3 rule counts two ({scores / step:.0%} of the step), and the upper half "
                  f"of the forward QR @ QR^T ({scores / 2 / step:.0%} of the step) is computed and "
                  f"then zeroed, as in the reference.")


if __name__ == "__main__":
    main()
