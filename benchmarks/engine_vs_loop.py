"""Benchmark 2: the engine's training against a bare nanoGPT-style loop, and what makes it fast.

Contestants train the same book from the same seed on the same batches:

- engine: ``trainer.train_run`` as the window and the command line call it,
  with its precision handling, lr schedule, events, metrics log, validation
  and checkpoint;
- bare loop (loops.py): a nanoGPT-style loop over the engine's own model and
  optimizer, validating as often on the same held-out batches, saving the
  weights at the end: engine / bare loop is the engine's overhead (target
  >= 0.97);
- bare loop without validation: the same, never validating; shows what the
  validation itself costs;
- reference loop: the bare loop over BDH exactly as the reference computes
  it (BDH_SPEC.md, Pathway's bdh.py) with PyTorch's default AdamW, what a
  person writes without the studio: engine / reference is what the studio
  gains them (target > 1).

Then every technique tried on the engine's step, one at a time, as a ratio
of steady-state steps per second against the step without it.

    python benchmarks/engine_vs_loop.py [--presets tiny cpu] [--rounds 5] [--no-compile]
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import torch

from common import alternate, header, median, paired, spread, timed, verdict
from loops import bare_loop, demo_book, engine_model, same_weights

from bdh_studio.core.config import PRESETS, TrainConfig
from bdh_studio.core.corpus import BatchSampler, Book
from bdh_studio.core.model import BDH, Attention, CausalLinearAttention, rope
from bdh_studio.core.trainer import make_optimizer, train_run

RUN_STEPS = {"tiny": 200, "cpu": 100}  # one eval_interval or more, so validation is paid for
TECHNIQUE_STEPS = {"tiny": 40, "cpu": 10}


# --- BDH as the reference computes it, for the reference loop and the techniques -----------

def literal_rope(phases: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """BDH_SPEC.md's rope, word for word: v * cos + rot(v) * sin."""
    v_rot = torch.stack((-v[..., 1::2], v[..., ::2]), dim=-1).view(*v.shape)
    angle = (phases % 1) * (2 * math.pi)
    return (v * torch.cos(angle)).to(v.dtype) + (v_rot * torch.sin(angle)).to(v.dtype)


class VariantAttention(Attention):
    """The engine's attention with one technique taken out or put in."""

    def __init__(self, config, rope: Callable, attend: Callable):
        super().__init__(config)
        self.rope_fn, self.attend = rope, attend

    def forward(self, Q, K, V, turn=None):
        QR = self.rope_fn(self.phases(torch.arange(Q.size(2), device=Q.device)), Q)
        return self.attend(QR, V)


