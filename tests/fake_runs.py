"""Run folders written directly (no training): many runs for the Runs panel and its benchmark.

Each has a config, a metrics log like a finished tiny run's (a step line every
``log_every`` steps, a validation every ten of those), and for every third run
notes and tags.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from bdh_studio.core import events as ev
from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.notes import RunNotes, write_notes

BOOKS = ("Alpha", "Beta")


def write_runs(root: Path, count: int, steps: int = 1000, log_every: int = 10) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    return [write_run(root / f"run {i:03d}", i, steps, log_every) for i in range(count)]


def write_run(folder: Path, i: int, steps: int, log_every: int) -> Path:
    folder.mkdir()
    preset = "tiny" if i % 2 else "cpu"
    config = PRESETS[preset].replace(seed=i % 3)
    (folder / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    start = 1.7e9 + 3600 * i
    events = [ev.RunStarted(str(folder), BOOKS, config.to_dict(), "cpu", "fp32", started=start)]
    for b, book in enumerate(BOOKS):
        events.append(ev.BookStarted(book, b, len(BOOKS), steps, time=start))
        for step in range(log_every, steps + 1, log_every):
            loss = 2 + 3 * math.exp(-step / 400) + 0.01 * ((i * 7 + step) % 13)
            events.append(ev.StepLogged(book, step, loss, 1e-3, 5000.0, step / 50,
                                        time=start + step / 50))
            if step % (10 * log_every) == 0:
                events.append(ev.ValidationLogged(book, step, loss + 0.1, loss / math.log(2),
                                                  step / 50, time=start + step / 50))
        events.append(ev.BookFinished(book, "finished", steps, loss + 0.1))
    events.append(ev.RunFinished(False, steps / 25, len(BOOKS)))
    (folder / "metrics.jsonl").write_text("".join(json.dumps(e.to_dict()) + "\n"
                                                  for e in events))
    if i % 3 == 0:
        write_notes(folder, RunNotes(f"sweep point {i}\nsecond line",
                                     ["sweep", f"lr{1 + i % 4}"]))
    return folder
