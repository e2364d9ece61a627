"""Benchmark 2, process-wide settings: threads, OpenMP's waiting, glibc's allocator.

Settings that only take effect when a process starts (OMP_WAIT_POLICY,
GOMP_SPINCOUNT, glibc's MALLOC_* thresholds) need a fresh process, so each
contestant is a subprocess timing the engine's training step (model and
optimizer as train_run builds them) on a preset, its model reshaped with
``--set`` if asked.  Every contestant runs on the machine as it is, then again
beside a competing training process (2 threads, the defaults) that this script
starts, as another job or a second window would.  The 1-minute load average is
read as each figure is measured: other people's jobs share the machine.

    python benchmarks/process_settings.py [--preset cpu] [--set n_embd=256] [--threads-only]
        [--rounds 3] [--steps 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import torch
from common import REPO, alternate, header, median, spread

sys.path.insert(0, str(REPO))
from bdh_studio.core.config import PRESETS, parse_assignments  # noqa: E402
from bdh_studio.core.runtime import Runtime, pick_precision  # noqa: E402

SETTINGS = {
    "2 threads (default)": ({}, 2),
    "1 thread": ({}, 1),
    "2 threads, OMP_WAIT_POLICY=PASSIVE": ({"OMP_WAIT_POLICY": "PASSIVE"}, 2),
    # ...the thread settings (--threads-only) end here.
    "2 threads, GOMP_SPINCOUNT=10000": ({"GOMP_SPINCOUNT": "10000"}, 2),
    "2 threads, GOMP_SPINCOUNT=1000": ({"GOMP_SPINCOUNT": "1000"}, 2),
    # glibc hands big blocks back to the kernel on free and page-faults them in
    # again on the next step; these keep up to 32 MiB blocks in the heap.
    "2 threads, malloc keeps freed memory": ({"MALLOC_MMAP_THRESHOLD_": str(32 << 20),
                                              "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}, 2),
}
THREAD_SETTINGS = list(SETTINGS)[:3]


def child(preset: str, changes: list[str], steps: int, threads: int, forever: bool) -> None:
    """Time ``steps`` training steps (or train until killed); print ms and page faults per step."""
    import resource

    from bdh_studio.core.model import BDH
    from bdh_studio.core.trainer import make_optimizer

    torch.set_num_threads(threads)
    config = parse_assignments(changes, PRESETS[preset])
    cpu = torch.device("cpu")
    runtime = Runtime(cpu, pick_precision(cpu, config.precision))  # bf16 where the engine's is
    torch.manual_seed(0)
    model = BDH(config.model_config())
    opt = make_optimizer(model, config)
    x = torch.randint(0, 256, (config.batch_size, config.block_size))

    def step():
        with runtime.autocast():
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


def spawn(preset: str, changes: list[str], steps: int, env: dict, threads: int,
          forever: bool = False):
    args = [sys.executable, __file__, "--child", "--preset", preset, "--steps", str(steps),
            "--threads", str(threads)] + [f"--set={c}" for c in changes] \
        + (["--forever"] if forever else [])
    return subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="cpu", choices=["tiny", "cpu"])
    parser.add_argument("--set", dest="changes", action="append", default=[],
                        metavar="KEY=VALUE", help="reshape the preset's model, e.g. n_embd=256")
    parser.add_argument("--threads-only", action="store_true",
                        help="only 1 thread, 2 threads and 2 passive threads")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--forever", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.preset, args.changes, args.steps, args.threads, args.forever)
        return
    model = " ".join([args.preset, *args.changes])
    precision = pick_precision(torch.device("cpu"),
                               parse_assignments(args.changes, PRESETS[args.preset]).precision)
    header(f"Process settings: ms per training step of the {model} preset in {precision}, "
           f"each in a fresh process")
    names = THREAD_SETTINGS if args.threads_only else list(SETTINGS)
    for condition in ("machine as it is", "beside a competing training process"):
        competitor = spawn(args.preset, args.changes, 0, {}, 2, forever=True) \
            if "competing" in condition else None
        try:
            figures = measure_all(args, names)
        finally:
            if competitor is not None:
                competitor.kill()
                competitor.wait()
        report(condition, figures)


def measure_all(args: argparse.Namespace, names: list[str]) -> dict[str, dict[str, list]]:
    """Each setting's ms per step, page faults per step and 1-minute load, round by round."""
    figures = {name: {"ms": [], "faults": [], "load": []} for name in names}

    def measure(name: str) -> float:
        env, threads = SETTINGS[name]
        output = spawn(args.preset, args.changes, args.steps, env, threads).communicate()[0]
        ms, page_faults = map(float, output.split()[-2:])
        figures[name]["faults"].append(page_faults)
        figures[name]["load"].append(os.getloadavg()[0])
        return ms

    times = alternate({name: (lambda n=name: measure(n)) for name in names}, args.rounds)
    for name in names:  # the warm-up's faults and load are not a round's
        figures[name]["faults"] = figures[name]["faults"][1:]
        figures[name]["load"] = figures[name]["load"][1:]
        figures[name]["ms"] = times[name]
    return figures


def report(condition: str, figures: dict[str, dict[str, list]]) -> None:
    base = median(figures["2 threads (default)"]["ms"])
    print(f"\n  {condition} (load average now {os.getloadavg()[0]:.2f}):")
    for name, got in figures.items():
        print(f"    {name:38s} ms/step {spread(got['ms'])}  "
              f"speed x{base / median(got['ms']):.2f} vs default, "
              f"{median(got['faults']):.0f} page faults/step, "
              f"load {min(got['load']):.1f}..{max(got['load']):.1f}")


if __name__ == "__main__":
    main()
