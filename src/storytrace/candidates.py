"""Candidate pairs: LSH banding over MinHash (copies) and nearest neighbours over embeddings
(rewrites and translations, which share few shingles).

The user gives a Jaccard threshold; ``lsh_params`` derives bands x rows and says what it
chose. The choice is biased towards recall: among the bandings that miss a pair *at* the
threshold with probability at most ``max_miss`` (1% by default, so at least 99% of the pairs
above it become candidates), it takes the one with the smallest weighted false-positive and
false-negative areas. A balanced choice (datasketch's) misses far more: for Jaccard 0.8 with
128 permutations it picks about 9 x 13 rows, which finds 76-82% of the true pairs, where
this picks 16 x 6. Extra candidates cost little, because every candidate is verified with
the exact Jaccard of the stored shingles. Pure functions over arrays: the store looks keys up,
this module decides.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from storytrace.fingerprint import mix64
from storytrace.records import CandidatePair, FoundBy

U64 = npt.NDArray[np.uint64]
F32 = npt.NDArray[np.float32]
_MAX_BUCKET = 200  # larger buckets (mass duplicates) are chained, not expanded pairwise


@dataclass(frozen=True, slots=True)
class LshParams:
    bands: int
    rows: int
    threshold: float
    false_positive: float
    """Area under the candidate-probability curve below the threshold."""
    false_negative: float
    """Area above the curve (missed probability) above the threshold."""
    miss_at_threshold: float
    """Probability that a pair with Jaccard exactly at the threshold is not a candidate."""

    def describe(self) -> str:
        return (
            f"LSH {self.bands} bands x {self.rows} rows for Jaccard {self.threshold:.2f} "
            f"(P[miss a pair at the threshold] {self.miss_at_threshold:.3f}; "
            f"false-positive area {self.false_positive:.3f}, false-negative area {self.false_negative:.3f})"
        )


def _integrate(f: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> float:
    return float(np.sum((f[1:] + f[:-1]) * np.diff(x)) / 2.0)


MAX_MISS = 0.01
"""Default bound on the probability of missing a pair whose Jaccard equals the threshold."""


@cache
def lsh_params(
    threshold: float, num_perm: int, fp_weight: float = 0.5, max_miss: float = MAX_MISS
) -> LshParams:
    """Bands and rows for ``threshold``.

    Among the bandings whose probability of missing a pair at the threshold is at most
    ``max_miss``, the one with the smallest ``fp_weight * FP area + (1 - fp_weight) * FN
    area``; when no banding reaches ``max_miss`` (too few permutations), the one that misses
    least.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    if not 0.0 <= max_miss < 1.0:
        raise ValueError(f"max_miss must be in [0, 1), got {max_miss}")
    best: tuple[bool, float, int, int, float, float, float] | None = None
    lo = np.linspace(0.0, threshold, 200)
    hi = np.linspace(threshold, 1.0, 200)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            miss = float((1.0 - threshold**rows) ** bands)
            fp = _integrate(1.0 - (1.0 - lo**rows) ** bands, lo)
            fn = _integrate((1.0 - hi**rows) ** bands, hi)
            err = fp_weight * fp + (1.0 - fp_weight) * fn
            # Feasible bandings first, then by weighted error; infeasible ones by their miss.
            key = (miss > max_miss, miss if miss > max_miss else err)
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], bands, rows, fp, fn, miss)
    assert best is not None
    _, _, bands, rows, fp, fn, miss = best
    return LshParams(bands, rows, threshold, fp, fn, miss)


def band_keys(minhashes: npt.NDArray[np.uint32], params: LshParams) -> npt.NDArray[np.int64]:
    """One 63-bit key per (document, band): a hash of the band's rows (fits SQLite INTEGER)."""
    n = minhashes.shape[0]
    used = minhashes[:, : params.bands * params.rows].astype(np.uint64)
    grouped = used.reshape(n, params.bands, params.rows)
    acc = np.zeros((n, params.bands), dtype=np.uint64)
    for r in range(params.rows):
        acc = mix64(acc ^ grouped[:, :, r])
    band_salt = np.arange(params.bands, dtype=np.uint64)[None, :]
    keys = mix64(acc ^ band_salt) >> np.uint64(1)
    return keys.astype(np.int64)


