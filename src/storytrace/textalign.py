"""Text alignment in raw character offsets: which passages of a source text reappear in a
derived text, and how (verbatim, edited, paraphrased, summarised).

Sentence level, after Sanchez-Perez, Sidorov and Gelbukh, "A Winning Approach to Text
Alignment for Text Reuse Detection at PAN 2014":

1. *Seeding*: sentences become tf-isf vectors of stemmed content words (isf: inverse
   sentence frequency over both texts); a sentence pair whose cosine and Dice coefficient
   pass ``seed_cosine`` and ``seed_dice`` is a seed.
2. *Extension*: seeds cluster when they lie within ``max_gap`` sentences of each other on
   both sides; a cluster whose two sides, taken as whole passages, are less similar than
   ``validate`` is clustered again with a smaller gap.
3. *Filtering*: of passages that overlap in the derived text the better one stays;
   passages shorter than ``min_chars`` (source) or ``min_chars_derived`` go.

Word level, for exact boundaries of copies: shared word ``ngram``-grams on one diagonal
make runs, which grow over equal neighbouring words and chain when they follow each other
within ``run_gap`` words. A sentence passage that runs cover (``run_cover``) is replaced by
its runs, to the character. A pair with such a passage is a *copying* pair: there, sentence
passages without copied wording (under ``copy_cover``) are coincidences of topic and go.

Adaptive summary path: a paragraph of the derived text whose sentences each echo a source
sentence (``summary_seed``), drawn from across the source (the echoed sentences span
``summary_ratio`` times the paragraph) and similar to the source as a whole
(``summary_cosine``), is a *summary* of the whole source.

Everything here is pure: :func:`prepare` turns a text into words, sentences and bags (cache
it when a text takes part in many pairs) and :func:`align_texts` aligns two texts.
Measured on the PAN13 text-alignment training corpus with ``storytrace eval pan13``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from storytrace.config import TextAlignConfig
from storytrace.records import Passage, PassageKind, Span

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? (closing quotes/brackets may follow) before white space, or at a
# blank line.
_SENT_END = re.compile(r"""[.!?]+["'”’»)\]]*(?=\s)|\n[ \t\r\xa0]*\n""")
_SENT_OR_LINE_END = re.compile(r"""[.!?]+["'”’»)\]]*(?=\s)|\n""")
_NEWLINE = re.compile(r"\n")
_BLANK_LINE = re.compile(r"\n[ \t\r\xa0]*\n")
_LINE_BREAK = re.compile(r"(?<!\n)\n(?![ \t\r\xa0]*\n)[ \t\xa0]*\S")

_STOPWORDS = """
a about above after again against all am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do
does doesn't doing don't down during each few for from further had hadn't has hasn't
have haven't having he he'd he'll he's her here here's hers herself him himself his how
how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most
mustn't my myself no nor not of off on once only or other ought our ours ourselves out
over own same shan't she she'd she'll she's should shouldn't so some such than that
that's the their theirs them themselves then there there's these they they'd they'll
they're they've this those through to too under until up very was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's which while who who's
whom why why's with won't would wouldn't you you'd you'll you're you've your yours
yourself yourselves s t d ll m re ve just also will
"""
STOPWORDS = frozenset(_STOPWORDS.split())
"""English function words: no weight in the sentence vectors (n-grams keep them)."""


