"""Tests for storytrace.textalign: character-level alignment on invented texts."""

from __future__ import annotations

import random

import numpy as np

from storytrace.records import Span
from storytrace.textalign import DEFAULT, TextAlignConfig, align_texts, prepare, split_units, stem

ARTICLE = [
    "Heavy rain flooded the lower town of Vellmark on Tuesday night after the river Aske "
    "burst its banks near the old mill.",
    "Firefighters evacuated more than two hundred residents from houses along Quay Street "
    "and Tanners Lane before midnight.",
    "Most of them spent the night in the gymnasium of the Saint Odile school, where volunteers "
    "served soup and handed out blankets.",
    "The water reached a depth of one metre in some streets and flooded the cellars of the "
    "town hall, where the municipal archives are kept.",
    "Archivists worked through the morning to carry boxes of land registers and parish books "
    "to the upper floors.",
    "Mayor Ingrid Solberg said the damage to the archives was smaller than feared, but that "
    "several shops on the market square would stay closed for weeks.",
    "The regional water authority had warned on Monday that the Aske could rise by two metres "
    "after a week of storms in the hills.",
    "Residents complained that sandbags arrived too late and that the flood barrier promised "
    "after the last flood in 2009 was never built.",
    "The council will hold an emergency meeting on Friday to discuss compensation for shop "
    "owners and the cost of repairs.",
    "Engineers expect the river to fall back below its banks by Thursday if no more rain "
    "comes, and the evacuated residents may then return home.",
]
SOURCE = " ".join(ARTICLE[:5]) + "\n" + " ".join(ARTICLE[5:]) + "\n"

HOST = (
    "The chess club of Dornbach celebrated its centenary with a tournament in the library. "
    "Forty players from six villages took part, the youngest aged nine and the oldest "
    "eighty-four. The winner, a retired postman named Aldo Fenwick, received a carved wooden "
    "board made by a local cabinet maker. "
)
HOST_END = (
    "Next year the club hopes to invite players from across the border. The library has "
    "offered its reading room for weekly evening games through the winter."
)

UNRELATED = (
    "Beekeepers in the Harrow valley report a record honey harvest this summer. Warm nights and "
    "a long flowering season for the lime trees kept the colonies busy until late August. The "
    "valley cooperative will sell the honey at the autumn fair in Ostmere, where a jar will "
    "cost less than last year. Young beekeepers can borrow hives from the cooperative for "
    "their first season and learn from older members at monthly meetings.\n"
)


def _copy_of(sentences: list[str]) -> str:
    return " ".join(sentences)


def test_verbatim_copy_has_exact_spans_on_both_sides() -> None:
    copied = _copy_of(ARTICLE[1:4])
    derived = HOST + copied + " " + HOST_END
    passages = align_texts(SOURCE, derived)
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "verbatim"
    assert derived[p.b.start : p.b.end] == copied
    assert SOURCE[p.a.start : p.a.end] == copied
    assert p.b == Span(len(HOST), len(HOST) + len(copied))


def test_copy_across_a_line_break_in_the_source() -> None:
    copied = _copy_of(ARTICLE[3:7])  # the source breaks the line after sentence 5
    derived = HOST + copied + " " + HOST_END
    passages = align_texts(SOURCE, derived)
    assert len(passages) == 1
    p = passages[0]
    assert p.kind in ("verbatim", "edited")
    assert p.b == Span(len(HOST), len(HOST) + len(copied))
    assert SOURCE[p.a.start : p.a.end].split() == copied.split()


def test_edited_copy_is_found_and_typed_edited() -> None:
    edited = (
        _copy_of(ARTICLE[5:9])
        .replace("smaller than feared", "less than expected")
        .replace("two metres", "three metres")
        .replace("Friday", "Saturday")
    )
    derived = HOST + edited + " " + HOST_END
    passages = align_texts(SOURCE, derived)
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "edited"
    start = SOURCE.index(ARTICLE[5])
    assert abs(p.a.start - start) <= 2
    assert abs(p.b.start - len(HOST)) <= 2
    assert abs(p.b.end - (len(HOST) + len(edited))) <= 2


def test_shuffled_words_still_align() -> None:
    rng = random.Random(7)
    shuffled: list[str] = []
    for sentence in ARTICLE[0:4]:
        tokens = sentence.rstrip(".").split()
        # Swap a few neighbouring words and drop one: a heavy random edit.
        for _ in range(3):
            i = rng.randrange(len(tokens) - 1)
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        del tokens[rng.randrange(len(tokens))]
        shuffled.append(" ".join(tokens) + ".")
    obfuscated = " ".join(shuffled)
    derived = HOST + obfuscated + " " + HOST_END
    passages = align_texts(SOURCE, derived)
    assert len(passages) == 1
    p = passages[0]
    assert p.kind in ("edited", "paraphrase")
    assert p.b.start <= len(HOST) + 5
    assert p.b.end >= len(HOST) + len(obfuscated) - 5
    assert p.a.start == 0


SUMMARY = (
    "The river Aske flooded the lower town of Vellmark, and two hundred residents were "
    "evacuated to a school. Archivists saved the land registers from the flooded town hall "
    "cellars. Residents say the flood barrier promised in 2009 was never built, and the "
    "council will discuss compensation for shop owners on Friday."
)


