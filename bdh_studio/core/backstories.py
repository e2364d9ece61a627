"""Backstory CSVs in the KDSH 2026 Track B format, checked row by row.

A row that cannot be used is never dropped in silence: it goes into
``BackstorySet.problems`` with its id and what to do, and the caller shows
the list.  Book names match book files and checkpoints by a normalised name,
since the public data spells one title in another case than its file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from .errors import UserError

LABELS = ("consistent", "contradict")
# The csv module refuses a cell over 131,072 bytes; a backstory may quote a chapter.  2**31 - 1
# is the most its limit takes everywhere (a C long on Windows).
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
COLUMNS = ("id", "book_name", "char", "caption", "content")


class BackstoryError(UserError):
    """A CSV that cannot be used at all; the message says how to fix it."""


def normalise(name: str) -> str:
    """Case, punctuation and a .txt/.pt extension ignored: the key a book is matched by."""
    name = re.sub(r"\.(txt|pt)$", "", name.strip(), flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^\w]+", " ", name.lower()).split())


@dataclass(frozen=True)
class Backstory:
    id: str
    book_name: str
    char: str
    caption: str
    content: str
    label: str | None = None

    @property
    def book_key(self) -> str:
        return normalise(self.book_name)

    def text(self) -> str:
        """What the models read: the backstory as it would sit in the novel."""
        return self.content


@dataclass(frozen=True)
class RowProblem:
    """Why a row was left out: ``reason`` is shared by the rows left out alike (so a window
    can say "46 rows left out: book 'X' matches no book model"), ``detail`` is this row's
    particulars and what to do."""

    id: str
    line: int
    reason: str
    detail: str

    @property
    def message(self) -> str:
        return self.reason + self.detail

    def __str__(self) -> str:
        return f"row id {self.id} (line {self.line}): {self.message}"


@dataclass
class BackstorySet:
    path: Path
    rows: list[Backstory] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.rows]

    def summary(self) -> str:
        text = f"{self.path.name}: {len(self.rows)} usable row(s)"
        if self.problems:
            text += f", {len(self.problems)} left out:\n" + "\n".join(f"  {p}" for p in
                                                                      self.problems)
        return text


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except FileNotFoundError:
        raise BackstoryError(f"{path}: no such file") from None
    except OSError as exc:
        raise BackstoryError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise BackstoryError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise BackstoryError(f"{path}: not a readable CSV ({exc})") from None
    return header, rows


def is_labelled(path: str | Path) -> bool:
    """Whether a CSV has a label column: a train file, else a test file (for dropped files)."""
    return "label" in _read_rows(Path(path))[0]


def read(path: str | Path, labelled: bool, books: Iterable[str] | None = None,
         unusable: Mapping[str, str] | None = None) -> BackstorySet:
    """Read and check a train (``labelled``) or test CSV.

    ``books`` are the names of the available book models; rows whose
    book_name matches none of them are listed as problems, with why its file
    is not a model where ``unusable`` (normalised name -> why) has it.
    """
    path = Path(path)
    header, raw = _read_rows(path)
    needed = COLUMNS + (("label",) if labelled else ())
    missing = [c for c in needed if c not in header]
    if missing:
        raise BackstoryError(f"{path.name}: missing column(s) {', '.join(missing)}; the header "
                             f"must be {','.join(needed)}")
    known = {normalise(b): b for b in books} if books is not None else None
    result, first_line = BackstorySet(path), {}
    for line, row in raw:
        values = {k: (row.get(k) or "").strip() for k in needed}
        problem = _problem(values, line, first_line, labelled, known, unusable or {})
        if problem:
            result.problems.append(RowProblem(values["id"] or "?", line, *problem))
            continue
        first_line[values["id"]] = line
        label = values["label"].lower() if labelled else None
        result.rows.append(Backstory(values["id"], values["book_name"], values["char"],
                                     values["caption"], values["content"], label))
    if not result.rows:
        detail = f": {result.problems[0]}" if result.problems else ""
        raise BackstoryError(f"{path.name}: no usable rows{detail}")
    return result


def _problem(values: dict, line: int, first_line: dict, labelled: bool,
             known: dict | None, unusable: Mapping[str, str]) -> tuple[str, str] | None:
    """The reason a row cannot be used and its details, or None when it can."""
    if not values["id"]:
        return "no id", "; give every row a unique id"
    if values["id"] in first_line:
        return "duplicate id", f" (also on line {first_line[values['id']]}); ids must be unique"
    if not values["content"]:
        return "empty content", "; write the backstory in the content column or remove the row"
    if labelled and values["label"].lower() not in LABELS:
        shown = values["label"] or "(empty)"
        return (f"label {shown!r} is neither consistent nor contradict",
                "; correct it to one of them")
    if known is not None and normalise(values["book_name"]) in unusable:
        return f"book {values['book_name']!r}: {unusable[normalise(values['book_name'])]}", ""
    if known is not None and normalise(values["book_name"]) not in known:
        have = ", ".join(sorted(known.values())) or "none"
        return (f"book {values['book_name']!r} matches no book model",
                f" (have: {have}); train a model for that book or correct the name")
    return None
