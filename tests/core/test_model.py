"""The model against Pathway's reference outputs, and generation against the full pass."""

from dataclasses import replace

import pytest
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from bdh_studio.core import model as model_module
from bdh_studio.core.model import BDH, BDHConfig, CausalLinearAttention, rope_freqs


def load_reference(reference_dir, name):
    case = torch.load(reference_dir / f"{name}.pt", weights_only=True)
    model = BDH(BDHConfig(**case["config"]))
    model.load_state_dict(case["state_dict"], strict=True)
    return model.eval(), case


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_matches_reference_logits_and_loss(reference_dir, name):
    model, case = load_reference(reference_dir, name)
    with torch.no_grad():
        logits, loss = model(case["idx"], case["targets"])
    torch.testing.assert_close(logits, case["logits"], atol=1e-5, rtol=0)
    assert abs(loss.item() - case["loss"].item()) < 1e-5


def test_state_dict_keys_and_shapes_are_the_references():
    config = BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8)
    shapes = {k: tuple(v.shape) for k, v in BDH(config).state_dict().items()}
    assert shapes == {"decoder": (256, 32), "encoder": (2, 32, 128), "encoder_v": (2, 32, 128),
                      "lm_head": (32, 256), "attn.freqs": (1, 1, 1, 128), "embed.weight": (256, 32)}


def test_rope_frequencies_follow_the_spec():
    n = 8
    freqs = rope_freqs(n)
    for j in range(n):
        expected = 1 / (2**16) ** (2 * (j // 2) / n) / (2 * torch.pi)
        assert freqs[j].item() == pytest.approx(expected, rel=1e-6)
    assert freqs[0] == freqs[1] and freqs[2] == freqs[3]


def test_recurrent_step_gives_the_full_pass_logits_at_every_position():
    torch.manual_seed(0)
    model = BDH(BDHConfig(n_layer=3, n_embd=32, n_head=4, mlp_internal_dim_multiplier=8,
                          dropout=0.0)).eval()
    idx = torch.randint(0, 256, (2, 50))
    with torch.no_grad():
        full, _ = model(idx)
        prompt_logits, states = model.prefill(idx[:, :7])
        steps = [model.step(idx[:, t], t, states) for t in range(7, 50)]
    torch.testing.assert_close(prompt_logits, full[:, :7], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(torch.stack(steps, 1), full[:, 7:], atol=1e-5, rtol=1e-4)


def test_a_prompt_prefilled_in_chunks_gives_the_full_pass_logits_and_states(monkeypatch):
    torch.manual_seed(0)
    model = BDH(BDHConfig(n_layer=3, n_embd=32, n_head=4, mlp_internal_dim_multiplier=8,
                          dropout=0.0)).eval()
    idx = torch.randint(0, 256, (2, 50))
    with torch.no_grad():
        full, _ = model(idx)
        _, whole_states = model.prefill(idx, chunk=50)
    monkeypatch.setattr(model_module, "PREFILL_CHUNK", 7, raising=False)  # 7 chunks, 1 short
    logits, states = model.prefill(idx)
    torch.testing.assert_close(logits, full, atol=1e-5, rtol=1e-4)
    for chunked, whole in zip(states, whole_states, strict=True):
        torch.testing.assert_close(chunked, whole, atol=1e-5, rtol=1e-4)


class LargestTensor(TorchDispatchMode):
    """The most elements of any tensor an operation makes."""

    def __init__(self):
        super().__init__()
        self.numel = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else [out]:
            if isinstance(t, torch.Tensor):
                self.numel = max(self.numel, t.numel())
        return out


def test_a_long_prompts_memory_is_bounded_by_the_chunk_not_its_square(monkeypatch):
    """A 100 KB prompt once asked for 80 GB of (T, T) scores: no tensor may grow with it."""
    torch.manual_seed(0)
    config = BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8,
                       dropout=0.0)
    model = BDH(config).eval()
    monkeypatch.setattr(model_module, "PREFILL_CHUNK", 16, raising=False)
    largest = []
    for T in (64, 256):
        with LargestTensor() as mode:
            next(model.stream(torch.randint(0, 256, (1, T)), 1))
        largest.append(mode.numel)
    bound = max(config.n_head * 16 * config.n_sparse,  # a chunk's x_sparse
                config.n_head * config.n_sparse * config.n_embd)  # a layer's state
    assert largest[0] == largest[1] <= bound


class TensorsFromPythonData(TorchFunctionMode):
    """Records every tensor made from Python values: on a GPU, a blocking copy each."""

    def __init__(self):
        super().__init__()
        self.made = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in (torch.tensor, torch.as_tensor):
            self.made.append(args)
        return func(*args, **(kwargs or {}))


def test_a_generated_byte_makes_no_tensor_from_python_values():
    torch.manual_seed(0)
    model = BDH(BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8,
                          dropout=0.0)).eval()
    _, states = model.prefill(torch.randint(0, 256, (1, 5)))
    with TensorsFromPythonData() as mode:
        for position in range(5, 9):
            model.step(torch.randint(0, 256, (1,)), position, states)
    assert mode.made == []


def test_generate_matches_the_rerun_reference_sample_for_sample():
    torch.manual_seed(1)
    model = BDH(BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8,
                          dropout=0.0)).eval()
    prompt = torch.tensor([list(b"Once upon")])
    fast = model.generate(prompt, 40, temperature=1.0, top_k=20,
                          generator=torch.Generator().manual_seed(5))
    slow = model.generate_by_rerun(prompt, 40, temperature=1.0, top_k=20,
                                   generator=torch.Generator().manual_seed(5))
    assert fast.shape == (1, 49)
    assert torch.equal(fast, slow)


def test_sparsity_statistics_are_fractions_per_layer_average():
    torch.manual_seed(0)
    model = BDH(BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8))
    stats = {}
    model(torch.randint(0, 256, (2, 16)), stats=stats)
    assert set(stats) == {"x_sparsity", "y_sparsity"}
    assert all(0.0 < float(v) < 1.0 for v in stats.values())


def test_the_first_layers_alone_are_a_model_of_that_many_layers():
    """Layers share their weights, so the first l layers of a model are an l-layer model."""
    torch.manual_seed(0)
    config = BDHConfig(n_layer=4, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8,
                       dropout=0.0)
    model, idx = BDH(config).eval(), torch.randint(0, 256, (2, 24))
    with torch.no_grad():
        for layers in range(1, 5):
            shallow = BDH(replace(config, n_layer=layers)).eval()
            shallow.load_state_dict(model.state_dict())
            assert torch.equal(model.hidden(idx, layers=layers), shallow.hidden(idx))
        for layers in (0, 5):
            with pytest.raises(ValueError, match="layers must be 1 to 4"):
                model.hidden(idx, layers=layers)


def test_attention_backward_matches_autograd_of_the_reference_expression():
    torch.manual_seed(2)
    QR = torch.randn(2, 3, 20, 16, dtype=torch.float64, requires_grad=True)
    V = torch.randn(2, 1, 20, 8, dtype=torch.float64, requires_grad=True)
    grad = torch.randn(2, 3, 20, 8, dtype=torch.float64)
    CausalLinearAttention.apply(QR, V).backward(grad)
    fast = QR.grad, V.grad
    QR.grad = V.grad = None
    ((QR @ QR.mT).tril(diagonal=-1) @ V).backward(grad)
    torch.testing.assert_close(fast, (QR.grad, V.grad))
