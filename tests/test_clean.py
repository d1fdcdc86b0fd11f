"""Tests for storytrace.clean and storytrace.cleaning_cues.

All snippets are invented (fictional places, people and outlets). Each rule is checked for
the reason it records and for the article's own sentences surviving; every cleaned document
is also checked for the offset-map invariants.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import storytrace
from storytrace import cleaning_cues as cues
from storytrace.clean import HTML_FURNITURE, clean
from storytrace.ingest import read_inputs
from storytrace.records import CleanDoc, Document
from storytrace.text import content_id, decode_spans, split_sentences

DEMO = Path(storytrace.__file__).parent / "demo"

HEADLINE = "Orsk islanders to get daily supply boat while ferry pier is rebuilt"
BODY = [
    "TALLMERE, Feb 20 (Coastwire) - The regional government of Tallmere will run a daily "
    "supply boat to the island of Orsk until its storm-wrecked ferry pier is rebuilt, "
    "transport commissioner Halvard Stenn said on Thursday.",
    "The boat will carry food, medicine and post from the mainland every morning at 7 a.m., "
    "and a rescue helicopter will stay on standby at the island's school field, Stenn told "
    "reporters.",
    '"Nobody on Orsk will be cut off, not for a single day," Stenn said. "We owe the '
    'islanders that much."',
    "About 2,300 people live on Orsk, which lost its only passenger pier when gusts of up to "
    "140 kilometres per hour tore through the harbour on Feb. 17.",
    "Engineers expect a temporary landing stage to be ready by mid-March, while a permanent "
    "pier is due to open in the autumn of 2026.",
]
B0, B1, B2, B3, B4 = BODY
ARTICLE = [HEADLINE, *BODY]


# --- helpers ----------------------------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(text.split())


def paras(*parts: str) -> str:
    return "\n\n".join(parts) + "\n"


def make_doc(text: str, lang: str | None = "en", doc_id: str = "orsk") -> Document:
    return Document(id=doc_id, doc_id=content_id(text), text=text, input=doc_id, lang=lang)


def clean_text(text: str, lang: str | None = "en") -> CleanDoc:
    cd = clean(make_doc(text, lang))
    check_invariants(text, cd)
    return cd


def kept_positions(cd: CleanDoc) -> set[int]:
    kept: set[int] = set()
    for run in cd.runs:
        kept.update(range(run.raw, run.raw + run.length))
    return kept


def check_invariants(raw: str, cd: CleanDoc) -> None:
    """Removals lie in the raw text; runs map every clean character back to itself."""
    assert cd.raw_length == len(raw)
    previous_end = 0
    for removal in cd.removed:
        assert 0 <= removal.start < removal.end <= len(raw), removal
        assert removal.start >= previous_end, "removals overlap or are out of order"
        assert removal.reason
        previous_end = removal.end

    clean_pos, raw_last = 0, -1
    for run in cd.runs:
        assert run.clean == clean_pos and run.length > 0
        assert run.raw > raw_last and run.raw + run.length <= len(raw)
        raw_last = run.raw + run.length - 1
        clean_pos += run.length
    assert clean_pos == len(cd.text)

    for pos, ch in enumerate(cd.text):
        raw_ch = raw[cd.to_raw(pos)]
        if raw_ch != ch:
            # Only reflow spaces differ, and they come from the line break they replace.
            assert (ch, raw_ch) == (" ", "\n"), (pos, ch, raw_ch)

    kept = kept_positions(cd)
    for removal in cd.removed:
        assert kept.isdisjoint(range(removal.start, removal.end)), removal

    for span in (*cd.sentences, *cd.paragraphs):
        piece = cd.text[span.start : span.end]
        raw_span = cd.raw_span(span)
        assert raw[raw_span.start] == piece[0]
        assert raw[raw_span.end - 1] == piece[-1]
        raw_kept = "".join(raw[p] for p in range(raw_span.start, raw_span.end) if p in kept)
        assert norm(raw_kept) == norm(piece)


def removed_texts(raw: str, cd: CleanDoc, reason: str) -> list[str]:
    return [raw[r.start : r.end] for r in cd.removed if r.reason == reason]


def reasons(cd: CleanDoc) -> set[str]:
    return {r.reason for r in cd.removed}


def assert_removed(raw: str, cd: CleanDoc, snippet: str, reason: str) -> None:
    """Every occurrence of ``snippet`` lies inside one removal with ``reason``."""
    start = raw.find(snippet)
    assert start >= 0, snippet
    while start >= 0:
        end = start + len(snippet)
        covering = [r for r in cd.removed if r.start <= start and end <= r.end]
        assert [r.reason for r in covering] == [reason], (snippet, cd.removed)
        assert norm(snippet) not in norm(cd.text)
        start = raw.find(snippet, end)


def assert_kept(cd: CleanDoc, *sentences: str) -> None:
    text = norm(cd.text)
    for sentence in sentences:
        assert norm(sentence) in text, sentence


def assert_paragraphs(cd: CleanDoc, expected: list[str]) -> None:
    assert [cd.text[p.start : p.end] for p in cd.paragraphs] == expected
    assert cd.text == "\n".join(expected)


# --- reflow -----------------------------------------------------------------------------

WRAPPED = """\
Orsk ferry link to reopen next month after pier repairs

The regional transport office of Tallmere said on Thursday that ferry
services to the island of Orsk would resume on March 14, once inspec-
tors have approved a temporary landing stage built by army engineers.

The 2.1-million-euro stage is part of a long-
term plan to replace the island's only passenger pier, which was torn
apart by a storm in February. Half of the cost will come from an EU-
funded coastal resilience programme, the office said.