DEFAULT = TextAlignConfig()
"""The PAN13 settings (``Config.text_align`` holds the news settings)."""


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A text as :func:`align_texts` needs it: words, sentences, and each sentence's bag of
    stemmed content words.

    ``tokens`` holds a 64-bit id of every lower-cased word in text order, with its raw
    ``tok_start``/``tok_end``; ``sent_tok`` the first token of each sentence (and one past
    the last at the end). The bags are (sentence, term, count) triples: ``sent_of``,
    ``term_of`` (an index into ``terms``, the ids of the text's distinct stems) and
    ``count``; ``sent_freq`` counts the sentences holding each term.
    """

    text: str
    sentences: tuple[Span, ...]
    tokens: I64
    tok_start: I64
    tok_end: I64
    sent_tok: I64
    sent_para: I64
    terms: I64
    sent_of: I64
    term_of: I64
    count: F64
    sent_freq: F64
    ngram: int = 0
    ngrams: npt.NDArray[np.uint64] | None = None
    ngram_set: npt.NDArray[np.uint64] | None = None
    ngram_count: I64 | None = None


@dataclass(frozen=True, slots=True)
class _Fragment:
    a0: int
    a1: int
    b0: int
    b1: int
    seeds: int
    similarity: float
    summary: bool = False


# --- preparation ------------------------------------------------------------------------


_SUFFIXES = (
    "ational",
    "fulness",
    "iveness",
    "ization",
    "ations",
    "ement",
    "ments",
    "ation",
    "ities",
    "ingly",
    "ness",
    "ment",
    "ions",
    "ence",
    "ance",
    "able",
    "ible",
    "ings",
    "edly",
    "ies",
    "ied",
    "ity",
    "ing",
    "ion",
    "ers",
    "est",
    "ful",
    "ous",
    "ive",
    "ize",
    "ise",
    "ed",
    "er",
    "es",
    "ly",
    "al",
    "s",
    "e",
    "y",
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix-stripping stem ("mourning", "mourned", "mourns" -> "mourn")."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def _term_id(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little") >> 1


def split_units(text: str, min_words: int = 3) -> list[Span]:
    """Sentence spans (trimmed). A line break ends a sentence unless the text is hard-wrapped
    (many line breaks fall inside sentences, before a lower-case word); a sentence with fewer
    than ``min_words`` words joins the next one."""
    spans: list[Span] = []
    start = 0
    ends = _SENT_END if _hard_wrapped(text) else _SENT_OR_LINE_END
    for m in ends.finditer(text):
        end = m.start() if m.group().startswith("\n") else m.end()
        _add_trimmed(spans, text, start, end)
        start = m.end()
    _add_trimmed(spans, text, start, len(text))
    merged: list[Span] = []
    pending: Span | None = None
    for span in spans:
        if pending is not None:
            span = Span(pending.start, span.end)
            pending = None
        if len(_WORD.findall(text, span.start, span.end)) < min_words:
            pending = span
            continue
        merged.append(span)
    if pending is not None:
        if merged:
            merged[-1] = Span(merged[-1].start, pending.end)
        else:
            merged.append(pending)
    return merged


def _paragraph_starts(text: str) -> I64:
    """Where each paragraph starts: each line, or in hard-wrapped text, the text between
    blank lines."""
    breaks = _BLANK_LINE if _hard_wrapped(text) else _NEWLINE
    return np.array([0] + [m.end() for m in breaks.finditer(text)], dtype=np.int64)


def _hard_wrapped(text: str) -> bool:
    """True when over a fifth of the single line breaks continue with a lower-case letter."""
    breaks = _LINE_BREAK.findall(text)
    if not breaks:
        return False
    return sum(1 for b in breaks if b[-1].islower()) > 0.2 * len(breaks)


def _add_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and _WORD.search(text, start, end):
        spans.append(Span(start, end))


@lru_cache(maxsize=200_000)
def _word_ids(word: str) -> tuple[int, int]:
    """(id of the word, id of its stem or -1 for a stopword)."""
    return _term_id(word), (-1 if word in STOPWORDS else _term_id("~" + stem(word)))


def prepare(text: str, config: TextAlignConfig = DEFAULT) -> PreparedText:
    """Sentences and their stemmed content words, ready for :func:`align_texts`.

    Only ``min_sentence_words`` and ``ngram`` of ``config`` shape the result, and the last
    texts prepared are kept (a version is aligned with every other one of its story, and
    again, with other settings, along each edge of its lineage): the same text is prepared
    once (64 texts: more than the largest story compared in full). The result is shared:
    treat it as read-only, as everything here does."""
    return _prepare(text, config.min_sentence_words, config.ngram)


@lru_cache(maxsize=64)
def _prepare(text: str, min_sentence_words: int, ngram: int) -> PreparedText:
    sentences = split_units(text, min_sentence_words)
    vocab: dict[str, int] = {}
    tok_word: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _WORD.finditer(text):
        tok_word.append(vocab.setdefault(m.group().lower(), len(vocab)))
        starts.append(m.start())
        ends.append(m.end())
    ids = np.array([_word_ids(w) for w in vocab], dtype=np.int64).reshape(-1, 2)
    words = np.asarray(tok_word, dtype=np.int64)
    tok_start = np.asarray(starts, dtype=np.int64)
    tok_end = np.asarray(ends, dtype=np.int64)
    sent_start = np.array([sp.start for sp in sentences], dtype=np.int64)
    sent_end = np.array([sp.end for sp in sentences], dtype=np.int64)
    sent_tok = np.searchsorted(tok_start, np.append(sent_start, len(text) + 1))
    tok_sent = np.searchsorted(sent_start, tok_start, side="right") - 1
    inside = tok_sent >= 0
    inside[inside] &= tok_start[inside] < sent_end[tok_sent[inside]]
    stems = ids[words, 1] if len(words) else np.zeros(0, dtype=np.int64)
    content = inside & (stems != -1)
    terms, term_idx = np.unique(stems[content], return_inverse=True)
    n_terms = max(1, len(terms))
    keys, count = np.unique(tok_sent[content] * n_terms + term_idx, return_counts=True)
    term_of = keys % n_terms
    tokens = ids[words, 0] if len(words) else np.zeros(0, dtype=np.int64)
    return PreparedText(
        text=text,
        sentences=tuple(sentences),
        tokens=tokens,
        tok_start=tok_start,
        tok_end=tok_end,
        sent_tok=sent_tok.astype(np.int64),
        sent_para=np.searchsorted(_paragraph_starts(text), sent_start, side="right") - 1,
        terms=terms.astype(np.int64),
        sent_of=keys // n_terms,
        term_of=term_of,
        count=count.astype(np.float64),
        sent_freq=np.bincount(term_of, minlength=len(terms)).astype(np.float64),
        **_ngram_fields(tokens, ngram),
    )


def _ngram_fields(tokens: I64, n: int) -> dict[str, Any]:
    """A text's word ``n``-gram hashes, and each distinct one (sorted) with its count:
    computed once per text, not once per pair it takes part in."""
    hashes = _ngram_hashes(tokens, n)
    distinct, count = np.unique(hashes, return_counts=True)
    return {"ngram": n, "ngrams": hashes, "ngram_set": distinct, "ngram_count": count}


# --- exact runs (copies and light edits) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Run:
    """Tokens ``[a0, a1)`` of a matching ``[b0, b1)`` of b, in word positions."""

    a0: int
    a1: int
    b0: int
    b1: int


def _ramp(starts: I64, lengths: I64) -> I64:
    """``starts[k], starts[k] + 1, ..., starts[k] + lengths[k] - 1`` for every k, concatenated."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    out: I64 = np.arange(total, dtype=np.int64) - offsets + np.repeat(starts, lengths)
    return out


def _grow(ta: list[int], tb: list[int], r: _Run) -> _Run:
    """Extend a run over equal words on both sides (n-grams too common to seed, say)."""
    a0, b0, a1, b1 = r.a0, r.b0, r.a1, r.b1
    while a0 > 0 and b0 > 0 and ta[a0 - 1] == tb[b0 - 1]:
        a0 -= 1
        b0 -= 1
    while a1 < len(ta) and b1 < len(tb) and ta[a1] == tb[b1]:
        a1 += 1
        b1 += 1
    return _Run(a0, a1, b0, b1)


def _ngram_hashes(tokens: I64, n: int) -> npt.NDArray[np.uint64]:
    if len(tokens) < n:
        return np.zeros(0, dtype=np.uint64)
    t = tokens.astype(np.uint64)
    h = np.zeros(len(tokens) - n + 1, dtype=np.uint64)
    mult = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * mult + t[k : len(t) - n + 1 + k]
    return h


def _ngrams_of(
    doc: PreparedText, n: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], I64]:
    """``doc``'s n-gram hashes, distinct hashes and counts (prepared, or computed for an
    ``n`` other than the one it was prepared with)."""
    if doc.ngram != n or doc.ngrams is None or doc.ngram_set is None or doc.ngram_count is None:
        fields = _ngram_fields(doc.tokens, n)
        return fields["ngrams"], fields["ngram_set"], fields["ngram_count"]
    return doc.ngrams, doc.ngram_set, doc.ngram_count