def generic_attend(QR: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    """The reference's expression, differentiated by autograd's generic rules."""
    return (QR @ QR.mT).tril(diagonal=-1) @ V


class BlockedCausalAttention(CausalLinearAttention):
    """Tried: the forward in row blocks that skip the upper triangle of the scores."""

    blocks = 2

    @staticmethod
    def forward(ctx, QR, V):
        V = V.to(QR.dtype)
        T = QR.size(2)
        size = -(-T // BlockedCausalAttention.blocks)
        scores = QR.new_zeros(*QR.shape[:-1], T)
        out = QR.new_empty(*QR.shape[:-1], V.size(-1))
        for s in range(0, T, size):
            e = min(s + size, T)
            block = (QR[:, :, s:e] @ QR[:, :, :e].mT).tril(diagonal=s - 1)
            scores[:, :, s:e, :e] = block
            out[:, :, s:e] = block @ V[:, :, :e]
        ctx.save_for_backward(QR, V, scores)
        return out


class PerHeadDecoderBDH(BDH):
    """Tried: the decoder applied per head and summed, which skips the (B,T,H,N) copy."""

    def _mix(self, x, x_sparse, a, stats, probe=None):  # no statistics: steps only are timed
        H = self.config.n_head
        y_sparse = torch.relu(self.ln(a) @ self.encoder_v)
        xy = self.drop(x_sparse * y_sparse)
        m = (xy @ self.decoder.view(H, -1, self.config.n_embd)).sum(1, keepdim=True)
        return self.ln(x + self.ln(m))


def build(config: TrainConfig, rope: Callable | None = None, attend: Callable | None = None,
          cls: type = BDH) -> BDH:
    """A BDH with the engine's initial weights, its attention swapped if asked."""
    torch.manual_seed(config.seed)
    model = cls(config.model_config())
    if rope is not None:
        model.attn = VariantAttention(config.model_config(), rope, attend)
    return model


def reference_model(config: TrainConfig) -> BDH:
    return build(config, literal_rope, generic_attend)


def default_adamw(model: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """What a bare script writes: PyTorch picks the implementation (a per-tensor loop on a CPU)."""
    return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


# --- the three contestants ---------------------------------------------------------------

def engine_run(config: TrainConfig, book_path: Path, run_dir: Path) -> float:
    """Seconds for the engine's whole run; the run folder stays until the next call."""
    shutil.rmtree(run_dir, ignore_errors=True)
    return timed(lambda: train_run(config, [book_path], run_dir))


def compare_runs(preset: str, book_path: Path, rounds: int, out: Path) -> dict[str, float]:
    config = PRESETS[preset].replace(budget="steps", max_iters=RUN_STEPS[preset], device="cpu",
                                     precision="fp32")  # the bare loop trains in fp32
    tokens = config.max_iters * config.batch_size * config.block_size
    print(f"\n[{preset}] whole runs of {config.max_iters} steps ({tokens:,} tokens), "
          f"eval every {config.eval_interval} steps x {config.eval_batches} batches, "
          f"log every {config.log_interval}, checkpoint at the end")
    models = {}

    def bare(name, make_model, make_opt, validate=True):
        def go():
            seconds, models[name] = bare_loop(config, book_path, out, make_model, make_opt,
                                              validate)
            return tokens / seconds
        return go

    figures = alternate({
        "engine": lambda: tokens / engine_run(config, book_path, out / "run"),
        "bare loop": bare("bare loop", engine_model, make_optimizer),
        "bare, no validation": bare("bare, no validation", engine_model, make_optimizer, False),
        "reference loop": bare("reference loop", reference_model, default_adamw),
    }, rounds, label=preset)
    same = same_weights(next((out / "run").rglob("*.pt")), models["bare loop"])
    for name, values in figures.items():
        print(f"  {name:20s} tokens/s {spread(values)}")
    overhead = median(figures["engine"]) / median(figures["bare loop"])
    validation = median(figures["bare loop"]) / median(figures["bare, no validation"])
    gain = median(figures["engine"]) / median(figures["reference loop"])
    print(f"  engine / bare loop      = {overhead:.3f}  target >= 0.97  {verdict(overhead, 0.97)}"
          f"  ({paired(figures['engine'], figures['bare loop'])}; final weights "
          f"{'identical' if same else 'DIFFERENT'}: same work)")
    print(f"  engine / reference loop = {gain:.3f}  target > 1  {verdict(gain, 1.0 + 1e-9)}"
          f"  ({paired(figures['engine'], figures['reference loop'])})")
    print(f"  bare loop with / without validating every {config.eval_interval} steps on "
          f"{config.eval_batches} batches = {validation:.3f}")
    return {"overhead": overhead, "gain": gain}


# --- techniques, one at a time, on the steady-state step ---------------------------------

def step_rate(model: torch.nn.Module, opt: torch.optim.Optimizer, batches: list,
              steps: int, threads: int | None = None) -> Callable[[], float]:
    """A contestant: steps per second over ``steps`` training steps."""
    def go():
        before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)
        try:
            def run():
                for i in range(steps):
                    x, y = batches[i % len(batches)]
                    _, loss = model(x, y)
                    loss.backward()
                    opt.step()
                    opt.zero_grad(set_to_none=True)
            return steps / timed(run)
        finally:
            torch.set_num_threads(before)
    return go


def compare_techniques(preset: str, book_path: Path, rounds: int, with_compile: bool) -> None:
    config = PRESETS[preset].replace(device="cpu")
    book = Book(book_path, config.val_fraction)
    sampler = BatchSampler(book.train, config.block_size, config.batch_size, config.seed)
    batches = [sampler.sample() for _ in range(8)]
    steps = TECHNIQUE_STEPS[preset]

    def setup(make_model, make_opt=make_optimizer, threads=None, compiled=False):
        model = make_model(config).train()
        opt = make_opt(model, config)
        if compiled:
            model = torch.compile(model)
        go = step_rate(model, opt, batches, steps, threads)
        seconds = timed(go)  # warm-up; for torch.compile this is the compilation
        return go, seconds

    variants = {
        "reference": setup(reference_model, default_adamw),
        "+complex rope": setup(lambda c: build(c, rope, generic_attend), default_adamw),
        "+K=Q backward": setup(engine_model, default_adamw),
        "+foreach AdamW": setup(engine_model, lambda m, c: torch.optim.AdamW(
            m.parameters(), lr=c.lr, weight_decay=c.weight_decay, foreach=True)),
        "+fused AdamW (engine)": setup(engine_model),
        "engine, 1 thread": setup(engine_model, threads=1),
        "engine+blocked fwd k2": setup(lambda c: build(c, rope, BlockedCausalAttention.apply)),
        "engine+per-head decoder": setup(lambda c: build(c, cls=PerHeadDecoderBDH)),
    }
    if with_compile:
        variants["engine+torch.compile"] = setup(engine_model, compiled=True)
    print(f"\n[{preset}] techniques: steady-state steps/s over {steps} steps per round "
          f"(block {config.block_size}, batch {config.batch_size}, {config.n_layer} layers)")
    if with_compile:
        print(f"  torch.compile's warm-up ({steps} steps, compilation included) took "
              f"{variants['engine+torch.compile'][1]:.1f} s")
    figures = alternate({name: go for name, (go, _) in variants.items()}, rounds)
    base = {"+complex rope": "reference", "+K=Q backward": "+complex rope",
            "+foreach AdamW": "+K=Q backward", "+fused AdamW (engine)": "+K=Q backward",
            "engine, 1 thread": "+fused AdamW (engine)",
            "engine+blocked fwd k2": "+fused AdamW (engine)",
            "engine+per-head decoder": "+fused AdamW (engine)",
            "engine+torch.compile": "+fused AdamW (engine)"}
    print(f"  {'reference':26s} steps/s {spread(figures['reference'])}")
    for name, values in figures.items():
        if name in base:
            ratio = median(values) / median(figures[base[name]])
            print(f"  {name:26s} steps/s {spread(values)}  x{ratio:.3f} vs {base[name]}")
    total = median(figures["+fused AdamW (engine)"]) / median(figures["reference"])
    print(f"  engine step / reference step = x{total:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", nargs="+", default=["tiny", "cpu"], choices=["tiny", "cpu"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-compile", action="store_true",
                        help="leave torch.compile out (its first step takes 10-60 s)")
    args = parser.parse_args()
    header("Benchmark 2: engine against a bare loop (tokens/s, CPU, fp32)")
    book = demo_book()
    print(f"  book: {book.name} ({book.stat().st_size:,} bytes)")
    with tempfile.TemporaryDirectory() as tmp:
        for preset in args.presets:
            compare_runs(preset, book, args.rounds, Path(tmp))
            compare_techniques(preset, book, args.rounds, not args.no_compile)


if __name__ == "__main__":
    main()
