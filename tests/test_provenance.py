"""Tests for storytrace.provenance: who derived from whom, with what evidence and confidence."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from storytrace.attribution import dateline_outlet, find_attributions
from storytrace.clean import clean
from storytrace.compare import compare
from storytrace.config import Config, ReuseConfig
from storytrace.embed import Encoder
from storytrace.fingerprint import fingerprint
from storytrace.provenance import (
    Version,
    _relay,
    closeness,
    copies_of,
    derive_lineage,
    direction,
    lineage_relation,
    round_trip_names,
    translation_fans,
)
from storytrace.records import CleanDoc, Document, LineageEdge, Match
from storytrace.text import content_id

MIN_REUSE = ReuseConfig().min_share

T0 = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)
SOURCES = ("Nordwire", "Velamar Daily Courier", "Lenhart Rundschau", "Kestrel Media")

ORIGINAL = """Storm closes Velamar harbour for three weeks

The harbour authority of Velamar closed the northern pier on Tuesday after a storm damaged two of its container cranes.

Harbour director Ilsa Tavern said 1,240 containers were stranded on the quay and that ferries to Orsk would dock at the southern pier until repairs are finished.

Engineers from the Corvanian port agency expect the work to take about three weeks and to cost 4.5 million crowns.

Fishermen in the old port said the storm was the worst since 2009, when waves flooded the fish market for two days.

The regional government in Lenhart promised emergency funds for the dock workers who cannot work while the pier is closed.
"""

CREDITED_COPY = ORIGINAL.rstrip("\n") + "\n\nThe closure was first reported by Nordwire.\n"

GERMAN = """Sturm schließt den Hafen von Velamar für drei Wochen

Die Hafenbehörde von Velamar hat am Dienstag den Nordpier geschlossen, nachdem ein Sturm zwei der Containerkräne beschädigt hatte, berichtete die Nachrichtenagentur Nordwire.

Hafendirektorin Ilsa Tavern sagte, 1.240 Container säßen am Kai fest und die Fähren nach Orsk würden bis zum Ende der Reparaturen am Südpier anlegen.

Ingenieure der corvanischen Hafenagentur erwarten, dass die Arbeiten etwa drei Wochen dauern und 4,5 Millionen Kronen kosten werden.

Fischer im alten Hafen sagten, der Sturm sei der schlimmste seit 2009 gewesen, als Wellen den Fischmarkt zwei Tage lang überfluteten.