def _member(
    values: npt.NDArray[np.uint64], sorted_set: npt.NDArray[np.uint64]
) -> npt.NDArray[np.bool_]:
    """``np.isin(values, sorted_set)`` for a sorted, non-empty ``sorted_set``, by binary search."""
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    found: npt.NDArray[np.bool_] = sorted_set[at] == values
    return found


def _exact_runs(a: PreparedText, b: PreparedText, config: TextAlignConfig) -> list[_Run]:
    """Maximal runs of shared word n-grams on one diagonal, then runs chained into passages
    when they follow each other on both sides within ``run_gap`` words."""
    n = config.ngram
    ha, ua, ca = _ngrams_of(a, n)
    hb, ub, cb = _ngrams_of(b, n)
    if not len(ha) or not len(hb):
        return []
    # Shared n-grams; those repeated many times in either text (boilerplate) seed nothing.
    rare = np.intersect1d(
        ua[ca <= config.max_repeats], ub[cb <= config.max_repeats], assume_unique=True
    )
    if not len(rare):
        return []
    pos_a = np.flatnonzero(_member(ha, rare))
    pos_b = np.flatnonzero(_member(hb, rare))
    order_a = np.argsort(ha[pos_a], kind="stable")
    sorted_a = ha[pos_a][order_a]
    # Seeds: every (i, j) with the same rare n-gram at i in a and j in b, in order of
    # diagonal (j - i), then i. Consecutive seeds on one diagonal (i one more than the last)
    # make one run.
    lo = np.searchsorted(sorted_a, hb[pos_b], side="left")
    count = np.searchsorted(sorted_a, hb[pos_b], side="right") - lo
    seed_j = np.repeat(pos_b, count)
    seed_i = pos_a[order_a[_ramp(lo, count)]]
    diagonal = seed_j - seed_i
    order = np.lexsort((seed_i, diagonal))
    seed_i, seed_j, diagonal = seed_i[order], seed_j[order], diagonal[order]
    new_run = np.ones(len(seed_i), dtype=np.bool_)
    new_run[1:] = (diagonal[1:] != diagonal[:-1]) | (seed_i[1:] != seed_i[:-1] + 1)
    first = np.flatnonzero(new_run)
    last = np.append(first[1:], len(seed_i)) - 1
    runs = [
        _Run(a0, a1, b0, b1)
        for a0, a1, b0, b1 in zip(
            seed_i[first].tolist(),
            (seed_i[last] + n).tolist(),
            seed_j[first].tolist(),
            (seed_j[last] + n).tolist(),
            strict=True,
        )
    ]
    ta, tb = a.tokens.tolist(), b.tokens.tolist()
    runs = [_grow(ta, tb, r) for r in runs]
    runs.sort(key=lambda r: (r.b0, r.a0))
    chained: list[_Run] = []
    gap = config.run_gap
    for r in runs:
        best = None
        for k in range(len(chained) - 1, max(-1, len(chained) - 6), -1):
            c = chained[k]
            if r.b0 - c.b1 <= gap and -n <= r.a0 - c.a1 <= gap and r.b0 >= c.b0:
                best = k
                break
        if best is None:
            chained.append(r)
            continue
        c = chained[best]
        chained[best] = _Run(c.a0, max(c.a1, r.a1), c.b0, max(c.b1, r.b1))
    return chained


