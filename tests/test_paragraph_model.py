"""Tests for storytrace.paragraph_model: features, the logistic fit, and the shipped weights
on an invented page dump."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.clean import clean
from storytrace.paragraph_model import FEATURES, WEIGHTS, features, fit, probabilities
from storytrace.records import Document
from storytrace.text import content_id

MENU = ["Home", "• World", "• Politics", "• Business", "• Sport", "Sign in", "Subscribe"]
ARTICLE = [
    "The regional council of Tallmere voted on Thursday to rebuild the old pier on the island "
    "of Orsk, which was destroyed by a storm in January.",
    "The work will start in the spring and is expected to take about eighteen months, the "
    "council said, adding that a temporary landing stage would be ready before the summer.",
    "Islanders have been relying on a small supply boat since the storm, and many of them said "
    "at a meeting last week that they felt forgotten by the mainland.",
    "The council will meet again in March to choose a builder for the new pier.",
]
FOOTER = ["About us", "Contact", "Careers", "Privacy policy", "© 2025 Tallmere Gazette"]
TEASERS = [
    "Velamar Opens New Tram LineThe first tram in forty years carried commuters on Monday.",
    "3 hours ago",
    "Storm Warning Issued For The CoastForecasters expect gusts of up to 120 km/h tonight.",
    "5 hours ago",
]
PAGE = [
    "Tallmere council votes to rebuild the Orsk pier | Tallmere Gazette",
    *MENU,
    "Tallmere council votes to rebuild the Orsk pier",
    *ARTICLE,
    *TEASERS,
    *FOOTER,
]


def test_features_have_one_row_per_paragraph_and_named_columns() -> None:
    x = features(PAGE, "en")
    assert x.shape == (len(PAGE), len(FEATURES)) == (len(PAGE), len(WEIGHTS))
    assert np.all(x[:, 0] == 1.0)
    col = {name: i for i, name in enumerate(FEATURES)}
    bullet = PAGE.index("• World")
    assert x[bullet, col["bullet"]] == 1.0 and x[1, col["bullet"]] == 0.0
    assert x[PAGE.index(TEASERS[0]), col["teaser"]] == 1.0
    assert x[PAGE.index("3 hours ago"), col["timestamp"]] == 1.0
    first = PAGE.index(ARTICLE[0])
    assert x[first, col["ends_sentence"]] == 1.0
    assert x[first, col["after_headline"]] == 1.0 and x[2, col["after_headline"]] == 0.0
    assert x[first, col["title_words"]] > x[bullet, col["title_words"]]
    assert x[0, col["first"]] == 1.0 and not x[1:, col["first"]].any()
    position = x[:, col["char_position"]]
    assert np.all(np.diff(position) > 0) and position[-1] == pytest.approx(1.0)
    assert features([], "en").shape == (0, len(FEATURES))


def test_fit_separates_a_separable_problem() -> None:
    rng = np.random.default_rng(3)
    signal = rng.normal(size=400)
    x = np.column_stack([np.ones(400), signal, rng.normal(size=400)])
    y = (signal > 0.2).astype(np.float64)
    w = fit(x, y, l2=0.01)
    predicted = (1 / (1 + np.exp(-(x @ w)))) >= 0.5
    assert (predicted == y.astype(bool)).mean() >= 0.97
    assert abs(w[1]) > 5 * abs(w[2])  # the informative column carries the weight


def test_shipped_weights_find_the_article_on_an_invented_page() -> None:
    probs = probabilities(PAGE, "en")
    article = [probs[PAGE.index(p)] for p in ARTICLE]
    layout = [probs[PAGE.index(p)] for p in MENU + FOOTER + TEASERS[1::2]]
    teasers = [probs[PAGE.index(p)] for p in TEASERS[::2]]
    assert min(article) >= 0.9 and max(layout) < 0.25
    # Teasers right below an article borrow its context; they still score below it.
    assert max(teasers) < min(article)


def test_clean_keeps_the_article_of_the_invented_page() -> None:
    text = "\n\n".join(PAGE)
    cleaned = clean(Document(id="p", doc_id=content_id(text), text=text, input="t"))
    for paragraph in ARTICLE:
        assert paragraph in cleaned.text
    for junk in (*MENU[1:], *TEASERS[1::2], *FOOTER[:4]):
        assert junk not in cleaned.text, junk