Die Regionalregierung in Lenhart versprach Nothilfen für die Hafenarbeiter, die nicht arbeiten können, solange der Pier geschlossen ist.
"""


def _scraped(text: str) -> str:
    paras = text.strip().split("\n\n")
    return (
        "\n\n".join(
            [
                paras[0],
                "ADVERTISEMENT",
                *paras[1:3],
                "Share on Facebook | Tweet | Email",
                *paras[3:],
                "ADVERTISEMENT",
            ]
        )
        + "\n"
    )


SCRAPED = _scraped(ORIGINAL)
CFG = Config()


def _document(
    doc_id: str, text: str, source: str | None = None, published: datetime | None = None
) -> Document:
    return Document(
        id=doc_id,
        doc_id=content_id(text),
        text=text,
        input="test",
        source=source,
        published=published,
    )


def _version(doc: Document, cleaned: CleanDoc | None = None) -> Version:
    cleaned = cleaned or clean(doc)
    return Version(
        doc,
        cleaned,
        find_attributions(cleaned, SOURCES),
        outlet=doc.source or dateline_outlet(cleaned.text),
    )


def _match(a: str, b: str, relation: str, jaccard: float = 0.9, **scores: float) -> Match:
    values = {
        "containment_ab": jaccard,
        "containment_ba": jaccard,
        "semantic": 0.95,
        "coverage_ab": 1.0,
        "coverage_ba": 1.0,
    }
    values.update(scores)
    return Match(
        a=a,
        b=b,
        relation=relation,  # type: ignore[arg-type]
        jaccard=jaccard,
        evidence=(f"test evidence for {relation}",),
        **values,
    )


def _edge(edges: tuple[LineageEdge, ...], child: str) -> LineageEdge:
    found = [e for e in edges if e.child == child]
    assert len(found) == 1, edges
    return found[0]


# --- a real story: original, credited copy, translation, scraper copy ----------------------------


@pytest.fixture(scope="module")
def story(encoder: Encoder) -> tuple[list[Version], dict[tuple[str, str], Match]]:
    docs = [
        _document("orig", ORIGINAL, "Nordwire", T0),
        _document("copy", CREDITED_COPY, "Velamar Daily Courier", T0 + timedelta(hours=1)),
        _document("german", GERMAN, "Lenhart Rundschau", T0 + timedelta(hours=3)),
        _document("scrape", SCRAPED),
    ]
    cleaned = {d.id: clean(d) for d in docs}
    sigs = {
        s.id: s
        for s in fingerprint(
            list(cleaned.values()),
            shingle_size=CFG.shingle_size,
            num_perm=CFG.num_perm,
            seed=CFG.seed,
            encoder=encoder,
        )
    }
    matches = {
        (a, b): compare(cleaned[a], cleaned[b], sigs[a], sigs[b], CFG)
        for a, b in itertools.combinations(sorted(cleaned), 2)
    }
    return [_version(d, cleaned[d.id]) for d in docs], matches


def test_story_fixture_is_what_it_claims(
    story: tuple[list[Version], dict[tuple[str, str], Match]],
) -> None:
    versions, matches = story
    by_id = {v.doc.id: v for v in versions}
    assert by_id["copy"].credited == ("Nordwire",)
    assert by_id["german"].credited == ("Nordwire",)
    assert by_id["orig"].credited == ()
    assert by_id["scrape"].scraped and not by_id["orig"].scraped
    assert matches[("copy", "orig")].relation == "near_duplicate"
    assert matches[("german", "orig")].relation == "translation"
    assert matches[("orig", "scrape")].relation in ("duplicate", "near_duplicate")


def test_story_has_one_origin_and_a_tree(
    story: tuple[list[Version], dict[tuple[str, str], Match]],
) -> None:
    versions, matches = story
    origins, edges, *_ = derive_lineage(versions, matches)
    assert origins == ("orig",)
    children = [e.child for e in edges]
    assert sorted(children) == ["copy", "german", "scrape"]  # every other version: one parent
    assert all(e.parent != e.child for e in edges)
    # walking up from any version reaches the origin
    parent_of = {e.child: e.parent for e in edges}
    for v in versions:
        node, steps = v.doc.id, 0
        while node in parent_of:
            node, steps = parent_of[node], steps + 1
            assert steps <= len(versions)
        assert node == "orig"


def test_story_edges(story: tuple[list[Version], dict[tuple[str, str], Match]]) -> None:
    versions, matches = story
    _, edges, *_ = derive_lineage(versions, matches)
    copy = _edge(edges, "copy")
    assert (copy.parent, copy.relation) == ("orig", "copy")
    assert "parent published 1.0 h before child" in copy.evidence
    assert "child credits the parent's outlet (Nordwire)" in copy.evidence
    assert copy.evidence[0].startswith("94% of copy traceable to orig")
    assert copy.evidence[1].startswith("near_duplicate match: shingle Jaccard")
    assert copy.reuse == pytest.approx(0.94, abs=0.01)
    assert (copy.degree, copy.directed) == ("wholly", True)

    german = _edge(edges, "german")
    assert (german.parent, german.relation) == ("orig", "translation")
    assert "parent published 3.0 h before child" in german.evidence
    assert "child credits the parent's outlet (Nordwire)" in german.evidence
    assert german.evidence[1].startswith("translation match: languages")
    assert german.method == "cross-lingual"

    scrape = _edge(edges, "scrape")
    assert scrape.relation == "copy"
    assert "no publication time for scrape" in scrape.evidence
    for edge in edges:
        assert 0.0 <= edge.confidence <= 1.0
        assert edge.confidence > 0.5  # every parent here is better than its alternatives


@pytest.mark.parametrize("seed", range(4))
def test_story_lineage_is_deterministic(
    story: tuple[list[Version], dict[tuple[str, str], Match]], seed: int
) -> None:
    versions, matches = story
    expected = derive_lineage(versions, matches)
    rng = random.Random(seed)
    shuffled_versions = list(versions)
    rng.shuffle(shuffled_versions)
    items = list(matches.items())
    rng.shuffle(items)
    assert derive_lineage(shuffled_versions, dict(items)) == expected
    assert derive_lineage(versions, matches) == expected


# --- direction of single pairs -------------------------------------------------------------------


def test_earlier_and_credited_outlet_is_parent() -> None:
    parent = _version(_document("z-nordwire", ORIGINAL, "Nordwire", T0))
    child = _version(
        _document("a-courier", CREDITED_COPY, "Velamar Daily Courier", T0 + timedelta(minutes=45))
    )
    match = _match("a-courier", "z-nordwire", "near_duplicate", 0.94, containment_ab=1.0)
    origins, edges, *_ = derive_lineage([child, parent], {("a-courier", "z-nordwire"): match})
    assert origins == ("z-nordwire",)
    (edge,) = edges
    assert (edge.parent, edge.child, edge.relation) == ("z-nordwire", "a-courier", "copy")
    assert "parent published 45 min before child" in edge.evidence
    assert "child credits the parent's outlet (Nordwire)" in edge.evidence
    assert edge.evidence[0] == "100% of a-courier traceable to z-nordwire (shared word 5-grams)"
    assert edge.evidence[1] == "near_duplicate match: test evidence for near_duplicate"
    assert edge.credited == ("Nordwire",)
    assert edge.confidence > 0.9


def test_credit_wins_without_timestamps() -> None:
    parent = _version(_document("z-nordwire", ORIGINAL, "Nordwire"))
    child = _version(_document("a-courier", CREDITED_COPY, "Velamar Daily Courier"))
    match = _match("a-courier", "z-nordwire", "near_duplicate", 0.94)
    origins, edges, *_ = derive_lineage([parent, child], {("a-courier", "z-nordwire"): match})
    assert origins == ("z-nordwire",)
    (edge,) = edges
    assert (edge.parent, edge.child) == ("z-nordwire", "a-courier")
    assert "no publication time for z-nordwire, a-courier" in edge.evidence
    assert "child credits the parent's outlet (Nordwire)" in edge.evidence
    assert edge.confidence > 0.5


def test_credit_outweighs_a_misleading_timestamp() -> None:
    parent = _version(_document("p", ORIGINAL, "Nordwire", T0 + timedelta(hours=2)))
    child = _version(_document("c", CREDITED_COPY, "Velamar Daily Courier", T0))
    score, notes = direction(parent, child, _match("c", "p", "near_duplicate"))
    assert score > 0
    assert "parent published 2.0 h after child" in notes
    assert "child credits the parent's outlet (Nordwire)" in notes
    reverse, reverse_notes = direction(child, parent, _match("c", "p", "near_duplicate"))
    assert reverse < 0
    assert "parent credits the child's outlet (Nordwire)" in reverse_notes


def test_same_minute_is_no_time_evidence() -> None:
    a = _version(_document("a", ORIGINAL, "Kestrel Media", T0))
    b = _version(_document("b", ORIGINAL, "Lenhart Rundschau", T0 + timedelta(seconds=30)))
    score, notes = direction(a, b, _match("a", "b", "duplicate", 1.0))
    assert score == 0.0
    assert notes == ["published within the same minute"]


def test_long_delay_in_days() -> None:
    a = _version(_document("a", ORIGINAL, "Kestrel Media", T0))
    b = _version(_document("b", ORIGINAL, "Lenhart Rundschau", T0 + timedelta(days=3)))
    _, notes = direction(a, b, _match("a", "b", "duplicate", 1.0))
    assert "parent published 3.0 days before child" in notes


def test_scraper_copy_is_below_clean_original() -> None:
    # ids chosen so that id order would put the scraper first
    original = _version(_document("b-original", ORIGINAL))
    scraper = _version(_document("a-scraper", SCRAPED))
    assert scraper.scraped and not original.scraped
    assert any(r.reason == "ad marker" for r in scraper.clean.removed)
    match = _match("a-scraper", "b-original", "duplicate", 1.0)
    origins, edges, *_ = derive_lineage([scraper, original], {("a-scraper", "b-original"): match})
    assert origins == ("b-original",)
    (edge,) = edges
    assert (edge.parent, edge.child, edge.relation) == ("b-original", "a-scraper", "copy")
    assert "child carries scraper junk (ad markers or comments)" in edge.evidence
    assert 0.5 < edge.confidence <= 1.0


def test_credit_in_one_version_only() -> None:
    """A version that credits some outlet took its text from somewhere: a version of
    unknown outlet that credits none may be that source; one of another known outlet
    tells nothing."""
    unknown = _version(_document("a", ORIGINAL))
    crediting = _version(_document("b", CREDITED_COPY, "Velamar Daily Courier"))
    score, notes = direction(unknown, crediting, _match("a", "b", "near_duplicate"))
    assert score == pytest.approx(1.0)
    assert "child credits Nordwire; parent, of unknown outlet, credits no outlet" in notes
    known = _version(_document("a", ORIGINAL, "Kestrel Media"))
    score, notes = direction(known, crediting, _match("a", "b", "near_duplicate"))
    assert score == 0.0
    assert "child credits Nordwire (not the parent's outlet)" in notes


def test_which_text_is_longer_decides_nothing() -> None:
    """Papers cut wire copy as often as they add to it: containment asymmetry is no
    direction evidence."""
    short = _version(_document("short", ORIGINAL, "Kestrel Media"))
    longer = _version(_document("long", ORIGINAL + "\nMore text.\n", "Lenhart Rundschau"))
    match = _match("long", "short", "partial_reuse", 0.5, containment_ab=0.55, containment_ba=0.95)
    assert direction(short, longer, match)[0] == 0.0
    assert direction(longer, short, match)[0] == 0.0


def test_own_outlet_is_not_a_credit() -> None:
    text = "Nordwire reported on Tuesday that the northern pier in Velamar was closed."
    own = _version(_document("own", text, "Nordwire"))
    other = _version(_document("other", text, "Kestrel Media"))
    assert own.credited == ()
    assert other.credited == ("Nordwire",)


def test_outlet_from_dateline_counts_as_parent_outlet() -> None:
    wire = "VELAMAR, Corvania, March 14 (Nordwire) - " + ORIGINAL.split("\n\n", 1)[1]
    parent = _version(_document("z-wire", wire))  # no declared source: the dateline names it
    assert parent.outlet == "Nordwire"
    child = _version(_document("a-copy", CREDITED_COPY, "Velamar Daily Courier"))
    origins, edges, *_ = derive_lineage(
        [child, parent], {("a-copy", "z-wire"): _match("a-copy", "z-wire", "near_duplicate")}
    )
    assert origins == ("z-wire",)
    assert "child credits the parent's outlet (Nordwire)" in edges[0].evidence


# --- relations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relation", "parent_source", "child_source", "child_text", "expected"),
    [
        ("near_duplicate", "Nordwire", "Velamar Daily Courier", ORIGINAL, "copy"),
        ("duplicate", "Nordwire", "Velamar Daily Courier", ORIGINAL, "copy"),
        ("near_duplicate", "Nordwire", "Nordwire", ORIGINAL, "same_article"),
        ("near_duplicate", "Nordwire", "nordwire.test", ORIGINAL, "same_article"),
        ("near_duplicate", None, None, ORIGINAL, "same_article"),
        ("near_duplicate", "Nordwire", None, SCRAPED, "copy"),
        ("translation", "Nordwire", "Lenhart Rundschau", GERMAN, "translation"),
        ("translation", "Nordwire", "Nordwire", GERMAN, "translation"),
        ("partial_reuse", "Nordwire", "Kestrel Media", ORIGINAL, "partial_reuse"),
        ("rewrite", "Nordwire", "Kestrel Media", ORIGINAL, "rewrite"),
    ],
)
def test_lineage_relation(
    relation: str,
    parent_source: str | None,
    child_source: str | None,
    child_text: str,
    expected: str,
) -> None:
    parent = _version(_document("p", ORIGINAL, parent_source))
    child = _version(_document("c", child_text, child_source))
    assert lineage_relation(parent, child, _match("c", "p", relation)) == expected


def test_unrelated_matches_are_ignored() -> None:
    a = _version(_document("a", ORIGINAL, "Nordwire", T0))
    b = _version(_document("b", CREDITED_COPY, "Kestrel Media", T0 + timedelta(hours=1)))
    origins, edges, *_ = derive_lineage([a, b], {("a", "b"): _match("a", "b", "unrelated", 0.0)})
    assert origins == ("a", "b")
    assert edges == ()


def test_matches_outside_the_versions_are_ignored() -> None:
    a = _version(_document("a", ORIGINAL, "Nordwire", T0))
    origins, edges, *_ = derive_lineage([a], {("a", "zz"): _match("a", "zz", "duplicate", 1.0)})
    assert origins == ("a",)
    assert edges == ()


def test_closeness_orders_relations() -> None:
    copy = _match("a", "b", "near_duplicate", 0.95, semantic=0.99)
    translation = _match(
        "a", "b", "translation", 0.0, semantic=0.85, coverage_ab=0.8, coverage_ba=0.8
    )
    same_event = _match(
        "a", "b", "same_story", 0.0, semantic=0.82, coverage_ab=0.1, coverage_ba=0.0
    )
    assert closeness(copy) > closeness(translation) > closeness(same_event) > 0.0


# --- chains, ties and confidence ----------------------------------------------------------------


def test_chain_by_time_has_one_origin() -> None:
    texts = [ORIGINAL, CREDITED_COPY, SCRAPED]
    sources = ["Kestrel Media", "Velamar Daily Courier", "Lenhart Rundschau"]
    versions = [
        _version(_document(f"v{i}", t, s, T0 + timedelta(hours=i)))
        for i, (t, s) in enumerate(zip(texts, sources, strict=True))
    ]
    matches = {
        ("v0", "v1"): _match("v0", "v1", "near_duplicate", 0.94),
        ("v1", "v2"): _match("v1", "v2", "near_duplicate", 0.94),
        ("v0", "v2"): _match("v0", "v2", "duplicate", 1.0),
    }
    origins, edges, *_ = derive_lineage(versions, matches)
    assert origins == ("v0",)
    assert len(edges) == 2
    assert {e.child for e in edges} == {"v1", "v2"}
    assert all(0.0 <= e.confidence <= 1.0 for e in edges)


def test_tie_without_evidence_is_deterministic_and_flagged() -> None:
    a = _version(_document("a", ORIGINAL))
    b = _version(_document("b", ORIGINAL))
    match = _match("a", "b", "duplicate", 1.0)
    first = derive_lineage([a, b], {("a", "b"): match})
    assert derive_lineage([b, a], {("a", "b"): match}) == first
    assert len(first.origins) == 1 and len(first.edges) == 1
    (edge,) = first.edges
    # Twin copies with no evidence either way: one stands under the other, without an arrow.
    assert not edge.directed and edge.parent == "a"
    assert edge.confidence <= 0.5
    assert "direction unknown: shown under the other copy, not derived from it" in edge.evidence


# --- translation fan-out: one source, several parallel translations, no metadata -------------

_SOURCE_ES = (
    "El puerto de Velamar cerró el martes tras la huelga de los estibadores. "
    "Unos 3.600 trabajadores dejaron sus puestos por la automatización de las grúas."
)
_TRANSLATIONS_EN = {
    "mt1": "The port of Velamar closed on Tuesday after the dockworkers' strike. About 3,600 "
    "workers left their posts over the automation of the cranes.",
    "mt2": "Velamar port shut on Tuesday following a strike by dockers. Some 3,600 workers walked "
    "out over crane automation.",
    "mt3": "On Tuesday the Velamar harbour closed after the stevedores went on strike. Around "
    "3,600 workers quit their posts because the cranes are being automated.",
}


def _fan_story() -> tuple[list[Version], dict[tuple[str, str], Match]]:
    versions = [_version(_document("src", _SOURCE_ES))] + [
        _version(_document(k, v)) for k, v in _TRANSLATIONS_EN.items()
    ]
    matches = {(k, "src"): _match(k, "src", "translation", jaccard=0.0) for k in _TRANSLATIONS_EN}
    for a, b in itertools.combinations(sorted(_TRANSLATIONS_EN), 2):
        matches[(a, b)] = _match(a, b, "rewrite", jaccard=0.4)
    return versions, matches


def test_translation_fans_name_the_sole_language_source() -> None:
    versions, matches = _fan_story()
    assert {v.clean.lang for v in versions} == {"es", "en"}
    assert translation_fans(versions, matches) == {"src": frozenset(_TRANSLATIONS_EN)}


def test_parallel_translations_hang_off_their_source() -> None:
    versions, matches = _fan_story()
    origins, edges, *_ = derive_lineage(versions, matches)
    assert origins == ("src",)
    assert {(e.parent, e.child, e.relation) for e in edges} == {
        ("src", k, "translation") for k in _TRANSLATIONS_EN
    }
    evidence = " ".join(_edge(edges, "mt1").evidence)
    assert "translations fan out from it" in evidence


def test_sibling_translations_are_not_derived_from_each_other() -> None:
    versions, matches = _fan_story()
    by_id = {v.doc.id: v for v in versions}
    fans = translation_fans(versions, matches)
    score, notes = direction(by_id["mt1"], by_id["mt2"], matches[("mt1", "mt2")], fans)
    assert score < 0
    assert any("parallel translations" in n for n in notes)
    exact = _match("mt1", "mt2", "duplicate", jaccard=1.0)
    score, notes = direction(by_id["mt1"], by_id["mt2"], exact, fans)
    assert not any("parallel translations" in n for n in notes)


ROUND_TRIP_PARENT = (
    "Mayor Ilse Kowalski of Dunmere met the envoy Tsikhanouskaya on Friday. "
    "Kowalski promised to fund the new ferry line to Holm before winter."
)
ROUND_TRIP_CHILD = (
    "On Friday, the mayor of Dunmere Ilse Kovalsky met envoy Cichanouskaja. "
    "The mayor promised to finance a new ferry route to Holm before the winter."
)


def test_round_trip_translation_is_a_rewrite_with_evidence() -> None:
    """A same-language version that respells names (Kowalski -> Kovalsky) passed through
    another language: a translation is only ever across languages, so the edge is a rewrite,
    and its evidence names the spellings."""
    parent = _version(_document("p", ROUND_TRIP_PARENT, "Nordwire"))
    child = _version(_document("c", ROUND_TRIP_CHILD, "Kestrel Media"))
    respelled = dict(round_trip_names(parent, child))
    assert respelled == {"Kowalski": "Kovalsky", "Tsikhanouskaya": "Cichanouskaja"}
    assert lineage_relation(parent, child, _match("c", "p", "rewrite")) == "rewrite"
    _, edges, *_ = derive_lineage([parent, child], {("c", "p"): _match("c", "p", "rewrite")})
    assert edges and edges[0].relation == "rewrite"
    assert any("round-trip translation" in ev for ev in edges[0].evidence)
    same = _version(_document("s", ROUND_TRIP_PARENT.replace("Friday", "Monday"), "Kestrel"))
    assert round_trip_names(parent, same) == []
    assert lineage_relation(parent, same, _match("p", "s", "rewrite")) == "rewrite"


def test_a_credit_the_other_version_also_names_is_no_asymmetry() -> None:
    """The original names Nordwire without a credit phrase we detect (here in Cyrillic, as
    a Russian original would): the copy's credit is not evidence of direction."""
    naming = (
        ORIGINAL.rstrip("\n")
        + "\n\nThe harbour office thanked the crew of Нордвайр for the pictures.\n"
    )
    plain = _version(_document("a", naming, "Kestrel Media"))
    crediting = _version(_document("b", CREDITED_COPY, "Velamar Daily Courier"))
    score, notes = direction(plain, crediting, _match("a", "b", "near_duplicate"))
    assert score == pytest.approx(0.0)
    assert any("names it too" in n for n in notes)


