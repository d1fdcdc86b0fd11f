"""Word shingles and MinHash signatures, vectorised over whole batches; embeddings via ``Encoder``.

Tokens are the ``\\w+`` runs of the lower-cased text (``fingerprint_words``: the same words
as ``storytrace.text.words`` except that a Turkish dotted capital I, whose lower case carries
a combining dot, splits its word). A batch is tokenised and hashed without a Python loop per
word or shingle: the lower-cased texts are joined into one UTF-8 buffer, a byte lookup table
(and, for non-ASCII bytes, a code-point table built from Python's own ``\\w``) marks word
bytes, word boundaries come from the mask's edges, and each word is hashed from its bytes
read 8 at a time (little-endian, zero-padded) through the splitmix64 finaliser ``mix64``. A
shingle of ``k`` words hashes ``mix64(sum_j word_j * C_j ^ key(k))``; a text shorter than
``k`` words is one shingle of all its words, an empty text the ``EMPTY_SHINGLE`` sentinel.
Every document keeps its shingle hashes sorted and unique, so exact Jaccard and
containment can be computed for any candidate pair.

MinHash is *fast similarity sketching* (Dahlgaard, Knudsen & Thorup, FOCS 2017), which costs
O(shingles + num_perm) per document instead of O(shingles x num_perm): in round 1 each
shingle falls into one of ``num_perm`` bins by its (seed-rotated) hash and each bin keeps its
smallest; documents with empty bins run further rounds in which every shingle draws a new
bin (rounds up to ``num_perm``) or walks the bins cyclically (rounds up to ``2 num_perm``, so
every bin fills), a round's values always ranking after all earlier rounds'. For every bin
the chance that two documents agree equals their Jaccard similarity, and the signature of
a union is the slot-wise minimum of the two signatures, as with classic MinHash. On sorted
shingles round 1 needs no extra pass: a bin's minimum is the first shingle of its run.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from storytrace.embed import Encoder, embed_documents, trusted_language
from storytrace.records import CleanDoc, Signature

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_LEN_KEY = np.uint64(0xD6E8FEB86659FD93)  # word byte length, mixed into its first chunk
_COUNT_KEY = np.uint64(0xA0761D6478BD642F)  # words in a shingle, mixed into its hash
_ROUND_KEY = np.uint64(0xE7037ED1A0B428DB)  # per-round hash family of the sketch
EMPTY_SHINGLE = np.uint64(0x5EED5EED5EED5EED)
_EMPTY_SLOT = np.uint64(0xFFFFFFFFFFFFFFFF)
_MAX_BATCH_CHARS = 4_000_000  # characters tokenised at once (bounds memory; cache-friendly)
_MAX_SKETCH_SHINGLES = 262_144  # shingles sketched at once (bounds memory; cache-friendly)
_PAIRS_PER_MERGE = 256  # candidate pairs verified per merge (8 bits of tag)
_MAX_PERM = 4096  # keeps 19 bits of rank next to the round number in a uint32 slot
# Little-endian masks keeping the first n bytes of an 8-byte chunk, n = 0..8.
_BYTE_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)
_WORD_RE = re.compile(r"\w+")
# Bytes to their lower case when they are ASCII word characters, to 0 when they are other
# ASCII characters, and to themselves when they belong to a multi-byte character.
_ASCII_LOWER_WORD = np.array(
    [ord(chr(b).lower()) if _WORD_RE.fullmatch(chr(b)) else 0 for b in range(128)]
    + list(range(128, 256)),
    dtype=np.uint8,
)
# Code-point tables, filled one Unicode plane at a time (``_plane_tables``).
_WORD_LUT = np.zeros(0x110000, dtype=np.bool_)
_LOWER_LUT = np.zeros(0x110000, dtype=np.uint32)
_LOWER_ODD = np.zeros(0x110000, dtype=np.bool_)
_PLANES_DONE: set[int] = set()


def mix64(x: U64) -> U64:
    """splitmix64 finaliser: a fast, well-distributed 64-bit bijection (wrapping arithmetic)."""
    z = np.add(x, _GOLDEN, dtype=np.uint64)
    np.bitwise_xor(z, z >> np.uint64(30), out=z)
    np.multiply(z, _MIX1, out=z)
    np.bitwise_xor(z, z >> np.uint64(27), out=z)
    np.multiply(z, _MIX2, out=z)
    np.bitwise_xor(z, z >> np.uint64(31), out=z)
    return z


def permutation_seeds(num_perm: int, seed: int) -> U64:
    """``num_perm`` distinct 64-bit values derived deterministically from ``seed``."""
    base = np.arange(num_perm, dtype=np.uint64) + np.uint64(seed) * np.uint64(1_000_003)
    return mix64(mix64(base))


@cache
def _position_keys(k: int) -> U64:
    """Odd multipliers ``C_j`` for the word at position ``j`` of a shingle."""
    keys = mix64(np.arange(k, dtype=np.uint64) + np.uint64(0xC0FFEE)) | np.uint64(1)
    keys.flags.writeable = False
    return keys


def fingerprint_words(text: str) -> list[str]:
    """The tokens that shingles are made of: ``\\w+`` runs of the lower-cased text."""
    return _WORD_RE.findall(text.lower())


def _plane_tables(cps: npt.NDArray[np.uint32]) -> None:
    """Build the code-point tables for every Unicode plane ``cps`` touch (once per process):
    whether a character is ``\\w``, its lower case, and whether lower-casing it changes its
    UTF-8 length or gives several characters (then its text is lower-cased by Python)."""
    for plane in np.unique(cps >> np.uint32(16)).tolist():
        if plane in _PLANES_DONE:
            continue
        base = plane << 16
        chars = "".join(map(chr, range(base, base + 0x10000)))
        for m in _WORD_RE.finditer(chars):
            _WORD_LUT[base + m.start() : base + m.end()] = True
        _LOWER_LUT[base : base + 0x10000] = np.arange(base, base + 0x10000, dtype=np.uint32)
        for offset, char in enumerate(chars):
            low = char.lower()
            if low == char:
                continue
            if len(low) == 1 and len(low.encode("utf-8")) == len(char.encode("utf-8")):
                _LOWER_LUT[base + offset] = ord(low)
            else:
                _LOWER_ODD[base + offset] = True
        _PLANES_DONE.add(plane)


def _utf8_lead_code_points(
    buf: npt.NDArray[np.uint8], lead: I64
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Code points and byte widths of the multi-byte UTF-8 characters starting at ``lead``."""
    b0 = buf[lead].astype(np.uint32)
    b1, b2, b3 = (buf[lead + i].astype(np.uint32) & np.uint32(0x3F) for i in (1, 2, 3))
    width = np.where(b0 >= 0xF0, 4, np.where(b0 >= 0xE0, 3, 2)).astype(np.int64)
    cps = np.where(
        width == 2,
        ((b0 & np.uint32(0x1F)) << np.uint32(6)) | b1,
        np.where(
            width == 3,
            ((b0 & np.uint32(0x0F)) << np.uint32(12)) | (b1 << np.uint32(6)) | b2,
            ((b0 & np.uint32(0x07)) << np.uint32(18))
            | (b1 << np.uint32(12))
            | (b2 << np.uint32(6))
            | b3,
        ),
    ).astype(np.uint32)
    return np.minimum(cps, np.uint32(0x10FFFF)), width


