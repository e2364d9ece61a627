"""``--install-desktop`` / ``--uninstall-desktop``: the studio in a Linux desktop's launcher.

Installs into the user's XDG data folder (``$XDG_DATA_HOME``, else
``~/.local/share``) the launcher entry ``applications/bdh-studio.desktop`` and
the icon, as SVG under ``icons/hicolor/scalable/apps`` and as PNGs drawn from
it by Qt's SVG renderer for the fixed sizes some panels and docks only read.
The entry starts the install that ran ``--install-desktop`` (its script, or
the bundle's executable), not whichever ``bdh-studio`` is first on the PATH.
Uninstalling removes exactly these files, and the folders they leave empty.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from .. import resources
from ..core.errors import UserError

APP_ID = "bdh-studio"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def data_home() -> Path:
    """``$XDG_DATA_HOME`` when set to an absolute path (the spec ignores others)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def entry_files(home: Path) -> list[Path]:
    """Every file an install writes under ``home``: the entry, the SVG, the PNGs."""
    icons = home / "icons" / "hicolor"
    return ([home / "applications" / f"{APP_ID}.desktop",
             icons / "scalable" / "apps" / f"{APP_ID}.svg"]
            + [icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in PNG_SIZES])


def launch_command() -> list[str]:
    """How this install starts: the bundle, the installed script, or ``python -m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / (APP_ID + (".exe" if os.name == "nt" else ""))
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bdh_studio"]


def exec_line(argv: list[str]) -> str:
    """``argv`` as the value of a desktop entry's Exec key.

    Arguments with reserved characters are double-quoted with ``"`$\\``
    escaped inside; the value is then escaped once more as a string (so each
    backslash doubles again) and ``%`` is doubled (it starts field codes).
    """
    def quote(arg: str) -> str:
        if re.fullmatch(r"[\w@%+=:,./-]+", arg):
            return arg
        return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return " ".join(quote(a) for a in argv).replace("\\", "\\\\").replace("%", "%%")


def desktop_entry() -> str:
    """The bundled entry with Exec pointing at this install."""
    text = (resources.root() / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    return re.sub(r"^Exec=.*$", lambda _: "Exec=" + exec_line(launch_command()), text,
                  flags=re.MULTILINE)


def render_png(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise UserError(f"the icon {svg} is not a valid SVG; reinstall bdh-studio")
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise UserError(f"could not write {out}; check that the folder is writable")


def install(home: Path | None = None) -> list[Path]:
    """Write the entry and the icons; returns the files written."""
    home = home or data_home()
    desktop, svg, *pngs = files = entry_files(home)
    try:
        for path in files:
            path.parent.mkdir(parents=True, exist_ok=True)
        desktop.write_text(desktop_entry(), encoding="utf-8")
        svg.write_bytes(resources.icon().read_bytes())
        for size, png in zip(PNG_SIZES, pngs):
            render_png(svg, size, png)
    except OSError as exc:
        raise UserError(f"could not install the launcher entry: {exc}") from exc
    return files


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what ``install`` writes, and the folders that leaves empty below ``home``."""
    home = home or data_home()
    removed = []
    try:
        for path in entry_files(home):
            if path.is_file():
                path.unlink()
                removed.append(path)
            for folder in path.parents:
                if folder == home or not folder.is_dir() or any(folder.iterdir()):
                    break
                folder.rmdir()
    except OSError as exc:
        raise UserError(f"could not remove the launcher entry: {exc}") from exc
    return removed


def run(remove: bool) -> int:
    """The command-line flags: list what was written or removed."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise UserError("launcher entries are for Linux and BSD desktops (XDG); on macOS and "
                        "Windows start bdh-studio from its folder or a shortcut to it")
    files = uninstall() if remove else install()
    verb = "removed" if remove else "wrote"
    for path in files:
        print(f"{verb} {path}")
    if not files:
        print(f"no launcher entry was installed under {data_home()}")
    return 0