def test_a_credit_copied_along_with_the_text_counts_for_less() -> None:
    """c copies r word for word, credit line included: the credit to Nordwire shows Nordwire
    is an ancestor of c, not that c took its text from Nordwire directly."""
    source = _version(_document("p", ORIGINAL, "Nordwire"))
    rewrite = _version(_document("r", CREDITED_COPY, "Kestrel Media"))
    copy = _version(_document("c", CREDITED_COPY + "\n", "Velamar Daily Courier"))
    by_id = {v.doc.id: v for v in (source, rewrite, copy)}
    matches = {
        ("c", "r"): _match("c", "r", "duplicate", 1.0),
        ("c", "p"): _match("c", "p", "rewrite", 0.5),
    }
    copies = copies_of(matches)
    assert copies == {"c": ["r"], "r": ["c"]}
    assert _relay(by_id, copies, "p", "c") == "r"
    assert _relay(by_id, copies, "p", "r") == "c"  # no times or junk tell them apart
    direct, _ = direction(source, copy, matches[("c", "p")])
    relayed, notes = direction(source, copy, matches[("c", "p")], relay="r")
    assert direct - relayed == pytest.approx(2.0)
    assert any("may have come with the copied text" in n for n in notes)
    scraped = _version(_document("s", _scraped(CREDITED_COPY), "Velamar Daily Courier"))
    by_id["s"] = scraped
    copies = copies_of({("r", "s"): _match("r", "s", "near_duplicate", 0.9)})
    assert _relay(by_id, copies, "p", "r") is None  # the scraper copy is r's copy, not its source


