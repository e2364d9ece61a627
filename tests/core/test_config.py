"""Impossible hyperparameters are caught before training, with the field and the reason."""

import json

import pytest

from bdh_studio.core import config as cfg


def test_presets_are_valid_and_paper_is_the_original_script():
    for config in cfg.PRESETS.values():
        assert cfg.problems(config) == {}
    paper = cfg.PRESETS["paper"]
    assert (paper.n_layer, paper.n_embd, paper.n_head, paper.mlp_internal_dim_multiplier,
            paper.dropout, paper.block_size, paper.batch_size, paper.max_iters, paper.lr,
            paper.weight_decay) == (6, 256, 4, 128, 0.1, 512, 32, 500, 1e-3, 0.1)


@pytest.mark.parametrize("changes, field, reason", [
    ({"n_embd": 30, "n_head": 4}, "n_head", "n_embd 30 is not divisible by n_head 4"),
    ({"n_embd": 4, "n_head": 4, "mlp_internal_dim_multiplier": 3}, "mlp_internal_dim_multiplier",
     "N = M*D/H = 3 must be even"),
    ({"batch_size": 0}, "batch_size", "must be between 1 and"),
    ({"lr": -1.0}, "lr", "must be between"),
    ({"dropout": 1.5}, "dropout", "must be between 0 and 0.99"),
    ({"precision": "fp8"}, "precision", "must be one of auto, fp32, bf16, fp16"),
    ({"warmup_iters": 10, "max_iters": 5}, "warmup_iters", "more than max_iters 5"),
    ({"lr_schedule": "cosine", "min_lr": 1.0, "lr": 0.1}, "min_lr", "above the peak lr"),
    ({"patience": -1}, "patience", "-1 must be between 0 and 1,073,741,824"),
])
def test_problems_name_the_field_and_reason(changes, field, reason):
    found = cfg.problems(cfg.PRESETS["tiny"].replace(**changes))
    assert reason in found[field]


def test_block_longer_than_the_shortest_book():
    found = cfg.problems(cfg.PRESETS["tiny"].replace(block_size=512), shortest_book=("b", 2000))
    assert found == {"block_size": "512 is too long for 'b': 2,000 bytes, 200 of them held out "
                                   "for validation; lower block_size to at most 199 or leave "
                                   "the book out"}


def test_check_raises_one_error_listing_everything():
    with pytest.raises(cfg.ConfigError, match="batch_size: .*; lr: "):
        cfg.check(cfg.PRESETS["tiny"].replace(batch_size=0, lr=-1.0))


def test_assignments_coerce_types_and_reject_nonsense():
    config = cfg.parse_assignments(["n_layer=3", "lr=3e-4", "compile=yes"], cfg.PRESETS["tiny"])
    assert (config.n_layer, config.lr, config.compile) == (3, 3e-4, True)
    with pytest.raises(cfg.ConfigError, match="expected key=value"):
        cfg.parse_assignments(["n_layer"], config)
    with pytest.raises(cfg.ConfigError, match="unknown setting.*n_layers"):
        cfg.parse_assignments(["n_layers=3"], config)
    with pytest.raises(cfg.ConfigError, match="n_layer: '2.5' is not a valid int"):
        cfg.parse_assignments(["n_layer=2.5"], config)


def test_json_round_trip_and_bad_files(tmp_path):
    path = tmp_path / "c.json"
    cfg.PRESETS["cpu"].save(path)
    assert cfg.load(path) == cfg.PRESETS["cpu"]
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(cfg.ConfigError, match="is not a JSON configuration"):
        cfg.load(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text(json.dumps([1, 2]))
    with pytest.raises(cfg.ConfigError, match="must hold a JSON object"):
        cfg.load(tmp_path / "list.json")
    with pytest.raises(cfg.ConfigError, match="cannot read configuration"):
        cfg.load(tmp_path / "missing.json")


def test_to_dict_is_a_whole_copy_of_plain_values():
    """to_dict copies shallowly; that is a whole copy only while every field is a plain value."""
    for config in cfg.PRESETS.values():
        values = config.to_dict()
        assert list(values) == list(cfg.FIELDS)
        assert all(type(v) in (int, float, str, bool) for v in values.values()), values
        assert cfg.from_dict(values) == config


def test_parameter_count_is_the_models():
    assert cfg.parameter_count(cfg.PRESETS["paper"]) == 256 * 256 * 2 + 3 * 4 * 256 * 8192
