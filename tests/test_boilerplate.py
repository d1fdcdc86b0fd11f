"""The jusText-style classifier: page dumps lose their menus, articles stay untouched."""

from __future__ import annotations

import pytest

from storytrace.boilerplate import (
    classify,
    headline_index,
    is_teaser,
    looks_like_page_dump,
    main_block,
    prose_like,
    stopwords,
)
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


WIRE_BODY = [
    "ORSK (Coastwire) - The ferry to the island of Orsk will not sail on Friday, the operator "
    "said in a statement.",
    "The company blamed a broken rudder that was found by divers during a routine check.",
    "A spokeswoman said that the repairs could take a week or more if parts had to be ordered.",
    "Islanders were told by the council to stock up on fuel and food before the weekend.",
]


def test_short_wire_paragraphs_are_kept_when_nothing_is_long() -> None:
    """Nothing clears the 200-character bar, so the bar is lowered until the article shows."""
    page = MENU + WIRE_BODY + FOOTER
    verdicts = classify(page, "en")
    assert sum(verdicts) >= 2
    assert not any(v for v, t in zip(verdicts, page, strict=True) if t in MENU + FOOTER)


def test_main_block_keeps_the_article_run_not_a_teaser_elsewhere() -> None:
    teaser = (
        "Read our guide to the best walks on the island of Orsk, with maps, tide tables and the "
        "cafes that stay open all winter long for those who brave the cold and the wind."
    )
    page = [*BODY, *MENU, *MENU, teaser, *FOOTER]
    keep = main_block(page, classify(page, "en"))
    assert keep[: len(BODY)] == [True] * len(BODY)
    assert not keep[page.index(teaser)]


def test_the_headline_points_at_the_article() -> None:
    title = "Council votes to rebuild the Orsk pier | Tallmere Gazette"
    other = [
        "The city of Velamar opened a new tram line on Monday, the first in the region for "
        "forty years, and the mayor said that two more lines would follow before the end of "
        "the decade if the first one proved popular with commuters and with visitors alike.",
    ] * 4
    page = [
        title,
        *other,
        *MENU * 8,  # a long stretch of menus: the two runs stay apart
        "Council votes to rebuild the Orsk pier",
        "By Ines Dalgren",
        *BODY,
    ]
    head = headline_index(page)
    assert head == page.index("Council votes to rebuild the Orsk pier")
    verdicts = [t in other or t in BODY for t in page]
    without = main_block(page, verdicts)
    with_headline = main_block(page, verdicts, headline=head)
    assert without[1] and not without[-1]  # the longer run wins on length alone
    assert with_headline[-len(BODY) :] == [True] * len(BODY) and not with_headline[1]


def test_prose_like_and_growing_over_short_paragraphs() -> None:
    teasers = ["• Orsk lighthouse to reopen", "• Velamar tram fares rise"]
    page = [BODY[0], teasers[0], *WIRE_BODY[1:3], teasers[1], WIRE_BODY[3], *FOOTER]
    prose = prose_like(page, "en")
    assert prose[0] and not prose[1] and prose[2] and prose[3] and not prose[4] and prose[5]
    assert not any(prose[6:])
    keep = [True] + [False] * (len(page) - 1)
    grown = main_block(page, keep, prose=prose)
    assert grown[:6] == [True, False, True, True, False, True]
    assert not any(grown[6:])


@pytest.mark.parametrize(
    ("text", "teaser"),
    [
        ("Customers Leave Without Paying At Troy SteakhouseA party of six left the bill.", True),
        ("Tape Gaffe Ends Hamlin's Title RunDenny Hamlin's run was foiled by tape.", True),
        ("The council met on Monday. The mayor said the pier would be rebuilt.", False),
        ("Apple unveiled the new iPhone on Tuesday in Cupertino, California.", False),
        ("McDonald's opened a restaurant in Orsk, the first on the island.", False),
        ("Following the 16-inch MacBook Pro, the company plans a smaller model.", False),
        ("Watch The New PlayStation Trailer On YouTube before the launch.", False),
    ],
)
def test_is_teaser(text: str, teaser: bool) -> None:
    assert is_teaser(text) is teaser


def test_a_comment_thread_does_not_win_the_main_block() -> None:
    """A long thread of comments (each with a timestamp line) outweighs a short article on
    length alone; three timestamps inside a run mark it as a thread."""
    thread: list[str] = []
    for n in range(6):
        thread += [
            "I think the council should have done this years ago, the pier was falling apart "
            f"long before the storm and everybody on the island knew it (comment {n}).",
            f"{n + 1} days ago at 07:5{n} am",
        ]
    page = [*BODY, *MENU, *thread]
    keep = main_block(page, classify(page, "en"))
    assert keep[: len(BODY)] == [True] * len(BODY)
    assert not any(keep[len(BODY) :])


def test_an_article_broken_by_a_list_stays_one_block() -> None:
    """Two runs of the article with a short list between them are one article, not a choice."""
    steps = ["• Plan", "• Build", "• Launch", "• Grow"]
    page = [*MENU, *BODY[:2], *steps, *steps, *steps, BODY[2], *FOOTER]
    verdicts = [t in BODY for t in page]
    keep = main_block(page, verdicts, max_gap=8)
    assert [t for t, k in zip(page, keep, strict=True) if k] == BODY
