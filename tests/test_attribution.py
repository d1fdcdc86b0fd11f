"""Tests for storytrace.attribution: credits to outlets, aliases, datelines, outlet identity."""

from __future__ import annotations

import pytest

from storytrace.attribution import dateline_outlet, find_aliases, find_attributions, same_outlet
from storytrace.clean import clean
from storytrace.records import Attribution, CleanDoc, Document
from storytrace.text import content_id


def _doc(text: str, lang: str = "en") -> CleanDoc:
    return clean(Document(id="x", doc_id=content_id(text), text=text, input="test", lang=lang))


def _credits(
    text: str,
    lang: str = "en",
    known: tuple[str, ...] = (),
    aliases: dict[str, str] | None = None,
) -> tuple[Attribution, ...]:
    return find_attributions(_doc(text, lang), known, aliases)


def _outlets(text: str, lang: str = "en", known: tuple[str, ...] = ()) -> set[str]:
    return {a.outlet for a in _credits(text, lang, known)}


def _assert_spans_point_at(text: str, found: tuple[Attribution, ...], outlet_text: str) -> None:
    assert found
    for a in found:
        assert 0 <= a.span.start < a.span.end <= len(text)
        assert outlet_text in text[a.span.start : a.span.end]


# --- English ---------------------------------------------------------------------------------


def test_corpus_source_reported_on_tuesday() -> None:
    text = "Nordwire reported on Tuesday that the northern pier in Velamar was closed."
    found = _credits(text, known=("Nordwire",))
    assert [(a.outlet, a.cue) for a in found] == [("Nordwire", "reported")]
    assert text[found[0].span.start : found[0].span.end] == "Nordwire reported"


@pytest.mark.parametrize("adverb", ["first", "initially", "earlier"])
def test_first_reported_by_a_corpus_source(adverb: str) -> None:
    text = f"Nordwire {adverb} reported the closure of the northern pier."
    found = _credits(text, known=("Nordwire",))
    assert [(a.outlet, a.cue) for a in found] == [("Nordwire", "reported")]


def test_according_to_corpus_source() -> None:
    text = "The pier will stay closed for three weeks, according to Nordwire."
    found = _credits(text, known=("Nordwire",))
    assert [(a.outlet, a.cue) for a in found] == [("Nordwire", "according to")]
    assert text[found[0].span.start :].startswith("according to Nordwire")


def test_told_afp() -> None:
    text = "The pier will stay closed, harbour director Ilsa Tavern told AFP on Monday."
    found = _credits(text)
    assert [(a.outlet, a.cue) for a in found] == [("AFP", "told")]
    _assert_spans_point_at(text, found, "told AFP")


def test_bloomberg_cited_officials() -> None:
    text = "Bloomberg cited three officials as saying the pier would stay closed."
    found = _credits(text)
    assert [a.outlet for a in found] == ["Bloomberg"]
    assert text[found[0].span.start : found[0].span.end] == "Bloomberg cited"


def test_writes_the_american_news_agency() -> None:
    text = (
        "Two cranes were wrecked, writes the American news agency Halcyon Wire, citing engineers."
    )
    found = _credits(text)
    assert {a.outlet for a in found} == {"Halcyon Wire"}
    assert "writes" in {a.cue for a in found}
    _assert_spans_point_at(text, found, "Halcyon Wire")


def test_known_outlets_with_articles() -> None:
    assert _outlets("The Associated Press reported that the pier was closed.") == {
        "Associated Press"
    }
    assert _outlets("The pier was closed, Reuters reported, citing two officials.") == {"Reuters"}


def test_name_that_says_it_is_an_outlet() -> None:
    text = "Velamar Daily Courier reported that the pier was closed."
    assert _outlets(text) == {"Velamar Daily Courier"}


# --- German, Spanish, Russian ----------------------------------------------------------------


def test_german_nachrichtenagentur() -> None:
    text = (
        "Der Nordpier bleibt geschlossen, berichtete die Nachrichtenagentur Nordwire am Dienstag."
    )
    found = _credits(text, "de", known=("Nordwire",))
    assert {a.outlet for a in found} == {"Nordwire"}
    assert "writes" in {a.cue for a in found}
    _assert_spans_point_at(text, found, "Nordwire")


