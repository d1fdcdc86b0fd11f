"""The WCXB runner: its metric, its split and a run over a tiny benchmark of our own pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storytrace.errors import InputError
from storytrace.eval import wcxb

ARTICLE = """<html><head><title>Lantern festival returns to Varnby harbour</title>
<meta property="article:published_time" content="2024-03-09T08:15:00+01:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Lantern festival returns to Varnby harbour</h1>
<p>The lantern festival returned to Varnby harbour on Saturday after a four-year pause, with
more than three thousand visitors lining the quays as boats carried paper lanterns out into
the bay at dusk.</p>
<p>Organisers said the cost of the event had been covered by local businesses and a grant from
the regional council, which had cut its culture budget during the pause.</p>
<p>"We were not sure anyone would still come," said festival chair Ottilie Brann, who has run
the event since its first year. "The quays were full an hour before sunset."</p>
</article>
<footer><p>Contact us</p><p>Privacy policy</p></footer></body></html>"""

TRUTH = (
    "Lantern festival returns to Varnby harbour. The lantern festival returned to Varnby "
    "harbour on Saturday after a four-year pause, with more than three thousand visitors lining "
    "the quays as boats carried paper lanterns out into the bay at dusk. Organisers said the "
    "cost of the event had been covered by local businesses and a grant from the regional "
    'council, which had cut its culture budget during the pause. "We were not sure anyone '
    'would still come," said festival chair Ottilie Brann, who has run the event since its '
    'first year. "The quays were full an hour before sunset."'
)


def _write_set(root: Path, pages: dict[str, tuple[str, str, str]]) -> Path:
    (root / "html").mkdir(parents=True)
    (root / "ground-truth").mkdir()
    for page_id, (html, truth, kind) in pages.items():
        (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
        record = {
            "file_id": page_id,
            "_internal": {"page_type": {"primary": kind}},
            "ground_truth": {
                "main_content": truth,
                "with": ["more than three thousand visitors"],
                "without": ["Privacy policy"],
                "publish_date": "2024-03-09",
            },
        }
        (root / "ground-truth" / f"{page_id}.json").write_text(json.dumps(record))
    return root


def test_bag_of_words_f1_counts_repeated_tokens() -> None:
    assert wcxb.bow_prf("a b c d", "a b c d") == (1.0, 1.0, 1.0)
    precision, recall, f1 = wcxb.bow_prf("The cat sat", "the cat the cat")
    assert (precision, recall) == (0.5, 2 / 3)
    assert f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert wcxb.bow_prf("", "") == (1.0, 1.0, 1.0)
    assert wcxb.bow_prf("words", "") == (0.0, 0.0, 0.0)


def test_snippets_fold_case_and_whitespace() -> None:
    assert (
        wcxb.snippet_rate(["Three  Thousand\nvisitors", "absent"], "three thousand visitors") == 0.5
    )
    assert wcxb.snippet_rate([], "text") is None


def test_halves_are_stable_and_both_used() -> None:
    halves = {wcxb.half_of(f"{i:04d}") for i in range(40)}
    assert halves == set(wcxb.HALVES)
    assert wcxb.half_of("0001") == wcxb.half_of("0001")


def test_run_scores_both_systems_per_group(tmp_path: Path) -> None:
    ids = [f"{i:04d}" for i in range(6)]
    root = _write_set(
        tmp_path / "wcxb",
        {i: (ARTICLE, TRUTH, "article" if n < 4 else "listing") for n, i in enumerate(ids)},
    )
    results = wcxb.run(root)
    assert set(results) == set(wcxb.SYSTEMS)
    ours = results["storytrace"]
    assert ours["all/article"].pages == 4 and ours["all/all types"].pages == 6
    assert ours["all/listing"].pages == 2
    assert ours["all/all types"].f1 > 0.9
    assert ours["all/all types"].with_rate == 1.0 and ours["all/all types"].without_rate == 0.0
    assert ours["all/all types"].date_accuracy == 1.0
    halves = [g for g in ours if g.endswith("/all types") and not g.startswith("all")]
    assert sum(ours[g].pages for g in halves) == 6


def test_missing_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ground-truth: missing"):
        wcxb.load_pages(tmp_path)