def _utf8_bytes(
    cps: npt.NDArray[np.uint32], width: npt.NDArray[np.int64]
) -> list[npt.NDArray[np.uint8]]:
    """The UTF-8 bytes (first, second, ...) of code points of the given widths (2 to 4)."""
    six = np.uint32(0x3F)
    cont = np.uint32(0x80)
    first = np.where(
        width == 2,
        np.uint32(0xC0) | (cps >> np.uint32(6)),
        np.where(
            width == 3,
            np.uint32(0xE0) | (cps >> np.uint32(12)),
            np.uint32(0xF0) | (cps >> np.uint32(18)),
        ),
    )
    second = np.where(
        width == 2,
        cont | (cps & six),
        np.where(
            width == 3, cont | ((cps >> np.uint32(6)) & six), cont | ((cps >> np.uint32(12)) & six)
        ),
    )
    third = np.where(width == 3, cont | (cps & six), cont | ((cps >> np.uint32(6)) & six))
    fourth = cont | (cps & six)
    return [x.astype(np.uint8) for x in (first, second, third, fourth)]


def _lowered_words(buf: npt.NDArray[np.uint8], size: int) -> npt.NDArray[np.uint8] | I64:
    """``buf[:size]`` (UTF-8) lower-cased, with every byte outside a ``\\w`` character set
    to 0, followed by 8 zero bytes; or, when some characters need Python's lower-casing, the
    positions of those characters (the caller lower-cases their texts and tries again)."""
    out = np.zeros(size + 8, dtype=np.uint8)
    out[:size] = _ASCII_LOWER_WORD[buf[:size]]  # ASCII done; other bytes kept for now
    lead = np.flatnonzero(buf[:size] >= 0xC0)  # first bytes of multi-byte characters
    if lead.size:
        cps, width = _utf8_lead_code_points(buf, lead)
        _plane_tables(cps)
        odd = _LOWER_ODD[cps]
        if odd.any():
            return lead[odd]
        lowered = _LOWER_LUT[cps]
        changed = np.flatnonzero(lowered != cps)
        if changed.size:
            new = _utf8_bytes(lowered[changed], width[changed])
            for i in range(4):
                part = width[changed] > i
                out[lead[changed][part] + i] = new[i][part]
        blank = np.flatnonzero(~_WORD_LUT[cps])
        for i in range(4):
            part = width[blank] > i
            out[lead[blank][part] + i] = 0
    return out


