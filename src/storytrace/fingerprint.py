"""Word shingles and MinHash signatures, vectorised over whole batches; embeddings via ``Encoder``.

Shingles are hashes of ``k`` consecutive lower-cased words. Each word is hashed once
(xxh64, deterministic across machines and runs); shingle hashes are combined from the word
hashes with numpy, so no Python loop runs per shingle. MinHash uses the family
``h_i(x) = mix64(x ^ seed_i)`` (``mix64`` is the splitmix64 finaliser), evaluated for all
permutations and all shingles of the batch at once, reduced per document with
``np.minimum.reduceat``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import xxhash

from storytrace.embed import Encoder, embed_documents
from storytrace.records import CleanDoc, Signature
from storytrace.text import words

U64 = npt.NDArray[np.uint64]
F32 = npt.NDArray[np.float32]
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MAX_CELLS = 4_000_000  # shingles x permutations evaluated per chunk (bounds memory)
EMPTY_SHINGLE = np.uint64(0x5EED5EED5EED5EED)


def mix64(x: U64) -> U64:
    """splitmix64 finaliser: a fast, well-distributed 64-bit bijection (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        return z ^ (z >> np.uint64(31))


def permutation_seeds(num_perm: int, seed: int) -> U64:
    """The per-permutation seeds, derived deterministically from ``seed``."""
    base = np.arange(num_perm, dtype=np.uint64) + np.uint64(seed) * np.uint64(1_000_003)
    return mix64(mix64(base))


def word_hashes(text: str) -> U64:
    """xxh64 of every lower-cased word of ``text``."""
    return np.fromiter(
        (xxhash.xxh64_intdigest(w.encode("utf-8")) for w in words(text)), dtype=np.uint64
    )


def shingle_hashes(word_hash: U64, k: int) -> U64:
    """Sorted unique hashes of the ``k``-word shingles (a short text is one shingle)."""
    n = len(word_hash)
    if n == 0:
        return np.array([EMPTY_SHINGLE], dtype=np.uint64)
    k = min(k, n)
    acc = np.zeros(n - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):  # k is small (5): a loop over positions in the window, not shingles
            acc = mix64(acc ^ word_hash[j : n - k + 1 + j])
    return np.unique(acc)


def minhash_batch(shingle_sets: Sequence[U64], num_perm: int, seed: int) -> npt.NDArray[np.uint32]:
    """MinHash signatures (``len(shingle_sets) x num_perm``, uint32) for a batch."""
    seeds = permutation_seeds(num_perm, seed)
    out = np.empty((len(shingle_sets), num_perm), dtype=np.uint32)
    if not shingle_sets:
        return out
    lengths = np.array([len(s) for s in shingle_sets], dtype=np.int64)
    flat = np.concatenate(shingle_sets)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    rows_per_chunk = max(1, _MAX_CELLS // num_perm)
    doc = 0
    while doc < len(shingle_sets):
        # Take whole documents until the chunk holds about rows_per_chunk shingles.
        end = int(np.searchsorted(offsets, offsets[doc] + rows_per_chunk, side="right")) - 1
        end = max(end, doc + 1)
        chunk = flat[offsets[doc] : offsets[end]]
        hashed = mix64(chunk[:, None] ^ seeds[None, :]) >> np.uint64(32)
        starts = offsets[doc:end] - offsets[doc]
        out[doc:end] = np.minimum.reduceat(hashed, starts, axis=0).astype(np.uint32)
        doc = end
    return out


def fingerprint(
    docs: Sequence[CleanDoc],
    *,
    shingle_size: int,
    num_perm: int,
    seed: int,
    encoder: Encoder | None,
) -> list[Signature]:
    """Signatures for a batch of cleaned documents (embeddings when ``encoder`` is given)."""
    shingles = [shingle_hashes(word_hashes(d.text), shingle_size) for d in docs]
    minhashes = minhash_batch(shingles, num_perm, seed)
    doc_vecs: Sequence[F32 | None] = [None] * len(docs)
    sent_vecs: Sequence[F32 | None] = [None] * len(docs)
    if encoder is not None:
        doc_vecs, sent_vecs = embed_documents(encoder, docs)
    return [
        Signature(
            id=d.id,
            shingles=s,
            minhash=minhashes[i],
            embedding=doc_vecs[i],
            sentence_embeddings=sent_vecs[i],
        )
        for i, (d, s) in enumerate(zip(docs, shingles, strict=True))
    ]


def jaccard_and_containment(a: U64, b: U64) -> tuple[float, float, float]:
    """Exact Jaccard of two sorted shingle sets, and containment of a in b and b in a."""
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    return (
        inter / union if union else 0.0,
        inter / len(a) if len(a) else 0.0,
        inter / len(b) if len(b) else 0.0,
    )


def estimated_jaccard(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """Jaccard estimated from two MinHash signatures (share of equal slots)."""
    return float(np.mean(a == b))
