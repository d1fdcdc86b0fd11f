"""The junk generator: labelled spans land on the junk, and the scorer counts them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from storytrace.errors import InputError
from storytrace.eval import junk

_PLACES = (
    "northern pier",
    "southern quay",
    "old lighthouse",
    "fish market",
    "ferry ramp",
    "boat yard",
)
_ACTS = ("closed", "inspected", "repaired", "reopened", "surveyed", "painted")
_WHEN = ("on Monday", "last week", "in the spring")
SENTENCES = [
    f"The harbour authority {act} the {place} {when}, officials told reporters at the town hall."
    for place, act in zip(_PLACES, _ACTS, strict=True)
    for when in _WHEN
]


def test_labels_cover_the_junk_and_nothing_else() -> None:
    rng = random.Random(3)
    deck = junk._Deck("dev", rng)
    paras = junk._paragraphs(SENTENCES, rng)
    for version in (
        junk.scraper_page("s", "scraped", paras, deck, rng),
        junk.pdf_rendition("s", "pdf", paras, deck, rng),
    ):
        assert version.junk
        labelled = "".join(version.text[a:b] for a, b, _ in version.junk)
        for sentence in SENTENCES:
            assert sentence[:30] not in labelled
        unlabelled = list(version.text)
        for a, b, _ in version.junk:
            unlabelled[a:b] = [" "] * (b - a)
        rest = " ".join("".join(unlabelled).replace("-\n", "").split())
        assert "harbour authority closed the northern pier" in rest


def test_pdf_rendition_is_wrapped_paged_and_hyphenated() -> None:
    rng = random.Random(5)
    version = junk.pdf_rendition(
        "s", "pdf", junk._paragraphs(SENTENCES, rng), junk._Deck("held_out", rng), rng
    )
    kinds = {k for _, _, k in version.junk}
    assert {"pdf header", "pdf footer"} <= kinds
    lines = [line for line in version.text.splitlines() if line.strip()]
    assert max(len(line) for line in lines) <= 100
    assert version.hyphenated


def test_score_counts_characters() -> None:
    version = junk.Version(
        "a", "s", "scraped", "Body text here.\n\nShare it now\n", ((17, 29, "share bar"),)
    )
    perfect = junk.score([version], [[(17, 29)]], ["Body text here."])
    assert perfect.junk.f1 == 1.0 and perfect.content_removed == 0.0
    greedy = junk.score([version], [[(0, 29)]], [""])
    assert greedy.junk.recall == 1.0 and greedy.junk.precision < 1.0
    assert greedy.content_removed == 1.0
    assert greedy.recall_by_kind == {"share bar": 1.0}


def test_run_on_a_small_set(tmp_path: Path) -> None:
    records = []
    for story in ("s1", "s2", "s3", "s4"):
        for n in range(2):
            records.append(
                {
                    "id": f"{story}#{n}",
                    "story": story,
                    "lang": "en",
                    "kind": "human_translation",
                    "text": "\n".join(SENTENCES if n == 0 else list(reversed(SENTENCES))),
                }
            )
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    results = junk.run(tmp_path)
    assert set(results) <= set(junk.FAMILIES) and results
    for modes in results.values():
        assert modes["story"].junk.f1 >= modes["document"].junk.f1
        assert modes["story"].content_removed <= 0.05


def test_missing_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"docs\.jsonl: missing"):
        junk.load_stories(tmp_path)
