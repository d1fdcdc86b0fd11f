"""Tests for storytrace.changes: name keys, numbers, passage changes, added/dropped passages."""

from __future__ import annotations

import pytest

from storytrace.align import align_sentences, passages_from_pairs
from storytrace.changes import (
    document_names,
    find_changes,
    names,
    negation_count,
    number_values,
    passage_changes,
)
from storytrace.clean import clean
from storytrace.embed import Encoder
from storytrace.fingerprint import fingerprint
from storytrace.records import Change, CleanDoc, Document, Span
from storytrace.text import content_id

P_SPAN, C_SPAN = Span(10, 20), Span(30, 45)


def _changes(
    before: str, after: str, translation: bool = False, lexical: float = 1.0
) -> list[Change]:
    return passage_changes(before, after, P_SPAN, C_SPAN, translation, lexical)


def _kinds(before: str, after: str, translation: bool = False) -> list[str]:
    return [c.kind for c in _changes(before, after, translation)]


# --- number_values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,240", "1240"),
        ("1.240", "1240"),
        ("1 240", "1240"),
        ("1\u202f240", "1240"),
        ("1\u00a0240", "1240"),
        ("1,240,000", "1240000"),
        ("4,5", "4.5"),
        ("4.5", "4.5"),
        ("12,5 Prozent", "12.5"),
        ("007", "7"),
        ("0", "0"),
        ("2009", "2009"),
    ],
)
def test_number_values_normalises(text: str, value: str) -> None:
    assert dict(number_values(text)) == {value: 1}


def test_number_values_counts_and_ignores_words() -> None:
    counts = number_values("In 2009 and 2009 again, 3 cranes fell; item A12 and v2 are no numbers.")
    assert dict(counts) == {"2009": 2, "3": 1}
    assert number_values("no digits here") == {}


def test_number_values_same_quantity_in_three_conventions() -> None:
    assert number_values("1,240 containers") == number_values("1.240 Container")
    assert number_values("1 240 контейнеров") == number_values("1240 containers")


def test_number_values_grouped_with_decimals() -> None:
    assert dict(number_values("1,240.50")) == {"1240.50": 1}


# --- passage_changes: numbers and dates -------------------------------------------------------


def test_number_change() -> None:
    changes = _changes(
        "Harbour director Ilsa Tavern said 1,240 containers were stranded.",
        "Harbour director Ilsa Tavern said 1,420 containers were stranded.",
    )
    assert len(changes) == 1
    c = changes[0]
    assert (c.kind, c.before, c.after) == ("number", "1240", "1420")
    assert (c.parent_span, c.child_span) == (P_SPAN, C_SPAN)
    assert c.note == "number changed"


def test_same_number_other_notation_is_no_change() -> None:
    assert (
        _changes(
            "Harbour director Ilsa Tavern said 1,240 containers were stranded.",
            "Harbour director Ilsa Tavern said 1.240 containers were stranded.",
        )
        == []
    )


def test_year_only_change_is_a_date() -> None:
    changes = _changes(
        "Fishermen said it was the worst storm since 2009.",
        "Fishermen said it was the worst storm since 2011.",
    )
    assert [(c.kind, c.before, c.after, c.note) for c in changes] == [
        ("date", "2009", "2011", "date changed")
    ]


def test_year_and_count_change_is_a_number() -> None:
    changes = _changes(
        "The storm of 2009 flooded 12 houses.", "The storm of 2011 flooded 14 houses."
    )
    assert [(c.kind, c.before, c.after) for c in changes] == [("number", "12, 2009", "14, 2011")]


def test_numbers_compared_across_translation() -> None:
    assert (
        _changes("Die Kosten: 4,5 Millionen Kronen.", "The cost: 4.5 million crowns.", True) == []
    )
    assert _kinds("Die Kosten: 4,5 Millionen Kronen.", "The cost: 5.5 million crowns.", True) == [
        "number"
    ]


