"""Tests for storytrace.stories: connected groups, story building and story ids."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from storytrace.records import Match
from storytrace.stories import (
    LINKING_RELATIONS,
    build_stories,
    connected_groups,
    is_strong,
    story_id,
)

IDS = ["d07", "d01", "d05", "d03", "d02", "d09", "d04", "d06", "d08"]
LINKS = [("d05", "d01"), ("d03", "d05"), ("d02", "d04"), ("d09", "d08"), ("d08", "d06")]
EXPECTED = [["d01", "d03", "d05"], ["d02", "d04"], ["d06", "d08", "d09"], ["d07"]]


def _match(a: str, b: str, relation: str) -> Match:
    return Match(
        a=a,
        b=b,
        relation=relation,  # type: ignore[arg-type]
        jaccard=0.0,
        containment_ab=0.0,
        containment_ba=0.0,
        semantic=0.0,
        coverage_ab=0.0,
        coverage_ba=0.0,
    )


# --- connected_groups -------------------------------------------------------------------------


def test_connected_groups_components() -> None:
    assert connected_groups(IDS, LINKS) == EXPECTED


@pytest.mark.parametrize("seed", range(8))
def test_connected_groups_independent_of_input_order(seed: int) -> None:
    rng = random.Random(seed)
    ids, links = (
        list(IDS),
        [tuple(reversed(link)) if rng.random() < 0.5 else link for link in LINKS],
    )
    rng.shuffle(ids)
    rng.shuffle(links)
    assert connected_groups(ids, links) == EXPECTED  # type: ignore[arg-type]


def test_connected_groups_long_chain_and_duplicates() -> None:
    ids = [f"n{i:03d}" for i in range(200)]
    links = [(ids[i + 1], ids[i]) for i in range(199)] + [(ids[0], ids[199]), (ids[5], ids[5])]
    groups = connected_groups(reversed(ids), links)
    assert groups == [ids]


def test_connected_groups_ignores_links_to_unknown_ids() -> None:
    groups = connected_groups(["a", "b"], [("a", "zz"), ("zz", "b")])
    assert groups == [["a"], ["b"]]


def test_connected_groups_empty() -> None:
    assert connected_groups([], []) == []


# --- build_stories ----------------------------------------------------------------------------


def test_build_stories_links_story_relations_only() -> None:
    ids = ["a", "b", "c", "d", "e", "f", "g"]
    matches = [
        _match("a", "b", "near_duplicate"),
        _match("b", "c", "translation"),
        _match("c", "d", "unrelated"),  # does not join d to a-b-c
        _match("e", "f", "same_story"),
        _match("d", "g", "unrelated"),
    ]
    assert build_stories(ids, matches) == [["a", "b", "c"], ["e", "f"]]


def test_build_stories_drops_singletons() -> None:
    assert build_stories(["a", "b", "c"], [_match("a", "b", "unrelated")]) == []
    assert build_stories(["a", "b", "c"], []) == []


@pytest.mark.parametrize("relation", sorted(LINKING_RELATIONS))
def test_every_linking_relation_links(relation: str) -> None:
    assert build_stories(["x", "y"], [_match("x", "y", relation)]) == [["x", "y"]]


def test_linking_relations() -> None:
    assert "unrelated" not in LINKING_RELATIONS
    assert {"duplicate", "near_duplicate", "partial_reuse", "rewrite", "translation"} < (
        LINKING_RELATIONS
    )


def test_build_stories_independent_of_match_order() -> None:
    ids = ["p", "q", "r", "s", "t"]
    matches = [
        _match("p", "q", "rewrite"),
        _match("r", "s", "duplicate"),
        _match("q", "s", "partial_reuse"),
        _match("s", "t", "unrelated"),
    ]
    expected = [["p", "q", "r", "s"]]
    assert build_stories(ids, matches) == expected
    assert build_stories(list(reversed(ids)), list(reversed(matches))) == expected


# --- story_id ---------------------------------------------------------------------------------

CONTENT = {"a": "9f00aa", "b": "1c22bb", "c": "55ddcc"}


def test_story_id_format() -> None:
    sid = story_id(["a", "b", "c"], CONTENT)
    assert re.fullmatch(r"story-[0-9a-f]{12}", sid)


def test_story_id_stable_under_member_order() -> None:
    ids = {
        story_id(order, CONTENT) for order in (["a", "b", "c"], ["c", "a", "b"], ("b", "c", "a"))
    }
    assert len(ids) == 1


def test_story_id_depends_on_content_ids_not_member_names() -> None:
    base = story_id(["a", "b", "c"], CONTENT)
    renamed = story_id(["x", "y", "z"], {"x": "9f00aa", "y": "1c22bb", "z": "55ddcc"})
    assert renamed == base
    changed = story_id(["a", "b", "c"], {**CONTENT, "b": "0a0a0a"})  # a new smallest hash
    assert changed != base


def test_story_id_stable_when_a_later_member_joins() -> None:
    """A member whose content hash is not the smallest does not change the id."""
    base = story_id(["a", "b"], CONTENT)
    assert story_id(["a", "b", "c"], CONTENT) == base


def test_story_id_differs_between_stories() -> None:
    assert story_id(["a"], CONTENT) != story_id(["b"], CONTENT)


def test_story_id_requires_content_ids() -> None:
    with pytest.raises(KeyError):
        story_id(["a", "missing"], CONTENT)


def _scored(a: str, b: str, relation: str, coverage: float, semantic: float = 0.8) -> Match:
    return Match(
        a=a,
        b=b,
        relation=relation,  # type: ignore[arg-type]
        jaccard=0.0,
        containment_ab=0.0,
        containment_ba=0.0,
        semantic=semantic,
        coverage_ab=coverage,
        coverage_ba=coverage,
    )


def test_is_strong() -> None:
    assert is_strong(_scored("a", "b", "near_duplicate", 0.0))
    assert is_strong(_scored("a", "b", "translation", 0.8))
    assert not is_strong(_scored("a", "b", "translation", 0.3))
    assert not is_strong(_scored("a", "b", "same_story", 1.0))


def test_weak_links_do_not_merge_two_established_stories() -> None:
    """Two stories of three versions each (strong links inside), linked by same-event
    matches between every pair across: independent reports, kept apart."""
    left, right = ["l1", "l2", "l3"], ["r1", "r2", "r3"]
    matches = [_scored(a, b, "translation", 0.9) for a, b in (("l1", "l2"), ("l2", "l3"))]
    matches += [_scored(a, b, "rewrite", 0.95) for a, b in (("r1", "r2"), ("r1", "r3"))]
    matches += [_scored(a, b, "same_story", 0.4, 0.9) for a in left for b in right]
    assert build_stories(left + right, matches) == [left, right]
    # A strong link between them does merge them.
    merged = build_stories(left + right, [*matches, _scored("l3", "r1", "rewrite", 0.9)])
    assert merged == [sorted(left + right)]


def test_weak_links_attach_small_groups_and_single_versions() -> None:
    """A lone version and a twin pair join an established story through same-event links."""
    story = ["s1", "s2", "s3"]
    matches = [_scored("s1", "s2", "near_duplicate", 1.0), _scored("s2", "s3", "rewrite", 0.9)]
    matches += [
        _scored("s1", "x", "same_story", 0.1, 0.9),
        _scored("t1", "t2", "duplicate", 1.0),
        _scored("t1", "s3", "translation", 0.3),
    ]
    ids = [*story, "x", "t1", "t2"]
    assert build_stories(ids, matches) == [sorted(ids)]


def test_weak_chain_refuses_the_second_established_group() -> None:
    """Three established groups chained by weak links: the first weak link merges nothing."""
    groups = [[f"{g}{i}" for i in range(3)] for g in "abc"]
    matches = [_scored(g[i], g[i + 1], "near_duplicate", 1.0) for g in groups for i in range(2)]
    matches += [_scored("a0", "b0", "same_story", 0.2, 0.9), _scored("b1", "c1", "same_story", 0.2)]
    assert build_stories([m for g in groups for m in g], matches) == groups


def test_the_story_settings_decide_what_joins() -> None:
    """``Config.stories``: two groups of three joined by a same-event link stay apart at
    the default ``established`` (3) and join when groups count as small up to four; a
    translation covering half of one side is weak by default and strong at a coverage
    threshold of 0.5."""
    from dataclasses import replace

    from storytrace.config import StoriesConfig

    left, right = ["l0", "l1", "l2"], ["r0", "r1", "r2"]
    matches = [_match(a, b, "duplicate") for g in (left, right) for a, b in itertools.pairwise(g)]
    matches.append(_match("l0", "r0", "same_story"))
    ids = left + right
    assert build_stories(ids, matches) == [left, right]
    assert build_stories(ids, matches, StoriesConfig(established=4)) == [left + right]
    half = replace(_match("a", "b", "translation"), coverage_ab=0.5)
    assert not is_strong(half)
    assert is_strong(half, StoriesConfig(strong_coverage=0.5))
