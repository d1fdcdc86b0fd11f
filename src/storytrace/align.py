"""Passage alignment between two versions of a story, in raw offsets.

Sentences are the seeds. Two sentences are scored by the larger of their embedding cosine
and a lexical score (word-set overlap, which is exact for copies and edits); each sentence
of b takes its best partner in a when that partner also ranks it first among b's sentences
or the score clears ``sentence_match``. Runs of consecutive aligned sentences whose partners
are also consecutive merge into passages; each passage is typed verbatim | edited |
paraphrase | translation. In a pair of one language, a paragraph of b whose sentences each
echo sentences from across a is one *summary* passage over the whole of a (found by the
character-level aligner, :mod:`storytrace.textalign`, which also serves raw-text pairs).

Translations and round-trip translations paraphrase every sentence, so two cues from
sentence aligners (hunalign, Bleualign) help where cosine alone is low: a *rare name*
shared by both sentences (one that occurs in at most two sentences of each document) adds
``name_bonus``; and a sentence next to an aligned one, matching its partner or the
partner's neighbour on the side that keeps the order, is aligned from ``gap_floor`` (a
sentence split in two, or two merged into one). These settings are ``Config.align``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from storytrace.compare import sentence_similarity
from storytrace.config import AlignConfig
from storytrace.lang import same_language, translation_pair
from storytrace.names import name_keys
from storytrace.records import Alignment, CleanDoc, Passage, PassageKind, Signature, Span
from storytrace.text import words
from storytrace.textalign import align_texts

F32 = npt.NDArray[np.float32]
_DEFAULT = AlignConfig()


@dataclass(frozen=True, slots=True)
class SentencePair:
    """Sentence ``a`` of the first document aligned with sentence ``b`` of the second."""

    a: int
    b: int
    score: float
    lexical: float
    filled: bool = False
    """Aligned only as a neighbour of an aligned sentence (``_fill_gaps``), not on its own."""


def lexical_similarity(a: CleanDoc, b: CleanDoc) -> F32:
    """Word-set Jaccard of every sentence pair (rows: a, columns: b)."""
    sets_a = [set(words(t)) for t in a.sentence_texts()]
    sets_b = [set(words(t)) for t in b.sentence_texts()]
    out = np.zeros((len(sets_a), len(sets_b)), dtype=np.float32)
    for i, sa in enumerate(sets_a):
        if not sa:
            continue
        for j, sb in enumerate(sets_b):
            if sb and not sa.isdisjoint(sb):
                out[i, j] = len(sa & sb) / len(sa | sb)
    return out


def align_sentences(
    a: CleanDoc,
    b: CleanDoc,
    a_sig: Signature,
    b_sig: Signature,
    threshold: float,
    settings: AlignConfig = _DEFAULT,
    encoder: str | None = None,
) -> list[SentencePair]:
    """Sentence pairs, one per aligned sentence of b (several b sentences may share an a).

    ``encoder``: the encoder that made the signatures' vectors; its cosines are put on the
    default encoder's scale (``embed.calibrate``) before any threshold here (``threshold``,
    the mutual and gap floors, and the change rules' confidence) is applied, so they mean
    the same with any encoder. ``None``: raw cosines (the default encoder's own scale)."""
    if not a.sentences or not b.sentences:
        return []
    lexical = lexical_similarity(a, b)
    semantic = sentence_similarity(
        a_sig, b_sig, encoder, same_language=same_language(a.lang, b.lang)
    )
    score = np.maximum(lexical, semantic) if semantic.shape == lexical.shape else lexical
    bonus = settings.name_bonus * rare_name_overlap(a, b, settings.rare_name_sentences)
    score = np.minimum(1.0, score + bonus).astype(np.float32)
    best_a_for_b = score.argmax(axis=0)
    best_b_for_a = score.argmax(axis=1)
    pairs: list[SentencePair] = []
    for j in range(score.shape[1]):
        i = int(best_a_for_b[j])
        value = float(score[i, j])
        mutual = int(best_b_for_a[i]) == j
        if value >= threshold or (mutual and value >= settings.mutual_floor):
            pairs.append(SentencePair(i, j, value, float(lexical[i, j])))
    return _fill_gaps(pairs, score, lexical, settings.gap_floor)


def rare_name_overlap(a: CleanDoc, b: CleanDoc, rare: int = _DEFAULT.rare_name_sentences) -> F32:
    """1.0 where two sentences share a name that is rare in both documents (in at most
    ``rare`` sentences of each), else 0.0."""
    keys_a = [name_keys(t) for t in a.sentence_texts()]
    keys_b = [name_keys(t) for t in b.sentence_texts()]
    count_a = Counter(k for ks in keys_a for k in ks)
    count_b = Counter(k for ks in keys_b for k in ks)
    rare_a = [{k for k in ks if count_a[k] <= rare and count_b[k] <= rare} for ks in keys_a]
    rare_b = [{k for k in ks if count_b[k] <= rare} for ks in keys_b]
    out = np.zeros((len(keys_a), len(keys_b)), dtype=np.float32)
    for i, ra in enumerate(rare_a):
        if ra:
            for j, rb in enumerate(rare_b):
                if not ra.isdisjoint(rb):
                    out[i, j] = 1.0
    return out


def _fill_gaps(
    pairs: list[SentencePair], score: F32, lexical: F32, gap_floor: float
) -> list[SentencePair]:
    """Align unaligned sentences of b next to aligned ones (splits, merges, next sentences).

    Sentence ``j`` of b whose neighbour ``j-1`` is aligned with ``i`` may take ``i`` or
    ``i+1``; with ``j+1`` aligned with ``i`` it may take ``i-1`` or ``i``; with both, only
    partners between the two keep the order. The best candidate counts from ``gap_floor``.
    """
    partner = {p.b: p.a for p in pairs}
    n_a, n_b = score.shape
    out = list(pairs)
    for j in range(n_b):
        if j in partner:
            continue
        left, right = partner.get(j - 1), partner.get(j + 1)
        window: set[int] = set()
        if left is not None:
            window |= {left, left + 1}
        if right is not None:
            window |= {right - 1, right}
        if left is not None and right is not None:
            window = {i for i in window if left <= i <= right}
        window = {i for i in window if 0 <= i < n_a}
        if not window:
            continue
        i = max(sorted(window), key=lambda k: float(score[k, j]))
        if float(score[i, j]) >= gap_floor:
            out.append(SentencePair(i, j, float(score[i, j]), float(lexical[i, j]), filled=True))
    return sorted(out, key=lambda p: p.b)


def align(
    a: CleanDoc,
    b: CleanDoc,
    a_sig: Signature,
    b_sig: Signature,
    threshold: float,
    settings: AlignConfig = _DEFAULT,
    encoder: str | None = None,
) -> Alignment:
    """Passages of ``a`` reused in ``b``, with raw spans and coverage of each side."""
    pairs = align_sentences(a, b, a_sig, b_sig, threshold, settings, encoder)
    return passages_from_pairs(a, b, pairs, settings)


def passages_from_pairs(
    a: CleanDoc, b: CleanDoc, pairs: list[SentencePair], settings: AlignConfig = _DEFAULT
) -> Alignment:
    """Merge aligned sentence pairs into passages (consecutive on both sides) and type them."""
    translation = translation_pair(a.lang, b.lang)
    groups: list[list[SentencePair]] = []
    for pair in pairs:
        if groups:
            last = groups[-1][-1]
            if pair.b == last.b + 1 and pair.a in (last.a, last.a + 1):
                groups[-1].append(pair)
                continue
        groups.append([pair])
    passages = [_passage(a, b, group, translation, settings.edited) for group in groups]
    if not translation:
        passages = _with_summaries(a, b, passages)
    return Alignment(
        a=a.id,
        b=b.id,
        passages=tuple(passages),
        coverage_a=_covered(a, {p.a for p in pairs}),
        coverage_b=_covered(b, {p.b for p in pairs}),
    )


def _with_summaries(a: CleanDoc, b: CleanDoc, passages: list[Passage]) -> list[Passage]:
    """Replace the sentence passages inside a summary paragraph of ``b`` by one summary
    passage over the whole of ``a`` (found by :func:`storytrace.textalign.align_texts`)."""
    found = [
        Passage(a.raw_span(p.a), b.raw_span(p.b), "summary", p.score)
        for p in align_texts(a.text, b.text)
        if p.kind == "summary"
    ]
    if not found:
        return passages
    kept = [
        p
        for p in passages
        if not any(
            2 * (min(p.b.end, s.b.end) - max(p.b.start, s.b.start)) > p.b.length for s in found
        )
    ]
    return sorted(kept + found, key=lambda p: p.b.start)


def _passage(
    a: CleanDoc, b: CleanDoc, group: list[SentencePair], translation: bool, edited: float
) -> Passage:
    a_first, a_last = min(p.a for p in group), max(p.a for p in group)
    b_first, b_last = group[0].b, group[-1].b
    a_span = a.raw_span(Span(a.sentences[a_first].start, a.sentences[a_last].end))
    b_span = b.raw_span(Span(b.sentences[b_first].start, b.sentences[b_last].end))
    lexical = min(p.lexical for p in group)
    kind: PassageKind
    if translation:
        kind = "translation"
    elif lexical >= 0.999 and _same_words(a, b, a_first, a_last, b_first, b_last):
        kind = "verbatim"
    elif lexical >= edited:
        kind = "edited"
    else:
        kind = "paraphrase"
    score = float(np.mean([p.score for p in group]))
    return Passage(a=a_span, b=b_span, kind=kind, score=round(score, 4))


def _same_words(a: CleanDoc, b: CleanDoc, a0: int, a1: int, b0: int, b1: int) -> bool:
    text_a = a.text[a.sentences[a0].start : a.sentences[a1].end]
    text_b = b.text[b.sentences[b0].start : b.sentences[b1].end]
    return words(text_a) == words(text_b)


def _covered(doc: CleanDoc, sentences: set[int]) -> float:
    total = sum(s.length for s in doc.sentences)
    if not total:
        return 0.0
    return round(sum(doc.sentences[i].length for i in sentences) / total, 4)
