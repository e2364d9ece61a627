"""How much memory one training step needs: the one estimate the trainer and the window share.

Counted from what the step really holds at its peak, which is early in the
backward pass of the last layer (tests/core/test_memory.py checks this
against a fake-tensor trace of a real step, step_trace.py, within 10%).
Everything is in the precision the runtime decided (``runtime.pick_precision``):
auto is fp32 on a CPU without hardware bf16 or an Apple GPU before macOS 14, so
there an element costs 4 bytes, not 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import TrainConfig, parameter_count
from .runtime import DTYPES

FP32 = 4
ADAMW_STATES = 2  # AdamW's two moments per parameter


@dataclass(frozen=True)
class StepMemory:
    weights: int  # parameters, their gradients and AdamW's moments, all float32
    activations: int  # what the layers keep for the backward pass
    temporaries: int  # what the backward holds beyond that at its peak

    @property
    def total(self) -> int:
        return self.weights + self.activations + self.temporaries


def step_memory(config: TrainConfig, precision: str) -> StepMemory:
    """Bytes one training step of ``config`` needs in ``precision`` (fp32, bf16 or fp16).

    Per layer, with E = B*H*T*N elements of the compute dtype, the backward
    needs x_sparse, y_sparse, the rotated queries and the decoder's input
    (xy moved to (B, T, H*N), a copy): 4E; the dropout mask, another E; the
    encoders as the matmuls broadcast them over the batch, 2*B*H*D*N; the
    (B, H, T, T) scores; and four (B, H, T, D) tensors.  At the peak the last
    layer's backward holds the gradients of x_sparse and y_sparse (2E) and
    has already let go of its dropout mask.  The embedding, LayerNorm and
    logits (B*T*V) terms are small beside N-wide ones, but a few logits-sized
    float32 tensors are kept so that small models are not underestimated.
    With ``checkpoint_layers`` every layer keeps only its float32 input, and
    the backward holds one recomputed layer at a time.
    """
    m = config.model_config()
    B, T, D, H, N, V, L = (config.batch_size, config.block_size, m.n_embd, m.n_head,
                           m.n_sparse, m.vocab_size, m.n_layer)
    e = DTYPES[precision].itemsize
    wide = B * H * T * N
    layer = 4 * wide + 2 * B * H * D * N + B * H * T * T + 4 * B * H * T * D
    kept = 1 if config.checkpoint_layers else L
    masks = (kept - 1) * wide if m.dropout > 0 else 0
    inputs = L * B * T * D * FP32 if config.checkpoint_layers else 0
    activations = (kept * layer + masks) * e + inputs + 3 * B * T * (V + D) * FP32
    weights = (2 + ADAMW_STATES) * parameter_count(config) * FP32
    return StepMemory(weights, activations, 2 * wide * e)
