"""The story cleans its members: unique lines shaped as furniture go, shared text stays."""

from __future__ import annotations

import numpy as np

from storytrace.clean import clean
from storytrace.records import Document, Signature
from storytrace.story_clean import Member, apply, clean_story, furniture_form, story_removals

BODY = [
    "The regional council approved the new ferry timetable on Thursday after a long debate "
    "about winter crossings to the outer islands.",
    "Under the plan, the first boat will leave the mainland at six in the morning, an hour "
    "earlier than now, and the last will return at eleven at night.",
    "Islanders had asked for the change for years, saying the current schedule made it "
    "impossible to commute to jobs in the port town.",
    "The operator said the extra crossings would cost about two million crowns a year, to be "
    "shared between the council and the national transport agency.",
]
# Junk worded unlike any cue list, in several languages.
SCRAPED = [
    "Spread the word ↗ Messenger · Mail",
    BODY[0],
    "Ferry passengers on the quay at dusk (picture Nils Aaberg)",
    *BODY[1:],
    "Keine Geschichte mehr verpassen? Abonnieren Sie jetzt unseren Abendbrief.",
    "Notre rédaction ne vit que grâce à vous : soutenez-nous dès 2 euros.",
    "Themen · Verkehr · Inseln",
    "7 reactions",
    "olaf_77 · 2 h",
    "About time they listened.",
    "Reply · 4",
]
PDF = [
    "ISLAND COURIER · 14 March 2024",
    *BODY,
    "islandcourier.example · p. 1",
]


def _doc(doc_id: str, paragraphs: list[str]) -> Document:
    text = "\n\n".join(paragraphs) + "\n"
    return Document(id=doc_id, doc_id=doc_id, text=text, input=doc_id, lang="en")


def test_furniture_forms() -> None:
    assert furniture_form("Themen · Verkehr · Inseln") == "label"
    assert furniture_form("Continue at islandcourier.example/news/12") == "link"
    assert (
        furniture_form("Could you spare the price of a coffee to keep this reporting going?")
        == "appeal to the reader"
    )
    assert furniture_form(BODY[0]) is None
    # A quoted "we" is a person in the news, not the publisher; "US" is a country.
    assert furniture_form('"We will keep the winter boats running," the operator said.') is None
    assert furniture_form("The US called on both sides to resume the talks at once.") is None


def test_story_removes_unique_furniture_and_keeps_shared_text() -> None:
    docs = [_doc("orig", BODY), _doc("scraped", SCRAPED), _doc("pdf", PDF)]
    cleaned = {d.id: clean(d) for d in docs}
    new, _, added = clean_story([d.id for d in docs], cleaned)
    for text in BODY:
        for doc_id in ("orig", "scraped", "pdf"):
            assert text in new[doc_id].text
    kept = new["scraped"].text
    for junk in SCRAPED:
        if junk not in BODY:
            assert junk not in kept, junk
    assert "ISLAND COURIER" not in new["pdf"].text and "p. 1" not in new["pdf"].text
    assert "orig" not in added
    raw = docs[1].text
    reasons = {raw[r.start : r.end]: r.reason for r in added["scraped"]}
    assert reasons["Themen · Verkehr · Inseln"] == "unique to this version: label"
    assert reasons["About time they listened."] == "unique to this version: between furniture"
    # The removals are in raw offsets and the clean text maps back to the raw text.
    for span in new["scraped"].paragraphs:
        raw_span = new["scraped"].raw_span(span)
        assert raw[raw_span.start : raw_span.end] == new["scraped"].text[span.start : span.end]


def test_a_version_sharing_nothing_is_left_alone() -> None:
    other = ["Ein ganz anderer Text über das Wetter in den Bergen und den Schnee dort oben."] * 2
    members = [
        Member("a", "en", tuple(SCRAPED)),
        Member("b", "de", tuple(other)),
    ]
    assert story_removals(members) == {}


ADVICE = [
    "Cold-water swimming has grown popular along the coast, and the lifeguard service says "
    "you should never swim alone in winter.",
    "If your hands go numb, leave the water at once and warm up slowly, the service advises.",
    "Lifeguards will patrol three beaches on weekend mornings until the end of March.",
]


def test_a_version_in_the_articles_own_voice_keeps_its_advice() -> None:
    # The article itself speaks to its reader, so a unique paragraph that does so is its
    # own advice, not a pitch: kept. A version whose article never says "you" loses the
    # same kind of line (the scraped version above, by the same rule).
    own = "Bring a towel and warm clothes, and tell someone where you plan to swim."
    rewrite = [ADVICE[0], own, *ADVICE[1:]]
    members = [Member("orig", "en", tuple(ADVICE)), Member("rewrite", "en", tuple(rewrite))]
    assert story_removals(members) == {}
    pitch = "Could you spare the price of a coffee to keep this reporting going?"
    news = [BODY[0], pitch, *BODY[1:]]
    members = [Member("orig", "en", tuple(BODY)), Member("copy", "en", tuple(news))]
    assert story_removals(members) == {
        "copy": [(1, "unique to this version: appeal to the reader")]
    }


def test_a_headline_of_its_own_stays() -> None:
    rewrite = ["Council backs earlier ferries for the islands", *BODY]
    members = [Member("orig", "en", tuple(BODY)), Member("rewrite", "en", tuple(rewrite))]
    assert story_removals(members) == {}


def test_apply_keeps_sentence_embeddings_in_step() -> None:
    doc = clean(_doc("scraped", SCRAPED))
    vectors = np.arange(len(doc.sentences) * 2, dtype=np.float32).reshape(-1, 2)
    sig = Signature(
        "scraped",
        np.zeros(1, dtype=np.uint64),
        np.zeros(1, dtype=np.uint32),
        sentence_embeddings=vectors,
    )
    drop = [(0, "unique to this version: label")]
    new_doc, new_sig = apply(doc, drop, sig)
    assert new_sig is not None and new_sig.sentence_embeddings is not None
    assert len(new_sig.sentence_embeddings) == len(new_doc.sentences)
    first = doc.text[doc.sentences[1].start : doc.sentences[1].end]
    assert new_doc.text.startswith(first)
    assert new_sig.sentence_embeddings[0].tolist() == vectors[1].tolist()


def test_a_megabyte_paragraph_is_judged_quickly() -> None:
    import time

    huge = "x" * 1_000_000
    members = [
        Member("a", "en", (huge, "a@" * 100_000, *BODY)),
        Member("b", "en", tuple(BODY)),
    ]
    start = time.monotonic()
    story_removals(members)
    assert time.monotonic() - start < 5
