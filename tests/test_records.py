"""Tests for storytrace.records: Span validation and CleanDoc offset mapping."""

from __future__ import annotations

import dataclasses

import pytest

from storytrace.records import CleanDoc, OffsetRun, Removal, Span

# --- Span -------------------------------------------------------------------------------


def test_span_length_and_empty_span() -> None:
    assert Span(3, 10).length == 7
    assert Span(5, 5).length == 0
    assert Span(0, 0).length == 0


@pytest.mark.parametrize(("start", "end"), [(-1, 4), (5, 4), (-3, -1), (1, 0)])
def test_span_rejects_negative_or_reversed(start: int, end: int) -> None:
    with pytest.raises(ValueError, match=rf"bad span \[{start}, {end}\)"):
        Span(start, end)


def test_span_is_frozen_and_hashable() -> None:
    span = Span(1, 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 2  # type: ignore[misc]
    assert {Span(1, 4), Span(1, 4), Span(2, 4)} == {Span(1, 4), Span(2, 4)}


# --- CleanDoc mapping -------------------------------------------------------------------
#
# Raw text (offsets):   "[ad_1]\nThe pier fell.\nNobody\nwas hurt.\nhttps://x.test/a\n"
# Clean text:           "The pier fell.\nNobody was hurt."
# The ad marker [0, 7) and the URL line are removed; the newline inside
# "Nobody\nwas" becomes a space (it maps to the raw newline).

RAW = "[ad_1]\nThe pier fell.\nNobody\nwas hurt.\nhttps://x.test/a\n"
CLEAN = "The pier fell.\nNobody was hurt."


def _mapped_doc() -> CleanDoc:
    start = RAW.index("The pier")
    url = RAW.index("https://")
    runs = (OffsetRun(clean=0, raw=start, length=url - 1 - start),)
    return CleanDoc(
        id="orsk",
        text=CLEAN,
        removed=(Removal(0, 6, "ad marker"), Removal(url, url + 16, "url")),
        runs=runs,
        sentences=(Span(0, 14), Span(15, 31)),
        paragraphs=(Span(0, 14), Span(15, 31)),
        lang="en",
        raw_length=len(RAW),
    )


def _multi_run_doc() -> tuple[str, CleanDoc]:
    # Raw "AAA--BBB~~CC" keeps AAA, BBB, CC: three runs separated by deletions.
    raw = "AAA--BBB~~CC"
    runs = (OffsetRun(0, 0, 3), OffsetRun(3, 5, 3), OffsetRun(6, 10, 2))
    doc = CleanDoc(
        id="m",
        text="AAABBBCC",
        removed=(Removal(3, 5, "x"), Removal(8, 10, "y")),
        runs=runs,
        sentences=(),
        paragraphs=(),
        lang="und",
        raw_length=len(raw),
    )
    return raw, doc


def test_fixture_is_consistent() -> None:
    doc = _mapped_doc()
    run = doc.runs[0]
    raw_piece = RAW[run.raw : run.raw + run.length]
    assert raw_piece.replace("\n", " ") == CLEAN.replace("\n", " ")


def test_to_raw_every_clean_character() -> None:
    doc = _mapped_doc()
    for pos, ch in enumerate(doc.text):
        raw_ch = RAW[doc.to_raw(pos)]
        assert raw_ch == ch or (ch == " " and raw_ch == "\n"), pos


def test_to_raw_across_several_runs() -> None:
    raw, doc = _multi_run_doc()
    assert [doc.to_raw(i) for i in range(len(doc.text))] == [0, 1, 2, 5, 6, 7, 10, 11]
    assert "".join(raw[doc.to_raw(i)] for i in range(len(doc.text))) == doc.text


def test_to_raw_run_boundaries_map_to_run_start() -> None:
    _, doc = _multi_run_doc()
    for run in doc.runs:
        assert doc.to_raw(run.clean) == run.raw
        assert doc.to_raw(run.clean + run.length - 1) == run.raw + run.length - 1


def test_to_raw_end_position_maps_after_last_kept_character() -> None:
    doc = _mapped_doc()
    # The trailing URL is removed, so the end of the clean text maps to the end of "hurt.",
    # not to the raw length.
    expected = RAW.index("hurt.") + len("hurt.")
    assert doc.to_raw(len(doc.text)) == expected
    assert doc.to_raw(len(doc.text) + 5) == expected
    _, multi = _multi_run_doc()
    assert multi.to_raw(len(multi.text)) == 12


def test_to_raw_without_runs_maps_to_raw_length() -> None:
    doc = CleanDoc(
        id="empty",
        text="",
        removed=(Removal(0, 9, "ad marker"),),
        runs=(),
        sentences=(),
        paragraphs=(),
        lang="und",
        raw_length=9,
    )
    assert doc.to_raw(0) == 9
    assert doc.raw_span(Span(0, 0)) == Span(9, 9)


def test_raw_span_of_sentences() -> None:
    doc = _mapped_doc()
    first = doc.raw_span(doc.sentences[0])
    assert RAW[first.start : first.end] == "The pier fell."
    second = doc.raw_span(doc.sentences[1])
    assert RAW[second.start : second.end] == "Nobody\nwas hurt."
    assert doc.sentence_texts() == ["The pier fell.", "Nobody was hurt."]


def test_raw_span_end_maps_from_last_character() -> None:
    raw, doc = _multi_run_doc()
    # Clean "AAA" ends exactly where a deletion begins: the raw end stays at 3, not 5.
    assert doc.raw_span(Span(0, 3)) == Span(0, 3)
    # A span crossing a deletion covers it in raw offsets.
    assert doc.raw_span(Span(2, 4)) == Span(2, 6)
    assert raw[2:6] == "A--B"
    # The whole text.
    assert doc.raw_span(Span(0, 8)) == Span(0, 12)


def test_raw_span_of_empty_span() -> None:
    _, doc = _multi_run_doc()
    assert doc.raw_span(Span(3, 3)) == Span(5, 5)
    assert doc.raw_span(Span(8, 8)) == Span(12, 12)


def test_clean_doc_is_frozen() -> None:
    doc = _mapped_doc()
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "changed"  # type: ignore[misc]