# --- alignment ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PairModel:
    """tf-isf weights of both texts' bags and every sentence pair's cosine and Dice."""

    w_a: F64  # weight of each (sentence, term) entry of a
    w_b: F64
    col_a: I64  # each term of a: its column among the shared terms, or -1
    col_b: I64
    shared_a: I64  # the shared terms' indices into a.terms (column order), and into b.terms
    shared_b: I64
    cosine: F64  # sentences of a x sentences of b
    dice: F64


def _pair_model(a: PreparedText, b: PreparedText) -> _PairModel:
    n_a, n_b = len(a.sentences), len(b.sentences)
    shared, ia, ib = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    df_a = a.sent_freq.copy()
    df_b = b.sent_freq.copy()
    df_a[ia] += b.sent_freq[ib]
    df_b[ib] += a.sent_freq[ia]
    w_a = a.count * np.log((n_a + n_b) / df_a)[a.term_of]
    w_b = b.count * np.log((n_a + n_b) / df_b)[b.term_of]
    norm_a = np.sqrt(np.bincount(a.sent_of, weights=w_a * w_a, minlength=n_a))
    norm_b = np.sqrt(np.bincount(b.sent_of, weights=w_b * w_b, minlength=n_b))
    size_a = np.bincount(a.sent_of, minlength=n_a).astype(np.float64)
    size_b = np.bincount(b.sent_of, minlength=n_b).astype(np.float64)
    k = len(shared)
    col_a = np.full(len(a.terms), -1, dtype=np.int64)
    col_a[ia] = np.arange(k)
    col_b = np.full(len(b.terms), -1, dtype=np.int64)
    col_b[ib] = np.arange(k)
    # Sparse product over the shared terms: every (entry of a, entry of b) with one term.
    ea = np.flatnonzero(col_a[a.term_of] >= 0)
    eb = np.flatnonzero(col_b[b.term_of] >= 0)
    ea = ea[np.argsort(col_a[a.term_of[ea]], kind="stable")]
    eb = eb[np.argsort(col_b[b.term_of[eb]], kind="stable")]
    ca = col_a[a.term_of[ea]]
    per_b = np.bincount(col_b[b.term_of[eb]], minlength=k)
    first_b = np.concatenate(([0], np.cumsum(per_b)[:-1])) if k else per_b
    reps = per_b[ca]
    left = np.repeat(ea, reps)
    offsets = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    right = eb[np.repeat(first_b[ca], reps) + offsets]
    flat = a.sent_of[left] * n_b + b.sent_of[right]
    dot = np.bincount(flat, weights=w_a[left] * w_b[right], minlength=n_a * n_b)
    common = np.bincount(flat, minlength=n_a * n_b).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = dot.reshape(n_a, n_b) / np.outer(norm_a, norm_b)
        dice = 2 * common.reshape(n_a, n_b) / np.add.outer(size_a, size_b)
    return _PairModel(
        w_a=w_a,
        w_b=w_b,
        col_a=col_a,
        col_b=col_b,
        shared_a=ia.astype(np.int64),
        shared_b=ib.astype(np.int64),
        cosine=np.nan_to_num(cosine),
        dice=np.nan_to_num(dice),
    )