def test_a_photo_credit_naming_the_parent_outlet_is_direction_evidence() -> None:
    """The child's (removed) photo credit names Coastwire: its picture, and likely its text,
    came from Coastwire's version."""
    paras = ORIGINAL.split("\n\n")
    with_photo = "\n\n".join([paras[0], "Photo: Ylva Krenn / Coastwire", *paras[1:]])
    parent = _version(_document("p", ORIGINAL, "Coastwire"))
    child = _version(_document("c", with_photo, "Kestrel Media"))
    assert any(r.reason == "photo credit" for r in child.clean.removed)
    assert child.image_credits("Coastwire") and not child.image_credits("Nordwire")
    forward, notes = direction(parent, child, _match("c", "p", "near_duplicate"))
    backward, _ = direction(child, parent, _match("c", "p", "near_duplicate"))
    assert forward == pytest.approx(1.5) and backward == pytest.approx(-1.5)
    assert "child's photo credit names the parent's outlet (Coastwire)" in notes


# --- an edge means text was taken ---------------------------------------------------------------

INDEPENDENT = """Velamar port shut after storm wrecks cranes

A storm tore through the Corvanian coast overnight, and by morning the port of Velamar had stopped loading ships.

Dock workers interviewed at the gate said they had been sent home without pay and feared a long closure.

The port agency has not said when container traffic will resume, and shipping lines are diverting vessels to Orsk.
"""


