"""One codec per record: plain form and back, unchanged, in report.json's documented shapes."""

from __future__ import annotations

import json

import pytest

from storytrace import codec
from storytrace.records import (
    AlignedSentence,
    Alignment,
    Attribution,
    Change,
    LineageEdge,
    Match,
    Passage,
    Removal,
    Span,
    Story,
    UndirectedLink,
)

EDGE = LineageEdge(
    parent="wire.txt",
    child="paper.txt",
    relation="rewrite",
    confidence=0.81,
    evidence=("published 3 h later", "credits Nordwire"),
    changes=(
        Change("number", Span(10, 12), Span(14, 16), "12", "21", "number changed"),
        Change("added", None, Span(40, 90), "", "A new paragraph."),
    ),
    reuse=0.62,
    degree="wholly",
    method="lexical",
    credited=("Nordwire",),
)
STORY = Story(
    id="s-1",
    members=("paper.txt", "twin.txt", "wire.txt"),
    origins=("wire.txt",),
    edges=(EDGE,),
    undirected=(UndirectedLink("paper.txt", "twin.txt", 0.4, 0.5, ("same words",)),),
    independent=(),
    removed={"paper.txt": (Removal(0, 9, "unique to this version: a label"),)},
    attributions={"paper.txt": (Attribution("Nordwire", Span(20, 38), "reported"),)},
)
ALIGNMENT = Alignment(
    a="wire.txt",
    b="paper.txt",
    passages=(Passage(Span(0, 50), Span(5, 60), "edited", 0.91),),
    coverage_a=0.7,
    coverage_b=0.62,
    sentences=(AlignedSentence(Span(0, 20), Span(5, 27), 0.95),),
)


def _json_round(row: codec.Row) -> codec.Row:
    loaded: codec.Row = json.loads(json.dumps(row))
    return loaded


def test_story_with_edges_and_changes_round_trips_through_json() -> None:
    plain = codec.story_to_plain(STORY)
    assert codec.story_from_plain(_json_round(plain)) == STORY
    edge = plain["edges"][0]
    assert edge["changes"][1] == {
        "kind": "added",
        "parent_span": None,
        "child_span": [40, 90],
        "before": "",
        "after": "A new paragraph.",
        "note": "",
    }
    assert plain["attributions"] == {
        "paper.txt": [{"outlet": "Nordwire", "start": 20, "end": 38, "cue": "reported"}]
    }


def test_alignment_names_its_sides_parent_and_child() -> None:
    plain = codec.alignment_to_plain(ALIGNMENT)
    assert set(plain) == {
        "parent",
        "child",
        "coverage_parent",
        "coverage_child",
        "sentences",
        "passages",
    }
    assert plain["passages"] == [
        {"parent": [0, 50], "child": [5, 60], "kind": "edited", "score": 0.91}
    ]
    assert codec.alignment_from_plain(_json_round(plain)) == ALIGNMENT


def test_match_carries_how_it_was_found() -> None:
    m = Match("a", "b", "translation", 0.0, 0.01, 0.02, 0.9, 0.8, 0.85, ("ok",), "semantic")
    plain = codec.match_to_plain(m)
    assert tuple(plain) == codec.MATCH_FIELDS and plain["found_by"] == "semantic"
    assert codec.match_from_plain(_json_round(plain)) == m
    unknown = Match("a", "c", "unrelated", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert codec.match_to_plain(unknown)["found_by"] == ""
    assert codec.match_from_plain(codec.match_to_plain(unknown)) == unknown


def test_a_malformed_body_is_a_clear_error() -> None:
    plain = codec.story_to_plain(STORY)
    plain["members"] = "wire.txt"
    with pytest.raises(ValueError, match="expected a list"):
        codec.story_from_plain(plain)
