"""Text in, text out: sampling from a book model for people, not tensors."""

from __future__ import annotations

import torch

from .model import BDH


def generate_text(model: BDH, prompt: str, length: int, temperature: float = 0.8,
                  top_k: int | None = None, generator: torch.Generator | None = None) -> str:
    """The prompt followed by ``length`` sampled bytes, decoded leniently.

    A byte-level model can stop in the middle of a UTF-8 character or invent
    an invalid one; those show as U+FFFD rather than failing the sample.
    """
    if length < 0:
        raise ValueError(f"length must be 0 or more, not {length}")
    if not temperature > 0:
        raise ValueError(f"temperature must be above 0, not {temperature}")
    if top_k is not None and not 1 <= top_k <= model.config.vocab_size:
        raise ValueError(f"top-k must be between 1 and {model.config.vocab_size}, not {top_k}")
    data = prompt.encode("utf-8") or b"\n"
    device = next(model.parameters()).device
    idx = torch.tensor([list(data)], dtype=torch.long, device=device)
    out = model.generate(idx, length, temperature, top_k, generator)
    return bytes(out[0].tolist()).decode("utf-8", errors="replace")
