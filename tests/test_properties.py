"""Property-based tests (hypothesis) for the algorithm kernels.

- MinHash: the estimated Jaccard stays within a binomial bound of the exact Jaccard.
- Cleaning: every removal lies inside the raw text, and every kept character maps back,
  through the offset runs, to the same character of the raw text (or to a line-break
  character, "\n" or "\r", that reflow turned into a space).
- Alignment: every passage span lies inside its document.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storytrace.align import align
from storytrace.clean import clean
from storytrace.fingerprint import (
    fingerprint,
    jaccard_and_containment,
    minhash_batch,
    shingle_hashes,
    word_hashes,
)
from storytrace.records import Document
from storytrace.text import content_id

WORDS = st.sampled_from(
    [
        "the",
        "harbour",
        "ferry",
        "council",
        "river",
        "pier",
        "storm",
        "Tuesday",
        "minister",
        "said",
        "would",
        "resume",
        "after",
        "repairs",
        "people",
        "island",
        "port",
        "strike",
        "cranes",
        "workers",
        "dam",
        "cracks",
        "village",
        "euros",
    ]
)
JUNK_LINES = st.sampled_from(
    [
        "[ad_1]",
        "https://example.test/a/b",
        "Related article: Storm hits the coast",
        "Lena Varg | NORDWIRE / POOL",
        "© 2025 All rights reserved.",
        "3 comments",
        "Dear readers, please support us with a donation.",
        "2",
        "",
    ]
)


def _doc(text: str) -> Document:
    return Document(id="d", doc_id=content_id(text), text=text, input="hypothesis", lang="en")


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(WORDS, min_size=5, max_size=120),
    b=st.lists(WORDS, min_size=5, max_size=120),
)
def test_minhash_estimate_is_within_bounds_of_exact_jaccard(a: list[str], b: list[str]) -> None:
    sa, sb = (
        shingle_hashes(word_hashes(" ".join(a)), 3),
        shingle_hashes(word_hashes(" ".join(b)), 3),
    )
    exact, _, _ = jaccard_and_containment(sa, sb)
    num_perm = 256
    sig = minhash_batch([sa, sb], num_perm, seed=1)
    estimate = float(np.mean(sig[0] == sig[1]))
    # 6 standard deviations of a binomial estimate, plus the hash-collision slack of 32 bits.
    bound = 6 * math.sqrt(max(exact * (1 - exact), 1e-3) / num_perm) + 0.01
    assert abs(estimate - exact) <= bound


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.one_of(
            st.lists(WORDS, min_size=1, max_size=25).map(
                lambda ws: " ".join(ws).capitalize() + "."
            ),
            JUNK_LINES,
            st.text(max_size=40),
        ),
        min_size=1,
        max_size=30,
    ),
    wrap=st.sampled_from([None, 30, 60]),
)
def test_cleaning_offsets_map_back(lines: list[str], wrap: int | None) -> None:
    raw = "\n".join(lines)
    if wrap:  # a hard-wrapped rendering of the same text
        raw = "\n".join(raw[i : i + wrap] for i in range(0, len(raw), wrap))
    if not raw.strip():
        return
    cleaned = clean(_doc(raw))
    for r in cleaned.removed:
        assert 0 <= r.start < r.end <= len(raw)
        assert r.reason
    for run in cleaned.runs:
        assert run.raw >= 0 and run.raw + run.length <= len(raw)
        kept = cleaned.text[run.clean : run.clean + run.length]
        original = raw[run.raw : run.raw + run.length]
        for k, o in zip(kept, original, strict=True):
            assert k == o or (k == " " and o.isspace())  # reflow turns a line break into a space
    for s in cleaned.sentences:
        span = cleaned.raw_span(s)
        assert 0 <= span.start <= span.end <= len(raw)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parent=st.lists(st.lists(WORDS, min_size=3, max_size=15), min_size=1, max_size=8),
    edits=st.lists(st.tuples(st.integers(0, 7), WORDS), max_size=6),
)
def test_alignment_spans_lie_inside_both_documents(
    encoder: Any, parent: list[list[str]], edits: list[tuple[int, str]]
) -> None:
    sentences = [" ".join(ws).capitalize() + "." for ws in parent]
    child_sentences = list(sentences)
    for index, word in edits:
        i = index % len(child_sentences)
        child_sentences[i] = child_sentences[i].rstrip(".") + f" {word}."
    a, b = clean(_doc("\n".join(sentences))), clean(_doc("\n\n".join(child_sentences)))
    sig_a, sig_b = fingerprint([a, b], shingle_size=5, num_perm=64, seed=1, encoder=encoder)
    alignment = align(a, b, sig_a, sig_b, 0.7)
    for passage in alignment.passages:
        assert 0 <= passage.a.start < passage.a.end <= a.raw_length
        assert 0 <= passage.b.start < passage.b.end <= b.raw_length
    assert 0.0 <= alignment.coverage_a <= 1.0 and 0.0 <= alignment.coverage_b <= 1.0
