"""Checkpointed layers: the same step, gradients and statistics, for a fraction of the memory."""

import torch

from bdh_studio.core.model import BDH, BDHConfig

CONFIG = BDHConfig(n_layer=3, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8, dropout=0.1)


def step(checkpoint_layers: bool) -> tuple[torch.Tensor, dict, dict]:
    torch.manual_seed(0)
    model = BDH(CONFIG, checkpoint_layers=checkpoint_layers)
    idx = torch.randint(0, 256, (2, 24))
    stats = {}
    _, loss = model(idx, idx, stats)
    loss.backward()  # the recomputation runs here, after the forward filled stats
    return loss, stats, {name: p.grad for name, p in model.named_parameters()}


def test_recomputed_layers_give_the_same_loss_gradients_and_statistics():
    loss, stats, grads = step(checkpoint_layers=False)
    loss_c, stats_c, grads_c = step(checkpoint_layers=True)
    assert torch.equal(loss, loss_c)
    assert stats.keys() == stats_c.keys()
    for key in stats:
        torch.testing.assert_close(stats_c[key], stats[key], rtol=0, atol=0)
    for name in grads:
        torch.testing.assert_close(grads_c[name], grads[name], rtol=1e-5, atol=1e-7)


def test_inference_is_unchanged_by_the_setting():
    idx = torch.randint(0, 256, (1, 8))
    torch.manual_seed(0)
    plain = BDH(CONFIG).eval()
    checkpointed = BDH(CONFIG, checkpoint_layers=True).eval()
    checkpointed.load_state_dict(plain.state_dict())
    with torch.no_grad():
        assert torch.equal(checkpointed(idx)[0], plain(idx)[0])


def test_the_trainer_turns_it_on_from_the_setting(tiny_config, books_dir, tmp_path, monkeypatch):
    from bdh_studio.core import model as model_module
    from bdh_studio.core.corpus import find_books
    from bdh_studio.core.trainer import train_run

    calls = []
    real = model_module.checkpoint
    monkeypatch.setattr(model_module, "checkpoint",
                        lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    result = train_run(tiny_config.replace(max_iters=2, checkpoint_layers=True),
                       find_books(books_dir)[:1], tmp_path / "run")
    assert result.ok
    assert len(calls) == 2 * tiny_config.n_layer  # every layer of every step
