"""Tests for storytrace.fingerprint: shingles, MinHash and batch signatures."""

from __future__ import annotations

import random

import numpy as np
import pytest

from storytrace import fingerprint as fp
from storytrace.clean import clean
from storytrace.fingerprint import (
    EMPTY_SHINGLE,
    estimated_jaccard,
    fingerprint,
    jaccard_and_containment,
    minhash_batch,
    shingle_hashes,
    word_hashes,
)
from storytrace.records import CleanDoc, Document
from storytrace.text import content_id

K = 5
NUM_PERM = 128
SEED = 1


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab: set[str] = set()
    while len(vocab) < size:
        vocab.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(vocab)


RNG = random.Random(20240611)
VOCAB = _vocabulary(RNG)


def _random_words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(VOCAB) for _ in range(n)]


def _shingles(text: str) -> np.ndarray:
    return shingle_hashes(word_hashes(text), K)


def _clean_doc(doc_id: str, text: str) -> CleanDoc:
    return clean(Document(id=doc_id, doc_id=content_id(text), text=text, input="test", lang="en"))


def _pair_with_overlap(rng: random.Random, total: int, shared: int) -> tuple[str, str]:
    """Two texts of ``total`` words sharing a block of ``shared`` consecutive words."""
    common = _random_words(rng, shared)
    a = common + _random_words(rng, total - shared)
    b = _random_words(rng, total - shared) + common
    return " ".join(a), " ".join(b)


# --- determinism -------------------------------------------------------------------------


def test_word_hashes_are_case_insensitive_and_deterministic() -> None:
    a = word_hashes("The Harbour of Velamar")
    b = word_hashes("the HARBOUR of velamar")
    assert a.dtype == np.uint64
    assert len(a) == 4
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, word_hashes("The Harbour of Velamar"))


def test_shingles_sorted_unique_and_deterministic() -> None:
    text = " ".join(_random_words(random.Random(3), 300))
    s1, s2 = _shingles(text), _shingles(text)
    np.testing.assert_array_equal(s1, s2)
    assert s1.dtype == np.uint64
    assert np.all(np.diff(s1.astype(np.float64)) >= 0)  # sorted
    assert len(np.unique(s1)) == len(s1)
    # 300 random words from a big vocabulary: (almost surely) 296 distinct 5-word shingles
    assert len(s1) == 300 - K + 1


def test_shingle_depends_on_word_order() -> None:
    a = _shingles("alpha beta gamma delta epsilon")
    b = _shingles("epsilon delta gamma beta alpha")
    assert len(a) == len(b) == 1
    assert a[0] != b[0]


def test_repeated_text_gives_repeated_shingles_once() -> None:
    block = "alpha beta gamma delta epsilon zeta"
    once = _shingles(block)
    twice = _shingles(block + " " + block)
    # every shingle of the single block is in the doubled text
    assert set(once.tolist()) <= set(twice.tolist())
    assert len(np.unique(twice)) == len(twice)


def test_same_seed_same_minhash_different_seed_differs() -> None:
    text = " ".join(_random_words(random.Random(5), 200))
    sh = _shingles(text)
    m1 = minhash_batch([sh], NUM_PERM, SEED)
    m2 = minhash_batch([sh], NUM_PERM, SEED)
    m3 = minhash_batch([sh], NUM_PERM, SEED + 1)
    assert m1.shape == (1, NUM_PERM)
    assert m1.dtype == np.uint32
    np.testing.assert_array_equal(m1, m2)
    assert not np.array_equal(m1, m3)
    # a different seed is a different hash family: almost no slots agree by chance
    assert np.mean(m1 == m3) < 0.05