def test_summary_paragraph_spans_the_whole_source() -> None:
    derived = HOST + "\n" + SUMMARY + "\n" + HOST_END + "\n"
    passages = align_texts(SOURCE, derived)
    summaries = [p for p in passages if p.kind == "summary"]
    assert len(summaries) == 1
    p = summaries[0]
    assert p.a == Span(0, len(SOURCE))
    start = derived.index(SUMMARY)
    assert p.b == Span(start, start + len(SUMMARY))


def test_summary_needs_a_paragraph_of_its_own() -> None:
    # The same sentences inside a long paragraph of other text are not a summary.
    derived = HOST + SUMMARY + " " + HOST_END + " " + UNRELATED.replace("\n", " ") + "\n"
    assert all(p.kind != "summary" for p in align_texts(SOURCE, derived))


def test_unrelated_texts_align_nothing() -> None:
    assert align_texts(SOURCE, HOST + HOST_END) == ()
    assert align_texts(SOURCE, UNRELATED) == ()


def test_empty_texts() -> None:
    assert align_texts("", SOURCE) == ()
    assert align_texts(SOURCE, "") == ()
    assert align_texts("   \n\n", "...") == ()


def test_prepared_texts_give_the_same_answer() -> None:
    derived = HOST + _copy_of(ARTICLE[1:4]) + " " + HOST_END
    assert align_texts(prepare(SOURCE), prepare(derived)) == align_texts(SOURCE, derived)


def test_a_copying_pair_drops_loose_topic_matches() -> None:
    # One passage is copied word for word; elsewhere the derived text says something on the
    # same topic in other words. In a copying pair the loose match is not reported.
    loose = (
        "Water from the Aske entered the cellars of the town hall of Vellmark, where the "
        "municipal archives of the town are stored, to a depth of almost one metre. "
        "All morning archivists carried the land registers and the parish books in boxes "
        "to the floors upstairs."
    )
    copied = _copy_of(ARTICLE[6:10])
    derived = loose + " " + HOST + UNRELATED.replace("\n", " ") + copied + " " + HOST_END
    assert len(align_texts(SOURCE, loose + " " + HOST)) == 1  # found when nothing is copied
    passages = align_texts(SOURCE, derived)
    assert [p.kind for p in passages] == ["verbatim"]
    assert derived[passages[0].b.start : passages[0].b.end] == copied


def test_split_units_follows_line_breaks_unless_the_text_is_hard_wrapped() -> None:
    lined = "Flood in Vellmark\nHeavy rain flooded the lower town on Tuesday night.\n"
    units = [lined[s.start : s.end] for s in split_units(lined, min_words=2)]
    assert units == ["Flood in Vellmark", "Heavy rain flooded the lower town on Tuesday night."]
    wrapped = (
        "Heavy rain flooded the lower\ntown on Tuesday night after the\nriver burst its "
        "banks. Firefighters evacuated\nmore than two hundred residents.\n"
    )
    units = [wrapped[s.start : s.end] for s in split_units(wrapped)]
    assert len(units) == 2
    assert units[1].startswith("Firefighters")


def test_short_sentences_join_the_next_one() -> None:
    text = "Update. Heavy rain flooded the lower town on Tuesday night."
    assert [text[s.start : s.end] for s in split_units(text)] == [text]


def test_stem_conflates_inflections() -> None:
    assert stem("flooded") == stem("floods") == stem("flooding")
    assert stem("residents") == stem("resident")
    assert stem("the") == "the"
    assert stem("2009") == "2009"


def test_defaults_are_the_documented_ones() -> None:
    assert DEFAULT.min_chars >= DEFAULT.min_chars_derived > 0
    assert 0 < DEFAULT.seed_cosine < 1


def test_member_is_isin_for_sorted_sets() -> None:
    from storytrace.textalign import _member

    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, size=400).astype(np.uint64)
    for size in (1, 5, 49):
        chosen = np.unique(rng.integers(0, 60, size=size).astype(np.uint64))
        assert np.array_equal(_member(values, chosen), np.isin(values, chosen))


def test_texts_prepared_for_another_ngram_align_as_if_prepared_for_this_one() -> None:
    """A text prepared with one n-gram size and aligned with another gets the passages it
    would get prepared with the aligner's own size (its n-grams are computed again)."""
    base = " ".join(
        f"Sentence {k} says the harbour board met on day {k} about cranes." for k in range(12)
    )
    copy = base.replace("day 3", "day three")
    five = TextAlignConfig(min_chars=20, min_chars_derived=20)
    three = TextAlignConfig(min_chars=20, min_chars_derived=20, ngram=3)
    by_five = (prepare(base, five), prepare(copy, five))
    by_three = (prepare(base, three), prepare(copy, three))
    assert align_texts(*by_five, three) == align_texts(*by_three, three)
    assert align_texts(*by_three, five) == align_texts(*by_five, five)
    assert align_texts(*by_five, five)


def test_a_text_is_prepared_once_for_the_settings_that_shape_it() -> None:
    text = "The port of Velamar closed after the storm. Two cranes fell into the water there."
    first = prepare(text, DEFAULT)
    assert prepare(text, TextAlignConfig(min_chars=10, summary_cosine=0.9)) is first
    other = prepare(text, TextAlignConfig(min_sentence_words=20))
    assert other is not first and len(other.sentences) < len(first.sentences)