# --- negation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "The army will not intervene in the port dispute.",
            "The army will intervene in the port dispute.",
        ),
        (
            "The army will intervene in the port dispute.",
            "The army won't intervene in the port dispute.",
        ),
        ("The army will never intervene.", "The army will intervene."),
        (
            "Die Armee wird im Hafenstreit nicht eingreifen.",
            "Die Armee wird im Hafenstreit eingreifen.",
        ),
        ("El ejército no intervendrá en el puerto.", "El ejército intervendrá en el puerto."),
        ("Армия не будет вмешиваться в конфликт.", "Армия будет вмешиваться в конфликт."),
    ],
)
def test_negation_parity_flip(before: str, after: str) -> None:
    changes = _changes(before, after)
    assert [c.kind for c in changes] == ["negation"]
    c = changes[0]
    # the words around the negator, not the whole sentence: where the meaning flipped
    assert c.before in before and c.after in after
    assert len(c.before) < len(before) or len(c.after) < len(after)
    assert "negation" in c.note


def test_negation_flip_across_translation() -> None:
    assert _kinds(
        "The army will not intervene in the port dispute.",
        "Die Armee wird im Hafenstreit eingreifen.",
        translation=True,
    ) == ["negation"]
    assert (
        _kinds(
            "The army will not intervene in the port dispute.",
            "Die Armee wird im Hafenstreit nicht eingreifen.",
            translation=True,
        )
        == []
    )


def test_same_negation_parity_is_no_change() -> None:
    assert _changes("The army will not intervene.", "The army will never intervene.") == []
    assert (
        _changes("It is not true that the pier will not reopen.", "The pier will reopen.") == []
    )  # double negation: parity, by design
    assert negation_count("We can't and won't, not ever.") == 3


def test_words_that_are_not_sentence_negators() -> None:
    # "without"/"sin"/"ohne" are left out on purpose; "be" is just a verb
    assert _changes("The pier will be closed until May.", "The pier is closed until May.") == []
    assert _changes("Ferries run without a timetable.", "Ferries run on a timetable.") == []


def test_french_ne_pas_flip() -> None:
    assert _kinds("L'armée ne va pas intervenir.", "L'armée va intervenir.") == ["negation"]


# --- quotes and names ---------------------------------------------------------------------------


def test_altered_quote_same_language() -> None:
    before = (
        'Tavern said: "We will reopen the pier once every crane has been inspected by engineers."'
    )
    after = 'Tavern said: "We will reopen the pier once the main crane has been inspected by engineers."'
    changes = _changes(before, after)
    assert [c.kind for c in changes] == ["quote"]
    assert changes[0].before.startswith("We will reopen the pier once every crane")
    assert changes[0].after.startswith("We will reopen the pier once the main crane")
    assert changes[0].note == "quotation altered"


def test_quote_unchanged_or_replaced_entirely_is_not_altered() -> None:
    quote = 'Tavern said: "We will reopen the pier once every crane has been inspected."'
    assert _changes(quote, quote) == []
    assert _changes(quote, 'Tavern said: "The bakery prize is a bronze plaque."') == []


def test_quotes_not_compared_in_translation() -> None:
    before = 'Tavern said: "We will reopen the pier once every crane has been inspected."'
    after = "Tavern sagte: „Wir öffnen den Pier erst wieder, wenn jeder Kran geprüft wurde.“"
    assert _changes(before, after, translation=True) == []


def test_substituted_name() -> None:
    changes = _changes(
        "The regional governor Anton Velk promised emergency funds.",
        "The regional governor Marek Osterhout promised emergency funds.",
    )
    assert [(c.kind, c.before, c.after) for c in changes] == [
        ("name", "Anton Velk", "Marek Osterhout")
    ]
    assert changes[0].note == "different names: Anton Velk became Marek Osterhout"


def test_respelled_name_is_not_a_substitution() -> None:
    assert (
        _changes(
            "Opposition leader Sviatlana Tsikhanouskaya met the mayor.",
            "Opposition leader Sviatlana Cichanouskaja met the mayor.",
        )
        == []
    )


def test_added_name_without_a_lost_one_is_no_substitution() -> None:
    assert (
        _changes(
            "Harbour director Ilsa Tavern met Mayor Hella Brandt.",
            "Harbour director Ilsa Tavern met Mayor Hella Brandt and Osk Bellamy.",
        )
        == []
    )


def test_names_not_compared_in_loose_paraphrase_or_translation() -> None:
    before = "The regional governor Anton Velk promised emergency funds."
    after = "The regional governor Marek Osterhout promised emergency funds."
    assert _changes(before, after, lexical=0.3) == []
    assert _changes(before, after, translation=True) == []