def banded_pairs(
    keys: npt.NDArray[np.int64],
    max_bucket: int = _MAX_BUCKET,
    among: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int64]:
    """Unique pairs ``(i, j)``, ``i < j``, of rows of ``keys`` (documents x bands) that share a
    key in some band, vectorised per band; a bucket larger than ``max_bucket`` (mass
    duplicates) links its members in index order instead of pairwise. Rows ``(k, 2)``, sorted.

    ``among`` (one flag per row): keep only the pairs with at least one flagged row (the
    documents not yet matched; buckets still hold every row, so a chain runs through all
    of a bucket's members in index order whichever are flagged).
    """
    n = keys.shape[0]
    found: list[npt.NDArray[np.int64]] = []
    for band in range(keys.shape[1]):
        column = keys[:, band]
        order = np.argsort(column, kind="stable").astype(np.int64)
        ordered = column[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, n])
        pos = np.arange(n, dtype=np.int64)
        run_end = np.repeat(starts + sizes, sizes)  # end of each member's bucket
        partners = run_end - pos - 1  # later members of the same bucket
        big = np.repeat(sizes > max_bucket, sizes)
        partners[big] = np.minimum(partners[big], 1)  # chain huge buckets
        first = np.repeat(pos, partners)
        second = first + _ramp_offsets(partners)
        a, b = order[first], order[second]
        if among is not None:
            kept = among[a] | among[b]
            a, b = a[kept], b[kept]
        found.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)


