"""Tests for storytrace.reuse: how much of a version is traceable to another."""

from __future__ import annotations

import pytest

from storytrace.clean import clean
from storytrace.config import ReuseConfig
from storytrace.records import Document, Match, Span
from storytrace.reuse import Reuse, content_share, degree, measure_reuse
from storytrace.text import content_id

MIN_REUSE, WHOLLY = ReuseConfig().min_share, ReuseConfig().wholly

WIRE = """Kaelland's parliament approved a 412 million euro repair of the Harvik Dam on Tuesday, ending a year of argument over who should pay for the cracked concrete wall.

The dam, built in 1961 on the river Vessa, holds back the largest reservoir in the north of the country and supplies power to about 90,000 homes.

Engineers found a crack running along the base of the wall last spring, and the energy ministry lowered the water level by four metres as a precaution.

About 1,240 residents of the village of Lunde, below the dam, will be moved to temporary housing while the work is carried out, the ministry said.

The repair is expected to take three years. Vessakraft, the state utility that runs the dam, will pay a third of the cost and the state the rest.
"""

PAPER = """Lunde families face three years away from home as dam repair is approved

Families in the village of Lunde learned on Tuesday that they will spend up to three years in temporary homes while the Harvik Dam is repaired.

About 1,240 residents of the village of Lunde, below the dam, will be moved to temporary housing while the work is carried out, the ministry said.

Engineers found a crack running along the base of the wall last spring, and the energy ministry lowered the water level by four metres as a precaution.

"We were told nothing until this morning," said Marit Olsen, who runs the village shop. The council will hold a meeting for residents on Thursday evening.
"""

OTHER = """A night train between Arvik and the capital will run again from May, the rail operator said, after a two-year pause caused by a shortage of sleeping cars.

The operator bought twelve used carriages abroad and refitted them in its own workshop in Sondby.

Tickets go on sale next week. A single berth will cost 89 euros, a private compartment 190 euros.
"""


def _doc(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, doc_id=content_id(text), text=text, input="test")


def _match(
    a: str, b: str, c_ab: float = 0.0, c_ba: float = 0.0, cov_ab: float = 0.0, cov_ba: float = 0.0
) -> Match:
    return Match(a, b, "rewrite", 0.0, c_ab, c_ba, 0.5, cov_ab, cov_ba)


def test_content_share_counts_letters_and_digits_once() -> None:
    text = "ab, cd. ef!"
    assert content_share(text, [Span(0, 2)]) == pytest.approx(2 / 6)
    assert content_share(text, [Span(0, 6), Span(3, 11)]) == pytest.approx(1.0)
    assert content_share("...", [Span(0, 3)]) == 0.0


def test_content_share_counts_characters_of_any_script_and_clips_spans() -> None:
    # Letters with diacritics, Cyrillic, CJK and digits count; punctuation, spaces, an
    # underscore and an emoji do not; a span past the end is clipped to the text.
    text = "Čech_ Москва 北京 42! 🙂"
    letters = sum(1 for ch in text if ch.isalnum())
    assert letters == 14
    assert content_share(text, [Span(0, 5)]) == pytest.approx(4 / 14)
    assert content_share(text, [Span(6, 12), Span(10, 400)]) == pytest.approx(10 / 14)
    assert content_share(text, [Span(30, 40)]) == 0.0


def test_a_paper_built_from_two_wire_paragraphs_is_partially_derived() -> None:
    paper, wire = clean(_doc("a-paper", PAPER)), clean(_doc("b-wire", WIRE))
    r = measure_reuse(paper, wire, _match("a-paper", "b-wire"), cross_lingual=False)
    assert r.method == "lexical" and r.passages
    share = r.share_of("a-paper")
    assert MIN_REUSE <= share < WHOLLY  # two of its five paragraphs come from the wire
    assert degree(share) == "partially"
    assert r.share_of("b-wire") < share + 0.2
    assert "traceable to b-wire" in r.describe("b-wire", "a-paper")


def test_unrelated_texts_share_nothing() -> None:
    a, b = clean(_doc("a", OTHER)), clean(_doc("b", WIRE))
    r = measure_reuse(a, b, _match("a", "b"), cross_lingual=False)
    assert r.method == "none" and r.share_a == r.share_b == 0.0


def test_short_copies_count_their_shared_five_grams() -> None:
    """The aligner needs a few sentences; a short copy still counts by its containment."""
    a, b = (
        clean(_doc("a", "The dam will be repaired.")),
        clean(_doc("b", "The dam will be repaired soon.")),
    )
    r = measure_reuse(a, b, _match("a", "b", c_ab=1.0, c_ba=0.5), cross_lingual=False)
    assert (r.share_a, r.share_b, r.method) == (1.0, 0.5, "lexical")


def test_across_languages_the_sentence_coverage_counts_and_the_aligner_is_not_run() -> None:
    a, b = clean(_doc("a", WIRE)), clean(_doc("b", PAPER))
    r = measure_reuse(a, b, _match("a", "b", cov_ab=0.8, cov_ba=0.6), cross_lingual=True)
    assert (r.share_a, r.share_b, r.method, r.passages) == (0.8, 0.6, "cross-lingual", ())


def test_the_match_must_be_for_the_same_pair() -> None:
    a, b = clean(_doc("a", WIRE)), clean(_doc("b", PAPER))
    with pytest.raises(ValueError, match="match is for"):
        measure_reuse(b, a, _match("a", "b"), cross_lingual=False)


def test_degree() -> None:
    assert degree(WHOLLY) == "wholly" and degree(WHOLLY - 0.01) == "partially"
    assert Reuse("a", "b", 0.2, 0.7, "lexical").share_of("b") == 0.7
