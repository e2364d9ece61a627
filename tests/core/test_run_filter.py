"""The runs filter: regular expressions over name, tags and notes, `-` to exclude, and
state and preset."""

from types import SimpleNamespace

import pytest

from bdh_studio.core.errors import UserError
from bdh_studio.core.run.filter import parse_filter


def run(name, tags=(), notes="", state="finished", preset="tiny"):
    return SimpleNamespace(name=name, tags=list(tags), notes=notes, state=state, preset=preset)


RUNS = [run("alpha lr3e-4", ["baseline"], "looks fine"),
        run("beta lr1e-3", ["sweep", "lr"], "diverged at step 900\nrestarted", state="failed"),
        run("gamma", ["sweep"], "", state="running", preset="cpu"),
        run("Delta", [], "baseline copy")]


def names(text="", states=(), presets=()):
    return [r.name for r in parse_filter(text, states, presets).select(RUNS)]


def test_an_empty_filter_keeps_every_run():
    assert names() == [r.name for r in RUNS]


def test_a_term_is_a_case_insensitive_regex_over_name_tags_and_notes():
    assert names("baseline") == ["alpha lr3e-4", "Delta"]  # a tag, and a note
    assert names("lr\\d") == ["alpha lr3e-4", "beta lr1e-3"]
    assert names("DIVERGED") == ["beta lr1e-3"]
    assert names("^sweep$") == ["beta lr1e-3", "gamma"]  # anchored at a tag


def test_terms_must_all_match_and_a_dash_excludes():
    assert names("sweep -fail|diverged") == ["gamma"]
    assert names("-sweep") == ["alpha lr3e-4", "Delta"]
    assert names("sweep lr") == ["beta lr1e-3"]


def test_a_quoted_term_keeps_its_space():
    assert names('"baseline copy"') == ["Delta"]
    assert names('-"baseline copy"') == ["alpha lr3e-4", "beta lr1e-3", "gamma"]


def test_state_and_preset_narrow_the_runs():
    assert names(states=["failed", "running"]) == ["beta lr1e-3", "gamma"]
    assert names(presets=["cpu"]) == ["gamma"]
    assert names("sweep", presets=["tiny"]) == ["beta lr1e-3"]


def test_a_term_that_is_not_a_regex_is_named():
    with pytest.raises(UserError, match=r"filter term '\(lr' is not a regular expression"):
        parse_filter("(lr")