def test_names_skip_sentence_start_and_acronyms() -> None:
    found = names("Harbour director Ilsa Tavern told MPS that the pier would close.")
    assert set(found.values()) == {"Ilsa Tavern"}


# --- find_changes on a real aligned pair -----------------------------------------------------------

PARENT_PARAS = [
    "Bridge over the Lenna closes after cracks found",
    "Inspectors closed the old stone bridge over the Lenna river in Dunmere on Wednesday. "
    "They found deep cracks in 2 of its 5 arches.",
    "Mayor Hella Brandt said the bridge, which carries 14,500 vehicles a day, would stay shut "
    "for at least 8 weeks. Pedestrians may still cross on a narrow walkway.",
    "The army will not send engineers to help with the repairs. "
    "A temporary steel bridge has been ordered from a depot in Kessel.",
    "Shopkeepers on the eastern bank fear the closure will halve their trade.",
    "The bridge was built in 1874 and last repaired after the flood of 1962.",
]
ADDED = "Ferry operators have offered to run an extra boat across the river every hour."


def _child_paras() -> list[str]:
    p = list(PARENT_PARAS)
    p[2] = p[2].replace("14,500", "15,400")
    p[3] = p[3].replace("will not send", "will send")
    p[5] = p[5].replace("1962", "1963")
    return ["ADVERTISEMENT", *p[:4], p[5], ADDED]  # drops the shopkeepers, adds the ferry


PARENT_TEXT = "\n\n".join(PARENT_PARAS) + "\n"
CHILD_TEXT = "\n\n".join(_child_paras()) + "\n"


@pytest.fixture(scope="module")
def real_changes(encoder: Encoder) -> tuple[Change, ...]:
    parent = Document(id="parent", doc_id=content_id(PARENT_TEXT), text=PARENT_TEXT, input="t")
    child = Document(id="child", doc_id=content_id(CHILD_TEXT), text=CHILD_TEXT, input="t")
    p_clean, c_clean = clean(parent), clean(child)
    sigs = {
        s.id: s
        for s in fingerprint(
            [p_clean, c_clean], shingle_size=5, num_perm=64, seed=1, encoder=encoder
        )
    }
    pairs = align_sentences(p_clean, c_clean, sigs["parent"], sigs["child"], 0.7)
    alignment = passages_from_pairs(p_clean, c_clean, pairs)
    return find_changes(parent, child, p_clean, c_clean, pairs, alignment)


def _only(changes: tuple[Change, ...], kind: str) -> Change:
    found = [c for c in changes if c.kind == kind]
    assert len(found) == 1, changes
    return found[0]


def test_find_changes_kinds(real_changes: tuple[Change, ...]) -> None:
    assert sorted(c.kind for c in real_changes) == sorted(
        ["number", "negation", "date", "added", "dropped"]
    )


def test_find_changes_added_passage(real_changes: tuple[Change, ...]) -> None:
    added = _only(real_changes, "added")
    assert added.parent_span is None and added.child_span is not None
    assert CHILD_TEXT[added.child_span.start : added.child_span.end] == ADDED
    assert added.after == ADDED and added.before == ""


def test_find_changes_dropped_passage(real_changes: tuple[Change, ...]) -> None:
    dropped = _only(real_changes, "dropped")
    assert dropped.child_span is None and dropped.parent_span is not None
    assert PARENT_TEXT[dropped.parent_span.start : dropped.parent_span.end] == PARENT_PARAS[4]
    assert dropped.before == PARENT_PARAS[4] and dropped.after == ""


def test_find_changes_fact_changes_point_at_sentences(real_changes: tuple[Change, ...]) -> None:
    number = _only(real_changes, "number")
    assert (number.before, number.after) == ("14500", "15400")
    assert number.parent_span is not None and number.child_span is not None
    assert "14,500 vehicles" in PARENT_TEXT[number.parent_span.start : number.parent_span.end]
    assert "15,400 vehicles" in CHILD_TEXT[number.child_span.start : number.child_span.end]

    negation = _only(real_changes, "negation")
    assert negation.parent_span is not None and negation.child_span is not None
    assert PARENT_TEXT[negation.parent_span.start : negation.parent_span.end] == (
        "The army will not send engineers to help with the repairs."
    )
    assert CHILD_TEXT[negation.child_span.start : negation.child_span.end] == (
        "The army will send engineers to help with the repairs."
    )

    date = _only(real_changes, "date")
    assert (date.before, date.after) == ("1962", "1963")
    assert date.child_span is not None
    assert CHILD_TEXT[date.child_span.start : date.child_span.end] == PARENT_PARAS[5].replace(
        "1962", "1963"
    )