Harbour master Ylva Krenn said divers had found no damage to the
foundations of the old pier and that demolition would start in April.
"""


def test_hard_wrapped_text_is_reflowed_into_paragraphs() -> None:
    cd = clean_text(WRAPPED)
    assert_paragraphs(
        cd,
        [
            "Orsk ferry link to reopen next month after pier repairs",
            "The regional transport office of Tallmere said on Thursday that ferry services to "
            "the island of Orsk would resume on March 14, once inspectors have approved a "
            "temporary landing stage built by army engineers.",
            "The 2.1-million-euro stage is part of a long-term plan to replace the island's only "
            "passenger pier, which was torn apart by a storm in February. Half of the cost will "
            "come from an EU-funded coastal resilience programme, the office said.",
            "Harbour master Ylva Krenn said divers had found no damage to the foundations of "
            "the old pier and that demolition would start in April.",
        ],
    )
    assert cd.sentence_texts()[1].startswith("The regional transport office")
    assert cd.sentence_texts()[-1].endswith("would start in April.")
    assert len(cd.sentences) == 5


def test_line_break_hyphen_removed_but_compounds_keep_hyphen() -> None:
    cd = clean_text(WRAPPED)
    hyphen = WRAPPED.index("inspec-\ntors") + len("inspec")
    # Only "inspec-/tors" is a word split at a line end; "long-/term" and "EU-/funded" are
    # compounds whose hyphen stays (their line break is dropped without a reason).
    assert [(r.start, r.end, r.reason) for r in cd.removed] == [
        (hyphen, hyphen + 2, "line-break hyphen")
    ]
    assert WRAPPED[hyphen : hyphen + 2] == "-\n"
    assert "inspectors" in cd.text
    assert "long-term" in cd.text
    assert "EU-funded" in cd.text
    for broken in ("inspec", "longterm", "long- term", "EUfunded", "EU- funded"):
        assert broken not in cd.text.replace("inspectors", "")


def test_reflowed_sentences_map_to_raw_text() -> None:
    # No hyphens here: each sentence's raw span, whitespace-normalised, is the sentence.
    raw = (
        "Divers spent two days examining the foundations of the old Orsk pier\n"
        "and found no cracks in the concrete, harbour master Ylva Krenn said on\n"
        "Friday. The army will start building a temporary landing stage on\n"
        "Monday, and the first supply boat is expected to dock there in two\n"
        "weeks. Islanders welcomed the news at a meeting in the village hall.\n"
    )
    cd = clean_text(raw)
    assert len(cd.paragraphs) == 1
    assert len(cd.sentences) == 3
    assert cd.removed == ()
    raw_pieces = []
    for sentence in cd.sentences:
        raw_span = cd.raw_span(sentence)
        raw_pieces.append(raw[raw_span.start : raw_span.end])
        assert norm(raw_pieces[-1]) == cd.text[sentence.start : sentence.end]
    # The first two sentences run across line breaks in the raw text.
    assert ["\n" in piece for piece in raw_pieces] == [True, True, False]
    # Reflow spaces point at the newlines they replace.
    for pos, ch in enumerate(cd.text):
        if raw[cd.to_raw(pos)] == "\n":
            assert ch == " "


def test_document_vocabulary_decides_hyphenation() -> None:
    raw = (
        "The Orsk-based fishing cooperative said its boats would carry\n"
        "supplies for free. Another Orsk-\n"
        "based firm, a bakery, offered bread to the crews every morning\n"
        "until the ferry service to the island of Orsk is restored again.\n"
    )
    cd = clean_text(raw)
    assert cd.text.count("Orsk-based") == 2
    assert "line-break hyphen" not in reasons(cd)


def test_hyphen_after_digits_is_kept() -> None:
    raw = (
        "The transport office said the new landing stage would cost 2.1-\n"
        "million euros and would be built by army engineers from the base\n"
        "at Tallmere, who have already moved heavy equipment to the harbour\n"
        "and expect to finish the work within ten days of the first pile.\n"
    )
    cd = clean_text(raw)
    assert "2.1-million euros" in cd.text


def test_unwrapped_paragraphs_are_not_joined() -> None:
    raw = "\n".join(ARTICLE) + "\n"
    cd = clean_text(raw)
    assert cd.removed == ()
    assert_paragraphs(cd, ARTICLE)


def test_lowercase_continuation_line_joins_in_unwrapped_text() -> None:
    # A stray line break inside a sentence of an otherwise unwrapped article.
    raw = paras(HEADLINE, B0, B1.replace("from the mainland ", "from the mainland\n"), B2, B3)
    cd = clean_text(raw)
    assert_paragraphs(cd, [HEADLINE, B0, B1, B2, B3])


def test_language_is_detected_when_missing() -> None:
    raw = paras(*ARTICLE)
    assert clean_text(raw, lang=None).lang == "en"
    assert clean_text(raw, lang="de").lang == "de"


# --- paragraph rules --------------------------------------------------------------------


def test_ad_markers() -> None:
    raw = paras("[ad_1]", HEADLINE, B0, B1, "Advertisement", B2, B3, "ANZEIGE", B4, "[ad_2]")
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "ad marker") == ["[ad_1]", "Advertisement", "ANZEIGE", "[ad_2]"]
    assert reasons(cd) == {"ad marker"}
    assert_paragraphs(cd, ARTICLE)


def test_bare_url_lines() -> None:
    url1 = "https://www.coastwire.test/news/2025/02/19/orsk-pier-storm"
    url2 = "www.tallmere.test/ferry"
    raw = paras(HEADLINE, B0, url1, B1, B2, url2, B3, B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "url") == [url1, url2]
    assert reasons(cd) == {"url"}
    assert_paragraphs(cd, ARTICLE)


def test_url_line_is_not_joined_into_wrapped_paragraph() -> None:
    url = "https://www.coastwire.test/news/2025/02/20/orsk-supply-boat"
    raw = WRAPPED.replace("office said.\n", "office said.\n" + url + "\n")
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "url") == [url]
    assert "https" not in cd.text
    assert_kept(cd, "the office said.", "Harbour master Ylva Krenn said divers")


def test_inline_urls() -> None:
    timetable = (
        "The full timetable is published at https://www.tallmere.test/ferry/timetable. "
        "Tickets are free for islanders."
    )
    updates = "Updates are posted on www.tallmere.test/orsk-updates, the office said."
    raw = paras(HEADLINE, B0, timetable, B1, updates, B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "inline url") == [
        "https://www.tallmere.test/ferry/timetable",
        "www.tallmere.test/orsk-updates",
    ]
    assert reasons(cd) == {"inline url"}
    # The sentence keeps its own words and its closing punctuation.
    assert_kept(cd, "The full timetable is published at", ". Tickets are free for islanders.")
    assert_kept(cd, "Updates are posted on", ", the office said.", HEADLINE, B0, B1, B4)
    assert "tallmere.test" not in cd.text


def test_related_and_read_more_lines() -> None:
    related = "Related article: Tallmere council approves new bus depot"
    read_more = "Read more: Orsk islanders fear a long winter without the ferry"
    read_also = "READ ALSO - Storm season: how the coast guard prepares"
    raw = paras(HEADLINE, B0, B1, related, B2, read_more, B3, read_also, B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "related link") == [related, read_more, read_also]
    assert_paragraphs(cd, ARTICLE)


def test_related_cue_needs_a_separator() -> None:
    # A body sentence that merely starts with "Related" is not a link line.
    sentence = "Related talks between the union and the ferry operator resume on Monday."
    cd = clean_text(paras(HEADLINE, B0, sentence, B1))
    assert cd.removed == ()
    assert_kept(cd, sentence)


def test_share_lines() -> None:
    raw = paras(HEADLINE, "Share | Tweet | Email | Print", B0, B1, B2, B3, "Share on Facebook", B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "share line") == [
        "Share | Tweet | Email | Print",
        "Share on Facebook",
    ]
    assert_paragraphs(cd, ARTICLE)


CAPTION_PIPE = (
    "Harbour master Ylva Krenn inspects the damaged pier in Orsk, Tallmere, February 18, "
    "2025. Tomas Hjelm | COASTWIRE / POOL"
)


def test_photo_credit_with_pipe() -> None:
    raw = paras(HEADLINE, CAPTION_PIPE, B0, B1, B2, B3, B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "photo credit") == [CAPTION_PIPE]
    assert reasons(cd) == {"photo credit"}
    # The headline above a pipe credit is not taken for a caption.
    assert_paragraphs(cd, ARTICLE)


def test_caption_repeated_twice() -> None:
    raw = paras(HEADLINE, CAPTION_PIPE, CAPTION_PIPE, B0, B1, B2, B3, B4)
    cd = clean_text(raw)
    assert_removed(raw, cd, CAPTION_PIPE, "photo credit")
    assert "Ylva Krenn inspects" not in cd.text
    assert_paragraphs(cd, ARTICLE)


def test_caption_followed_by_credit_only_line() -> None:
    caption1 = "Divers prepare to inspect the pier foundations on Tuesday."
    credit1 = "Tomas Hjelm / Coastwire"
    caption2 = "A supply boat leaves Tallmere harbour for Orsk."
    credit2 = "Photo: Ines Dalgren / Tallmere Gazette"
    raw = f"{caption1}\n{credit1}\n\n" + paras(
        HEADLINE, B0, B1, f"{caption2}\n{credit2}", B2, B3, B4
    )
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "photo caption") == [caption1, caption2]
    assert removed_texts(raw, cd, "photo credit") == [credit1, credit2]
    assert_paragraphs(cd, ARTICLE)


def test_caption_with_credit_repeated() -> None:
    block = "Divers prepare to inspect the pier foundations on Tuesday.\nTomas Hjelm / Coastwire"
    raw = paras(HEADLINE, B0, block, block, B1, B2, B3, B4)
    cd = clean_text(raw)
    assert_removed(raw, cd, "Divers prepare to inspect the pier foundations", "photo caption")
    assert_removed(raw, cd, "Tomas Hjelm / Coastwire", "photo credit")
    assert_paragraphs(cd, ARTICLE)


def test_caption_ending_in_credit() -> None:
    caption = "The wrecked pier at Orsk harbour on Tuesday. Tomas Hjelm / Coastwire"
    raw = paras(HEADLINE, B0, caption, B1, B2, B3, B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "photo caption") == [caption]
    assert_paragraphs(cd, ARTICLE)


def test_copyright_notices() -> None:
    notice = "© 2025 Coastwire. All rights reserved."
    reproduction = (
        "Reproduction of this article, in whole or in part, without written permission "
        "from Coastwire is prohibited."
    )
    raw = paras(*ARTICLE, notice, reproduction)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "copyright notice") == [f"{notice}\n\n{reproduction}"]
    assert_paragraphs(cd, ARTICLE)


def test_donation_appeal_after_dear_readers() -> None:
    appeal = (
        "Dear readers,\n"
        "the Orsk Island Courier is written by three volunteers and will always stay free "
        "to read.\n"
        "If our reporting matters to you, please support us with a small monthly donation.\n"
        "Thank you!"
    )
    raw = paras(*ARTICLE, appeal)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "donation appeal") == [appeal]
    assert_paragraphs(cd, ARTICLE)


def test_donation_appeal_without_opening_line() -> None:
    appeal = (
        "Independent local journalism costs money. Become a supporter of the Orsk Island "
        "Courier today and help us keep reporting from the islands."
    )
    raw = paras(*ARTICLE, appeal, "Thank you!")
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "donation appeal") == [f"{appeal}\n\nThank you!"]
    assert_paragraphs(cd, ARTICLE)


def test_subscription_appeal_before_copyright() -> None:
    appeal = "Subscribe to the Tallmere Gazette for 4 euros a month and never miss a story."
    notice = "© 2025 Tallmere Gazette"
    raw = paras(*ARTICLE, appeal, notice)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "donation appeal") == [appeal]
    assert removed_texts(raw, cd, "copyright notice") == [notice]
    assert_paragraphs(cd, ARTICLE)


ARTICLE_DE = [
    "Orsk-Bewohner bekommen tägliches Versorgungsboot",
    "Die Regionalregierung von Tallmere wird bis zum Wiederaufbau des zerstörten Anlegers "
    "täglich ein Versorgungsboot zur Insel Orsk schicken, sagte Verkehrskommissar Halvard "
    "Stenn am Donnerstag.",
    "Das Boot bringt jeden Morgen Lebensmittel, Medikamente und Post vom Festland auf die Insel.",
    "Rund 2300 Menschen leben auf Orsk. Ein Sturm hatte den einzigen Anleger der Insel zerstört.",
    "Ein provisorischer Anleger soll bis Mitte März fertig sein.",
]
ARTICLE_ES = [
    "Los vecinos de Orsk tendrán un barco de suministros diario",
    "El Gobierno regional de Tallmere enviará cada día un barco de suministros a la isla de "
    "Orsk hasta que se reconstruya el muelle destruido por el temporal, anunció el jueves el "
    "comisario de Transportes, Halvard Stenn.",
    "El barco llevará alimentos, medicinas y correo desde el continente todas las mañanas.",
    "Unas 2.300 personas viven en Orsk, que perdió su único muelle de pasajeros en febrero.",
    "Se espera que un embarcadero provisional esté listo a mediados de marzo.",
]


def test_donation_appeal_german() -> None:
    appeal = (
        "Liebe Leserinnen und Leser,\n"
        "unabhängiger Journalismus kostet Geld. Unterstützen Sie uns mit einer Spende, damit "
        "unsere Seite für alle frei bleibt.\n"
        "Vielen Dank!"
    )
    raw = paras(*ARTICLE_DE, appeal)
    cd = clean_text(raw, lang="de")
    assert removed_texts(raw, cd, "donation appeal") == [appeal]
    assert_paragraphs(cd, ARTICLE_DE)


def test_donation_appeal_spanish() -> None:
    appeal = (
        "Queridos lectores,\n"
        "el periodismo independiente cuesta dinero. Apóyanos hoy con una donación o "
        "suscríbete a nuestro boletín.\n"
        "¡Gracias!"
    )
    raw = paras(*ARTICLE_ES, appeal)
    cd = clean_text(raw, lang="es")
    assert removed_texts(raw, cd, "donation appeal") == [appeal]
    assert_paragraphs(cd, ARTICLE_ES)


def test_dear_readers_without_appeal_words_is_kept() -> None:
    letter = "Dear readers, the Orsk ferry timetable in this article was corrected on Friday."
    raw = paras(*ARTICLE, letter)
    cd = clean_text(raw)
    assert cd.removed == ()
    assert_kept(cd, letter)


COMMENTS = """\
3 comments
Dear reader, to leave comments on this article you must sign in.

