"""Benchmark 2, process-wide settings: threads, OpenMP's waiting, glibc's allocator.

Settings that only take effect when a process starts (OMP_WAIT_POLICY,
GOMP_SPINCOUNT, glibc's MALLOC_* thresholds) need a fresh process, so each
contestant is a subprocess timing the engine's training step (model and
optimizer as train_run builds them) on the cpu or tiny preset.  Every
contestant runs on the machine as it is, then again beside a competing
training process (2 threads, the defaults) that this script starts, as
another job or a second window would.

    python benchmarks/process_settings.py [--preset cpu] [--rounds 3] [--steps 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from common import alternate, header, median, spread

SETTINGS = {
    "2 threads (default)": ({}, 2),
    "1 thread": ({}, 1),
    "2 threads, OMP_WAIT_POLICY=PASSIVE": ({"OMP_WAIT_POLICY": "PASSIVE"}, 2),
    "2 threads, GOMP_SPINCOUNT=10000": ({"GOMP_SPINCOUNT": "10000"}, 2),
    "2 threads, GOMP_SPINCOUNT=1000": ({"GOMP_SPINCOUNT": "1000"}, 2),
    # glibc hands big blocks back to the kernel on free and page-faults them in
    # again on the next step; these keep up to 32 MiB blocks in the heap.
    "2 threads, malloc keeps freed memory": ({"MALLOC_MMAP_THRESHOLD_": str(32 << 20),
                                              "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}, 2),
}


def child(preset: str, steps: int, threads: int, forever: bool) -> None:
    """Time ``steps`` training steps (or train until killed); print ms and page faults per step."""
    import resource

    import torch

    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.model import BDH
    from bdh_studio.core.trainer import make_optimizer

    torch.set_num_threads(threads)
    config = PRESETS[preset]
    torch.manual_seed(0)
    model = BDH(config.model_config())
    opt = make_optimizer(model, config)
    x = torch.randint(0, 256, (config.batch_size, config.block_size))

    def step():
        _, loss = model(x, x)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(2):
        step()
    while forever:
        step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    print(f"{seconds / steps * 1000:.2f} {faults / steps:.0f}")


def spawn(preset: str, steps: int, env: dict, threads: int, forever: bool = False):
    args = [sys.executable, __file__, "--child", "--preset", preset, "--steps", str(steps),
            "--threads", str(threads)] + (["--forever"] if forever else [])
    return subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="cpu", choices=["tiny", "cpu"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--forever", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.preset, args.steps, args.threads, args.forever)
        return
    header(f"Process settings: ms per training step of the {args.preset} preset, each in a "
           f"fresh process")

    faults: dict[str, list[float]] = {name: [] for name in SETTINGS}

    def measure(name: str) -> float:
        env, threads = SETTINGS[name]
        ms, page_faults = map(float, spawn(args.preset, args.steps, env, threads).communicate()[0]
                              .split()[-2:])
        faults[name].append(page_faults)
        return ms

    for condition in ("machine as it is", "beside a competing training process"):
        competitor = spawn(args.preset, 0, {}, 2, forever=True) if "competing" in condition \
            else None
        try:
            figures = alternate({name: (lambda n=name: measure(n)) for name in SETTINGS},
                                args.rounds)
        finally:
            if competitor is not None:
                competitor.kill()
                competitor.wait()
        base = median(figures["2 threads (default)"])
        print(f"\n  {condition} (load average now {os.getloadavg()[0]:.2f}):")
        for name, values in figures.items():
            print(f"    {name:38s} ms/step {spread(values)}  "
                  f"speed x{base / median(values):.2f} vs default, "
                  f"{median(faults[name]):.0f} page faults/step")
            faults[name].clear()


if __name__ == "__main__":
    main()
