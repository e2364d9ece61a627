"""``--install-desktop`` writes the launcher entry and icons; ``--uninstall-desktop`` undoes it."""

from __future__ import annotations

import configparser
import shlex
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from bdh_studio.cli import main
from bdh_studio.gui import desktop_entry

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="launcher entries are an XDG (Linux) feature")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch) -> Path:
    """A data home that already holds another app's entry, which must survive."""
    home = tmp_path / "share"
    (home / "applications").mkdir(parents=True)
    (home / "applications" / "other.desktop").write_text("[Desktop Entry]\nName=Other\n")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_install_then_uninstall_leaves_the_folders_as_they_were(xdg: Path, capsys) -> None:
    before = snapshot(xdg)
    assert main(["--install-desktop"]) == 0
    written = [Path(line.removeprefix("wrote ")) for line in capsys.readouterr().out.splitlines()]
    assert sorted(written) == sorted(desktop_entry.entry_files(xdg))
    assert all(p.is_file() for p in written)
    assert main(["--uninstall-desktop"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(written)
    assert snapshot(xdg) == before


def test_the_entry_starts_this_install_and_names_the_icon(xdg: Path) -> None:
    desktop_entry.install()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(xdg / "applications" / "bdh-studio.desktop")
    section = entry["Desktop Entry"]
    assert shlex.split(section["Exec"]) == desktop_entry.launch_command()
    assert section["Icon"] == "bdh-studio"
    assert (xdg / "icons/hicolor/scalable/apps/bdh-studio.svg").read_bytes().startswith(b"<svg")


def test_the_pngs_are_drawn_at_their_sizes(xdg: Path) -> None:
    desktop_entry.install()
    for size in desktop_entry.PNG_SIZES:
        image = QImage(str(xdg / f"icons/hicolor/{size}x{size}/apps/bdh-studio.png"))
        assert (image.width(), image.height()) == (size, size)
        centre = image.pixelColor(size // 2, size // 2)
        assert centre.alpha() == 255  # drawn, not a transparent square


@pytest.mark.parametrize("argv, line", [
    (["/opt/BDH Studio/bdh-studio"], r'"/opt/BDH Studio/bdh-studio"'),
    (["/usr/bin/python3", "-m", "bdh_studio"], "/usr/bin/python3 -m bdh_studio"),
    (['/home/a "b"/$x\\y/python', "100%"], r'"/home/a \\"b\\"/\\$x\\\\y/python" 100%%'),
])
def test_exec_quotes_as_the_desktop_entry_spec_says(argv: list[str], line: str) -> None:
    assert desktop_entry.exec_line(argv) == line


def test_a_persons_own_entry_and_icon_are_left_and_named_never_replaced(xdg: Path,
                                                                        capsys) -> None:
    """Issue 27 item 4: --install-desktop overwrote them, --uninstall-desktop deleted them."""
    own_entry = xdg / "applications" / "bdh-studio.desktop"
    own_entry.write_text("[Desktop Entry]\nName=My own tweak\n")
    own_icon = xdg / "icons/hicolor/48x48/apps/bdh-studio.png"
    own_icon.parent.mkdir(parents=True)
    own_icon.write_bytes(b"my icon")
    empty = xdg / "icons/hicolor/64x64/apps"  # an empty icon folder that was there before
    empty.mkdir(parents=True)
    before = snapshot(xdg)
    assert main(["--install-desktop"]) == 2
    out, err = capsys.readouterr()
    assert sorted(err.splitlines()) == sorted(
        f"left {p}: not written by bdh-studio's install (or changed since); move it away and "
        f"run --install-desktop again to install ours" for p in (own_entry, own_icon))
    assert own_entry.read_text() == "[Desktop Entry]\nName=My own tweak\n"
    assert own_icon.read_bytes() == b"my icon"
    assert len(out.splitlines()) == len(desktop_entry.entry_files(xdg)) - 2
    assert main(["--uninstall-desktop"]) == 0
    assert snapshot(xdg) == before


def test_a_file_changed_since_the_install_is_left_at_uninstall(xdg: Path, capsys) -> None:
    desktop_entry.install()
    entry = xdg / "applications" / "bdh-studio.desktop"
    entry.write_text(entry.read_text() + "NoDisplay=true\n")  # the person's edit
    assert main(["--uninstall-desktop"]) == 0
    assert f"left {entry}: not written by bdh-studio's install" in capsys.readouterr().err
    assert entry.read_text().endswith("NoDisplay=true\n")
    assert not (xdg / "icons").exists()  # the install made that folder: gone once empty
