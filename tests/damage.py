"""Ways to hurt a run folder on purpose, and a way to tell it was not touched."""

import hashlib
from pathlib import Path

import torch


def digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def flip_weight_bytes(path: Path) -> None:
    """Change bytes inside a checkpoint's tensor data only: torch.load still reads the file."""
    data = bytearray(path.read_bytes())
    ckpt = torch.load(path, weights_only=True)
    needle = ckpt["state_dict"]["decoder"].reshape(-1)[:64].numpy().tobytes()
    at = bytes(data).index(needle)
    data[at: at + 64] = bytes(b ^ 0x55 for b in data[at: at + 64])
    path.write_bytes(bytes(data))
