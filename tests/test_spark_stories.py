"""Tests for storytrace.spark_stories: Spark's story grouping equals ``build_stories``."""

from __future__ import annotations

import random
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="Spark stories need the 'spark' extra")

from storytrace.config import StoriesConfig
from storytrace.records import Match
from storytrace.spark_stories import connected_components, story_members
from storytrace.stories import build_stories, connected_groups

ESTABLISHED = StoriesConfig().established
pytestmark = pytest.mark.spark

RELATIONS = [
    "duplicate",
    "near_duplicate",
    "partial_reuse",
    "rewrite",
    "translation",
    "same_story",
    "unrelated",
]


def _groups(rows: list[Any], key: str) -> list[list[str]]:
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r[key], []).append(r["id"])
    for name, members in found.items():
        assert name == min(members)  # a group is named by its smallest member
    return sorted(sorted(g) for g in found.values())


def _random_matches(seed: int, n_ids: int, n_matches: int) -> tuple[list[str], list[Match]]:
    """Matches of every relation, with rewrites and translations on both sides of the
    strong-coverage line, over ids that also form long strong chains and weak bridges
    between established groups."""
    rng = random.Random(seed)
    ids = [f"d{i:04d}" for i in range(n_ids)]
    matches: dict[tuple[str, str], Match] = {}

    def add(a: str, b: str, relation: str, cov: float, sem: float) -> None:
        a, b = min(a, b), max(a, b)
        if a != b:
            matches[(a, b)] = Match(a, b, relation, 0.0, 0.0, 0.0, sem, cov, cov / 2)  # type: ignore[arg-type]

    for _ in range(n_matches):
        a, b = rng.sample(ids, 2)
        add(a, b, rng.choice(RELATIONS), round(rng.random(), 2), round(rng.random(), 3))
    for i in range(100, 140):  # a long chain of copies
        add(ids[i], ids[i + 1], "near_duplicate", 1.0, 0.99)
    for i in range(150, 190, 4):  # weak links between small groups chain until established
        add(ids[i], ids[i + 1], "duplicate", 1.0, 1.0)
        add(ids[i + 1], ids[i + 4], "same_story", 0.1, 0.9)
    for a, b in ((190, 191), (190, 192), (195, 196), (195, 197)):  # two established stories
        add(ids[a], ids[b], "partial_reuse", 1.0, 0.9)
    for a in (190, 191, 192):  # ... that weak links never join
        add(ids[a], ids[196], "same_story", 0.2, 0.95)
    return ids, list(matches.values())


def _frame(spark: Any, matches: list[Match]) -> Any:
    return spark.createDataFrame(
        [(m.a, m.b, m.relation, m.coverage_ab, m.coverage_ba, m.semantic) for m in matches],
        "a string, b string, relation string, coverage_ab double, coverage_ba double, "
        "semantic double",
    )


def test_connected_components_equal_union_find_on_chains_and_random_edges(spark: Any) -> None:
    rng = random.Random(3)
    ids = [f"n{i:03d}" for i in range(400)]
    edges = [(rng.choice(ids), rng.choice(ids)) for _ in range(150)]
    edges += [(ids[i + 1], ids[i]) for i in range(200, 330)]  # a path of 131 nodes
    edges += [(ids[5], ids[5])]  # a self loop is no component
    rows = connected_components(spark.createDataFrame(edges, "a string, b string")).collect()
    want = [g for g in connected_groups(ids, edges) if len(g) > 1]
    assert _groups(rows, "component") == want
    assert max(len(g) for g in want) >= 131


def test_distributed_story_grouping_equals_build_stories(spark: Any) -> None:
    ids, matches = _random_matches(seed=11, n_ids=300, n_matches=420)
    want = build_stories(ids, matches)
    rows = story_members(_frame(spark, matches), single_task_links=0).collect()
    assert _groups(rows, "story") == want
    # The weak rule did bite: a plain union of every story link groups differently.
    linked = [(m.a, m.b) for m in matches if m.relation != "unrelated"]
    assert want != [g for g in connected_groups(ids, linked) if len(g) > 1]


def test_single_task_grouping_equals_build_stories(spark: Any) -> None:
    ids, matches = _random_matches(seed=5, n_ids=200, n_matches=150)
    rows = story_members(_frame(spark, matches)).collect()
    assert _groups(rows, "story") == build_stories(ids, matches)


def test_weak_links_between_established_stories_never_join_them(spark: Any) -> None:
    left = [f"l{i}" for i in range(ESTABLISHED)]
    right = [f"r{i}" for i in range(ESTABLISHED)]
    strong = [
        Match(g[0], m, "duplicate", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
        for g in (left, right)
        for m in g[1:]
    ]
    weak = [Match(a, b, "same_story", 0.0, 0.0, 0.0, 0.95, 0.2, 0.2) for a in left for b in right]
    rows = story_members(_frame(spark, strong + weak)).collect()
    assert _groups(rows, "story") == [left, right]
