"""Benchmark 16: a byte's top neurons, the whole forward against the forward stopped at the layer.

A click on a byte of the Activity view's heatmap lists that byte's top neurons
at the layer clicked (``core/inspection/activity.top_neurons``).  Before, the
text up to the byte ran through every layer and the chosen one was tapped on
the way; now the forward stops after it.  Both contestants read the same
bytes of a KDSH novel at its last byte, for the first and for the last layer
(the four taking turns in each round), with a model of the cpu preset's width and the paper's six layers (random
weights: the cost does not depend on training).  The whole forward is the
old code's: ``LayerTap`` through ``BDH.hidden``, then the same top-k.

    python benchmarks/inspect_top_neurons.py [--rounds 7] [--bytes 950] [--layers 6]
"""

from __future__ import annotations

import argparse

import torch
from common import (CASTAWAYS, alternate, cpu_preset_model, header, median, paired, spread,
                    timed)

from bdh_studio.core.inspection import activity
from bdh_studio.core.model import BDH

K = 20


def whole_forward(model: BDH, data: bytes, layer: int) -> list[int]:
    """The top neurons as they were found before: every layer run, the chosen one tapped."""
    tap = activity.LayerTap(layer, "x")
    with torch.inference_mode():
        model.hidden(torch.tensor(list(data)).unsqueeze(0), probe=tap)
        return torch.topk(tap.value[0, :, -1].flatten(), K).indices.tolist()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--bytes", type=int, default=950)
    parser.add_argument("--layers", type=int, default=6)
    args = parser.parse_args()
    header("Benchmark 16: a byte's top neurons, whole forward vs stopped at the layer")
    model = cpu_preset_model(n_layer=args.layers)
    data = CASTAWAYS.read_bytes()[100_000: 100_000 + args.bytes]
    print(f"  {len(data)} bytes, the last one's neurons; {args.layers} layers, "
          f"n_embd {model.config.n_embd}, {model.config.n_head} heads, N {model.config.n_sparse}")
    layers, last = (0, args.layers - 1), len(data) - 1
    for layer in layers:
        stopped = [v.neuron for v in activity.top_neurons(model, data, layer, last, k=K)]
        assert stopped == whole_forward(model, data, layer), "the two disagree"
    contestants = {}
    for layer in layers:  # bound now: a lambda reads a loop variable when it is called
        contestants[f"whole {layer}"] = lambda layer=layer: timed(
            lambda: whole_forward(model, data, layer))
        contestants[f"stopped {layer}"] = lambda layer=layer: timed(
            lambda: activity.top_neurons(model, data, layer, last, k=K))
    figures = alternate(contestants, args.rounds, "seconds,")
    for layer in layers:
        w, s = figures[f"whole {layer}"], figures[f"stopped {layer}"]
        print(f"  layer {layer}: whole forward {spread(w)} s; stopped {spread(s)} s; "
              f"whole / stopped = {median(w) / median(s):.2f} ({paired(w, s)}); "
              f"layers run {args.layers} vs {layer + 1}")

if __name__ == "__main__":
    main()
