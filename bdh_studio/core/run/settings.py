"""A run's settings: which preset they are, how two runs' settings differ, what a new
train into a run would change."""

from __future__ import annotations

import json

from ..config import PRESETS, TrainConfig

# Settings that say where and how fast a run trains, not what it trains: a preset
# run on a GPU is still that preset.
RUNTIME_ONLY = ("device", "precision", "compile", "threads")


def preset_name(config: dict | TrainConfig | None) -> str:
    """The preset these settings are (ignoring the device they ran on and the seed: seeds of
    a preset are that preset), else "custom"."""
    if config is None:
        return "custom"
    values = config.to_dict() if isinstance(config, TrainConfig) else config
    for name, preset in PRESETS.items():
        wanted = preset.to_dict()
        if all(values.get(k) == v for k, v in wanted.items()
               if k not in RUNTIME_ONLY and k != "seed"):
            return name
    return "custom"


def config_diff(configs: dict[str, dict]) -> dict[str, dict[str, object]]:
    """The settings that differ between named configs: setting -> {name: value}.

    The device a run happened to use is part of it: it explains speed.
    """
    keys = dict.fromkeys(k for config in configs.values() for k in config)
    return {k: {name: config.get(k) for name, config in configs.items()}
            for k in keys if len({json.dumps(c.get(k)) for c in configs.values()}) > 1}


def changed_settings(saved: TrainConfig, wanted: TrainConfig) -> list[str]:
    """What ``wanted`` changes of a run's ``saved`` settings ("lr 0.001 -> 0.003"), not
    counting where it runs."""
    diff = config_diff({"saved": saved.to_dict(), "wanted": wanted.to_dict()})
    return [f"{k} {v['saved']} -> {v['wanted']}" for k, v in diff.items()
            if k not in RUNTIME_ONLY]

