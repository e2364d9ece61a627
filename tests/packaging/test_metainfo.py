"""The AppStream metadata is valid and launches the desktop entry the package carries."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bdh_studio import resources

METAINFO = next((Path(__file__).resolve().parents[2] / "packaging").glob("*.metainfo.xml"))


def test_the_launchable_is_the_packaged_desktop_entry() -> None:
    launchable = ET.parse(METAINFO).getroot().find("launchable[@type='desktop-id']")
    assert (resources.root() / launchable.text).is_file()


@pytest.mark.skipif(shutil.which("appstreamcli") is None,
                    reason="appstreamcli is not installed (apt-get install appstream)")
def test_appstreamcli_accepts_it() -> None:
    done = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