1.
Votes: +12 / -3
20 February 2025 18: 42
Finally some good news for Orsk. The ferry was our lifeline.

2.
Votes: +4 / -1
20 February 2025 19: 05
A daily boat is not enough for the fish farms.

3.
Votes: +1 / -0
21 February 2025 08: 13
Why did it take three days?
"""


def test_comment_section_cut_to_the_end() -> None:
    raw = paras(*ARTICLE) + "\n" + COMMENTS
    cd = clean_text(raw)
    start = raw.index("3 comments")
    assert [(r.start, r.end, r.reason) for r in cd.removed] == [
        (start, len(raw.rstrip()), "comments")
    ]
    assert_paragraphs(cd, ARTICLE)
    assert "Votes" not in cd.text
    assert "lifeline" not in cd.text


def test_comment_section_starting_with_sign_in_notice() -> None:
    notice = "To post a comment on this story, please sign in or register."
    raw = paras(
        *ARTICLE,
        notice,
        "Orsk resident: We were lucky nobody was on the pier that night.",
        "Tallmere reader: Good decision by the commissioner.",
    )
    cd = clean_text(raw)
    assert_removed(raw, cd, notice, "comments")
    assert_removed(raw, cd, "Good decision by the commissioner.", "comments")
    assert_paragraphs(cd, ARTICLE)


def test_comments_and_appeal_and_ads_together() -> None:
    appeal = "Dear readers,\nplease support independent journalism on the islands with a donation."
    raw = paras("[ad_1]", *ARTICLE, appeal, "© 2025 Orsk Island Courier") + "\n" + COMMENTS
    raw += "\n[ad_2]\n"
    cd = clean_text(raw)
    assert [r.reason for r in cd.removed] == [
        "ad marker",
        "donation appeal",
        "copyright notice",
        "comments",
    ]
    assert_removed(raw, cd, "[ad_2]", "comments")
    assert_paragraphs(cd, ARTICLE)


def test_comment_count_in_body_sentence_is_kept() -> None:
    sentence = "The council received 340 comments on the pier plans before the storm hit."
    raw = paras(*ARTICLE[:3], sentence, *ARTICLE[3:])
    cd = clean_text(raw)
    assert cd.removed == ()
    assert_kept(cd, sentence)


def test_stray_fragment() -> None:
    raw = paras(HEADLINE, B0, B1, "2", B2, B3, "* * *", B4)
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "stray fragment") == ["2", "* * *"]
    assert_paragraphs(cd, ARTICLE)


def test_repeated_paragraph_second_copy_removed() -> None:
    raw = paras(HEADLINE, B0, B1, B1, B2, B3, B4)
    cd = clean_text(raw)
    second = raw.index(B1, raw.index(B1) + 1)
    assert [(r.start, r.end, r.reason) for r in cd.removed] == [
        (second, second + len(B1), "repeated paragraph")
    ]
    assert_paragraphs(cd, ARTICLE)


def test_a_paragraph_repeated_further_on_is_content() -> None:
    # A recurring step in a recipe or a refrain: only a doubled paragraph is a glitch.
    raw = paras(HEADLINE, B0, B1, B2, B1, B3, B4)
    cd = clean_text(raw)
    assert cd.removed == ()
    assert cd.text.count(B1) == 2


def test_short_repeated_line_is_kept() -> None:
    raw = paras(HEADLINE, "By Halvard", B0, B1, "By Halvard", B2)
    cd = clean_text(raw)
    assert cd.removed == ()
    assert cd.text.count("By Halvard") == 2


def test_all_rules_in_one_scraped_page() -> None:
    raw = (
        "[ad_1]\n"
        f"{HEADLINE}\n\n"
        f"{CAPTION_PIPE}\n\n{CAPTION_PIPE}\n\n"
        f"{B0}\n\n{B1}\n\n"
        "Related article: Tallmere council approves new bus depot\n\n"
        f"{B2}\n\n2\n\n{B3}\n\n"
        "https://www.coastwire.test/news/2025/02/19/orsk-pier-storm\n\n"
        f"{B4}\n\n"
        "Dear readers,\nwe rely on your support. Please donate today.\nThank you!\n\n"
        "It is strictly forbidden to republish this report without the prior written "
        "consent of Coastwire.\n\n" + COMMENTS + "\n[ad_2]\n"
    )
    cd = clean_text(raw)
    assert [r.reason for r in cd.removed] == [
        "ad marker",
        "photo credit",
        "related link",
        "stray fragment",
        "url",
        "donation appeal",
        "copyright notice",
        "comments",
    ]
    assert_paragraphs(cd, ARTICLE)
    for sentence in cd.sentence_texts():
        assert norm(sentence) in norm(raw)


# --- known false positives (bugs) -------------------------------------------------------


@pytest.mark.parametrize(
    "closing",
    [
        "Opposition leader Rurik Dahl said his party would support the bill in Thursday's vote.",
        "The ferry operator Orskline said it now has 41,000 subscribers to its travel alerts.",
        "The EU's contribution to the new pier will be 4 million euros, the office said.",
    ],
)
def test_closing_news_paragraph_about_support_is_kept(closing: str) -> None:
    cd = clean_text(paras(*ARTICLE, closing))
    assert cd.removed == ()
    assert_kept(cd, closing)


def test_news_paragraph_about_copyright_is_kept() -> None:
    sentence = (
        "A court in Tallmere ruled on Monday that the copyright on the pier's original "
        "blueprints had expired in 2011, clearing the way for the rebuild."
    )
    cd = clean_text(paras(HEADLINE, B0, sentence, B1, B2))
    assert cd.removed == ()
    assert_kept(cd, sentence)


def test_repeated_pipe_caption_removed_when_page_has_comments() -> None:
    raw = paras(HEADLINE, f"{CAPTION_PIPE}\n{CAPTION_PIPE}", *BODY) + "\n" + COMMENTS
    cd = clean_text(raw)
    assert "COASTWIRE" not in cd.text
    assert_paragraphs(cd, ARTICLE)


def test_repeated_pipe_caption_without_blank_line() -> None:
    # The same page without its comment section is handled (control for the test above).
    raw = paras(HEADLINE, f"{CAPTION_PIPE}\n{CAPTION_PIPE}", *BODY)
    cd = clean_text(raw)
    assert_removed(raw, cd, CAPTION_PIPE, "photo credit")
    assert_paragraphs(cd, ARTICLE)


# --- cue patterns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (cues.AD_MARKER, "[ad_3]"),
        (cues.AD_MARKER, "(Werbung)"),
        (cues.AD_MARKER, "Реклама"),
        (cues.URL_LINE, "  http://coastwire.test/a?b=1  "),
        (cues.RELATED, "Lesen Sie auch: Fähre nach Orsk fällt aus"),
        (cues.RELATED, "Lea también: Huelga en el puerto"),
        (cues.RELATED, "Читайте также: Паром отменён"),
        (cues.SHARE_LINE, "Teilen | Drucken"),
        (cues.SHARE_LINE, "Share this: Facebook | Twitter | WhatsApp | Email"),
        (cues.PAGE_NUMBER, "Page 2 of 5"),
        (cues.PAGE_NUMBER, "Seite 3 von 4"),
        (cues.PAGE_NUMBER, "Страница 1 из 2"),
        (cues.PAGE_NUMBER, "- 7 -"),
        (cues.DATED_HEADER, "NORTHGATE DAILY | 12 March 2021"),
        (cues.DATED_HEADER, "2021-03-12 · Coastwire"),
        (cues.CREDIT_PIPE, "Ylva Krenn at the pier | COASTWIRE"),
        (cues.CREDIT_ONLY, "Foto: Ines Dalgren / Tallmere Gazette"),
        (cues.PHOTO_CREDIT, "Photo by Tomas Hjelm for the Orsk Island Courier"),
        (cues.COMMENTS_START, "Kommentare (12)"),
        (cues.COMMENTS_START, "Join the discussion"),
        (cues.COMMENTS_START, "5 comentarios"),
        (cues.APPEAL_START, "Уважаемые читатели!"),
        (cues.STRAY, "12"),
        (cues.STRAY, "— —"),
    ],
)
def test_cue_matches(pattern: object, text: str) -> None:
    assert pattern.search(text)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (cues.AD_MARKER, "Advertising revenue at Coastwire fell by 4 percent."),
        (cues.URL_LINE, "See www.tallmere.test for the timetable."),
        (cues.SHARE_LINE, "Share prices of Orskline fell on Monday."),
        (cues.PAGE_NUMBER, "Page 12 of the report lists the ferry timetable."),
        (cues.DATED_HEADER, "The ferry left on 12 March 2021 | as planned."),
        (cues.CREDIT_PIPE, "The pier | was | rebuilt in 1961 by the navy."),
        (cues.COMMENTS_START, "12 comments were submitted to the council."),
        (cues.STRAY, "Orsk"),
        (cues.STRAY, "2,300,000"),
    ],
)
def test_cue_does_not_match_body_text(pattern: object, text: str) -> None:
    assert not pattern.search(text)  # type: ignore[attr-defined]


# --- the bundled demo corpus ------------------------------------------------------------


@cache
def _demo() -> tuple[dict[str, tuple[Document, CleanDoc]], dict[str, object]]:
    records = list(read_inputs([DEMO / "corpus"]))
    docs = [r for r in records if isinstance(r, Document)]
    assert len(docs) == len(records), [r for r in records if not isinstance(r, Document)]
    cleaned = {d.id: (d, clean(d)) for d in docs}
    expected = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
    return cleaned, expected


def _junk_by_doc(expected: dict[str, object]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in expected["junk"]:  # type: ignore[union-attr]
        out.setdefault(entry["doc"], []).append(entry["text"])
    return out


def test_demo_corpus_reads_every_document() -> None:
    cleaned, expected = _demo()
    ids = set(cleaned)
    for story in expected["stories"].values():  # type: ignore[union-attr]
        assert set(story["members"]) <= ids
    assert set(expected["distractors"]) <= ids  # type: ignore[arg-type]


def test_demo_corpus_invariants() -> None:
    cleaned, _ = _demo()
    for doc, cd in cleaned.values():
        assert cd.id == doc.id
        check_invariants(doc.text, cd)
        assert cd.sentences and cd.paragraphs


def test_demo_corpus_languages() -> None:
    cleaned, expected = _demo()
    for story in expected["stories"].values():  # type: ignore[union-attr]
        for doc_id, member in story["members"].items():
            assert cleaned[doc_id][1].lang == member["lang"], doc_id


def test_demo_junk_is_removed() -> None:
    cleaned, expected = _demo()
    for entry in expected["junk"]:  # type: ignore[union-attr]
        doc, cd = cleaned[entry["doc"]]
        raw, snippet = doc.text, entry["text"]
        start = raw.find(snippet)
        assert start >= 0, entry
        while start >= 0:
            end = start + len(snippet)
            assert any(r.start <= start and end <= r.end for r in cd.removed), entry
            start = raw.find(snippet, end)


def test_demo_no_body_sentence_removed_wholesale() -> None:
    cleaned, expected = _demo()
    junk = _junk_by_doc(expected)
    tails = {"Dear readers,", "3 comments", "4 comments"}
    for doc_id, (doc, cd) in cleaned.items():
        raw = doc.text
        kept = kept_positions(cd)
        explained: set[int] = set()
        tail_start = len(raw)
        for snippet in junk.get(doc_id, []):
            start = raw.find(snippet)
            while start >= 0:
                explained.update(range(start, start + len(snippet)))
                start = raw.find(snippet, start + 1)
            if snippet in tails:
                tail_start = min(tail_start, raw.index(snippet))
        # What an HTML page's extractor left out is page furniture judged by the DOM (and
        # listed as such): these rules are about the text rules.
        for r in cd.removed:
            if r.reason == HTML_FURNITURE:
                explained.update(range(r.start, r.end))
        for span in split_sentences(raw):
            positions = [p for p in range(span.start, span.end) if not raw[p].isspace()]
            if any(p in kept for p in positions):
                continue
            sentence = raw[span.start : span.end]
            assert span.start >= tail_start or all(p in explained for p in positions), (
                doc_id,
                sentence,
            )
        if doc_id not in junk:
            assert all(r.reason == HTML_FURNITURE for r in cd.removed), doc_id
            kept_raw = [raw[s:e] for s, e in decode_spans(doc.meta.get("html_kept", ""))]
            assert norm(cd.text) == norm("\n".join(kept_raw) if kept_raw else raw)


@pytest.mark.parametrize(
    ("doc_id", "sentence"),
    [
        ("web/nordwire_harvik_dam.html", "About 1,240 residents of the village of Lunde"),
        ("web/nordwire_harvik_dam.html", "the dam posed no immediate danger to residents"),
        ("text/hotnewsmirror_harvik_dam.txt", "About 1,240 residents of the village of Lunde"),
        (
            "text/hotnewsmirror_harvik_dam.txt",
            "Tenders for the main construction contract will open on April 2",
        ),
        ("text/hotnewsmirror_harvik_dam.txt", "(Reporting by Mira Solberg; Editing by Hakon"),
        ("text/kaelland_herald_harvik_dam_print.txt", "after inspectors found cracks"),
        ("text/kaelland_herald_harvik_dam_print.txt", "About 1,420 residents of the village"),
        ("text/kaelland_herald_harvik_dam_print.txt", "the remaining 122 million euros"),
        ("text/kaelland_herald_harvik_dam_print.txt", "Its 320-megawatt hydropower plant"),
        ("text/corvania_today_velamar_strike_print.txt", "At least 74 cargo ships were waiting"),
        ("text/corvania_today_velamar_strike_print.txt", "five-year job guarantees"),
        (
            "text/portnewsnow_velamar_strike.txt",
            "About 3,600 dockworkers at the port of Velamar, Corvania's largest container",
        ),
        ("text/portnewsnow_velamar_strike.txt", "At least 47 cargo ships were waiting at anchor"),
        ("ct-2025-03-14-velamar-strike", "At least 74 cargo ships were waiting at anchor"),
        ("kk-2025-03-12-harvik-staudamm", "der Damm stelle eine unmittelbare Gefahr"),
        ("nb-2025-03-15-huelga-velamar", "el Gobierno intervendría en el conflicto"),
        ("text/mps_velamar_port_strike.txt", "At least 47 cargo ships were waiting at anchor"),
    ],
)
def test_demo_key_sentences_survive(doc_id: str, sentence: str) -> None:
    cleaned, _ = _demo()
    _, cd = cleaned[doc_id]
    assert_kept(cd, sentence)


def test_windows_line_endings_are_reflowed_like_unix_ones() -> None:
    unix = "The council voted on Thursday to rebuild the pier on the island of\nOrsk, which a storm destroyed in January, and to pay for it from its\nown budget rather than wait for money from the capital, it said.\n"
    crlf = unix.replace("\n", "\r\n")
    a = clean(Document(id="u", doc_id=content_id(unix), text=unix, input="t", lang="en"))
    b = clean(Document(id="w", doc_id=content_id(crlf), text=crlf, input="t", lang="en"))
    assert " ".join(a.text.split()) == " ".join(b.text.split())
    assert "\r" not in b.text


SEGMENT_LINES = [
    "Бывший футболист открыл школу в Твери",
    "Бывший защитник сборной Олег Ранцев открыл детскую школу.",
    "Занятия начнутся в сентябре.",
    "В школу примут детей от шести лет.",
    "Тренеров пригласили из Ярославля.",
    "Поле построили на месте старого рынка.",
    "Ранцев сказал, что мечтал об этом десять лет.",
    "Мэр города пришёл на открытие.",
    "Он пообещал помочь с автобусом.",
    "Родители уже записали сорок детей.",
    "Форму шьют на местной фабрике.",
    "Первый турнир пройдёт зимой.",
    "Соперниками станут школы области.",
    "Вход на матчи будет бесплатным.",
    "Ранцев играл за три клуба.",
    "Он завершил карьеру в прошлом году.",
    "Теперь он учится на тренера.",
]


def test_a_text_of_one_segment_per_line_is_not_thrown_away() -> None:
    """Short lines, one sentence each, look like a page's navigation to the jusText-style
    classifier, which would keep nothing: then it is not applied, and the text stays."""
    text = "\n".join(SEGMENT_LINES) + "\n"
    cleaned = clean(Document(id="seg", doc_id=content_id(text), text=text, input="t"))
    assert not [r for r in cleaned.removed if r.reason == "boilerplate"]
    for line in SEGMENT_LINES:
        assert line in cleaned.text


PDF_PAGES = (
    "KESTREL MEDIA | 12 March 2021\n\n"
    "Ferry services to the island of Holm were suspended on Monday after a\n"
    "storm damaged the landing stage, the operator said in a short state-\n"
    "ment. Repairs are expected to take at least two weeks.\n\n"
    "Island residents will be supplied by a navy landing craft, which\n"
    "Page 1 of 2\n"
    "\fKESTREL MEDIA | 12 March 2021\n"
    "will call at Holm twice a week until the ferry returns.\n\n"
    "Page 2 of 2\n"
)


def test_pdf_page_furniture_is_removed_and_the_broken_paragraph_rejoined() -> None:
    cleaned = clean(Document(id="pdf", doc_id=content_id(PDF_PAGES), text=PDF_PAGES, input="t"))
    removed = [(PDF_PAGES[r.start : r.end].strip(), r.reason) for r in cleaned.removed]
    furniture = [t for t, reason in removed if reason == "page header/footer"]
    # The footer of page 1 and the header of page 2 touch: one removal across the page break.
    assert furniture == [
        "KESTREL MEDIA | 12 March 2021",
        "Page 1 of 2\n\fKESTREL MEDIA | 12 March 2021",
        "Page 2 of 2",
    ]
    assert "KESTREL" not in cleaned.text and "Page" not in cleaned.text
    assert "a short statement." in cleaned.text
    assert "landing craft, which will call at Holm twice a week" in cleaned.text


def test_without_page_numbers_a_dated_title_line_stays() -> None:
    text = "Holm ferry suspended | 12 March 2021\n\nFerries to Holm stopped on Monday.\n"
    cleaned = clean(Document(id="t", doc_id=content_id(text), text=text, input="t"))
    assert "Holm ferry suspended" in cleaned.text


COMMENTED = """Orsk ferry back in service after repairs

