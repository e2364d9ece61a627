"""Exporting a run's book models: the one loop the window and any command use."""

from __future__ import annotations

from pathlib import Path

from ..checkpoints import check_export_target, export_model
from ..control import TaskControl
from ..errors import UserError


def export_models(sources: list[Path], folder: str | Path, bare: bool = False,
                  control: TaskControl | None = None, flag: str = "OUT.pt") -> list[Path]:
    """Write each book model into ``folder`` under its own name: whole, or as a bare state_dict.

    Every target is checked before the first is written, so a refused export
    writes nothing (``flag`` is what the refusal calls the target); each source
    is verified as it is read.  ``control`` hears the progress and may cancel
    between models; the models written stay whole.
    """
    folder = Path(folder).expanduser()
    targets = [check_export_target(folder / source.name, sources, flag) for source in sources]
    written: list[Path] = []
    for done, (source, out) in enumerate(zip(sources, targets)):
        if control is not None:
            control.check()
            control.progress(done / len(sources), f"exporting {source.stem}…")
        try:
            export_model(source, out, bare)
        except UserError as exc:
            raise UserError(f"Export stopped after {len(written)} model(s): {exc}") from None
        written.append(out)
    return written