def test_german_laut_uppercase_dpa() -> None:
    text = "Der Pier ist laut DPA seit Dienstag geschlossen."
    found = _credits(text, "de")
    assert [(a.outlet, a.cue) for a in found] == [("DPA", "according to")]
    assert text[found[0].span.start : found[0].span.end] == "laut DPA"


def test_german_laut_dpa_lower_case() -> None:
    assert _outlets("Der Pier ist laut dpa seit Dienstag geschlossen.", "de") == {"dpa"}


def test_spanish_segun_la_agencia() -> None:
    text = "El muelle norte seguirá cerrado tres semanas, según la agencia EFE."
    found = _credits(text, "es")
    assert {a.outlet for a in found} == {"EFE"}
    assert "according to" in {a.cue for a in found}
    _assert_spans_point_at(text, found, "EFE")


def test_spanish_informo() -> None:
    text = "El muelle norte fue cerrado el martes, informó Reuters."
    found = _credits(text, "es")
    assert [(a.outlet, a.cue) for a in found] == [("Reuters", "writes")]
    _assert_spans_point_at(text, found, "informó Reuters")


def test_russian_soobshchaet() -> None:
    text = "Северный причал закрыт на три недели, сообщает ТАСС."
    found = _credits(text, "ru")
    assert [a.outlet for a in found] == ["ТАСС"]
    _assert_spans_point_at(text, found, "сообщает ТАСС")


def test_russian_po_dannym() -> None:
    text = "Причал закрыт во вторник, по данным Интерфакс."
    found = _credits(text, "ru")
    assert [(a.outlet, a.cue) for a in found] == [("Интерфакс", "according to")]
    _assert_spans_point_at(text, found, "по данным Интерфакс")


# --- not outlets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Smith said the pier would stay closed.",
        "The Kremlin said the pier would stay closed.",
        "The ministry reported that the pier would stay closed.",
        "The Corvanian Ministry of Transport said the pier would stay closed.",
        "Harbour director Ilsa Tavern said the pier would stay closed.",
        "Police sources said the pier would stay closed.",
        "The mayor told reporters that the pier would stay closed.",
        "Mayor Hella Brandt told the city council the pier would stay closed.",
    ],
)
def test_people_and_institutions_are_not_outlets(text: str) -> None:
    assert _credits(text) == ()


def test_unknown_name_needs_known_sources() -> None:
    text = "The pier was closed, Kestrel Media reported."
    assert _credits(text) == ()
    found = _credits(text, known=("Kestrel Media",))
    assert [(a.outlet, a.cue) for a in found] == [("Kestrel Media", "reported")]


def test_known_source_as_domain_is_recognised() -> None:
    text = "Kestrel Media reported that the pier was closed."
    found = _credits(text, known=("kestrelmedia.test",))
    assert [a.outlet for a in found] == ["kestrelmedia.test"]
    assert same_outlet(found[0].outlet, "Kestrel Media")


# --- spans -----------------------------------------------------------------------------------


def test_spans_are_raw_offsets_after_removed_junk() -> None:
    text = (
        "ADVERTISEMENT\n\n"
        "Share on Facebook | Tweet\n\n"
        "The harbour authority of Velamar closed the northern pier on Tuesday,\n"
        "Velamar Daily Courier reported on Wednesday.\n\n"
        "Repairs will take weeks, according to Reuters."
    )
    doc = _doc(text)
    assert doc.removed  # the junk is gone, so clean and raw offsets differ
    found = find_attributions(doc)
    assert [a.outlet for a in found] == ["Velamar Daily Courier", "Reuters"]
    first, second = found
    assert text[first.span.start : first.span.end] == "Velamar Daily Courier reported"
    assert text[second.span.start :].startswith("according to Reuters")
    assert first.span.start != doc.text.index("Velamar Daily Courier")  # raw, not clean
    assert first.span.start < second.span.start  # sorted by position


# --- aliases ---------------------------------------------------------------------------------