def batch_word_hashes(texts: Sequence[str]) -> tuple[U64, I64]:
    """Hashes of every token of every text, concatenated, and each text's range in them.

    Returns ``(hashes, offsets)``: the tokens of ``texts[i]`` are
    ``hashes[offsets[i]:offsets[i + 1]]``. Texts are lower-cased in numpy (a byte table for
    ASCII, a code-point table for the rest); the rare text with a character whose lower case
    has another UTF-8 length (such as the Kelvin sign or a dotted capital I) is lower-cased by
    Python instead, so the tokens always equal ``fingerprint_words``.
    """
    parts = [t.encode("utf-8", "surrogatepass") for t in texts]
    while True:
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        doc_start = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=doc_start[1:])  # one separating space after every text
        raw = b" ".join(parts) + b" " + b"\0" * 8  # padding: multi-byte reads stay inside
        size = len(raw) - 8
        low = _lowered_words(np.frombuffer(raw, dtype=np.uint8), size)
        if low.dtype == np.uint8:
            break
        for doc in np.unique(np.searchsorted(doc_start, low, side="right") - 1).tolist():
            parts[doc] = texts[doc].lower().encode("utf-8", "surrogatepass")
    edges = np.zeros(size + 2, dtype=np.bool_)
    edges[1:-1] = low[:size] != 0
    flips = np.flatnonzero(edges[1:] != edges[:-1])
    starts, ends = flips[0::2], flips[1::2]
    offsets = np.searchsorted(starts, doc_start).astype(np.int64)
    chunks = np.ndarray(shape=(size + 1,), dtype="<u8", buffer=low.data, strides=(1,))
    n_bytes = ends - starts
    first = chunks[starts] & _BYTE_MASKS[np.minimum(n_bytes, 8)]
    hashes = mix64(first ^ (n_bytes.astype(np.uint64) * _LEN_KEY))
    longer = np.flatnonzero(n_bytes > 8)
    at = 8
    while longer.size:  # one pass per further 8 bytes of the longest word, not per word
        left = n_bytes[longer] - at
        chunk = chunks[starts[longer] + at] & _BYTE_MASKS[np.minimum(left, 8)]
        hashes[longer] = mix64(hashes[longer] ^ chunk.astype(np.uint64))
        longer = longer[left > 8]
        at += 8
    return hashes.astype(np.uint64, copy=False), offsets


def word_hashes(text: str) -> U64:
    """Hashes of the tokens of ``text`` (``fingerprint_words``), in order."""
    return batch_word_hashes([text])[0]


def _finish_shingles(acc: U64, n_words: U64) -> U64:
    return mix64(acc ^ (n_words * _COUNT_KEY))


