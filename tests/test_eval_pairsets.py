"""Scoring labelled pairs in one collection, on hand-made reports."""

from __future__ import annotations

from typing import Any

import pytest
from tests.reports import as_report

from storytrace.eval.pairsets import DERIVED, INDEPENDENT, UNSCORED, LabelledPair, score_pairs

TEXTS = {
    "s1": "alpha beta gamma",
    "c1": "one two three four five six seven eight nine ten",
    "s2": "delta",
    "c2": "red green blue",
    "x": "x",
    "y": "y",
    "u": "u",
    "v": "v",
}
PAIRS = [
    LabelledPair("s1", "c1", DERIVED, "02", ((0, 13),)),  # one two three (3 of 10 tokens)
    LabelledPair("s2", "c2", DERIVED, "02", ((0, 3),)),  # red: 1 of 3 tokens
    LabelledPair("x", "y", INDEPENDENT, "01"),
    LabelledPair("u", "v", UNSCORED, "same story"),
]


def _report(edges: list[dict[str, Any]], langs: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "documents": [{"id": k, "lang": (langs or {}).get(k, "en")} for k in TEXTS],
        "stories": [{"members": list(TEXTS), "edges": edges}],
        "alignments": [
            {"parent": "s1", "child": "c1", "passages": [{"parent": [0, 5], "child": [0, 7]}]}
        ],
    }


def test_directed_linked_false_and_shares() -> None:
    report = _report(
        [
            {"parent": "s1", "child": "c1", "relation": "partial_reuse", "confidence": 0.9},
            {"parent": "c2", "child": "s2", "relation": "copy", "confidence": 0.9},
            {"parent": "y", "child": "x", "relation": "translation", "confidence": 0.9},
            {"parent": "u", "child": "v", "relation": "rewrite", "confidence": 0.5},
        ]
    )
    s = score_pairs(as_report(report), PAIRS, TEXTS)
    assert (s["derived_pairs"], s["independent_pairs"], s["pairs"]) == (2, 1, 4)
    # directed: s1->c1 found, s2->c2 reversed (missed), x<-y false
    assert s["derived_precision"] == 0.5 and s["derived_recall"] == 0.5  # y -> x is false too
    assert s["linked_recall"] == 1.0 and s["linked_precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["false_derivations"] == 1 and s["found_typed_partially"] == 1
    assert s["same_language_translations"] == 1 and s["edges"] == 4
    assert s["groups"]["same story"]["linked"] == 1 and s["groups"]["02"]["directed"] == 1
    # tokens: c1 gold one two three, predicted one two; c2 gold red, nothing predicted
    assert s["token_precision"] == 1.0 and s["token_recall"] == 0.5
    assert s["took_10pct_pairs"] == 2 and s["took_10pct_recall"] == 0.5
    assert s["took_10pct_linked_recall"] == 1.0


def test_without_texts_no_token_scores_and_json_round_trip() -> None:
    s = score_pairs(as_report(_report([])), PAIRS)
    assert "token_f1" not in s and s["false_derivations"] == 0 and s["derived_recall"] == 0.0
    assert [LabelledPair.from_json(p.as_json()) for p in PAIRS] == PAIRS


def test_a_link_without_direction_counts_as_linked_not_directed() -> None:
    report = _report([])
    report["stories"][0]["undirected"] = [
        {"a": "c1", "b": "s1", "reuse_a": 0.3, "reuse_b": 0.9},
        {"a": "x", "b": "y", "reuse_a": 0.1, "reuse_b": 0.1},
    ]
    s = score_pairs(as_report(report), PAIRS, TEXTS)
    assert s["derived_recall"] == 0.0 and s["linked_recall"] == 0.5
    assert s["false_derivations"] == 1 and s["undirected_links"] == 2


def test_false_links_between_texts_that_share_text_are_counted_apart() -> None:
    furniture = "sign up to our newsletter to get the best stories of the week in your inbox"
    texts = {**TEXTS, "x": f"a story on tides. {furniture}", "y": f"a story on bread. {furniture}"}
    report = _report([{"parent": "x", "child": "y", "relation": "copy", "confidence": 0.9}])
    s = score_pairs(as_report(report), PAIRS, texts, tokens_scored=False)
    assert s["false_derivations"] == 1 and s["false_derivations_sharing_text"] == 1
    assert "token_f1" not in s and "took_10pct_pairs" not in s
    s = score_pairs(as_report(report), PAIRS, TEXTS)
    assert s["false_derivations"] == 1 and s["false_derivations_sharing_text"] == 0