def test_find_aliases_learns_acronym() -> None:
    texts = [
        "The Meridane Press Service (MPS) said on Monday that the pier was closed.",
        "Fishermen blamed the storm.",
    ]
    assert find_aliases(texts) == {"mps": "Meridane Press Service"}


def test_find_aliases_ignores_people_and_institutions() -> None:
    texts = [
        "Harbour director Ilsa Tavern (IT) said the pier was closed.",
        "The Corvanian Port Authority (CPA) confirmed the closure.",
    ]
    assert find_aliases(texts) == {}


def test_find_aliases_with_known_source() -> None:
    aliases = find_aliases(["Kestrel Media (KM) first broke the story."], ["Kestrel Media"])
    assert aliases == {"km": "Kestrel Media"}


def test_alias_resolves_in_attributions() -> None:
    aliases = find_aliases(["The Meridane Press Service (MPS) said the pier was closed."])
    text = "MPS reported that the pier would stay closed for three weeks."
    assert _credits(text) == ()
    found = _credits(text, aliases=aliases)
    assert [(a.outlet, a.cue) for a in found] == [("Meridane Press Service", "reported")]
    assert text[found[0].span.start : found[0].span.end] == "MPS reported"


# --- datelines -------------------------------------------------------------------------------


def test_dateline_agency() -> None:
    text = "VELAMAR, Corvania, March 14 (MPS) - The harbour authority closed the northern pier."
    assert dateline_outlet(text) == "MPS"
    assert dateline_outlet(text, {"mps": "Meridane Press Service"}) == "Meridane Press Service"


def test_dateline_reuters_style() -> None:
    assert dateline_outlet("LONDON (Reuters) - The harbour authority closed the pier.") == "Reuters"


def test_dateline_after_title_line() -> None:
    text = "Storm closes Velamar harbour\nDUNMERE (Nordwire) - Two cranes were damaged."
    assert dateline_outlet(text) == "Nordwire"


@pytest.mark.parametrize(
    "text",
    [
        "The harbour authority closed the pier on Tuesday.",
        "The Corvanian Port Authority (CPA) - which runs the pier - closed it.",
        "x" * 1600 + "\nLONDON (Reuters) - The pier was closed.",
    ],
)
def test_no_dateline(text: str) -> None:
    assert dateline_outlet(text) is None


# --- outlet identity -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Moscow Times", "moscowtimes.com"),
        ("Reuters", "reuters.com"),
        ("Nordwire", "nordwire.test"),
        ("The Velamar Gazette", "velamargazette.test"),
        ("Čech Daily", "cech daily"),
    ],
)
def test_same_outlet(a: str, b: str) -> None:
    assert same_outlet(a, b)
    assert same_outlet(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Reuters", "AFP"), (None, "Reuters"), ("Reuters", None), ("", ""), ("Nordwire", "Kestrel")],
)
def test_different_outlets(a: str | None, b: str | None) -> None:
    assert not same_outlet(a, b)


@pytest.mark.parametrize(("a", "b"), [("AP", "Japan Times"), ("EFE", "Cafefest Daily")])
def test_short_names_are_not_substrings_of_other_outlets(a: str, b: str) -> None:
    assert not same_outlet(a, b)


# --- known defects -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("The pier was closed, according to the Velamar Gazette.", "Velamar Gazette"),
        ("The pier was closed, a spokesperson told the Velamar Herald.", "Velamar Herald"),
        ("The pier was closed, writes the American news agency Halcyon Wire.", "Halcyon Wire"),
    ],
)
def test_sentence_final_credit_has_no_trailing_period(text: str, outlet: str) -> None:
    assert _outlets(text) == {outlet}


def test_one_credit_one_attribution() -> None:
    found = _credits("El muelle norte seguirá cerrado, según la agencia EFE.", "es")
    assert len(found) == 1


def test_a_reporting_credit_line_names_the_agency() -> None:
    """ "Additional reporting by X" closes many agency-based stories: X is credited."""
    text = "The council met on Tuesday.\n\nAdditional reporting by Nordwire."
    doc = Document(id="d", doc_id=content_id(text), text=text, input="t")
    found = find_attributions(clean(doc), ["Nordwire"])
    assert [a.outlet for a in found] == ["Nordwire"]
