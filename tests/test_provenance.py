"""Tests for storytrace.provenance: who derived from whom, with what evidence and confidence."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from storytrace.attribution import dateline_outlet, find_attributions
from storytrace.clean import clean
from storytrace.compare import compare
from storytrace.config import Config
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
    origins, edges = derive_lineage(versions, matches)
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
    _, edges = derive_lineage(versions, matches)
    copy = _edge(edges, "copy")
    assert (copy.parent, copy.relation) == ("orig", "copy")
    assert "parent published 1.0 h before child" in copy.evidence
    assert "child credits the parent's outlet (Nordwire)" in copy.evidence
    assert copy.evidence[0].startswith("near_duplicate match: shingle Jaccard")

    german = _edge(edges, "german")
    assert (german.parent, german.relation) == ("orig", "translation")
    assert "parent published 3.0 h before child" in german.evidence
    assert "child credits the parent's outlet (Nordwire)" in german.evidence
    assert german.evidence[0].startswith("translation match: languages")

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
    origins, edges = derive_lineage([child, parent], {("a-courier", "z-nordwire"): match})
    assert origins == ("z-nordwire",)
    (edge,) = edges
    assert (edge.parent, edge.child, edge.relation) == ("z-nordwire", "a-courier", "copy")
    assert "parent published 45 min before child" in edge.evidence
    assert "child credits the parent's outlet (Nordwire)" in edge.evidence
    assert edge.evidence[0] == "near_duplicate match: test evidence for near_duplicate"
    assert edge.confidence > 0.9


def test_credit_wins_without_timestamps() -> None:
    parent = _version(_document("z-nordwire", ORIGINAL, "Nordwire"))
    child = _version(_document("a-courier", CREDITED_COPY, "Velamar Daily Courier"))
    match = _match("a-courier", "z-nordwire", "near_duplicate", 0.94)
    origins, edges = derive_lineage([parent, child], {("a-courier", "z-nordwire"): match})
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
    origins, edges = derive_lineage([scraper, original], {("a-scraper", "b-original"): match})
    assert origins == ("b-original",)
    (edge,) = edges
    assert (edge.parent, edge.child, edge.relation) == ("b-original", "a-scraper", "copy")
    assert "child carries scraper junk (ad markers or comments)" in edge.evidence
    assert 0.5 < edge.confidence <= 1.0


def test_credit_in_one_version_only() -> None:
    """The version that credits some outlet is further from the original report."""
    plain = _version(_document("a", ORIGINAL, "Kestrel Media"))
    crediting = _version(_document("b", CREDITED_COPY, "Velamar Daily Courier"))
    score, notes = direction(plain, crediting, _match("a", "b", "near_duplicate"))
    assert score == pytest.approx(1.0)
    assert "child credits Nordwire; parent credits no outlet" in notes


def test_containment_asymmetry_for_partial_reuse() -> None:
    short = _version(_document("short", ORIGINAL, "Kestrel Media"))
    longer = _version(_document("long", ORIGINAL + "\nMore text.\n", "Lenhart Rundschau"))
    match = _match("long", "short", "partial_reuse", 0.5, containment_ab=0.55, containment_ba=0.95)
    score, notes = direction(short, longer, match)
    assert score == pytest.approx(0.5)
    assert any(
        n.startswith("child contains the parent's text plus its own (0.95 vs 0.55)") for n in notes
    )
    reverse, _ = direction(longer, short, match)
    assert reverse == 0.0


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
    origins, edges = derive_lineage(
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
    origins, edges = derive_lineage([a, b], {("a", "b"): _match("a", "b", "unrelated", 0.0)})
    assert origins == ("a", "b")
    assert edges == ()


def test_matches_outside_the_versions_are_ignored() -> None:
    a = _version(_document("a", ORIGINAL, "Nordwire", T0))
    origins, edges = derive_lineage([a], {("a", "zz"): _match("a", "zz", "duplicate", 1.0)})
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
    origins, edges = derive_lineage(versions, matches)
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
    origins, edges = first
    assert len(origins) == 1 and len(edges) == 1
    (edge,) = edges
    assert edge.confidence == pytest.approx(0.5)  # no evidence either way
    assert "weak or conflicting evidence for this direction and parent" in edge.evidence


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
    origins, edges = derive_lineage(versions, matches)
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


def test_round_trip_translation_is_a_translation_with_evidence() -> None:
    """A same-language version that respells names (Kowalski -> Kovalsky) passed through
    another language: the edge is a translation, and the evidence names the spellings."""
    parent = _version(_document("p", ROUND_TRIP_PARENT, "Nordwire"))
    child = _version(_document("c", ROUND_TRIP_CHILD, "Kestrel Media"))
    respelled = dict(round_trip_names(parent, child))
    assert respelled == {"Kowalski": "Kovalsky", "Tsikhanouskaya": "Cichanouskaja"}
    assert lineage_relation(parent, child, _match("c", "p", "rewrite")) == "translation"
    _, edges = derive_lineage([parent, child], {("c", "p"): _match("c", "p", "rewrite")})
    assert edges and edges[0].relation == "translation"
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
    assert any("came with the copied text" in n for n in notes)
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