def _fingerprinted(doc: Document) -> Version:
    cleaned = clean(doc)
    (sig,) = fingerprint([cleaned], shingle_size=5, num_perm=64, seed=1, encoder=None)
    return Version(
        doc,
        cleaned,
        find_attributions(cleaned, SOURCES),
        outlet=doc.source or dateline_outlet(cleaned.text),
        shingles=sig.shingles,
    )


def test_same_event_without_shared_text_is_independent_coverage() -> None:
    """Two reports of one event that share no wording: no edge, whatever the times and the
    document cosine; each is an origin of its own."""
    first = _version(_document("a-wire", ORIGINAL, "Nordwire", T0))
    second = _version(_document("b-paper", INDEPENDENT, "Kestrel Media", T0 + timedelta(hours=5)))
    match = _match("a-wire", "b-paper", "same_story", 0.0, containment_ab=0.0, containment_ba=0.0)
    match = Match(**{**{f: getattr(match, f) for f in match.__slots__}, "coverage_ab": 0.1})
    lineage = derive_lineage([first, second], {("a-wire", "b-paper"): match})
    assert lineage.edges == ()
    assert set(lineage.origins) == {"a-wire", "b-paper"}
    assert set(lineage.independent) == {"a-wire", "b-paper"}


def test_shared_text_without_direction_is_an_undirected_link() -> None:
    """Half of each text shared, no times, no credits, no junk: nothing tells who took from
    whom, so the report says so instead of drawing an arrow."""
    paras = ORIGINAL.strip().split("\n\n")
    a_text = "\n\n".join(paras[:4]) + "\n\nThe mayor of Velamar visited the pier on Wednesday.\n"
    b_text = "\n\n".join([paras[0], *paras[2:]]) + "\n\nOne crane operator was injured.\n"
    a, b = _version(_document("a", a_text)), _version(_document("b", b_text))
    match = _match("a", "b", "partial_reuse", 0.5, containment_ab=0.6, containment_ba=0.6)
    lineage = derive_lineage([a, b], {("a", "b"): match})
    assert lineage.edges == ()
    (link,) = lineage.undirected
    assert (link.a, link.b) == ("a", "b")
    assert link.reuse_a >= 0.5 and link.reuse_b >= 0.5
    assert "nothing tells which one took it from the other" in link.evidence[0]
    assert lineage.independent == ()