def _shingles_of_words(words: U64, word_offsets: I64, k: int) -> tuple[U64, I64]:
    """Every document's shingle hashes (in text order, not yet sorted) and their offsets."""
    n_words = np.diff(word_offsets)
    counts = np.where(n_words >= k, n_words - k + 1, 1)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    keys = _position_keys(k)
    total = len(words)
    if total >= k and np.any(n_words >= k):
        windows = total - k + 1
        acc = words[:windows] * keys[0]
        for j in range(1, k):  # k is small (5): a loop over window positions, not shingles
            acc += words[j : windows + j] * keys[j]
        doc_end = np.repeat(word_offsets[1:], n_words)[:windows]
        inside = np.arange(k, windows + k) <= doc_end
        out[np.repeat(n_words >= k, counts)] = _finish_shingles(
            acc[inside], np.full(1, k, dtype=np.uint64)
        )
    short = np.flatnonzero((n_words > 0) & (n_words < k))
    if short.size:  # texts of fewer than k words: one shingle of all their words
        first = word_offsets[short]
        acc = np.zeros(short.size, dtype=np.uint64)
        for j in range(k - 1):
            has = n_words[short] > j
            acc[has] += words[first[has] + j] * keys[j]
        out[offsets[short]] = _finish_shingles(acc, n_words[short].astype(np.uint64))
    out[offsets[:-1][n_words == 0]] = EMPTY_SHINGLE
    return out, offsets


def _sorted_unique_per_document(hashes: U64, offsets: I64) -> tuple[U64, I64]:
    """Sort each document's segment in place and drop repeats within it."""
    bounds = offsets.tolist()
    for start, end in itertools.pairwise(bounds):
        if end - start > 1:  # a loop per document; numpy sorts its shingles
            hashes[start:end].sort()
    keep = np.ones(len(hashes), dtype=np.bool_)
    keep[1:] = hashes[1:] != hashes[:-1]
    keep[offsets[:-1][np.diff(offsets) > 0]] = True
    kept = np.zeros(len(hashes) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    return hashes[keep], kept[offsets]


@dataclass(frozen=True, slots=True)
class ShingleBatch:
    """Sorted unique shingle hashes of a batch of documents, concatenated.

    Document ``i`` owns ``hashes[offsets[i]:offsets[i + 1]]`` (never empty).
    """

    hashes: U64
    offsets: I64

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def document(self, i: int) -> U64:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]

    @classmethod
    def concat(cls, parts: Sequence[ShingleBatch]) -> ShingleBatch:
        if not parts:
            return cls(np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64))
        shifts = np.cumsum([0] + [len(p.hashes) for p in parts[:-1]])
        offsets = np.concatenate(
            [parts[0].offsets[:1]] + [p.offsets[1:] + s for p, s in zip(parts, shifts, strict=True)]
        )
        return cls(np.concatenate([p.hashes for p in parts]), offsets.astype(np.int64))


def shingle_hashes(word_hash: U64, k: int) -> U64:
    """Sorted unique hashes of the ``k``-word shingles (a short text is one shingle)."""
    hashes, offsets = _shingles_of_words(
        np.asarray(word_hash, dtype=np.uint64), np.array([0, len(word_hash)], dtype=np.int64), k
    )
    return _sorted_unique_per_document(hashes, offsets)[0]


def batch_shingles(texts: Sequence[str], k: int) -> ShingleBatch:
    """Sorted unique ``k``-word shingle hashes of every text (tokenised in byte-bounded chunks)."""
    parts: list[ShingleBatch] = []
    start = 0
    while start < len(texts) or not parts:
        end, size = start, 0
        while end < len(texts) and (end == start or size + len(texts[end]) <= _MAX_BATCH_CHARS):
            size += len(texts[end])
            end += 1
        words, word_offsets = batch_word_hashes(texts[start:end])
        hashes, offsets = _shingles_of_words(words, word_offsets, k)
        parts.append(ShingleBatch(*_sorted_unique_per_document(hashes, offsets)))
        start = end
        if end >= len(texts):
            break
    return parts[0] if len(parts) == 1 else ShingleBatch.concat(parts)


def _bins(g: U64, num_perm: int) -> tuple[U64, U64]:
    """``floor(g * num_perm / 2**64)`` (the bin) and ``g * num_perm mod 2**64`` (the rank of
    ``g`` inside its bin), exact in 64-bit arithmetic for ``num_perm < 2**31``."""
    k = np.uint64(num_perm)
    if num_perm & (num_perm - 1) == 0:
        shift = np.uint64(num_perm.bit_length() - 1)
        return (g >> (np.uint64(64) - shift)) if shift else np.zeros_like(g), g << shift
    low = (g & np.uint64(0xFFFFFFFF)) * k
    high = (g >> np.uint64(32)) * k + (low >> np.uint64(32))
    return high >> np.uint64(32), g * k


