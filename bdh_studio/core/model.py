"""Pathway's BDH ("Baby Dragon Hatchling"), exactly as ../shared/BDH_SPEC.md states it.

Parameter names and shapes are the reference's, so a bare state_dict moves
between this module and Pathway's ``bdh.py`` unchanged.  On top of the
reference forward pass this module adds what the studio needs: hidden states
for the classifier, sparsity statistics for the live plot, and a recurrent
generator whose cost per byte does not grow with the prefix.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

ROPE_THETA = 2.0**16
PREFILL_CHUNK = 512  # prompt positions run at once: memory grows with its square
Probe = Callable[[torch.Tensor, torch.Tensor], None]


@dataclass(frozen=True)
class BDHConfig:
    n_layer: int = 6
    n_embd: int = 256
    n_head: int = 4
    mlp_internal_dim_multiplier: int = 128
    dropout: float = 0.1
    vocab_size: int = 256

    @property
    def n_sparse(self) -> int:
        """N, the sparse width per head."""
        return self.mlp_internal_dim_multiplier * self.n_embd // self.n_head

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BDHConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def rope_freqs(n: int) -> torch.Tensor:
    """Frequencies in turns (not radians), paired so each RoPE pair shares one."""
    j = torch.arange(n, dtype=torch.float32)
    return 1.0 / (ROPE_THETA ** ((j / 2).floor() * 2 / n)) / (2 * math.pi)


def rotation(phases: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of each RoPE pair's angle, float32, (..., T, N/2): once per forward.

    The two entries of a pair share a frequency, so one angle per pair is
    the reference's angle (BDH_SPEC.md), computed the same way in float32.
    """
    angle = (phases[..., ::2] % 1) * (2 * math.pi)
    return torch.cos(angle), torch.sin(angle)


def _rotate(v: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Each pair (v0, v1) turned to (v0 cos - v1 sin, v1 cos + v0 sin), in at least float32.

    Eagerly on a CPU or CUDA the turn is one complex product per pair: one
    pass where the reference's expression takes five (about 1.1x a whole
    cpu-preset step, see benchmarks/README.md).  Compiled, the real-valued
    form lets inductor fuse it into one kernel (it has no code generation
    for complex numbers); other devices lack complex kernels.
    """
    work = torch.promote_types(v.dtype, torch.float32)
    pairs = v.to(work).unflatten(-1, (-1, 2))
    cos, sin = cos.to(work), sin.to(work)
    if v.device.type in ("cpu", "cuda") and not torch.compiler.is_compiling():
        turn = torch.complex(cos, sin)
        pairs = torch.view_as_complex(pairs.contiguous())
        # A float32 copy of v is ours to turn in place: one (B, H, T, N) float32 buffer, not two.
        turned = torch.view_as_real(pairs.mul_(turn) if work != v.dtype else pairs * turn)
    else:
        v0, v1 = pairs.unbind(-1)
        turned = torch.stack((v0 * cos - v1 * sin, v1 * cos + v0 * sin), dim=-1)
    return turned.flatten(-2).to(v.dtype)


class RoPE(torch.autograd.Function):
    """rope(v) of BDH_SPEC.md as one operation, computed in float32, returned in v's dtype.

    Under autocast the reference multiplies bf16 activations by float32 cos
    and sin: two float32 (B, H, T, N) products, their bf16 copies, a rotated
    copy and a sum, differentiated op by op; on the paper preset that moves
    49 GiB a layer, forward and backward, where this moves 21 (and compiled,
    inductor makes it one kernel; benchmarks/rope_bytes.py).  It keeps only
    cos and sin for the backward, which is the inverse rotation of the
    gradient.  In float32 it is the reference bit for bit; in bf16 and fp16
    the sum is rounded once instead of each product and then the sum, so it
    is within half a unit in the last place of the exact rotation.
    """

    @staticmethod
    def forward(ctx, v: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(cos, sin)
        return _rotate(v, cos, sin)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        cos, sin = ctx.saved_tensors
        return _rotate(grad, cos, -sin), None, None


def rope(phases: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Rotate pairs of ``v`` by ``phases`` (in turns), as the reference does."""
    return RoPE.apply(v, *rotation(phases))