def test_a_parent_is_never_published_after_its_child() -> None:
    """Time is a constraint where both are dated: a credit cannot make a later text the
    parent of an earlier one."""
    early = _version(_document("a-early", ORIGINAL, "Kestrel Media", T0))
    late = _version(_document("b-late", CREDITED_COPY, "Nordwire", T0 + timedelta(hours=2)))
    # The early one credits nobody; the late one is credited by the early one's text? No:
    # the late one's text credits Nordwire (its own outlet), so only the clock speaks.
    match = _match("a-early", "b-late", "near_duplicate", 0.94)
    lineage = derive_lineage([early, late], {("a-early", "b-late"): match})
    assert [(e.parent, e.child) for e in lineage.edges] == [("a-early", "b-late")]


def test_a_copy_of_a_translation_is_the_translations_child() -> None:
    """Shared same-language wording beats a match across languages: a scraper copy of the
    English translation is that translation's child, not a translation of the original."""
    original = _version(_document("de-orig", GERMAN, "Lenhart Rundschau", T0))
    english = _version(_document("en-mt", ORIGINAL, "Kestrel Media", T0 + timedelta(hours=2)))
    scraped = _version(_document("en-scraped", SCRAPED, None, None))
    matches = {
        ("de-orig", "en-mt"): _match(
            "de-orig", "en-mt", "translation", 0.0, containment_ab=0.0, containment_ba=0.0
        ),
        ("de-orig", "en-scraped"): _match(
            "de-orig", "en-scraped", "translation", 0.0, containment_ab=0.0, containment_ba=0.0
        ),
        ("en-mt", "en-scraped"): _match("en-mt", "en-scraped", "duplicate", 0.98),
    }
    for v in (original, english, scraped):
        object.__setattr__(v.clean, "lang", "de" if v is original else "en")
    lineage = derive_lineage([original, english, scraped], matches)
    parents = {e.child: (e.parent, e.relation) for e in lineage.edges}
    assert parents["en-scraped"] == ("en-mt", "copy")
    assert parents["en-mt"] == ("de-orig", "translation")
    assert lineage.origins == ("de-orig",)