The ferry to Orsk sailed again on Monday after a week of repairs to its rudder, the operator said.

Islanders welcomed the return of the daily service, which carries food, fuel and post.

1. harbour_watcher says:

November 19, 2019 at 7:02 am

About time too, we were running out of everything.

2. kestrel88 says:

November 19, 2019 at 7:15 am

The council should buy a second boat.
"""


def test_numbered_comment_blocks_with_timestamps_are_cut() -> None:
    cleaned = clean(Document(id="c", doc_id=content_id(COMMENTED), text=COMMENTED, input="t"))
    assert "daily service, which carries food" in cleaned.text
    assert "harbour_watcher" not in cleaned.text and "second boat" not in cleaned.text
    cut = [r for r in cleaned.removed if r.reason == "comments"]
    assert cut and COMMENTED[cut[0].start :].startswith("1. harbour_watcher says:")


def test_a_single_byline_in_the_article_is_not_a_comment_section() -> None:
    text = COMMENTED.split("2. kestrel88")[0].replace(
        "About time too, we were running out of everything.",
        "The mayor thanked the crew for their work over the weekend.",
    )
    cleaned = clean(Document(id="c", doc_id=content_id(text), text=text, input="t"))
    assert not [r for r in cleaned.removed if r.reason == "comments"]


def test_an_appeal_at_the_top_of_a_page_does_not_swallow_the_article() -> None:
    """A "support us" box above the article is not the closing appeal: the article stays."""
    body = [
        "The regional council of Tallmere voted on Thursday to rebuild the old pier on the "
        "island of Orsk, which was destroyed by a storm in January.",
        "The work will start in the spring and is expected to take about eighteen months, the "
        "council said, adding that a temporary landing stage would be ready before the summer.",
        "Islanders have been relying on a small supply boat since the storm, and many of them "
        "said they felt forgotten by the mainland.",
        "The council will meet again in March to choose a builder for the new pier and to decide "
        "how the cost will be shared with the national government.",
    ]
    menu = ["Home", "World", "Politics", "Business", "Sport", "Culture", "Weather", "Video"]
    appeal = ["Support independent journalism", "Please donate to keep our reporting free."]
    text = "\n\n".join([*menu, *menu, *appeal, *body])
    cleaned = clean(Document(id="a", doc_id=content_id(text), text=text, input="t"))
    for paragraph in body:
        assert paragraph in cleaned.text


def test_a_thread_of_timestamped_comments_is_cut() -> None:
    """Comments with an avatar line and a relative timestamp, no "says:" byline."""
    article = [
        "The regional council of Tallmere voted on Thursday to rebuild the old pier on the "
        "island of Orsk, which was destroyed by a storm in January.",
        "The work will start in the spring and is expected to take about eighteen months, the "
        "council said, adding that a temporary landing stage would be ready before the summer.",
        "Islanders have been relying on a small supply boat since the storm.",
    ]
    thread: list[str] = []
    for n, (user, words_) in enumerate(
        [
            ("Avatar ferryfan", "Finally."),
            ("Avatar orsk_mum", "Took them long enough."),
            ("Avatar gull", "Who pays for it?"),
        ],
        start=1,
    ):
        thread += [user, f"{n} days ago at 07:5{n} am", words_, f"Rating: {n} Votes"]
    text = "\n\n".join([*article, *thread])
    cleaned = clean(Document(id="t", doc_id=content_id(text), text=text, input="t"))
    for paragraph in article:
        assert paragraph in cleaned.text
    assert "ferryfan" not in cleaned.text and "Who pays" not in cleaned.text
    cut = [r for r in cleaned.removed if r.reason == "comments"]
    assert cut and text[cut[0].start :].startswith("Avatar ferryfan")


LITHUANIAN_PAGE = """Orsko saloje vėl plaukioja keltas