def test_find_changes_identical_documents(encoder: Encoder) -> None:
    doc = Document(id="p", doc_id=content_id(PARENT_TEXT), text=PARENT_TEXT, input="t")
    cleaned: CleanDoc = clean(doc)
    sig = fingerprint([cleaned], shingle_size=5, num_perm=64, seed=1, encoder=encoder)[0]
    pairs = align_sentences(cleaned, cleaned, sig, sig, 0.7)
    alignment = passages_from_pairs(cleaned, cleaned, pairs)
    assert find_changes(doc, doc, cleaned, cleaned, pairs, alignment) == ()


# --- dates as words, scaled numbers, names in place, confidence -------------------------------


@pytest.mark.parametrize(
    ("before", "after", "word_before", "word_after"),
    [
        ("Fire crews arrived on Sunday night.", "Fire crews arrived on Thursday night.", "Sunday", "Thursday"),
        ("The ferry sank yesterday near Kessel.", "The ferry sank today near Kessel.", "yesterday", "today"),
        ("The pier reopens in March, officials said.", "The pier reopens in October, officials said.", "March", "October"),
    ],
)  # fmt: skip
def test_calendar_words_are_dates(
    before: str, after: str, word_before: str, word_after: str
) -> None:
    changes = _changes(before, after)
    assert [(c.kind, c.before, c.after) for c in changes] == [("date", word_before, word_after)]
    assert word_before in changes[0].note and word_after in changes[0].note


def test_day_number_next_to_a_month_is_a_date() -> None:
    changes = _changes(
        "The vote is set for March 5 in Dunmere.", "The vote is set for March 7 in Dunmere."
    )
    assert [(c.kind, c.before, c.after) for c in changes] == [("date", "5", "7")]


def test_may_the_verb_is_no_month() -> None:
    assert _changes("The pier may reopen in June.", "The pier could reopen in June.") == []


def test_scaled_numbers_are_one_quantity() -> None:
    assert number_values("about 1.5 thousand people") == number_values("about 1,500 people")
    assert number_values("4,5 Millionen Kronen") == number_values("4 500 000 crowns")
    assert _changes("Some 1.5 thousand people fled.", "Some 1,500 people fled.") == []
    assert _kinds("Some 1.5 thousand people fled.", "Some 2,500 people fled.") == ["number"]


def test_name_replaced_at_the_sentence_start_when_the_document_knows_it() -> None:
    before = "Pompeo told reporters the talks would resume."
    after = "Lazio told reporters the talks would resume."
    assert _changes(before, after) == []  # a capitalised first word alone is no name
    known = document_names("Talks with Pompeo ended.", "Talks with Lazio ended.")
    changes = passage_changes(before, after, P_SPAN, C_SPAN, False, 0.7, 0.9, known_names=known)
    assert [(c.kind, c.before, c.after) for c in changes] == [("name", "Pompeo", "Lazio")]


def test_inflected_name_is_no_substitution() -> None:
    assert (
        _changes(
            "Mikhail Vinogradov heads the Petersburg Politics foundation.",
            "Mikhail Vinogradov heads the Petersburg Political foundation.",
        )
        == []
    )


def test_loose_or_gap_filled_pairs_report_no_facts() -> None:
    before = "The army will not send 40 engineers to Dunmere on Monday."
    after = "The army will send 400 engineers to Kessel on Friday."
    assert {c.kind for c in _changes(before, after)} == {"number", "date", "negation", "name"}
    low = passage_changes(before, after, P_SPAN, C_SPAN, False, 0.8, 0.45)
    filled = passage_changes(before, after, P_SPAN, C_SPAN, False, 0.8, 0.9, filled=True)
    assert low == [] or {c.kind for c in low} <= {"name", "negation"}
    assert filled == []


def test_negation_in_an_unrelated_clause_is_not_a_flip() -> None:
    # the negator is not added in place: the sentences differ by a rewritten clause
    assert (
        _changes(
            "The EU condemned the repression and rejected the results of the vote.",
            "The EU condemned the repression and did not recognise the results of the vote.",
        )
        == []
    )
