"""The wire-copy set: generator labels and spans, and the scorer on hand-made reports. All
text here is invented for the tests (the real set reads ../shared/eval at run time)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from tests.reports import as_report

from storytrace.eval.wire import (
    AGENCIES,
    Source,
    Style,
    build_items,
    edit_sentence,
    half_of,
    inject_names,
    names,
    score_wire,
    source_from_text,
    split_sentences,
    word_ngrams,
)

# Invented topics: (people and places, nouns, verbs). Each article uses one topic only, so
# articles of different topics share no wording beyond function words.
TOPICS = (
    (("Marta Kellner", "Brookhaven", "the Harbour Board"), ("ferry", "pier", "timetable", "crossing"), ("delay", "suspend", "reroute")),
    (("Daniel Osei", "Ashcombe", "the County Council"), ("library", "archive", "reading room", "budget"), ("close", "renovate", "fund")),
    (("Ines Varga", "Tollport", "the Rail Authority"), ("signal", "platform", "junction", "line"), ("upgrade", "inspect", "replace")),
    (("Petra Lund", "Highmere", "the Water Company"), ("reservoir", "pipeline", "leak", "supply"), ("repair", "ration", "test")),
    (("Colin Abara", "Fenwick", "the Health Trust"), ("clinic", "ward", "vaccine", "waiting list"), ("expand", "staff", "review")),
    (("Rosa Delacroix", "Millbridge", "the Arts Council"), ("theatre", "festival", "gallery", "grant"), ("cancel", "host", "sponsor")),
    (("Victor Hale", "Stonebury", "the Police Federation"), ("patrol", "station", "inquiry", "report"), ("publish", "launch", "extend")),
    (("Amira Haddad", "Westcliff", "the Port Authority"), ("container", "crane", "dock", "strike"), ("resolve", "halt", "negotiate")),
    (("Jonas Berg", "Eastwold", "the Farmers Union"), ("harvest", "price", "subsidy", "drought"), ("cut", "raise", "protect")),
    (("Leona Marsh", "Northam", "the School Board"), ("school", "exam", "teacher", "curriculum"), ("reform", "postpone", "assess")),
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday")


def article(topic: int, seed: int, n: int = 9, other: bool = False) -> str:
    """An invented news article of ``n`` sentences on topic ``topic`` (``other``: in other
    sentence patterns, so that it shares no phrasing with the wire articles)."""
    rng = random.Random(seed)
    people, nouns, verbs = TOPICS[topic]
    lines = []
    for i in range(n):
        who, where = people[i % len(people)], people[(i + 1) % len(people)]
        noun, other_noun = rng.sample(nouns, 2)
        verb = rng.choice(verbs)
        form = i % 3 + (3 if other else 0)
        if form == 3:
            s = f"Residents, speaking to {who} late {DAYS[i % 3]}, doubted whether any {noun} could be ready in {where}."
        elif form == 4:
            s = f"Campaigners in {where} argued against efforts to {verb} every {other_noun}, {who} recalled."
        elif form == 5:
            s = f"Few expected {where} to back a {noun} costing {i + 1} million, but {who} has now done so."
        elif form == 0 and i % 2:
            s = f"{who} said: \u201cThe {noun} in {where} will {verb} the {other_noun} soon.\u201d"
        elif form == 0:
            s = f"Officials from {who} said on {DAYS[i % 3]} that the {noun} in {where} would {verb} the {other_noun} by {2000 + i}."
        elif form == 1:
            s = f"According to {who}, plans to {verb} the {noun} had worried {other_noun} users in {where} for {rng.randint(2, 90)} months."
        else:
            s = f"The {noun} near {where} is expected to {verb} its {other_noun} after {who} approved {10 * (i + 1)} percent more money."
        lines.append(s)
    return "\n".join(" ".join(lines[j : j + 2]) for j in range(0, n, 2))


@pytest.fixture(scope="module")
def pool() -> tuple[list[Source], list[Source]]:
    wires = [source_from_text(f"wire:{t}", article(t, t), title=f"Title {t}") for t in range(3)]
    others = [
        source_from_text(f"other:{t}", article(t, 100 + t, 12, other=True)) for t in range(3, 10)
    ]
    return wires, others


def test_split_sentences_keeps_abbreviations_and_quotes() -> None:
    text = 'Mr. Hale said "it will close." The U.S. delegation left. J. Berg stayed! Then 12 more came.'
    assert split_sentences(text) == [
        'Mr. Hale said "it will close."',
        "The U.S. delegation left.",
        "J. Berg stayed!",
        "Then 12 more came.",
    ]


def test_names_skip_sentence_openers_and_calendar_words() -> None:
    sents = [
        "Marta Kellner met the Harbour Board on Monday in March.",
        "Ferries stopped, Marta Kellner said.",
        "1. Reroute the crossing to Brookhaven.",
    ]
    assert names(sents) == ["Harbour Board", "Marta Kellner", "Brookhaven"]


def test_inject_names_swaps_names_rank_for_rank() -> None:
    out = inject_names(
        ["Rain fell on Highmere, and Highmere flooded near Petra Lund."],
        ["Brookhaven", "Ines Varga"],
    )
    assert out == ["Rain fell on Brookhaven, and Brookhaven flooded near Ines Varga."]


def test_edit_sentence_requotes_and_anglicises() -> None:
    rng = random.Random(0)
    seen = set()
    for _ in range(30):
        new, changed = edit_sentence(
            'Hale said on Monday the "organization" grew 5%.', rng, Style(True, True)
        )
        assert changed and "organisation" in new and "5 per cent" in new and '"' not in new
        seen.add(new)
    assert any("yesterday" in s for s in seen) and any("told reporters" in s for s in seen)


def test_build_labels_spans_and_shares(pool: tuple[list[Source], list[Source]]) -> None:
    wires, others = pool
    items = build_items(wires, others)
    assert items, "no item built"
    labels = {p.label for i in items for p in i.papers}
    assert labels == {"wholly", "partially", "not"}
    assert any(p.shared_quote for i in items for p in i.papers)
    for item in items:
        wire_text = item.text
        wire_grams = word_ngrams(wire_text, 6)
        assert item.agency in AGENCIES
        for paper in item.papers:
            assert all(ord(c) < 0x10000 for c in paper.text)
            if paper.published is not None:
                assert paper.published > item.published  # next morning
            pieces = [paper.text[a:b] for a, b, _ in paper.spans]
            if paper.label == "not":
                assert not paper.spans and paper.reuse == 0.0
                shared = word_ngrams(paper.text, 6) & wire_grams
                if paper.shared_quote:  # the quote is all it shares
                    quoted = [ln for ln in paper.text.splitlines() if "press conference" in ln]
                    assert shared and shared <= word_ngrams(quoted[0], 6)
                else:
                    assert not shared  # no wording shared
                assert any(n in paper.text for n in names(wire_text.splitlines()))
                assert not paper.credited
                continue
            for piece, (_, _, kind) in zip(pieces, paper.spans, strict=True):
                if kind == "verbatim":
                    assert piece in wire_text
                else:  # edited: most of its words are the wire's
                    words = re.findall(r"\w+", piece.lower())
                    assert sum(w in wire_text.lower() for w in words) / len(words) > 0.6
            if paper.label == "wholly":
                assert paper.reuse > 0.6
            else:
                assert 0.1 < paper.reuse < 0.65
            assert (item.agency in paper.text) == paper.credited


def test_build_is_deterministic_and_uses_each_other_text_once(
    pool: tuple[list[Source], list[Source]],
) -> None:
    wires, others = pool
    a, b = build_items(wires, others), build_items(wires, others)
    assert [i.answer() for i in a] == [i.answer() for i in b]
    assert [i.records() for i in a] == [i.records() for i in b]
    used = [p for i in a for p in i.papers if p.label != "wholly"]
    assert len(used) <= len(others)
    ids = [r["id"] for i in a for r in i.records()]
    assert len(ids) == len(set(ids))
    for rec in (r for i in a for r in i.records()):
        assert set(rec) <= {"id", "source", "published", "text"}


def test_halves_are_stable_and_both_used() -> None:
    halves = {half_of(f"k{i}") for i in range(20)}
    assert halves == {"dev", "holdout"}
    assert half_of("k3") == half_of("k3")


def _answers() -> list[dict[str, Any]]:
    return [
        {
            "wire": "W",
            "papers": [
                {
                    "id": "A",
                    "label": "wholly",
                    "spans": [[0, 20, "verbatim"]],
                    "credited": True,
                    "dated": True,
                    "reuse": 0.8,
                },
                {
                    "id": "B",
                    "label": "partially",
                    "spans": [[10, 20, "edited"]],
                    "credited": False,
                    "dated": False,
                    "reuse": 0.3,
                },
                {
                    "id": "C",
                    "label": "not",
                    "spans": [],
                    "credited": False,
                    "dated": True,
                    "reuse": 0.0,
                },
            ],
        }
    ]


TEXTS = {"A": "one two three four five six", "B": "aaa bbb ccc ddd eee fff", "C": "x y z w v u"}


def _report(edges: list[dict[str, Any]], passages: dict[str, list[list[int]]]) -> dict[str, Any]:
    return {
        "stories": [{"id": "s", "members": ["W", "A", "B", "C"], "origins": ["W"], "edges": edges}],
        "alignments": [
            {
                "parent": "W",
                "child": c,
                "passages": [{"child": sp, "parent": [0, 1]} for sp in spans],
            }
            for c, spans in passages.items()
        ],
    }


def test_score_perfect_report() -> None:
    report = _report(
        [
            {"parent": "W", "child": "A", "relation": "copy", "confidence": 0.9},
            {"parent": "W", "child": "B", "relation": "partial_reuse", "confidence": 0.8},
        ],
        {"A": [[0, 20]], "B": [[10, 20]]},
    )
    s = score_wire(as_report(report), _answers(), TEXTS).as_dict()
    assert s["derived_f1"] == 1.0 and s["three_way_macro_f1"] == 1.0
    assert s["token_f1"] == 1.0 and s["parent_accuracy"] == 1.0
    assert s["all_derived_f1"] == pytest.approx(0.8)


def test_score_sibling_parent_and_degree_field() -> None:
    report = _report(
        [
            {
                "parent": "W",
                "child": "A",
                "relation": "partial_reuse",
                "degree": "wholly",
                "confidence": 0.9,
                "reuse": 0.7,
            },
            {
                "parent": "A",
                "child": "B",
                "relation": "rewrite",
                "degree": "partially",
                "confidence": 0.8,
            },
            {
                "parent": "W",
                "child": "C",
                "relation": "rewrite",
                "degree": "partially",
                "confidence": 0.5,
            },
        ],
        {"A": [[0, 7]], "C": [[0, 3]]},
    )
    s = score_wire(as_report(report), _answers(), TEXTS).as_dict()
    assert s["derived_precision"] == pytest.approx(2 / 3, abs=1e-4) and s["derived_recall"] == 1.0
    assert s["per_label_f1"] == {
        "wholly": 1.0,
        "partially": pytest.approx(2 / 3, abs=1e-4),
        "not": 0.0,
    }
    assert s["parent_accuracy"] == 0.5 and s["sibling_parents"] == 1
    assert s["edges_into_not_derived"] == 1
    assert s["reuse_mae"] == pytest.approx(0.1, abs=1e-4)
    assert s["degree_from"] == "degree field"
    # tokens: A's gold is [0, 20) (one two three four five), predicted [0, 7) (one two);
    # B's gold (ddd eee) is missed (no direct alignment); C's "x y" are false.
    assert s["token_precision"] == pytest.approx(2 / 4, abs=1e-4) and s[
        "token_recall"
    ] == pytest.approx(2 / 7, abs=1e-4)


def test_credits_and_origins() -> None:
    answers = _answers()
    answers[0]["agency"] = "Allied Press Service"
    report = _report([{"parent": "A", "child": "W", "relation": "copy", "confidence": 0.9}], {})
    report["stories"][0]["origins"] = ["A"]
    report["stories"][0]["attributions"] = {
        "A": [{"outlet": "Allied Press Service", "cue": "reported", "start": 0, "end": 9}],
        "C": [{"outlet": "allied press service", "cue": "according to", "start": 0, "end": 9}],
    }
    s = score_wire(as_report(report), answers, TEXTS).as_dict()
    assert s["credit_recall"] == 1.0 and s["credit_false"] == 1  # C is not credited
    assert s["wire_origin_accuracy"] == 0.0 and s["wire_stories"] == 1
    report["stories"][0]["origins"] = ["W"]
    assert score_wire(as_report(report), answers, TEXTS).as_dict()["wire_origin_accuracy"] == 1.0


def test_a_reversed_edge_is_not_a_derivation() -> None:
    report = _report([{"parent": "A", "child": "W", "relation": "copy", "confidence": 0.9}], {})
    s = score_wire(as_report(report), _answers(), TEXTS).as_dict()
    assert s["derived_recall"] == 0.0 and s["derived_without_parent"] == 2
    assert s["reversed_edges"] == 1 and s["cross_item_edges"] == 0
    report["stories"][0]["undirected"] = [{"a": "B", "b": "W"}, {"a": "W", "b": "C"}]
    s = score_wire(as_report(report), _answers(), TEXTS).as_dict()
    assert s["undirected_wire_links_derived"] == 1 and s["undirected_wire_links_not_derived"] == 1
    assert s["derived_recall"] == 0.0


def test_edges_between_wire_items_are_counted() -> None:
    answers = [
        *_answers(),
        {
            "wire": "V",
            "papers": [
                {
                    "id": "D",
                    "label": "not",
                    "spans": [],
                    "credited": False,
                    "dated": True,
                    "reuse": 0.0,
                    "shared_quote": True,
                }
            ],
        },
    ]
    report = _report(
        [
            {"parent": "W", "child": "V", "relation": "rewrite", "confidence": 0.6},
            {"parent": "A", "child": "D", "relation": "rewrite", "confidence": 0.6},
            {"parent": "W", "child": "A", "relation": "copy", "confidence": 0.9},
            {"parent": "V", "child": "D", "relation": "rewrite", "confidence": 0.5},
        ],
        {},
    )
    s = score_wire(as_report(report), answers, {**TEXTS, "D": "d"}).as_dict()
    assert s["cross_item_edges"] == 2 and s["reversed_edges"] == 0
    assert s["edges_into_not_derived"] == 2 and s["wires"] == 2
    assert s["not_derived_sharing_a_quote"] == 1
    assert s["not_derived_sharing_a_quote_found_derived"] == 1
