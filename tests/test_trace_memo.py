"""Tests for storytrace.trace_memo: a story traced with kept pairwise results equals one
traced without them, and a result is taken only where its inputs are unchanged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from storytrace import engine
from storytrace.config import Config
from storytrace.records import Match, Passage, Span
from storytrace.reuse import Reuse
from storytrace.store import Store
from storytrace.trace_memo import (
    TraceMemo,
    clean_key,
    match_from_json,
    match_to_json,
    reuse_from_json,
    reuse_to_json,
)


def _records(db: Any, story: Any) -> tuple[Any, ...]:
    members = list(story.members)
    with Store(db) as store:
        docs = {d.id: d for d in store.documents(members)}
        matches = {(m.a, m.b): m for m in store.matches_among(members)}
        return (
            members,
            docs,
            store.clean_docs(members),
            store.signatures(members),
            matches,
            store.sources(),
            store.config() or Config(),
        )


class _Kept:
    """A memo's store: what earlier traces used, looked up by key."""

    def __init__(self) -> None:
        self.kept: dict[str, str] = {}
        self.asked = 0

    def __call__(self, keys: Sequence[str]) -> Mapping[str, str]:
        self.asked += len(keys)
        return {k: self.kept[k] for k in keys if k in self.kept}


def test_a_story_traced_again_from_kept_results_equals_one_traced_afresh(demo_run: Any) -> None:
    for story in demo_run.records.stories:
        records = _records(demo_run.db_path, story)
        config = records[-1]
        plain = engine.trace_story(*records)
        kept = _Kept()
        first = TraceMemo(kept, config)
        assert engine.trace_story(*records, first) == plain
        assert first.taken == 0 and first.used  # every pair computed, every result kept
        kept.kept.update(first.used)
        again = TraceMemo(kept, config)
        assert engine.trace_story(*records, again) == plain
        assert again.taken == len(first.used) and again.used == first.used
        assert plain[0] == story


def test_a_changed_member_is_computed_again(demo_run: Any) -> None:
    story = demo_run.records.stories[0]
    members, docs, cleaned, sigs, matches, sources, config = _records(demo_run.db_path, story)
    kept = _Kept()
    first = TraceMemo(kept, config)
    engine.trace_story(members, docs, cleaned, sigs, matches, sources, config, first)
    kept.kept.update(first.used)
    edited = dict(cleaned)
    last = members[-1]
    edited[last] = replace(cleaned[last], text=cleaned[last].text.replace("the", "teh", 1))
    assert clean_key(edited[last]) != clean_key(cleaned[last])
    again = TraceMemo(kept, config)
    engine.trace_story(members, docs, edited, sigs, matches, sources, config, again)
    assert 0 < again.taken < len(again.used)  # pairs without the edited member are taken
    other = TraceMemo(kept, Config(sentence_match=config.sentence_match - 0.05))
    engine.trace_story(members, docs, cleaned, sigs, matches, sources, config, other)
    assert other.taken == 0  # other settings: nothing is taken


def test_results_come_back_from_their_kept_form() -> None:
    m = Match("a", "b", "rewrite", 0.25, 0.5, 0.125, 0.875, 0.75, 0.5, ("one", "two"))
    assert match_from_json(match_to_json(replace(m, found_by="lexical"))).found_by == "lexical"
    assert match_from_json(match_to_json(m)) == m
    r = Reuse(
        "a", "b", 0.5, 0.25, "lexical", (Passage(Span(1, 20), Span(3, 22), "edited", 0.8125),)
    )
    assert reuse_from_json(reuse_to_json(r)) == r