def test_fingerprint_deterministic_and_seed_dependent() -> None:
    doc = _clean_doc("d1", " ".join(_random_words(random.Random(9), 150)))
    a = fingerprint([doc], shingle_size=K, num_perm=NUM_PERM, seed=SEED, encoder=None)[0]
    b = fingerprint([doc], shingle_size=K, num_perm=NUM_PERM, seed=SEED, encoder=None)[0]
    c = fingerprint([doc], shingle_size=K, num_perm=NUM_PERM, seed=7, encoder=None)[0]
    np.testing.assert_array_equal(a.shingles, b.shingles)
    np.testing.assert_array_equal(a.minhash, b.minhash)
    np.testing.assert_array_equal(a.shingles, c.shingles)  # shingles do not depend on seed
    assert not np.array_equal(a.minhash, c.minhash)
    assert a.embedding is None and a.sentence_embeddings is None
    assert a.id == "d1"


def test_permutation_seeds_distinct_and_seeded() -> None:
    s1 = fp.permutation_seeds(NUM_PERM, 1)
    s2 = fp.permutation_seeds(NUM_PERM, 2)
    assert len(np.unique(s1)) == NUM_PERM
    assert not np.array_equal(s1, s2)
    np.testing.assert_array_equal(s1, fp.permutation_seeds(NUM_PERM, 1))


# --- MinHash accuracy ----------------------------------------------------------------------


@pytest.mark.parametrize("shared", [60, 150, 250, 330, 390])
def test_minhash_estimate_close_to_exact_jaccard(shared: int) -> None:
    rng = random.Random(1000 + shared)
    text_a, text_b = _pair_with_overlap(rng, 400, shared)
    sa, sb = _shingles(text_a), _shingles(text_b)
    exact, _, _ = jaccard_and_containment(sa, sb)
    sigs = minhash_batch([sa, sb], NUM_PERM, SEED)
    estimate = estimated_jaccard(sigs[0], sigs[1])
    assert abs(estimate - exact) <= 0.1, (shared, exact, estimate)


def test_minhash_estimate_tracks_overlap_order() -> None:
    estimates = []
    for shared in (0, 100, 200, 300, 400):
        text_a, text_b = _pair_with_overlap(random.Random(shared), 400, shared)
        sigs = minhash_batch([_shingles(text_a), _shingles(text_b)], NUM_PERM, SEED)
        estimates.append(estimated_jaccard(sigs[0], sigs[1]))
    assert estimates[0] < 0.05
    assert estimates[-1] == 1.0
    assert estimates == sorted(estimates)


def test_estimated_jaccard_counts_equal_slots() -> None:
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([1, 9, 3, 8], dtype=np.uint32)
    assert estimated_jaccard(a, b) == 0.5
    assert estimated_jaccard(a, a) == 1.0


def test_minhash_is_min_over_shingles() -> None:
    """Adding shingles can only lower (or keep) every MinHash slot."""
    rng = random.Random(77)
    base = _shingles(" ".join(_random_words(rng, 100)))
    extra = _shingles(" ".join(_random_words(rng, 100)))
    union = np.union1d(base, extra)
    sigs = minhash_batch([base, extra, union], NUM_PERM, SEED)
    np.testing.assert_array_equal(sigs[2], np.minimum(sigs[0], sigs[1]))


# --- batches -------------------------------------------------------------------------------


def test_batch_equals_per_document() -> None:
    rng = random.Random(42)
    texts = [" ".join(_random_words(rng, n)) for n in (3, 40, 250, 1, 90)]
    docs = [_clean_doc(f"doc{i}", t) for i, t in enumerate(texts)]
    batch = fingerprint(docs, shingle_size=K, num_perm=NUM_PERM, seed=SEED, encoder=None)
    assert [s.id for s in batch] == [d.id for d in docs]
    for doc, sig in zip(docs, batch, strict=True):
        single = fingerprint([doc], shingle_size=K, num_perm=NUM_PERM, seed=SEED, encoder=None)[0]
        np.testing.assert_array_equal(sig.shingles, single.shingles)
        np.testing.assert_array_equal(sig.minhash, single.minhash)