def test_a_sibling_that_adds_nothing_loses_to_the_common_source() -> None:
    """Two papers printed from one wire copy share the wire's words: the second paper's
    parent is the wire, not its sibling, unless it holds wording only the sibling has."""
    paras = ORIGINAL.strip().split("\n\n")
    wire = _fingerprinted(_document("wire", ORIGINAL, "Nordwire", T0))
    first = "\n\n".join([paras[0], paras[1], paras[2], "Nordwire reported the closure."])
    second = "\n\n".join([paras[0], paras[1], paras[3], "The closure was reported by Nordwire."])
    one = _fingerprinted(_document("paper-1", first, "Kestrel Media", T0 + timedelta(hours=8)))
    two = _fingerprinted(
        _document("paper-2", second, "Velamar Daily Courier", T0 + timedelta(hours=9))
    )
    matches = {
        ("paper-1", "paper-2"): _match(
            "paper-1", "paper-2", "partial_reuse", 0.4, containment_ab=0.55, containment_ba=0.5
        ),
        ("paper-1", "wire"): _match(
            "paper-1", "wire", "partial_reuse", 0.5, containment_ab=0.95, containment_ba=0.5
        ),
        ("paper-2", "wire"): _match(
            "paper-2", "wire", "partial_reuse", 0.5, containment_ab=0.95, containment_ba=0.5
        ),
    }
    lineage = derive_lineage([wire, one, two], matches)
    parents = {e.child: e.parent for e in lineage.edges}
    assert parents == {"paper-1": "wire", "paper-2": "wire"}