def _ramp(starts: I64, lengths: I64) -> I64:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, vectorised."""
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    steps = np.ones(total, dtype=np.int64)
    heads = np.cumsum(lengths) - lengths
    steps[0] = starts[0]
    steps[heads[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(steps)


def _round_key(seed: int, round_no: int) -> np.uint64:
    base = (seed * int(_ROUND_KEY) + round_no) % (1 << 64)
    return np.uint64(mix64(mix64(np.array([base], dtype=np.uint64)))[0])


def _sketch(hashes: U64, offsets: I64, num_perm: int, seed: int) -> U64:
    """Fast similarity sketches (``n x num_perm``, uint64 ``round << 32 | rank``) of
    per-document sorted shingle hashes."""
    n, k = len(offsets) - 1, num_perm
    slots = np.full(n * k, _EMPTY_SLOT, dtype=np.uint64)
    sizes = np.diff(offsets)
    if n == 0 or len(hashes) == 0:
        return slots.reshape(n, k)
    rotation = _round_key(seed, 0)
    g = hashes + rotation  # a rotation keeps each document's run order (one wrap at most)
    bins, _ = _bins(g, k)
    head = np.ones(len(g), dtype=np.bool_)
    head[1:] = (bins[1:] != bins[:-1]) | (g[1:] < g[:-1])
    head[offsets[:-1][sizes > 0]] = True
    first = np.flatnonzero(head)  # the smallest hash of every bin run
    doc = np.searchsorted(offsets, first, side="right") - 1
    _, rank = _bins(g[first], k)
    np.minimum.at(slots, doc * k + bins[first].astype(np.int64), rank >> np.uint64(32))
    full = slots.reshape(n, k)
    active = np.flatnonzero((full == _EMPTY_SLOT).any(axis=1) & (sizes > 0))
    for round_no in range(2, 2 * k + 1):
        if not active.size:
            break
        members = _ramp(offsets[active], sizes[active])
        owner = np.repeat(active, sizes[active])
        draw = mix64(hashes[members] ^ _round_key(seed, round_no))
        if round_no <= k:  # a fresh random bin per shingle
            bin_, rank = _bins(draw, k)
        else:  # walk the bins from the round-1 bin: every bin is reached by round 2k
            bin_ = (_bins(hashes[members] + rotation, k)[0] + np.uint64(round_no)) % np.uint64(k)
            rank = draw
        slot = owner * k + bin_.astype(np.int64)
        empty = slots[slot] == _EMPTY_SLOT
        value = (np.uint64(round_no - 1) << np.uint64(32)) | (rank[empty] >> np.uint64(32))
        np.minimum.at(slots, slot[empty], value)
        active = active[(full[active] == _EMPTY_SLOT).any(axis=1)]
    return full


def _compact(slots: U64, num_perm: int) -> U32:
    """uint32 signature values that keep the order of ``round << 32 | rank``."""
    round_bits = (2 * num_perm - 1).bit_length()
    rank_bits = np.uint64(32 - round_bits)
    out = ((slots >> np.uint64(32)) << rank_bits) | (
        (slots & np.uint64(0xFFFFFFFF)) >> (np.uint64(32) - rank_bits)
    )
    return out.astype(np.uint32)


def minhash_flat(hashes: U64, offsets: I64, num_perm: int, seed: int) -> U32:
    """MinHash signatures (``documents x num_perm``, uint32) of concatenated per-document
    sorted shingle hashes (a ``ShingleBatch``'s arrays), sketched in bounded chunks."""
    if not 1 <= num_perm <= _MAX_PERM:
        raise ValueError(f"num_perm must be in [1, {_MAX_PERM}], got {num_perm}")
    n = len(offsets) - 1
    out = np.empty((n, num_perm), dtype=np.uint32)
    doc = 0
    while doc < n:
        end = int(np.searchsorted(offsets, offsets[doc] + _MAX_SKETCH_SHINGLES, side="right")) - 1
        end = min(max(end, doc + 1), n)
        part = hashes[offsets[doc] : offsets[end]]
        out[doc:end] = _compact(
            _sketch(part, offsets[doc : end + 1] - offsets[doc], num_perm, seed), num_perm
        )
        doc = end
    return out


def minhash_batch(shingle_sets: Sequence[U64], num_perm: int, seed: int) -> U32:
    """MinHash signatures (``len(shingle_sets) x num_perm``, uint32) for a batch of shingle
    sets (each sorted ascending, as ``shingle_hashes`` returns them; unsorted sets are sorted)."""
    if not shingle_sets:
        return np.empty((0, num_perm), dtype=np.uint32)
    sets = [
        s if np.all(s[1:] >= s[:-1]) else np.sort(s)
        for s in (np.asarray(s, dtype=np.uint64) for s in shingle_sets)
    ]
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sets], out=offsets[1:])
    return minhash_flat(np.concatenate(sets), offsets, num_perm, seed)


