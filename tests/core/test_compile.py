"""torch.compile: RoPE in its real-valued form (inductor cannot generate complex code) and the
collective timeout while ranks compile."""

import pytest
import torch
from functorch.compile import make_boxed_func
from torch._dynamo.backends.common import aot_autograd

from bdh_studio.core import distributed
from bdh_studio.core.config import PRESETS
from bdh_studio.core.model import BDH, BDHConfig

CONFIG = BDHConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8, dropout=0.0)


def test_the_compiled_graphs_have_no_complex_numbers():
    """What inductor would be given, forward and backward, traced without generating code."""
    dtypes = set()

    def record(graph, example_inputs):
        dtypes.update(node.meta["val"].dtype for node in graph.graph.nodes
                      if isinstance(node.meta.get("val"), torch.Tensor))
        return make_boxed_func(graph.forward)

    torch._dynamo.reset()
    model = BDH(CONFIG)
    compiled = torch.compile(model, backend=aot_autograd(fw_compiler=record, bw_compiler=record))
    idx = torch.randint(0, 256, (2, 16))
    compiled(idx, idx)[1].backward()
    assert torch.float32 in dtypes
    assert not any(dtype.is_complex for dtype in dtypes), dtypes


@pytest.mark.slow
def test_inductor_compiles_a_training_step_that_matches_eager():
    torch._dynamo.reset()
    torch.manual_seed(0)
    eager = BDH(CONFIG)
    compiled = BDH(CONFIG)
    compiled.load_state_dict(eager.state_dict())
    step = torch.compile(compiled)
    idx = torch.randint(0, 256, (2, 16))
    for model in (eager, step):
        model(idx, idx)[1].backward()
    torch.testing.assert_close(step(idx, idx)[1], eager(idx, idx)[1], atol=1e-5, rtol=1e-5)
    for a, b in zip(compiled.parameters(), eager.parameters()):
        torch.testing.assert_close(a.grad, b.grad, atol=1e-5, rtol=1e-4)


def test_ranks_that_compile_wait_longer_for_each_other(monkeypatch):
    seen = {}
    monkeypatch.setattr(distributed.torch_dist, "init_process_group",
                        lambda backend, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    monkeypatch.delenv(distributed.TIMEOUT_VARIABLE, raising=False)
    config = PRESETS["tiny"].replace(device="cpu")
    distributed.Distributed.from_environment(config)
    assert seen["timeout"].total_seconds() == distributed.DEFAULT_TIMEOUT
    distributed.Distributed.from_environment(config.replace(compile=True))
    assert seen["timeout"].total_seconds() == distributed.COMPILE_TIMEOUT > 10 * 60
    monkeypatch.setenv(distributed.TIMEOUT_VARIABLE, "300")
    distributed.Distributed.from_environment(config.replace(compile=True))
    assert seen["timeout"].total_seconds() == 300, "the person's own setting wins"
