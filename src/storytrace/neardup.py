"""The lexical near-duplicate engine in memory: texts in, verified pairs out.

The same stages the pipeline runs through the store (``fingerprint`` -> ``candidates`` ->
exact verification), as one call over a list of texts for users who only need copies and
near-copies, and for the benchmark against datasketch and rensa (benchmarks/neardup.py):

1. ``sketch``: every text's sorted unique shingle hashes and MinHash signature, vectorised
   over batches and spread over ``workers`` processes;
2. ``verified_pairs``: LSH bands and rows derived from the threshold (recall-biased, see
   ``candidates.lsh_params``), candidate pairs from shared band keys, then the exact Jaccard
   and both containments of every candidate from the shingle hashes; only pairs that reach
   the threshold are returned, so precision is exact and recall is LSH's.

``measure="containment"`` finds partial reuse: pairs where one text's shingles are mostly
inside the other's. LSH still runs on Jaccard, at the lowest Jaccard such a pair can have
when the smaller text is at least ``min_size_ratio`` of the larger one; shorter shingles
(``shingle_size=3``) catch reuse with heavier edits.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt

from storytrace.candidates import MAX_MISS, LshParams, band_keys, banded_pairs, lsh_params
from storytrace.executors.local import process_pool
from storytrace.fingerprint import ShingleBatch, batch_shingles, intersection_sizes, minhash_flat

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Measure = Literal["jaccard", "containment"]
_CHUNK_CHARS = 3_000_000  # characters of text per task (under fingerprint's tokenising bound)
_SHARED: list[Sequence[str]] = []  # the texts, inherited by forked workers instead of pickled


@dataclass(frozen=True, slots=True)
class Sketches:
    """Shingle hashes and MinHash signatures of a list of texts (row ``i`` is text ``i``)."""

    shingles: ShingleBatch
    minhash: U32
    shingle_size: int
    seed: int

    def __len__(self) -> int:
        return len(self.shingles)


@dataclass(frozen=True, slots=True)
class PairResult:
    """Verified pairs ``(a[i], b[i])``, ``a < b``, with their exact scores.

    ``containment_ab`` is the share of a's shingles found in b; ``candidates`` is how many
    LSH candidate pairs were verified to find them; ``params`` is the banding used.
    """

    a: I64
    b: I64
    jaccard: F64
    containment_ab: F64
    containment_ba: F64
    params: LshParams
    candidates: int

    def __len__(self) -> int:
        return len(self.a)

    def pairs(self) -> set[tuple[int, int]]:
        return set(zip(self.a.tolist(), self.b.tolist(), strict=True))


def _sketch_range(
    span: tuple[int, int], shingle_size: int, num_perm: int, seed: int
) -> tuple[ShingleBatch, U32]:
    texts = _SHARED[0][span[0] : span[1]]
    batch = batch_shingles(texts, shingle_size)
    return batch, minhash_flat(batch.hashes, batch.offsets, num_perm, seed)


def _sketch_texts(
    texts: Sequence[str], shingle_size: int, num_perm: int, seed: int
) -> tuple[ShingleBatch, U32]:
    batch = batch_shingles(texts, shingle_size)
    return batch, minhash_flat(batch.hashes, batch.offsets, num_perm, seed)


def _spans(texts: Sequence[str]) -> list[tuple[int, int]]:
    """Consecutive ranges of texts of about ``_CHUNK_CHARS`` characters each."""
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(texts):
        limit = (ends[start - 1] if start else 0) + _CHUNK_CHARS
        end = max(start + 1, int(np.searchsorted(ends, limit, side="right")))
        spans.append((start, min(end, len(texts))))
        start = end
    return spans


def sketch(
    texts: Sequence[str],
    *,
    shingle_size: int = 5,
    num_perm: int = 128,
    seed: int = 1,
    workers: int = 1,
) -> Sketches:
    """Shingles and signatures of ``texts``; the same for any ``workers`` and chunking.

    With ``workers > 1`` chunks of texts are sketched in that many processes (forked where
    the platform can, so the texts are shared rather than copied).
    """
    spans = _spans(texts)
    parts: list[tuple[ShingleBatch, U32]]
    if workers <= 1 or len(spans) < 2:
        parts = [_sketch_texts(texts[s:e], shingle_size, num_perm, seed) for s, e in spans]
    elif "fork" in multiprocessing.get_all_start_methods():
        # This process sketches every ``workers``-th chunk itself while ``workers - 1`` forked
        # processes do the rest: it would otherwise only wait, and its own chunks need no
        # pickling back.
        _SHARED.append(texts)
        try:
            work = partial(_sketch_range, shingle_size=shingle_size, num_perm=num_perm, seed=seed)
            mine = list(range(0, len(spans), workers))
            theirs = [i for i in range(len(spans)) if i % workers]
            with process_pool(workers - 1) as pool:  # forked now: they see _SHARED
                futures = {i: pool.submit(work, spans[i]) for i in theirs}
                done = {i: work(spans[i]) for i in mine}
                done.update((i, f.result()) for i, f in futures.items())
            parts = [done[i] for i in range(len(spans))]
        finally:
            _SHARED.clear()
    else:
        with process_pool(min(workers, len(spans))) as pool:
            work = partial(_sketch_texts, shingle_size=shingle_size, num_perm=num_perm, seed=seed)
            parts = list(pool.map(work, [texts[s:e] for s, e in spans]))
    if not parts:
        return Sketches(
            ShingleBatch.concat([]), np.zeros((0, num_perm), np.uint32), shingle_size, seed
        )
    shingles = ShingleBatch.concat([p[0] for p in parts])
    minhash = np.concatenate([p[1] for p in parts])
    return Sketches(shingles, minhash, shingle_size, seed)


def containment_lsh_threshold(containment: float, min_size_ratio: float) -> float:
    """The lowest Jaccard of two sets when the smaller (at least ``min_size_ratio`` times the
    size of the larger) has ``containment`` of its elements in the larger."""
    c, r = containment, min_size_ratio
    return c * r / (1.0 + r - c * r)


def verified_pairs(
    sketches: Sketches,
    threshold: float,
    *,
    measure: Measure = "jaccard",
    min_size_ratio: float = 0.5,
    max_miss: float = MAX_MISS,
) -> PairResult:
    """Pairs whose exact Jaccard (or larger containment) reaches ``threshold``."""
    num_perm = sketches.minhash.shape[1]
    lsh_threshold = threshold
    if measure == "containment":
        lsh_threshold = containment_lsh_threshold(threshold, min_size_ratio)
    params = lsh_params(lsh_threshold, num_perm, max_miss=max_miss)
    keys = band_keys(sketches.minhash, params)
    cand = banded_pairs(keys)
    a, b = cand[:, 0], cand[:, 1]
    inter = intersection_sizes(sketches.shingles, a, b).astype(np.float64)
    sizes = np.diff(sketches.shingles.offsets).astype(np.float64)
    size_a, size_b = sizes[a], sizes[b]
    jaccard = inter / (size_a + size_b - inter)
    c_ab, c_ba = inter / size_a, inter / size_b
    score = jaccard if measure == "jaccard" else np.maximum(c_ab, c_ba)
    keep = score >= threshold
    return PairResult(a[keep], b[keep], jaccard[keep], c_ab[keep], c_ba[keep], params, len(cand))


def near_duplicates(
    texts: Sequence[str],
    threshold: float = 0.8,
    *,
    measure: Measure = "jaccard",
    shingle_size: int = 5,
    num_perm: int = 128,
    seed: int = 1,
    workers: int | None = None,
) -> PairResult:
    """Every pair of ``texts`` whose shingle Jaccard (or containment) reaches ``threshold``.

    ``workers`` defaults to the machine's cores (at most 4). Deterministic: the same texts,
    parameters and seed give the same pairs on any machine.
    """
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    sketches = sketch(
        texts, shingle_size=shingle_size, num_perm=num_perm, seed=seed, workers=workers
    )
    return verified_pairs(sketches, threshold, measure=measure)