def document_vectors(
    encoder: Encoder, docs: Sequence[CleanDoc]
) -> tuple[list[F32 | None], list[F32 | None]]:
    """Document and sentence vectors of ``docs`` (``embed.embed_documents``), ``None`` for a
    document in a language the encoder was not trained on: there its vectors cluster by
    script rather than meaning, and would join unrelated texts into one story. Every
    executor embeds through this function."""
    doc_vecs: list[F32 | None] = [None] * len(docs)
    sent_vecs: list[F32 | None] = [None] * len(docs)
    known = [i for i, d in enumerate(docs) if trusted_language(encoder.name, d.lang)]
    if known:
        vecs, sents = embed_documents(encoder, [docs[i] for i in known])
        for i, v, sv in zip(known, vecs, sents, strict=True):
            doc_vecs[i], sent_vecs[i] = v, sv
    return doc_vecs, sent_vecs


def fingerprint(
    docs: Sequence[CleanDoc],
    *,
    shingle_size: int,
    num_perm: int,
    seed: int,
    encoder: Encoder | None,
) -> list[Signature]:
    """Signatures for a batch of cleaned documents (embeddings when ``encoder`` is given).

    A document in a language the encoder was not trained on gets no vectors: there its
    vectors cluster by script rather than meaning, and would join unrelated texts into one
    story. Such documents are matched on lexical evidence alone."""
    batch = batch_shingles([d.text for d in docs], shingle_size)
    minhashes = minhash_flat(batch.hashes, batch.offsets, num_perm, seed)
    doc_vecs: list[F32 | None] = [None] * len(docs)
    sent_vecs: list[F32 | None] = [None] * len(docs)
    if encoder is not None:
        doc_vecs, sent_vecs = document_vectors(encoder, docs)
    return [
        Signature(
            id=d.id,
            shingles=batch.document(i).copy(),
            minhash=minhashes[i],
            embedding=doc_vecs[i],
            sentence_embeddings=sent_vecs[i],
        )
        for i, d in enumerate(docs)
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


def intersection_sizes(batch: ShingleBatch, a: I64, b: I64) -> I64:
    """``|S_a & S_b|`` for every pair ``(a[i], b[i])`` of documents of ``batch``.

    Vectorised over pairs: for a chunk of up to 256 pairs, the shingles of every first
    document (tagged with the pair's number in the top 8 bits, the hash's top 56 bits below)
    form one ascending run and those of every second document another; one merge (a stable
    sort of two runs) puts equal shingles of a pair next to each other, and counting equal
    neighbours per tag gives the intersections. Truncating hashes to 56 bits makes a false
    match between two documents of ~500 shingles a 1-in-10^11 event.
    """
    out = np.zeros(len(a), dtype=np.int64)
    offsets, hashes = batch.offsets, batch.hashes
    size_a = offsets[a + 1] - offsets[a]
    size_b = offsets[b + 1] - offsets[b]
    for start in range(0, len(a), _PAIRS_PER_MERGE):
        part = slice(start, start + _PAIRS_PER_MERGE)
        tags = np.arange(len(out[part]), dtype=np.uint64) << np.uint64(56)
        firsts = (hashes[_ramp(offsets[a[part]], size_a[part])] >> np.uint64(8)) | np.repeat(
            tags, size_a[part]
        )
        seconds = (hashes[_ramp(offsets[b[part]], size_b[part])] >> np.uint64(8)) | np.repeat(
            tags, size_b[part]
        )
        merged = np.concatenate([firsts, seconds])
        merged.sort(kind="stable")  # timsort: two ascending runs, one merge
        equal = merged[1:][merged[1:] == merged[:-1]]
        out[part] = np.bincount((equal >> np.uint64(56)).astype(np.int64), minlength=len(tags))
    return out


def estimated_jaccard(a: U32, b: U32) -> float:
    """Jaccard estimated from two MinHash signatures (share of equal slots)."""
    return float(np.mean(a == b))
