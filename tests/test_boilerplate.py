"""The jusText-style classifier: page dumps lose their menus, articles stay untouched."""

from __future__ import annotations

from storytrace.boilerplate import classify, looks_like_page_dump, stopwords
from storytrace.clean import clean
from storytrace.records import Document
from storytrace.text import content_id

MENU = [
    "Home",
    "World",
    "• Politics",
    "• Business",
    "• Sport",
    "Subscribe",
    "Sign in",
    "Weather",
    "Podcasts",
    "Video",
]
BODY = [
    "The regional council of Tallmere voted on Thursday to rebuild the old pier on the island of "
    "Orsk, which was destroyed by a storm in January, and to pay for most of the work from its "
    "own budget rather than wait for money from the capital.",
    "The work will start in the spring and is expected to take about eighteen months, the "
    "council said, adding that a temporary landing stage would be ready before the summer so "
    "that the ferry could call at the island again.",
    "Islanders have been relying on a small supply boat since the storm, and many of them said "
    "at a meeting last week that they felt forgotten by the mainland and by the government.",
]
FOOTER = [
    "About us",
    "Contact",
    "Careers",
    "Privacy policy",
    "Cookie settings",
    "© 2025 Tallmere Gazette",
]


def test_page_dump_keeps_the_article_and_drops_the_menus() -> None:
    paragraphs = [*MENU, "Pier to be rebuilt", *BODY, *FOOTER]
    assert looks_like_page_dump(paragraphs)
    keep = classify(paragraphs, "en")
    kept = [p for p, k in zip(paragraphs, keep, strict=True) if k]
    assert kept == BODY


def test_an_article_is_not_a_page_dump() -> None:
    assert not looks_like_page_dump(["Pier to be rebuilt", *BODY])


def test_clean_marks_boilerplate_with_its_reason() -> None:
    raw = "\n".join([*MENU, "Pier to be rebuilt", *BODY, *FOOTER])
    cleaned = clean(Document(id="page", doc_id=content_id(raw), text=raw, input="test", lang="en"))
    assert "boilerplate" in {r.reason for r in cleaned.removed}
    assert all(sentence in cleaned.text for sentence in BODY)
    assert "Privacy policy" not in cleaned.text and "Podcasts" not in cleaned.text


def test_stopwords_are_function_words_per_language() -> None:
    assert {"the", "of", "and"} <= stopwords("en")
    assert {"der", "und", "die"} <= stopwords("de")
    assert stopwords("und") == stopwords("en")