Reklama

Keltas į Orsko salą pirmadienį vėl išplaukė po savaitę trukusio vairo remonto, pranešė bendrovė.

Keltas Orsko uoste

Nuotr. Ylva Krenn / Tallmere Gazette

Salos gyventojai džiaugiasi, nes keltas kasdien atgabena maisto, kuro ir pašto.

Taip pat skaitykite: Tallmere taryba nusprendė atstatyti prieplauką

Dalintis

Komentarai (3)

Jonas: Pagaliau!
"""


def test_lithuanian_junk_is_removed_and_the_article_kept() -> None:
    text = LITHUANIAN_PAGE
    cleaned = clean(Document(id="lt", doc_id=content_id(text), text=text, input="t"))
    assert cleaned.lang == "lt"
    assert "po savaitę trukusio vairo remonto" in cleaned.text
    assert "atgabena maisto, kuro ir pašto" in cleaned.text
    for junk in (
        "Reklama",
        "Keltas Orsko uoste",
        "Nuotr.",
        "Taip pat skaitykite",
        "Dalintis",
        "Komentarai",
        "Jonas",
    ):
        assert junk not in cleaned.text, junk
    reasons = {r.reason for r in cleaned.removed}
    assert {"ad marker", "photo caption", "photo credit", "related link", "share line"} <= reasons
    assert "comments" in reasons


def test_html_page_lists_what_the_extractor_dropped() -> None:
    page = (
        "Accept all cookies\n\nHome\n\nThe council voted on Monday to close the old pier.\n\n"
        "Advertisement - Page continues below\n\nRepairs would cost more than a new one.\n\n"
        "Terms of use"
    )
    kept = [
        (page.index("The council"), page.index("pier.") + 5),
        (page.index("Advertisement"), page.index("below") + 5),
        (page.index("Repairs"), page.index("new one.") + 8),
    ]
    doc = Document(
        id="p",
        doc_id="p",
        text=page,
        input="p.html",
        meta={"format": "html", "html_kept": " ".join(f"{s}-{e}" for s, e in kept)},
    )
    cd = clean(doc)
    assert cd.text == (
        "The council voted on Monday to close the old pier.\nRepairs would cost more than a new one."
    )
    reasons = {page[r.start : r.end]: r.reason for r in cd.removed}
    assert reasons["Accept all cookies\n\nHome"] == HTML_FURNITURE
    assert reasons["Terms of use"] == HTML_FURNITURE
    assert reasons["Advertisement - Page continues below"] == "ad marker"


# --- PDF renditions: furniture by structure, joins across page breaks -------------------

_WRAPPED = [
    "The river authority said on Wednesday that the old locks at Varnby would be closed for",
    "repairs from next month, forcing barges carrying grain and timber to take a longer route",
    "through the canal network to the east, which adds about a day to each journey.",
    "",
    "Skippers' representatives said they had been warned only two weeks in advance and asked",
    "the authority to delay the work until the end of the harvest season, when traffic on the",
    "river is at its lowest, but officials said the gates could not safely wait any longer.",
]


def test_masthead_repeated_down_the_pages_goes_without_page_numbers() -> None:
    masthead = "RIVERLAND EXPRESS — printed from riverland-express.example"
    page = "\n".join(_WRAPPED)
    raw = f"{masthead}\n\n{page}\n\n{masthead}\n\n{page.replace('Varnby', 'Ostby')}\n"
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "page header/footer") == [masthead, masthead]
    assert "RIVERLAND" not in cd.text
    assert "closed for repairs from next month" in cd.text


def test_a_name_hyphenated_across_a_page_break_is_rejoined() -> None:
    raw = "\n".join(
        [
            "Page 1 of 2",
            "The delegation travelled on to the Komsomolskaya metro station, where the mayor",
            "had arranged a short ceremony for the workers who rebuilt it after the fire at Komsomols-",
            "",
            "Page 2 of 2",
            "",
            "kaya last winter, and thanked them for finishing the work ahead of the schedule that",
            "the city council had set for the reconstruction of the station and its tunnels.",
        ]
    )
    cd = clean_text(raw)
    assert "fire at Komsomolskaya last winter" in cd.text


def test_related_line_does_not_take_the_sentence_under_it() -> None:
    raw = "\n".join(
        [
            *_WRAPPED[:3],
            "Related article: Barge operators warn of higher freight costs this autumn",
            *_WRAPPED[4:],
        ]
    )
    cd = clean_text(raw)
    assert removed_texts(raw, cd, "related link") == [
        "Related article: Barge operators warn of higher freight costs this autumn"
    ]
    assert "Skippers' representatives said they had been warned" in cd.text


def test_a_label_goes_with_the_address_it_introduced() -> None:
    raw = paras(HEADLINE, B0, B1, "Read online: https://www.tallmere-gazette.test/orsk/123", B2)
    cd = clean_text(raw)
    assert "Read online" not in cd.text
    assert_removed(raw, cd, "Read online: https://www.tallmere-gazette.test/orsk/123", "url")


def _cleaning_seconds(lines: list[str]) -> float:
    """Best of five ``clean`` timings of the article with ``lines`` between its paragraphs
    (the garbage collector paused while timing: its passes grow with what is alive)."""
    import gc
    import time

    raw = "\n\n".join([HEADLINE, B0, "\n".join(lines), B1, B2])
    doc = Document(id="junk", doc_id=content_id(raw), text=raw, input="junk", lang="en")
    best = float("inf")
    for _ in range(5):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            clean(doc)
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize(
    "junk",
    ["Page {i}", "Read more: http://news.example/{i}", "Advertisement", "[ad_{i}]"],
)
def test_cleaning_thousands_of_junk_lines_costs_linear_time(junk: str) -> None:
    """A line pattern repeated down a text is page furniture when its occurrences are a page
    apart; its smallest gap is found once per pattern (found per line, it was quadratic:
    10,000 "Page N" lines took 5 s, 40,000 would take 80). Four times the lines must cost
    about four times as much, not sixteen."""
    n = 5000
    small = _cleaning_seconds([junk.format(i=i) for i in range(n)])
    large = _cleaning_seconds([junk.format(i=i) for i in range(4 * n)])
    assert large / max(small, 0.02) < 8, (small, large)
