"""A new run's default name is short enough to read in a legend, a list and a title."""

import datetime

from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.naming import default_run_name

DEMO = ["The Glass Lighthouse", "The Salt Road", "Winter Orchard of the Northern Valleys"]


def test_a_default_name_is_preset_date_and_a_short_book_tag():
    now = datetime.datetime(2026, 12, 4, 16, 5, 33).timestamp()
    name = default_run_name(DEMO, PRESETS["tiny"], now)
    assert name == "tiny · 2026-12-04 16-05 · Glass, Salt +1"
    assert len(default_run_name(DEMO * 3, PRESETS["cpu"], now)) <= 45
    assert default_run_name(["a"], PRESETS["cpu"], now).endswith(" · a")
