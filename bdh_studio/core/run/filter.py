"""Which runs to show: regular expressions over a run's name, tags and notes, and its state
and preset.

``loss lr=3e-4 -broken`` keeps the runs that match ``loss`` and ``lr=3e-4``
and none that match ``broken``; terms are separated by spaces (quote a term
that holds one), matched case-insensitively anywhere, with ``^`` and ``$``
anchoring at a name, a tag or a line of the notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import UserError


TERM = re.compile(r'(-?)"([^"]*)"|\S+')  # -"a quoted term" or a run of non-spaces


class Filterable(Protocol):
    name: str
    tags: list[str]
    notes: str
    state: str
    preset: str


@dataclass
class RunFilter:
    include: list[re.Pattern] = field(default_factory=list)
    exclude: list[re.Pattern] = field(default_factory=list)
    states: frozenset[str] = frozenset()  # empty: any state
    presets: frozenset[str] = frozenset()  # empty: any preset

    def matches(self, run: Filterable) -> bool:
        if self.states and run.state not in self.states:
            return False
        if self.presets and run.preset not in self.presets:
            return False
        text = searched_text(run)
        return (all(p.search(text) for p in self.include)
                and not any(p.search(text) for p in self.exclude))

    def select(self, runs: list) -> list:
        return [run for run in runs if self.matches(run)]


def searched_text(run: Filterable) -> str:
    """Name, tags and notes, one per line, so ``^``/``$`` and ``.`` stop at each."""
    return "\n".join([run.name, *run.tags, run.notes])


def parse_filter(text: str = "", states=(), presets=()) -> RunFilter:
    """The filter ``text`` says, or UserError naming the term that is not a regular expression."""
    found = RunFilter(states=frozenset(states), presets=frozenset(presets))
    for match in TERM.finditer(text):
        term = match.group(0)
        excluded = match.group(1) == "-" or (term.startswith("-") and len(term) > 1)
        pattern = match.group(2) if match.group(2) is not None else term[excluded:]
        try:
            compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        except re.error as exc:
            raise UserError(f"filter term {term!r} is not a regular expression ({exc}); "
                            f"put a \\ before a character meant literally") from None
        (found.exclude if excluded else found.include).append(compiled)
    return found
