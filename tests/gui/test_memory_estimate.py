"""The settings form's memory estimate is the trainer's, in the precision training will use."""

from bdh_studio.core import runtime
from bdh_studio.core.config import PRESETS
from bdh_studio.core.memory import step_memory
from bdh_studio.gui.config_panel import ConfigPanel, human_bytes


def test_auto_on_a_cpu_without_hardware_bf16_is_estimated_in_fp32(qtbot, monkeypatch):
    monkeypatch.setattr(runtime, "cpu_has_bf16", lambda: False)
    panel = ConfigPanel()
    qtbot.addWidget(panel)
    panel.set_config(PRESETS["paper"].replace(device="auto", precision="auto"))
    text = panel.estimate.text()
    assert f"{human_bytes(step_memory(PRESETS['paper'], 'fp32').total)}</b> in fp32" in text
    panel.set_config(PRESETS["paper"].replace(device="cpu", precision="bf16"))
    assert f"{human_bytes(step_memory(PRESETS['paper'], 'bf16').total)}</b> in bf16" \
        in panel.estimate.text()


def test_a_device_that_is_not_here_is_named_instead_of_an_estimate(qtbot):
    panel = ConfigPanel()
    qtbot.addWidget(panel)
    panel.set_config(PRESETS["tiny"].replace(device="cuda"))
    assert "no CUDA GPU" in panel.estimate.text()
