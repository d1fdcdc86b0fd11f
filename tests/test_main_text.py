"""``storytrace.extract``: the cleaned main text of one HTML page."""

from __future__ import annotations

import storytrace

PAGE = """<html><head><title>Bridge to Holm island reopens</title></head><body>
<div class="cookie">We use cookies to improve your experience. Accept all</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li></ul></nav>
<article><h1>Bridge to Holm island reopens after repairs</h1>
<p>The bridge to Holm island reopened to traffic on Monday morning, eleven weeks after a
barge struck one of its supports during a storm in January.</p>
<p>ADVERTISEMENT - Page continues below</p>
<p>Engineers replaced two damaged steel sections and reinforced the foundations of the
central pier, the county roads department said in a statement.</p>
<p>Lorry drivers will still have to wait until the end of the month, when the weight limit
is lifted after a final load test.</p></article>
<footer>Contact the newsroom | Terms of use</footer></body></html>"""


def test_extract_returns_the_article_without_page_furniture() -> None:
    text = storytrace.extract(PAGE)
    assert "eleven weeks after a barge struck one of its supports" in " ".join(text.split())
    assert "weight limit is lifted after a final load test" in " ".join(text.split())
    for junk in ("We use cookies", "Terms of use", "Page continues below", "Home"):
        assert junk not in text


def test_extract_of_an_empty_page_is_empty() -> None:
    assert storytrace.extract("<html><body></body></html>") == ""
    assert storytrace.extract("") == ""