def _split_by_gap(seeds: list[tuple[int, int]], side: int, gap: int) -> list[list[tuple[int, int]]]:
    ordered = sorted(seeds, key=lambda s: (s[side], s[1 - side]))
    groups: list[list[tuple[int, int]]] = [[ordered[0]]]
    for seed in ordered[1:]:
        if seed[side] - groups[-1][-1][side] - 1 > gap:
            groups.append([seed])
        else:
            groups[-1].append(seed)
    return groups


def _cluster(seeds: list[tuple[int, int]], gap: int) -> list[list[tuple[int, int]]]:
    """Split seeds into groups that are dense (gaps of at most ``gap``) on both sides."""
    todo = [seeds]
    done: list[list[tuple[int, int]]] = []
    side = 1
    while todo:
        next_todo: list[list[tuple[int, int]]] = []
        for group in todo:
            parts = _split_by_gap(group, side, gap)
            if len(parts) == 1:
                other = _split_by_gap(group, 1 - side, gap)
                if len(other) == 1:
                    done.append(group)
                else:
                    next_todo.extend(other)
            else:
                next_todo.extend(parts)
        todo = next_todo
    return done


def _range_vector(doc: PreparedText, weights: F64, first: int, last: int) -> F64:
    """The summed tf-isf vector of sentences ``first..last`` of ``doc`` (over its terms)."""
    lo, hi = np.searchsorted(doc.sent_of, (first, last + 1))
    out = np.bincount(doc.term_of[lo:hi], weights=weights[lo:hi], minlength=len(doc.terms))
    return out.astype(np.float64, copy=False)


def _range_similarity(
    a: PreparedText,
    b: PreparedText,
    model: _PairModel,
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    va: F64 | None = None,
) -> float:
    """Cosine of the summed tf-isf vectors of sentences a0..a1 and b0..b1 (``va``: the
    vector of a0..a1 when the caller has it)."""
    if va is None:
        va = _range_vector(a, model.w_a, a0, a1)
    vb = _range_vector(b, model.w_b, b0, b1)
    na, nb = float(np.sqrt(va @ va)), float(np.sqrt(vb @ vb))
    if na == 0 or nb == 0:
        return 0.0
    # Only shared terms add to the dot product, taken in the shared terms' order.
    return float(va[model.shared_a] @ vb[model.shared_b]) / (na * nb)


def _extend(
    a: PreparedText,
    b: PreparedText,
    model: _PairModel,
    seeds: list[tuple[int, int]],
    gap: int,
    config: TextAlignConfig,
) -> list[_Fragment]:
    out: list[_Fragment] = []
    todo = [(group, gap) for group in _cluster(seeds, gap)]
    while todo:
        group, g = todo.pop()
        a0 = min(s[0] for s in group)
        a1 = max(s[0] for s in group)
        b0 = min(s[1] for s in group)
        b1 = max(s[1] for s in group)
        sim = _range_similarity(a, b, model, a0, a1, b0, b1)
        if sim >= config.validate or g <= 0:
            if sim >= config.validate:
                out.append(_Fragment(a0, a1, b0, b1, len(group), sim))
            continue
        todo.extend((sub, g - 1) for sub in _cluster(group, g - 1))
    return out