class CausalLinearAttention(torch.autograd.Function):
    """tril(QR QR^T, -1) @ V, with the backward that keys equal to queries allow.

    The forward is the reference's.  Autograd's generic rule for QR @ QR^T
    spends two T x T x N products on the gradient of QR; since the keys are
    the queries it is (G + G^T) @ QR with G = tril(grad V^T, -1), one product
    (about 1.3x on the attention, 1.04x a whole cpu-preset step).
    """

    @staticmethod
    def forward(ctx, QR: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
        V = V.to(QR.dtype)  # what autocast does to scores @ V in the reference
        scores = (QR @ QR.mT).tril(diagonal=-1)
        ctx.save_for_backward(QR, V, scores)
        if scores.dtype == torch.float16:  # fp16 inputs, or fp16 autocast
            return _fp32_product(scores, V)
        return scores @ V

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        QR, V, scores = ctx.saved_tensors
        grad = grad.to(scores.dtype)  # small: the LayerNorm after divides by the output's spread
        G = (grad @ V.mT).tril(diagonal=-1)
        return (G + G.mT) @ QR, (scores.mT @ grad).sum_to_size(V.shape)


def _fp32_product(scores: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    """scores @ V in float32, for fp16, whose range ends at 65,504.

    The product sums ~400-sized scores over up to T positions: with the paper
    preset at init on 512 bytes of a novel it reaches 2e5.  Only a LayerNorm
    reads it, and autocast runs that in float32 anyway.
    """
    with torch.autocast(scores.device.type, enabled=False):
        return scores.float() @ V.float()


class Attention(nn.Module):
    """Linear causal attention with K = Q and no softmax."""

    def __init__(self, config: BDHConfig):
        super().__init__()
        self.register_buffer("freqs", rope_freqs(config.n_sparse).view(1, 1, 1, -1))

    def phases(self, positions: torch.Tensor) -> torch.Tensor:
        return positions.to(torch.float32).view(1, 1, -1, 1) * self.freqs

    def rotation(self, T: int, device: torch.device,
                 start: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sin for positions start..start+T-1, computed once and shared by every layer."""
        return rotation(self.phases(torch.arange(start, start + T, device=device)))

    def forward(self, Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor,
                turn: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """``turn`` is ``self.rotation(T, device)``, the same for every layer."""
        assert K is Q, "BDH attention uses the sparse activations as both queries and keys"
        return CausalLinearAttention.apply(RoPE.apply(Q, *turn), V)


class BDH(nn.Module):
    def __init__(self, config: BDHConfig, checkpoint_layers: bool = False):
        """``checkpoint_layers``: keep each layer's input only, recompute it in the backward."""
        super().__init__()
        self.config = config
        self.checkpoint_layers = checkpoint_layers
        D, H, N, V = config.n_embd, config.n_head, config.n_sparse, config.vocab_size
        self.decoder = nn.Parameter(torch.empty(H * N, D).normal_(std=0.02))
        self.encoder = nn.Parameter(torch.empty(H, D, N).normal_(std=0.02))
        self.encoder_v = nn.Parameter(torch.empty(H, D, N).normal_(std=0.02))
        self.lm_head = nn.Parameter(torch.empty(D, V).normal_(std=0.02))
        self.attn = Attention(config)
        self.ln = nn.LayerNorm(D, elementwise_affine=False, bias=False)
        self.embed = nn.Embedding(V, D)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.drop = nn.Dropout(config.dropout)

    def _mix(self, x: torch.Tensor, x_sparse: torch.Tensor, a: torch.Tensor,
             stats: dict | None, probe: Probe | None = None) -> torch.Tensor:
        """Everything in one layer after attention: the gated sparse MLP and the residual."""
        B, _, T, _ = x.shape
        y_sparse = F.relu(self.ln(a) @ self.encoder_v)
        if probe is not None:
            probe(x_sparse, y_sparse)
        if stats is not None:
            # A ReLU output's sign is 1 where it is non-zero: one pass, 5x cheaper than > 0.
            stats["x_sparsity"] = stats.get("x_sparsity", 0) + x_sparse.detach().sign().mean()
            stats["y_sparsity"] = stats.get("y_sparsity", 0) + y_sparse.detach().sign().mean()
        xy = self.drop(x_sparse * y_sparse)
        m = xy.transpose(1, 2).reshape(B, 1, T, -1) @ self.decoder
        return self.ln(x + self.ln(m))

    def _layer(self, x: torch.Tensor, turn: tuple[torch.Tensor, torch.Tensor],
               stats: dict | None, probe: Probe | None) -> torch.Tensor:
        x_sparse = F.relu(x @ self.encoder)  # B, H, T, N
        return self._mix(x, x_sparse, self.attn(x_sparse, x_sparse, x, turn), stats, probe)

    def _checkpointed(self, x: torch.Tensor, turn: tuple[torch.Tensor, torch.Tensor],
                      stats: dict | None, probe: Probe | None) -> torch.Tensor:
        """One layer that keeps only its input; the backward runs it again (same dropout mask).

        The statistics and the probe see the first run only, not the recomputation.
        """
        first = [(stats, probe)]

        def layer(h: torch.Tensor) -> torch.Tensor:
            return self._layer(h, turn, *(first.pop() if first else (None, None)))

        return checkpoint(layer, x, use_reentrant=False)

    def hidden(self, idx: torch.Tensor, stats: dict | None = None,
               probe: Probe | None = None, layers: int | None = None) -> torch.Tensor:
        """The last layer's output, (B, T, D): what the classifier pools.

        Passing a dict as ``stats`` fills it with the fraction of non-zero
        entries of x_sparse and y_sparse averaged over layers, as tensors on
        the model's device, so that asking for them costs no host sync.
        ``probe(x_sparse, y_sparse)``, both (B, H, T, N), is called once per
        layer in order: how the inspector reads the activations without a
        second copy of the forward pass.  ``layers`` runs only that many
        (the first ones; the output is then the last of them): an inspector
        reading layer l has no use for the layers after it.
        """
        depth = self.config.n_layer if layers is None else layers
        if not 1 <= depth <= self.config.n_layer:
            raise ValueError(f"layers must be 1 to {self.config.n_layer}, not {depth}")
        B, T = idx.shape
        x = self.ln(self.embed(idx).unsqueeze(1))  # B, 1, T, D
        turn = self.attn.rotation(T, idx.device)
        recompute = self.checkpoint_layers and torch.is_grad_enabled()
        for _ in range(depth):
            x = (self._checkpointed(x, turn, stats, probe) if recompute
                 else self._layer(x, turn, stats, probe))
        if stats is not None:
            for key in ("x_sparsity", "y_sparsity"):
                stats[key] = stats[key] / depth
        return x.view(B, T, -1)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None,
                stats: dict | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        logits = self.hidden(idx, stats) @ self.lm_head
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    # --- generation -------------------------------------------------------

    @torch.no_grad()
    def prefill(self, idx: torch.Tensor, every_logit: bool = True,
                chunk: int | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Run a prompt; return its logits (every position's, or the last one's) and each
        layer's attention state.

        The state of a layer is the sum over the prompt's positions of
        rope(x_sparse)^T x, shape (B, H, N, D); the next position attends to
        exactly that sum, which is what makes BDH's generation constant-cost.
        The prompt runs ``chunk`` positions at a time (PREFILL_CHUNK), each
        chunk in parallel and attending to the ones before through that state,
        so memory is bounded by the chunk: a whole 100 KB prompt at once would
        need (T, T) scores per head, 80 GB and more.
        """
        chunk = chunk or PREFILL_CHUNK
        states: list[torch.Tensor] = []
        logits = [self._prefill_chunk(idx[:, start:start + chunk], start, states)
                  for start in range(0, idx.size(1), chunk)]
        return torch.cat(logits, 1) if every_logit else logits[-1][:, -1:], states

    def _prefill_chunk(self, idx: torch.Tensor, start: int,
                       states: list[torch.Tensor]) -> torch.Tensor:
        """The logits of positions start.. of a prompt; adds them to ``states`` (made if empty)."""
        B, T = idx.shape
        x = self.ln(self.embed(idx).unsqueeze(1))
        turn = self.attn.rotation(T, idx.device, start)
        for layer in range(self.config.n_layer):
            x_sparse = F.relu(x @ self.encoder)
            QR = RoPE.apply(x_sparse, *turn)
            a = CausalLinearAttention.apply(QR, x)
            if layer < len(states):
                a = a + QR @ states[layer]
                states[layer] += QR.mT @ x
            else:
                states.append(QR.mT @ x)
            x = self._mix(x, x_sparse, a, None)
        return x.view(B, T, -1) @ self.lm_head

    @torch.no_grad()
    def step(self, byte: torch.Tensor, position: int,
             states: list[torch.Tensor]) -> torch.Tensor:
        """Logits for one new byte (B,) at ``position``; updates ``states`` in place."""
        x = self.ln(self.embed(byte).view(-1, 1, 1, self.config.n_embd))
        phases = position * self.attn.freqs  # no tensor built, nor copied to the GPU, per byte
        for layer in range(self.config.n_layer):
            x_sparse = F.relu(x @ self.encoder)
            QR = rope(phases, x_sparse)
            a = QR @ states[layer]
            states[layer] += QR.mT @ x
            x = self._mix(x, x_sparse, a, None)
        return x.view(x.size(0), -1) @ self.lm_head

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Sample ``max_new_tokens`` bytes after the prompt ``idx`` (B, T >= 1)."""
        return torch.cat([idx, *self.stream(idx, max_new_tokens, temperature, top_k,
                                            generator)], dim=1)

    @torch.no_grad()
    def stream(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
               top_k: int | None = None,
               generator: torch.Generator | None = None) -> Iterator[torch.Tensor]:
        """Each sampled byte (B, 1) as soon as it is drawn, so a reader can show it."""
        logits, states = self.prefill(idx, every_logit=False)
        logits = logits[:, -1]
        position = idx.size(1)
        for n in range(max_new_tokens):
            nxt = sample_next(logits, temperature, top_k, generator)
            yield nxt
            if n + 1 < max_new_tokens:
                logits = self.step(nxt.view(-1), position, states)
                position += 1

    @torch.no_grad()
    def generate_by_rerun(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                          top_k: int | None = None,
                          generator: torch.Generator | None = None) -> torch.Tensor:
        """The reference's generation: the whole sequence again for every byte (quadratic)."""
        for _ in range(max_new_tokens):
            logits, _ = self(idx)
            idx = torch.cat((idx, sample_next(logits[:, -1], temperature, top_k, generator)), dim=1)
        return idx


def sample_next(logits: torch.Tensor, temperature: float, top_k: int | None,
                generator: torch.Generator | None) -> torch.Tensor:
    """One byte per row from softmax(logits / temperature), optionally top-k only."""
    logits = logits.float() / max(temperature, 1e-6)
    if top_k is not None and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = F.softmax(logits, dim=-1)
    return torch.multinomial(probs, 1, generator=generator)