def test_an_undated_upload_does_not_take_the_origin_from_a_credited_agency_text() -> None:
    agency = _version(_document("agency", ORIGINAL, "Nordwire", T0))
    upload = _version(_document("upload", ORIGINAL.replace("Tuesday", "Tuesday morning")))
    copies = [
        _version(_document(f"copy-{n}", CREDITED_COPY, outlet, T0 + timedelta(hours=n + 1)))
        for n, outlet in enumerate(("Kestrel Media", "Velamar Daily Courier"))
    ]
    versions = [agency, upload, *copies]
    ids = [v.doc.id for v in versions]
    matches = {
        (a, b): _match(a, b, "near_duplicate", 0.9)
        for a, b in itertools.combinations(sorted(ids), 2)
    }
    lineage = derive_lineage(versions, matches)
    assert lineage.origins == ("agency",)
    parents = {e.child: e.parent for e in lineage.edges}
    assert parents["upload"] == "agency"


def test_edges_carry_reuse_degree_and_credits() -> None:
    parent = _version(_document("z-nordwire", ORIGINAL, "Nordwire", T0))
    paras = ORIGINAL.strip().split("\n\n")
    partial = "\n\n".join(
        [
            paras[0],
            paras[1],
            "Nordwire reported the closure.",
            INDEPENDENT.strip(),
            INDEPENDENT.strip().upper(),
        ]
    )
    child = _version(_document("a-paper", partial, "Kestrel Media", T0 + timedelta(hours=3)))
    match = _match(
        "a-paper", "z-nordwire", "partial_reuse", 0.2, containment_ab=0.25, containment_ba=0.3
    )
    (edge,) = derive_lineage([parent, child], {("a-paper", "z-nordwire"): match}).edges
    assert edge.parent == "z-nordwire" and edge.degree == "partially"
    assert 0.1 <= edge.reuse < 0.5
    assert edge.relation == "partial_reuse"
    assert edge.credited == ("Nordwire",)
    assert "traceable to z-nordwire" in edge.evidence[0]


def test_translation_only_across_languages() -> None:
    parent = _version(_document("p", ORIGINAL, "Nordwire"))
    child = _version(_document("c", CREDITED_COPY, "Kestrel Media"))
    for relation in ("translation", "rewrite", "same_story"):
        assert lineage_relation(parent, child, _match("c", "p", relation)) != "translation"
    german = _version(_document("g", GERMAN, "Lenhart Rundschau"))
    assert german.clean.lang == "de" and parent.clean.lang == "en"
    assert lineage_relation(parent, german, _match("g", "p", "translation")) == "translation"


FILLER = "".join(
    f"In district {n}, the council counted {n * 37} new street lamps and {n * 11} benches, "
    f"and the {n}th market opened on a {('Monday', 'Friday', 'Sunday')[n % 3]}.\n\n"
    for n in range(1, 80)
)


def test_a_whole_brief_inside_a_long_round_up_is_taken() -> None:
    """A short wire brief reappears whole in a long round-up: a small share of the
    round-up, but most of the brief, so the round-up took it (partially derived)."""
    brief = _version(_document("brief", ORIGINAL, "Nordwire", T0))
    roundup = _version(
        _document("roundup", FILLER + ORIGINAL, "Kestrel Media", T0 + timedelta(hours=4))
    )
    match = _match(
        "brief", "roundup", "partial_reuse", 0.1, containment_ab=0.95, containment_ba=0.06
    )
    lineage = derive_lineage([brief, roundup], {("brief", "roundup"): match})
    (edge,) = lineage.edges
    assert (edge.parent, edge.child, edge.degree) == ("brief", "roundup", "partially")
    assert edge.reuse < MIN_REUSE  # a small share of the round-up, yet most of the brief


def test_the_direction_weights_are_the_configs() -> None:
    """``Config.provenance`` is what ``direction`` weighs with: doubling the time weight
    doubles a dated pair's score, and a credit weighs ``credit_weight``."""
    from dataclasses import replace

    parent = _version(_document("p", ORIGINAL, "Kestrel Media", T0))
    child = _version(_document("c", ORIGINAL, "Lenhart Rundschau", T0 + timedelta(hours=2)))
    match = _match("p", "c", "duplicate", 1.0)
    base = direction(parent, child, match)[0]
    heavier = Config().replace({"provenance.time_weight": 2.0})
    assert direction(parent, child, match, config=heavier)[0] == base + 1.0
    silent = replace(Config(), provenance=replace(Config().provenance, time_weight=0.0))
    assert direction(parent, child, match, config=silent)[0] == base - 1.0
    crediting = _version(_document("c", CREDITED_COPY, "Velamar Daily Courier", T0))
    wire = _version(_document("p", ORIGINAL, "Nordwire", T0))
    credited = direction(wire, crediting, _match("c", "p", "near_duplicate"))[0]
    doubled = Config().replace({"provenance.credit_weight": 6.0})
    assert direction(wire, crediting, _match("c", "p", "near_duplicate"), config=doubled)[0] == (
        credited + 3.0
    )