def _char_len(doc: PreparedText, first: int, last: int) -> int:
    return doc.sentences[last].end - doc.sentences[first].start


def _filter(
    a: PreparedText, b: PreparedText, frags: list[_Fragment], min_a: int, min_b: int
) -> list[_Fragment]:
    # Overlaps in the derived text: keep the fragment with more evidence.
    frags = sorted(frags, key=lambda f: (f.b0, f.b1))
    kept: list[_Fragment] = []
    for f in frags:
        if kept and f.b0 <= kept[-1].b1:
            last = kept[-1]
            if (f.seeds, f.similarity) > (last.seeds, last.similarity):
                kept[-1] = f
            continue
        kept.append(f)
    return [
        f for f in kept if _char_len(a, f.a0, f.a1) >= min_a and _char_len(b, f.b0, f.b1) >= min_b
    ]


def _fragments(
    a: PreparedText, b: PreparedText, model: _PairModel, config: TextAlignConfig
) -> list[_Fragment]:
    summary = _summaries(a, b, model, config)
    if summary:
        return summary
    hits = np.argwhere((model.cosine > config.seed_cosine) & (model.dice > config.seed_dice))
    seeds = [(int(i), int(j)) for i, j in hits]
    if not seeds:
        return []
    return _filter(
        a,
        b,
        _extend(a, b, model, seeds, config.max_gap, config),
        config.min_chars,
        config.min_chars_derived,
    )


def _summaries(
    a: PreparedText, b: PreparedText, model: _PairModel, config: TextAlignConfig
) -> list[_Fragment]:
    """Runs of derived sentences that each echo some source sentence, drawn from across the
    source (its matches span ``summary_ratio`` times the run's length) and similar to the
    source as a whole: a summary. A run covering most of its paragraph takes the paragraph."""
    n_a = model.cosine.shape[0]
    best = model.cosine.max(axis=0)
    arg = model.cosine.argmax(axis=0)
    good = np.flatnonzero(best >= config.summary_seed)
    out: list[_Fragment] = []
    groups: list[list[int]] = []
    for j in good.tolist():
        if (
            groups
            and j - groups[-1][-1] - 1 <= config.summary_skip
            and b.sent_para[j] == b.sent_para[groups[-1][-1]]
        ):
            groups[-1].append(j)
        else:
            groups.append([j])
    whole_a: F64 | None = None
    for g in groups:
        j0, j1 = g[0], g[-1]
        if _char_len(b, j0, j1) < config.min_chars_derived:
            continue
        if whole_a is None:
            whole_a = _range_vector(a, model.w_a, 0, n_a - 1)
        sim = _range_similarity(a, b, model, 0, n_a - 1, j0, j1, whole_a)
        if sim < config.summary_cosine:
            continue
        i0, i1 = int(arg[g].min()), int(arg[g].max())
        if _char_len(a, i0, i1) < config.summary_ratio * _char_len(b, j0, j1):
            continue
        para = np.flatnonzero(b.sent_para == b.sent_para[j0])
        p0, p1 = int(para[0]), int(para[-1])
        if len(g) < config.summary_para * (p1 - p0 + 1):
            continue
        j0, j1 = min(j0, p0), max(j1, p1)
        out.append(_Fragment(i0, i1, j0, j1, len(g), sim, summary=True))
    return out


@dataclass(frozen=True, slots=True)
class _Cand:
    a: Span
    b: Span
    score: float
    frag: _Fragment | None  # None: an exact run


def _run_spans(a: PreparedText, b: PreparedText, r: _Run) -> tuple[Span, Span]:
    return (
        Span(int(a.tok_start[r.a0]), _close(a.text, int(a.tok_end[r.a1 - 1]))),
        Span(int(b.tok_start[r.b0]), _close(b.text, int(b.tok_end[r.b1 - 1]))),
    )


def _close(text: str, end: int) -> int:
    """Extend a passage over the punctuation that closes its last word ("end." / "end.)")."""
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return end


def _overlap(x: Span, y: Span) -> int:
    return max(0, min(x.end, y.end) - max(x.start, y.start))


