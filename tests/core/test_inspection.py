"""The inspector against the spec's equations, a planted neuron and a dense graph."""

import json
import math
import re
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bdh_studio.cli import main
from bdh_studio.core import checkpoints
from bdh_studio.core.config import PRESETS
from bdh_studio.core.control import Cancelled, TaskControl
from bdh_studio.core.inspection import activity, concepts, graph, neurons
from bdh_studio.core.inspection.reading import read_chunks, sample_book
from bdh_studio.core.model import BDH, BDHConfig
from textgen import make_text

TINY = BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8, dropout=0.0)


def spec_fractions(sd: dict, n_layer: int, n_head: int, data: bytes) -> dict[str, np.ndarray]:
    """Active fractions straight from BDH_SPEC.md's forward pass, written out by hand."""
    E, Ev, Dec, emb = sd["encoder"], sd["encoder_v"], sd["decoder"], sd["embed.weight"]
    H, D, N = E.shape
    T = len(data)
    ln = lambda v: F.layer_norm(v, (D,), eps=1e-5)  # noqa: E731 - no weight, no bias
    j = torch.arange(N, dtype=torch.float32)
    freqs = 1.0 / (2.0**16) ** ((j / 2).floor() * 2 / N) / (2 * math.pi)
    angle = ((torch.arange(T, dtype=torch.float32)[:, None] * freqs) % 1) * (2 * math.pi)

    def rope(v):
        rot = torch.stack((-v[..., 1::2], v[..., ::2]), dim=-1).view(*v.shape)
        return v * torch.cos(angle) + rot * torch.sin(angle)

    x = ln(emb[torch.tensor(list(data))]).view(1, T, D)  # (1, T, D)
    out = {"x": [], "y": [], "xy": []}
    for _ in range(n_layer):
        xs = F.relu(x @ E)  # (H, T, N)
        qr = rope(xs)
        a = torch.tril(qr @ qr.mT, diagonal=-1) @ x  # (H, T, D)
        ys = F.relu(ln(a) @ Ev)  # (H, T, N)
        m = (xs * ys).transpose(0, 1).reshape(T, H * N) @ Dec  # (T, D)
        x = ln(x + ln(m))
        for kind, act in (("x", xs), ("y", ys), ("xy", xs * ys)):
            out[kind].append(((act > 0).sum(dim=(0, 2)).double() / (H * N)).numpy())
    return {k: np.stack(v) for k, v in out.items()}


def test_text_fractions_equal_the_spec_computed_by_hand(demo_models, tmp_path):
    ckpt = next((demo_models / "checkpoints").glob("*.pt"))
    text = "Captain Nemo read the map twice. \u00c9t\u00e9 \u2014 the sea!"
    assert main(["inspect", str(ckpt), "--text", text, "--out", str(tmp_path / "a.json"),
                 "--device", "cpu"]) == 0
    doc = json.loads((tmp_path / "a.json").read_text())
    data = text.encode("utf-8")
    assert doc["bytes"] == list(data)
    saved = checkpoints.load(ckpt)
    config = saved["model_config"]
    expected = spec_fractions(saved["state_dict"], config["n_layer"], config["n_head"], data)
    assert len(doc["layers"]) == config["n_layer"]
    for layer, got in enumerate(doc["layers"]):
        for kind in ("x", "y", "xy"):
            np.testing.assert_allclose(got[f"{kind}_active"], expected[kind][layer], atol=1e-6)
    assert 0 < np.mean(expected["xy"]) < np.mean(expected["x"]) < 1  # not a trivial case


PLANTED_BYTE = ord("Q")
PLANTED = 1 * TINY.n_sparse + 5  # head 1, index 5


def planted_model() -> BDH:
    """A tiny model whose neuron PLANTED, in layer 0's x_sparse, fires on 'Q' and nothing else.

    Layer 0 reads ln(embed(byte)); with u a unit direction of zero mean, the
    LayerNorm keeps each embedding's component along u up to a positive scale,
    so a column of ``encoder`` along u is positive exactly where that
    component is: +1 for 'Q', -1 for every other byte.
    """
    torch.manual_seed(3)
    model = BDH(TINY).eval()
    D = TINY.n_embd
    u = torch.randn(D)
    u = u - u.mean()
    u = u / u.norm()
    with torch.no_grad():
        emb = model.embed.weight
        emb -= (emb @ u)[:, None] * u  # no byte along u ...
        emb += -0.05 * u               # ... then every byte against it
        emb[PLANTED_BYTE] += 0.1 * u   # but 'Q' along it
        model.encoder[1, :, 5] = 10 * u
    return model


