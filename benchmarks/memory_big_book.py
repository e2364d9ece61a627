"""Benchmark 6: peak memory training the tiny preset on a 1 GB book against a 1 MB book.

Each training runs in a fresh process (so one peak does not hide the other),
through the engine's train_run, for a few dozen steps; the process reports
its peak resident set size (VmHWM).  The book is memory-mapped and each batch
gathers a few kilobytes from it, so the two peaks should be close.  The books
are generated from the demo books in a temporary folder and deleted after.

    python benchmarks/memory_big_book.py [--rounds 3] [--steps 40]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from common import alternate, header, median, spread, verdict

from bdh_studio.core.corpus import find_books
from bdh_studio.resources import demo_books

MB = 1 << 20
TARGET_MB = 100


def write_book(path: Path, size: int) -> None:
    """``size`` bytes of the demo books' text, repeated."""
    text = b"\n\n".join(p.read_bytes() for p in find_books(demo_books()))
    chunk = (text * (MB // len(text) + 1))[:MB]
    with open(path, "wb") as f:
        for _ in range(size // MB):
            f.write(chunk)
        f.write(chunk[: size % MB])


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: this benchmark needs Linux")


def child(book: Path, steps: int) -> None:
    """Train the tiny preset on ``book`` and print the peak RSS (run in a fresh process)."""
    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.trainer import train_run
    config = PRESETS["tiny"].replace(max_iters=steps, device="cpu")
    with tempfile.TemporaryDirectory() as out:
        result = train_run(config, [book], out)
    if not result.ok:
        raise SystemExit(f"training failed: {result.failed}")
    print(f"{peak_rss_mb():.1f}")


def measure(book: Path, steps: int) -> float:
    done = subprocess.run([sys.executable, __file__, "--child", str(book), "--steps", str(steps)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.steps)
        return
    header("Benchmark 6: peak RSS, tiny preset on a 1 GB book against a 1 MB book")
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "one megabyte.txt", Path(tmp) / "one gigabyte.txt"
        write_book(small, MB)
        write_book(big, 1024 * MB)
        print(f"  books in {tmp}: {small.stat().st_size:,} and {big.stat().st_size:,} bytes; "
              f"{args.steps} steps each, each run in a fresh process")
        figures = alternate({"1 MB book": lambda: measure(small, args.steps),
                             "1 GB book": lambda: measure(big, args.steps)},
                            args.rounds, label="peak RSS MiB")
    for name, values in figures.items():
        print(f"  {name}: peak RSS {spread(values)} MiB")
    apart = median(figures["1 GB book"]) - median(figures["1 MB book"])
    print(f"  1 GB - 1 MB = {apart:+.1f} MiB  target < {TARGET_MB} MiB apart  "
          f"{verdict(abs(apart), TARGET_MB, higher_is_better=False)}")
    print("  (the temporary books are deleted)")


if __name__ == "__main__":
    main()