def _ramp_offsets(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``concatenate([arange(1, c + 1) for c in counts])``, vectorised."""
    total = int(counts.sum())
    steps = np.ones(total, dtype=np.int64)
    used = counts[counts > 0]
    heads = np.cumsum(used) - used
    steps[heads[1:]] = 1 - used[:-1]
    return np.cumsum(steps)


def pairs_from_buckets(buckets: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    """Unordered id pairs sharing a bucket; huge buckets are chained in sorted order."""
    pairs: set[tuple[str, str]] = set()
    for members in buckets:
        ids = sorted(set(members))
        if len(ids) < 2:
            continue
        if len(ids) > _MAX_BUCKET:
            pairs.update(itertools.pairwise(ids))
            continue
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((a, b))
    return pairs


def lexical_candidates(
    new_ids: Sequence[str],
    new_keys: npt.NDArray[np.int64],
    indexed: Iterable[tuple[int, int, str]],
) -> set[tuple[str, str]]:
    """Pairs among the new documents and between them and already indexed ones.

    ``indexed`` yields ``(band, key, id)`` rows of an index (``key_index``) whose key equals
    one of the new documents' keys in that band.
    """
    buckets: dict[tuple[int, int], list[str]] = defaultdict(list)
    for row, doc in enumerate(new_ids):
        for band, key in enumerate(new_keys[row].tolist()):
            buckets[(band, key)].append(doc)
    for band, key, doc in indexed:
        if (band, key) in buckets:
            buckets[(band, key)].append(doc)
    return pairs_from_buckets(buckets.values())


def semantic_candidates(
    new_ids: Sequence[str],
    new_vecs: F32,
    all_ids: Sequence[str],
    all_vecs: F32,
    neighbours: int,
    floor: float,
    langs: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], float]:
    """Nearest documents by embedding cosine: each new document's top ``neighbours`` above
    ``floor``.

    With ``langs`` (document id -> language), the quota holds twice: among documents in the
    same language and among documents in other languages. Cross-lingual cosines run lower
    than same-language ones (a story's translation scores below a same-language article on
    a neighbouring topic), so one shared ranking would crowd translations out.
    """
    found: dict[tuple[str, str], float] = {}
    if len(new_ids) == 0 or len(all_ids) == 0:
        return found
    all_lang = np.array([(langs or {}).get(i, "") for i in all_ids], dtype=object)
    for start in range(0, len(new_ids), 1024):
        rows = new_ids[start : start + 1024]
        sims = new_vecs[start : start + 1024] @ all_vecs.T
        if langs is None:
            views = [sims]
        else:
            row_lang = np.array([langs.get(i, "") for i in rows], dtype=object)
            same = row_lang[:, None] == all_lang[None, :]
            views = [np.where(same, sims, -np.inf), np.where(same, -np.inf, sims)]
        k = min(neighbours + 1, sims.shape[1])
        for view in views:
            top = np.argpartition(-view, k - 1, axis=1)[:, :k]
            for row, cols in enumerate(top):
                a = rows[row]
                for col in cols.tolist():
                    b = all_ids[col]
                    score = float(view[row, col])
                    if b == a or score < floor:
                        continue
                    key = (a, b) if a < b else (b, a)
                    found[key] = max(score, found.get(key, -1.0))
    return found


def neighbour_profiles(
    ids: Sequence[str], vecs: F32, all_ids: Sequence[str], all_vecs: F32, count: int
) -> dict[str, list[tuple[str, float]]]:
    """Each of ``ids``'s ``count`` nearest other documents among ``all_ids`` (any language),
    with cosines, best first: the neighbour distribution a pair's cosine is ranked against
    (``compare.neighbour_margin``). Brute force; ``ann.AnnIndex.neighbours`` for large stores.
    """
    out: dict[str, list[tuple[str, float]]] = {}
    if len(ids) == 0 or len(all_ids) == 0:
        return out
    k = min(count + 1, len(all_ids))
    for start in range(0, len(ids), 1024):
        rows = ids[start : start + 1024]
        sims = vecs[start : start + 1024] @ all_vecs.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for row, cols in enumerate(top):
            scored = sorted((-float(sims[row, c]), all_ids[c]) for c in cols.tolist())
            a = rows[row]
            out[a] = [(b, -neg) for neg, b in scored if b != a][:count]
    return out


def merge_candidates(
    lexical: set[tuple[str, str]], semantic: dict[tuple[str, str], float]
) -> list[CandidatePair]:
    """One ``CandidatePair`` per pair, saying whether LSH, embeddings or both found it."""
    out: list[CandidatePair] = []
    for pair in sorted(lexical | set(semantic)):
        how: FoundBy
        if pair in lexical and pair in semantic:
            how = "both"
        elif pair in lexical:
            how = "lexical"
        else:
            how = "semantic"
        out.append(CandidatePair(pair[0], pair[1], how, semantic.get(pair, 0.0)))
    return out


REUSE_MODULUS = 4
"""One shingle in ``REUSE_MODULUS`` (chosen by its hash, so the same shingles in every
document) is a reuse key. A document that took 10% of a 300-shingle text shares 30 shingles
with it, 7.5 of them keys on average: missed (under ``REUSE_MIN_SHARED`` keys in common)
with probability ~0.5%."""
REUSE_MIN_SHARED = 2
"""Reuse keys two documents must share to become a candidate pair (one shared phrase is a
coincidence; two are worth an exact look)."""
REUSE_MAX_DF = 20
"""A key held by more documents than this is a common phrase (or a mass copy, which the
MinHash bands find): its documents are chained in index order, not paired all with all.
Measured: 2,393 real news articles in ten languages (SemEval-2022 Task 8) have 3 keys in
five or more documents (0.9 pair rows per document); 20,000 generated word-salad documents
of a small vocabulary 9,384 keys in twenty or more (3.5M pair rows at 20, 6.1M at 50)."""
_REUSE_SALT = np.uint64(0x5EED_C0_7A_1_2E05)


def reuse_keys(shingles: npt.NDArray[np.uint64], modulus: int = REUSE_MODULUS) -> U64:
    """The document's reuse keys: the shingle hashes whose re-mixed value is 0 modulo
    ``modulus`` (a content-defined sample: two documents sample the same shared shingles,
    so the keys they share estimate the shingles they share, whatever their lengths).

    Where MinHash finds near-copies (Jaccard), these find containment: a short text built
    from a few paragraphs of a long one shares few of its shingles but most of its own."""
    if shingles.size == 0:
        return np.zeros(0, dtype=np.uint64)
    mixed = mix64(shingles.astype(np.uint64) ^ _REUSE_SALT)
    return np.sort(shingles[mixed % np.uint64(modulus) == 0].astype(np.uint64))


def bucket_pairs(
    keys: U64, owners: npt.NDArray[np.int64], max_df: int = REUSE_MAX_DF
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """One ``(a, b)`` owner pair per key two owners share (``keys[i]`` held by
    ``owners[i]``): all pairs of a key's owners, or, past ``max_df`` owners, the owners
    chained in ascending order. A pair appears once per key it shares."""
    order = np.lexsort((owners, keys))
    flat, owner = keys[order], owners[order]
    total = flat.size
    if total < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    sizes = np.diff(np.r_[starts, total])
    pos = np.arange(total, dtype=np.int64)
    run_end = np.repeat(starts + sizes, sizes)
    partners = run_end - pos - 1
    big = np.repeat(sizes > max_df, sizes)
    partners[big] = np.minimum(partners[big], 1)
    first = np.repeat(pos, partners)
    second = first + _ramp_offsets(partners)
    a, b = owner[first], owner[second]
    keep = a != b
    return a[keep], b[keep]


def shared_key_pairs(
    keys: Sequence[U64],
    among: npt.NDArray[np.bool_] | None = None,
    min_shared: int = REUSE_MIN_SHARED,
    max_df: int = REUSE_MAX_DF,
) -> npt.NDArray[np.int64]:
    """Pairs ``(i, j)``, ``i < j``, of documents (rows of ``keys``) that share at least
    ``min_shared`` reuse keys; rows ``(k, 2)``, sorted. An inverted index built by one sort
    (``bucket_pairs``), then each pair's shared keys counted. ``among``: keep only pairs
    with a flagged document."""
    n = len(keys)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    lengths = np.array([k.size for k in keys], dtype=np.int64)
    flat = np.concatenate([np.asarray(k, dtype=np.uint64) for k in keys])
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    a, b = bucket_pairs(flat, owner, max_df)
    if among is not None:
        flagged = among[a] | among[b]
        a, b = a[flagged], b[flagged]
    codes, counts = np.unique(np.minimum(a, b) * n + np.maximum(a, b), return_counts=True)
    codes = codes[counts >= min_shared]
    return np.stack([codes // n, codes % n], axis=1)