@pytest.fixture
def planted_book(tmp_path):
    words = make_text(30_000, 7).split(" ")
    for i in range(0, len(words), 17):
        words[i] = "Quay"
    path = tmp_path / "planted.txt"
    path.write_text(" ".join(words), encoding="utf-8")
    return path


def test_planted_neuron_found_by_the_scan_and_first_in_concept_search(planted_book):
    model = planted_model()
    sample = sample_book(planted_book, 8_000, 64)
    scan = neurons.scan_neurons(model, sample, neurons.ScanSettings(layer=0, kind="x", top_k=5))
    contexts = scan.contexts(PLANTED)
    assert contexts and all(c.byte == PLANTED_BYTE for c in contexts)
    assert [b for b, _ in scan.top_bytes(PLANTED)] == [PLANTED_BYTE]
    assert scan.firing_rate()[PLANTED] == pytest.approx(
        (sample.chunks == PLANTED_BYTE).mean())
    result = concepts.search_concept(model, sample, "Q", layer=0, kind="x")
    assert result.concept.ranking()[0] == PLANTED
    assert result.concept.auc[PLANTED] > result.control.auc.max()
    assert result.beats_control()


def test_scan_is_cached_per_model_book_and_settings(planted_book, tmp_path, monkeypatch):
    model = planted_model()
    sample = sample_book(planted_book, 5_000, 64)
    settings = neurons.ScanSettings(layer=0, kind="x", top_k=3)
    first = neurons.cached_scan(model, "digest-a", sample, settings, tmp_path)
    calls = []
    monkeypatch.setattr(neurons, "scan_neurons", lambda *a, **k: calls.append(a) or first)
    again = neurons.cached_scan(model, "digest-a", sample, settings, tmp_path)
    assert not calls
    np.testing.assert_array_equal(again.top_positions, first.top_positions)
    np.testing.assert_array_equal(again.histogram, first.histogram)
    assert again.contexts(PLANTED) == first.contexts(PLANTED)
    neurons.cached_scan(model, "digest-b", sample, settings, tmp_path)
    neurons.cached_scan(model, "digest-a", sample, neurons.ScanSettings(0, "y", 3), tmp_path)
    assert len(calls) == 2


def dense_degrees(model: BDH, name: str, q: float) -> tuple[np.ndarray, np.ndarray]:
    E = getattr(model, {"G_x": "encoder", "G_y": "encoder_v"}[name]).detach()
    H, D, N = E.shape
    E_flat = torch.stack([E[h, :, k] for h in range(H) for k in range(N)], dim=1)  # D, H*N
    G = model.decoder.detach() @ E_flat
    k = round(q * G.numel())
    tau = torch.sort(G.flatten(), descending=True).values[k]
    return (G > tau).sum(1).numpy(), (G > tau).sum(0).numpy()


@pytest.mark.parametrize("q", [0.003, 0.01, 0.2])
def test_blockwise_graph_degrees_equal_the_dense_graph(q, monkeypatch):
    monkeypatch.setattr(graph, "BLOCK_ENTRIES", 5_000)  # many blocks of rows
    monkeypatch.setattr(graph, "SAMPLE_ENTRIES", 2_000)  # tau bracketed from a few rows
    torch.manual_seed(1)
    model = BDH(TINY)
    for name in ("G_x", "G_y"):
        got = graph.degrees(model, name, q)
        out, into = dense_degrees(model, name, q)
        np.testing.assert_array_equal(got.out, out)
        np.testing.assert_array_equal(got.into, into)
        assert got.out.sum() == round(q * 256 * 256)


def test_hill_estimate_recovers_a_pareto_exponent():
    rng = np.random.default_rng(0)
    degrees = np.floor(1000 * (1 + rng.pareto(2.0, 50_000)))
    assert graph.hill_alpha(degrees) == pytest.approx(2.0, rel=0.1)
    values, share = graph.ccdf(np.array([0, 1, 1, 3]))
    assert values.tolist() == [1, 3] and share.tolist() == [0.75, 0.25]