def test_batch_equals_per_document_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunking the batch (a tiny memory bound) must not change any signature."""
    rng = random.Random(43)
    sets = [_shingles(" ".join(_random_words(rng, n))) for n in (30, 7, 60, 1, 45, 12)]
    whole = minhash_batch(sets, NUM_PERM, SEED)
    monkeypatch.setattr(fp, "_MAX_SKETCH_SHINGLES", 20)  # ~20 shingles per chunk
    chunked = minhash_batch(sets, NUM_PERM, SEED)
    np.testing.assert_array_equal(whole, chunked)
    for i, s in enumerate(sets):
        np.testing.assert_array_equal(whole[i], minhash_batch([s], NUM_PERM, SEED)[0])


def test_minhash_batch_empty_batch() -> None:
    out = minhash_batch([], NUM_PERM, SEED)
    assert out.shape == (0, NUM_PERM)


# --- exact scores --------------------------------------------------------------------------


def test_jaccard_and_containment_known_sets() -> None:
    a = np.array([1, 2, 3, 4], dtype=np.uint64)
    b = np.array([3, 4, 5, 6, 7, 8], dtype=np.uint64)
    jac, c_ab, c_ba = jaccard_and_containment(a, b)
    assert jac == pytest.approx(2 / 8)
    assert c_ab == pytest.approx(2 / 4)
    assert c_ba == pytest.approx(2 / 6)


def test_jaccard_and_containment_subset_identical_disjoint() -> None:
    a = np.array([1, 2, 3], dtype=np.uint64)
    sub = np.array([2, 3], dtype=np.uint64)
    assert jaccard_and_containment(a, a) == (1.0, 1.0, 1.0)
    jac, c_ab, c_ba = jaccard_and_containment(sub, a)
    assert (jac, c_ab, c_ba) == (pytest.approx(2 / 3), 1.0, pytest.approx(2 / 3))
    disjoint = np.array([10, 11], dtype=np.uint64)
    assert jaccard_and_containment(a, disjoint) == (0.0, 0.0, 0.0)


def test_jaccard_and_containment_empty_sets() -> None:
    empty = np.array([], dtype=np.uint64)
    a = np.array([1, 2], dtype=np.uint64)
    assert jaccard_and_containment(empty, empty) == (0.0, 0.0, 0.0)
    assert jaccard_and_containment(empty, a) == (0.0, 0.0, 0.0)


# --- short and empty text -------------------------------------------------------------------


def test_empty_text_has_sentinel_shingle() -> None:
    assert len(word_hashes("")) == 0
    sh = _shingles("")
    np.testing.assert_array_equal(sh, np.array([EMPTY_SHINGLE], dtype=np.uint64))
    assert len(_shingles("  ,.;  —  ")) == 1  # punctuation only: no words either


def test_short_text_is_one_shingle() -> None:
    sh = _shingles("storm closes pier")
    assert len(sh) == 1
    assert sh[0] != EMPTY_SHINGLE


def test_fingerprint_empty_and_tiny_documents(empty_clean_doc: CleanDoc) -> None:
    empty = empty_clean_doc
    tiny = _clean_doc("tiny", "Storm.")
    sigs = fingerprint([empty, tiny], shingle_size=K, num_perm=NUM_PERM, seed=SEED, encoder=None)
    assert [s.id for s in sigs] == ["empty", "tiny"]
    assert sigs[0].minhash.shape == (NUM_PERM,)
    assert len(sigs[0].shingles) == 1
    assert not np.array_equal(sigs[0].minhash, sigs[1].minhash)
    jac, _, _ = jaccard_and_containment(sigs[0].shingles, sigs[1].shingles)
    assert jac == 0.0


def test_fingerprint_empty_batch() -> None:
    assert fingerprint([], shingle_size=K, num_perm=NUM_PERM, seed=SEED, encoder=None) == []
