"""The article-extraction metric and runner, on a small invented set in the benchmark's format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storytrace.eval.cleaning import run, shingle_score, shingles

ARTICLE = (
    "The regional council of Tallmere voted on Thursday to rebuild the old pier on the island of "
    "Orsk, which was destroyed by a storm in January. The work will start in the spring and is "
    "expected to take about eighteen months, the council said."
)


def test_truth_against_itself_is_perfect() -> None:
    score = shingle_score(
        [
            (ARTICLE, ARTICLE),
            ("Another text with enough words in it.", "Another text with enough words in it."),
        ]
    )
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


def test_shingles_count_repeats_and_junk_costs_precision() -> None:
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    junk = "Home World Sport Subscribe Sign in Weather Podcasts Video Contact Careers"
    score = shingle_score([(ARTICLE, junk + " " + ARTICLE)])
    assert score.recall == 1.0 and score.precision < 0.9
    half = ARTICLE[: len(ARTICLE) // 2]
    assert shingle_score([(ARTICLE, half)]).recall < 0.6


def test_runner_scores_html_and_plain_text(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "plaintext" / "txt").mkdir(parents=True)
    (tmp_path / "ground-truth.json").write_text(
        json.dumps({"p1": {"articleBody": ARTICLE, "url": "https://x.test/p1"}})
    )
    page = (
        "<html><head><title>Pier</title></head><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
        f"<article><h1>Pier to be rebuilt</h1><p>{ARTICLE}</p></article><footer>Contact us</footer></body></html>"
    )
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(page.encode()))
    (tmp_path / "plaintext" / "txt" / "p1.txt").write_text(
        "Home\nWorld\n" + ARTICLE + "\nContact us\n"
    )
    results = run(tmp_path)
    assert results["html"].pages == results["plaintext"].pages == 1
    assert results["html"].recall == pytest.approx(1.0)
    assert results["plaintext"].recall == pytest.approx(1.0)
