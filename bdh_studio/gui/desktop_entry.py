"""``--install-desktop`` / ``--uninstall-desktop``: the studio in a Linux desktop's launcher.

Installs into the user's XDG data folder (``$XDG_DATA_HOME``, else
``~/.local/share``) the launcher entry ``applications/bdh-studio.desktop`` and
the icon, as SVG under ``icons/hicolor/scalable/apps`` and as PNGs drawn from
it by Qt's SVG renderer for the fixed sizes some panels and docks only read.
The entry starts the install that ran ``--install-desktop`` (its script, or
the bundle's executable), not whichever ``bdh-studio`` is first on the PATH.

A record (``bdh-studio/desktop-install.json`` in the data folder) keeps the
sha256 of every file the install wrote and the folders it made.  Only those
files are ever replaced or removed, and only while their bytes are the ones
written (or the ones an install would write now); a person's own entry or
icon, or one changed since, is left and named.  Uninstalling removes the
folders the install made once they are empty, never one that was there before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from .. import resources
from ..core.atomic import missing_folders, remove_folders, write_whole
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


def render_png(svg: Path, size: int) -> bytes:
    """The icon drawn at ``size`` pixels square, as PNG bytes."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise UserError(f"the icon {svg} is not a valid SVG; reinstall bdh-studio")
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def planned(home: Path) -> dict[Path, bytes]:
    """Every file an install writes under ``home``, with its bytes."""
    desktop, svg, *pngs = entry_files(home)
    icon = resources.icon()
    return {desktop: desktop_entry().encode("utf-8"), svg: icon.read_bytes(),
            **{png: render_png(icon, size) for size, png in zip(PNG_SIZES, pngs)}}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_path(home: Path) -> Path:
    return home / APP_ID / "desktop-install.json"


def read_record(home: Path) -> dict:
    """What earlier installs wrote: {"files": {path: sha256}, "folders": [path, ...]}."""
    try:
        record = json.loads(record_path(home).read_text(encoding="utf-8"))
        return {"files": dict(record["files"]), "folders": list(record["folders"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"files": {}, "folders": []}


def ours(path: Path, record: dict, data: bytes | None) -> bool:
    """Whether ``path`` holds what an install wrote there (recorded, or as it would write now)."""
    digest = sha256(path.read_bytes())
    return digest == record["files"].get(str(path)) or (data is not None and digest == sha256(data))


def install(home: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Write the entry and the icons; returns the files written and those left as they were."""
    home = home or data_home()
    record, written, left = read_record(home), [], []
    try:
        for path, data in planned(home).items():
            if path.exists() and not ours(path, record, data):
                left.append(path)
                continue
            record["folders"] += map(str, missing_folders(path.parent))
            write_whole(path, lambda tmp: tmp.write_bytes(data), make_folders=True)
            record["files"][str(path)] = sha256(data)
            written.append(path)
        record["folders"] += map(str, missing_folders(record_path(home).parent))
        text = json.dumps(record, indent=2) + "\n"
        write_whole(record_path(home), lambda tmp: tmp.write_text(text, encoding="utf-8"),
                    make_folders=True)
    except OSError as exc:
        raise UserError(f"could not install the launcher entry: {exc}") from exc
    return written, left


def uninstall(home: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Remove what ``install`` wrote, and the folders it made once empty; returns the files
    removed and those left (a person's own, or changed since the install)."""
    home = home or data_home()
    record, removed, left = read_record(home), [], []
    now = planned(home)
    try:
        for path in dict.fromkeys([*now, *map(Path, record["files"])]):
            if not path.is_file():
                continue
            if ours(path, record, now.get(path)):
                path.unlink()
                removed.append(path)
            else:
                left.append(path)
        with contextlib.suppress(FileNotFoundError):
            record_path(home).unlink()
    except OSError as exc:
        raise UserError(f"could not remove the launcher entry: {exc}") from exc
    remove_folders(sorted(map(Path, set(record["folders"])), key=lambda p: len(p.parts)))
    return removed, left


def run(remove: bool) -> int:
    """The command-line flags: list what was written or removed, and what was left and why.

    Exit 2 when an install left a file of someone else's where its own would go.
    """
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise UserError("launcher entries are for Linux and BSD desktops (XDG); on macOS and "
                        "Windows start bdh-studio from its folder or a shortcut to it")
    files, left = uninstall() if remove else install()
    verb = "removed" if remove else "wrote"
    for path in files:
        print(f"{verb} {path}")
    for path in left:
        print(f"left {path}: not written by bdh-studio's install (or changed since); "
              + ("remove it yourself if you do not want it" if remove else
                 "move it away and run --install-desktop again to install ours"),
              file=sys.stderr)
    if not files and not left:
        print(f"no launcher entry was installed under {data_home()}")
    return 2 if left and not remove else 0
