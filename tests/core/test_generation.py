"""Sampling streams: pieces a reader can show, the prompt apart, bad UTF-8 visible, cancellable."""

import pytest
import torch

from bdh_studio.core.control import TaskControl, run_task
from bdh_studio.core.generation import stream_text
from bdh_studio.core.model import BDH, BDHConfig


@pytest.fixture
def model():
    torch.manual_seed(0)
    return BDH(BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=4)).eval()


def scripted(model, monkeypatch, data: bytes) -> list[int]:
    """The model "samples" ``data``; returns the list the bytes drawn so far go to."""
    drawn = []

    def stream(idx, length, *args):
        for b in data[:length]:
            drawn.append(b)
            yield torch.tensor([[b]])
    monkeypatch.setattr(model, "stream", stream)
    return drawn


def test_the_stream_is_the_generation_in_pieces_without_the_prompt(model):
    pieces = list(stream_text(model, "The sea", 40, generator=torch.Generator().manual_seed(1)))
    idx = torch.tensor([list(b"The sea")])
    whole = model.generate(idx, 40, 0.8, None, torch.Generator().manual_seed(1))[0, 7:]
    assert pieces[-1].bytes_done == 40
    assert "".join(p.text for p in pieces) == bytes(whole.tolist()).decode("utf-8",
                                                                          "backslashreplace")


def test_pieces_come_per_interval_not_per_byte(model, monkeypatch):
    scripted(model, monkeypatch, b"abcdefghij" * 10)
    assert len(list(stream_text(model, "x", 100, every=60.0))) == 1  # one interval: one piece
    every_byte = list(stream_text(model, "x", 100, every=0.0))
    assert len(every_byte) == 101 and "".join(p.text for p in every_byte) == "abcdefghij" * 10


def test_invalid_utf8_shows_as_escapes_and_a_split_character_whole(model, monkeypatch):
    scripted(model, monkeypatch, "é ".encode() + b"\xff " + "€".encode()[:2])
    pieces = list(stream_text(model, "x", 7, every=0.0))  # é arrives split over two pieces
    assert "".join(p.text for p in pieces) == "é \\xff \\xe2\\x82"


def test_a_cancel_ends_sampling_within_one_byte(model, monkeypatch):
    drawn = scripted(model, monkeypatch, bytes(range(32, 127)))
    shown = []

    def task(control):
        for piece in stream_text(model, "x", 90, control=control, every=0.0):
            shown.append(piece.text)
            if piece.bytes_done == 5:
                control.stop()

    assert run_task(task, TaskControl()).status == "cancelled"
    assert len(shown) == 5 and len(drawn) == 6  # the byte being drawn, then no more