def _union_len(spans: list[Span], within: Span) -> int:
    total, reach = 0, within.start
    for sp in sorted(spans, key=lambda z: z.start):
        start, end = max(sp.start, reach, within.start), min(sp.end, within.end)
        if end > start:
            total += end - start
            reach = end
    return total


def align_texts(
    source: PreparedText | str, derived: PreparedText | str, config: TextAlignConfig = DEFAULT
) -> tuple[Passage, ...]:
    """Passages of ``source`` reused in ``derived``: ``Passage.a`` spans the source text,
    ``Passage.b`` the derived text (raw character offsets), typed verbatim | edited |
    paraphrase | summary."""
    a = prepare(source, config) if isinstance(source, str) else source
    b = prepare(derived, config) if isinstance(derived, str) else derived
    if not a.sentences or not b.sentences:
        return ()
    model = _pair_model(a, b)
    runs = [(_run_spans(a, b, r), r) for r in _exact_runs(a, b, config)]
    frags = []
    for f in _fragments(a, b, model, config):
        fa = Span(a.sentences[f.a0].start, a.sentences[f.a1].end)
        fb = Span(b.sentences[f.b0].start, b.sentences[f.b1].end)
        if f.summary and config.summary_whole:
            fa = Span(0, len(a.text))
        inside = [
            k for k, ((ra, rb), _) in enumerate(runs) if _overlap(ra, fa) and _overlap(rb, fb)
        ]
        covered = _union_len([runs[k][0][1] for k in inside], fb) / max(1, fb.length)
        frags.append((f, fa, fb, inside, covered))
    # A pair with one near-verbatim passage is a copying pair: its other passages must show
    # copied wording too (a loose sentence match there is a coincidence of topic).
    copying = config.copy_mode and any(
        not f.summary and cov >= config.run_cover for f, *_, cov in frags
    )
    cands: list[_Cand] = []
    used: set[int] = set()
    for f, fa, fb, inside, covered in frags:
        if not f.summary and covered >= (config.copy_cover if copying else config.run_cover):
            for k in inside:
                if k not in used:
                    used.add(k)
                    (ra, rb), _ = runs[k]
                    cands.append(_Cand(ra, rb, 1.0, None))
        elif not copying or f.summary:
            used.update(inside)
            cands.append(_Cand(fa, fb, f.similarity, f))
    for k, ((ra, rb), _) in enumerate(runs):
        if k not in used:
            cands.append(_Cand(ra, rb, 1.0, None))
    out: list[Passage] = []
    for c in _resolve(cands, config.min_chars, config.min_chars_derived):
        kind = _kind(a, b, c.frag) if c.frag is not None else _run_kind(a, b, c)
        out.append(Passage(c.a, c.b, kind, round(c.score, 4)))
    return tuple(out)


def _resolve(cands: list[_Cand], min_a: int, min_b: int) -> list[_Cand]:
    """Drop short candidates, then of two that overlap in the derived text keep the longer."""
    cands = [c for c in cands if c.a.length >= min_a and c.b.length >= min_b]
    kept: list[_Cand] = []
    for c in sorted(cands, key=lambda c: -(c.a.length + c.b.length)):
        if all(not _overlap(c.b, k.b) for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.b.start)


def _run_kind(a: PreparedText, b: PreparedText, c: _Cand) -> PassageKind:
    lo_a, hi_a = np.searchsorted(a.tok_start, (c.a.start, c.a.end))
    lo_b, hi_b = np.searchsorted(b.tok_start, (c.b.start, c.b.end))
    kind = _word_kind(a.tokens[lo_a:hi_a], b.tokens[lo_b:hi_b])
    return "edited" if kind == "paraphrase" else kind


def _kind(a: PreparedText, b: PreparedText, f: _Fragment) -> PassageKind:
    if f.summary:
        return "summary"
    words_a = a.tokens[a.sent_tok[f.a0] : a.sent_tok[f.a1 + 1]]
    words_b = b.tokens[b.sent_tok[f.b0] : b.sent_tok[f.b1 + 1]]
    return _word_kind(words_a, words_b)


def _word_kind(words_a: I64, words_b: I64) -> PassageKind:
    if np.array_equal(words_a, words_b):
        return "verbatim"
    set_a, set_b = set(words_a.tolist()), set(words_b.tolist())
    if len(set_a & set_b) >= 0.5 * len(set_a | set_b):
        return "edited"
    return "paraphrase"