def test_cli_neurons_concept_and_graph_write_their_documents(demo_models, tmp_path, capsys):
    from bdh_studio import resources
    ckpt = next((demo_models / "checkpoints").glob("*.pt"))
    book = next(resources.demo_books().glob("*.txt"))
    common = ["--book", str(book), "--bytes", "4000", "--device", "cpu"]
    assert main(["inspect", str(ckpt), "--neurons", *common, "--top", "3",
                 "--out", str(tmp_path / "n.json"), "--no-cache"]) == 0
    doc = json.loads((tmp_path / "n.json").read_text())
    n = PRESETS["tiny"].model_config().n_sparse * PRESETS["tiny"].n_head
    assert len(doc["neurons"]) == n and doc["top_k"] == 3 and doc["layer"] == 1
    busiest = max(doc["neurons"], key=lambda d: d["firing_rate"])
    assert len(busiest["top_contexts"]) == 3 and busiest["top_bytes"]
    assert main(["inspect", str(ckpt), "--concept", "the", *common,
                 "--out", str(tmp_path / "c.json")]) == 0
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["positives"] > 0 and len(doc["top"]) == 20 and "best_auc" in doc["control"]
    assert main(["inspect", str(ckpt), "--graph", "--q", "0.05", "--out",
                 str(tmp_path / "g.json")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"100%\|.*\| \d\d:\d\d<\d\d:\d\d ", err), "no time left: " + err[-300:]
    doc = json.loads((tmp_path / "g.json").read_text())
    for which in ("trained", "init"):
        for name in ("G_x", "G_y"):
            g = doc[which][name]
            assert len(g["out_degree"]) == n and g["edges"] == round(0.05 * n * n)
            assert set(g["out_summary"]) == {"max", "mean", "hill_alpha"}
    assert doc["trained"]["G_x"]["out_degree"] != doc["init"]["G_x"]["out_degree"]


@pytest.mark.parametrize("argv, message", [
    (["--neurons"], "give it with --book FILE"),
    (["--concept", "x", "--book", "{missing}"], "no such file"),
    (["--graph", "--q", "1.5"], "between 0 and 1"),
    (["--text", ""], "the text is empty"),
    (["--text", "x" * 5000], "at most 4,096 bytes"),
    (["--text-file", "{missing}"], "cannot read it"),
    (["--concept", "Zebra-unicorn", "--book", "{book}"], "does not occur"),
    (["--neurons", "--book", "{book}", "--layer", "7"], "layer 7 does not exist"),
    (["--neurons", "--book", "{book}", "--bytes", "0"], "positive number of bytes"),
])
def test_bad_input_gives_one_line_and_exit_2(argv, message, demo_models, tmp_path, capsys):
    from bdh_studio import resources
    ckpt = next((demo_models / "checkpoints").glob("*.pt"))
    book = next(resources.demo_books().glob("*.txt"))
    argv = [a.format(missing=tmp_path / "missing", book=book) for a in argv]
    assert main(["inspect", str(ckpt), *argv, "--out", str(tmp_path / "o.json"),
                 "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("bdh-studio inspect: ") and message in err[-1]
    assert not (tmp_path / "o.json").exists()


def test_the_streamed_scan_keeps_what_all_the_activations_together_say(planted_book):
    """Top-k, histogram and byte counts, kept batch by batch, equal them computed at once
    over every activation of the sample (read in the same batches, so the same floats)."""
    torch.manual_seed(5)
    model = BDH(TINY).eval()
    with torch.no_grad():
        model.encoder[0, :, :3] = 0  # three neurons never fire: their top-k stays empty
    sample = sample_book(planted_book, 6_000, 64)
    scan = neurons.scan_neurons(model, sample, neurons.ScanSettings(layer=1, kind="xy", top_k=4),
                                batch=5)  # the last batch is short
    acts = torch.cat([a for _, a in read_chunks(model, sample, np.arange(len(sample.chunks)),
                                                1, "xy", batch=5)])  # (positions, n)
    n = acts.size(1)
    top = torch.topk(acts, 4, dim=0).values.T.numpy()
    assert (top[:3] == 0).all() and (top[3:, -1] > 0).all()
    np.testing.assert_array_equal(scan.top_values.clip(min=0), top)
    fired = scan.top_values > 0
    at = acts.numpy()[scan.top_positions, np.arange(n)[:, None]]
    np.testing.assert_array_equal(at[fired], scan.top_values[fired])  # where it was is right
    buckets = torch.bucketize(acts, neurons.EDGES, right=True).masked_fill_(acts == 0, 0)
    expected = np.stack([np.bincount(buckets[:, j], minlength=len(neurons.EDGES) + 1)
                         for j in range(n)])
    assert expected[:, 1:].sum() > 0 and (expected[:, 2:-1] > 0).sum() > n  # spread out
    np.testing.assert_array_equal(scan.histogram, expected)
    on = (acts > 0).numpy()
    byte_values = sample.chunks.reshape(-1)
    np.testing.assert_array_equal(
        scan.byte_fires, np.stack([np.bincount(byte_values[on[:, j]], minlength=256)
                                   for j in range(n)]))


def test_histogram_edges_split_each_octave_in_four():
    edges = neurons.EDGES[1:].double()
    assert neurons.EDGES[0] == 0 and edges[0] == 2.0 ** -14 and edges[-1] == 2.0 ** 7
    ratios = edges[1:] / edges[:-1]
    assert torch.allclose(ratios[:4], torch.tensor([1.25, 1.5 / 1.25, 1.75 / 1.5, 2 / 1.75],
                                                   dtype=torch.float64))
    assert torch.equal(edges[4:] / edges[:-4], torch.full((len(edges) - 4,), 2.0,
                                                          dtype=torch.float64))


def test_top_neurons_cancelled_stops_at_the_next_layer():
    """A byte's top neurons cancelled (another byte clicked) end within a layer, so the task
    queued behind them starts then, not after the whole forward."""
    model = BDH(replace(TINY, n_layer=4)).eval()
    control, layers_read = TaskControl(), []

    def progress(fraction: float, message: str) -> None:
        layers_read.append(fraction)
        control.check()
        control.stop()  # the cancel comes once the first layer is read

    with pytest.raises(Cancelled):
        activity.top_neurons(model, b"The salt road ran north.", 3, 10, progress=progress)
    assert layers_read == [0.25, 0.5], "layers were read after the cancel"


@pytest.mark.parametrize("kind", activity.KINDS)
def test_top_neurons_stop_after_their_layer_and_equal_the_whole_forwards(kind):
    """The layers after the one read change nothing of it: the forward ends there, and the
    neurons and values are those a whole forward's tap reads, for every layer."""
    torch.manual_seed(0)
    model, data, position = BDH(replace(TINY, n_layer=4)).eval(), make_text(200).encode(), 150
    idx = torch.tensor(list(data[: position + 1])).unsqueeze(0)
    for layer in range(4):
        tap, layers_read = activity.LayerTap(layer, kind), []
        with torch.no_grad():
            model.hidden(idx, probe=tap)
        values, ids = torch.topk(tap.value[0, :, -1].flatten(), 20)
        got = activity.top_neurons(model, data, layer, position, kind,
                                   progress=lambda fraction, message: layers_read.append(fraction))
        assert [(v.neuron, v.value) for v in got] == list(zip(ids.tolist(), values.tolist()))
        assert len(layers_read) == layer + 1 and layers_read[-1] == 1.0


def test_a_scans_reading_stops_after_its_layer_and_equals_the_whole_forwards(planted_book):
    """A scan or concept search of layer 0 of 4 read all four layers of every chunk."""
    torch.manual_seed(1)
    model, ran = BDH(replace(TINY, n_layer=4)).eval(), []
    sample, ids = sample_book(planted_book, 2_000, 64), np.arange(6)
    hidden = model.hidden
    model.hidden = lambda idx, probe, layers=None: ran.append(layers) or hidden(
        idx, probe=probe, layers=layers)
    for layer in range(4):
        tap = activity.LayerTap(layer, "xy")
        with torch.no_grad():
            hidden(torch.from_numpy(sample.chunks[ids].astype(np.int64)), probe=tap)
        whole = tap.value.permute(0, 2, 1, 3).flatten(0, 1).flatten(1)
        ran.clear()
        (_, acts), = read_chunks(model, sample, ids, layer, "xy", batch=6)
        assert ran == [layer + 1]
        assert torch.equal(acts, whole)
