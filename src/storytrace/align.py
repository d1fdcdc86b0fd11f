"""Passage alignment between two versions of a story, in raw offsets.

Sentences are the seeds. Two sentences are scored by the larger of their embedding cosine
and a lexical score (word-set overlap, which is exact for copies and edits); each sentence
of b takes its best partner in a when that partner also ranks it first among b's sentences
or the score clears ``sentence_match``. Runs of consecutive aligned sentences whose partners
are also consecutive merge into passages; each passage is typed verbatim | edited |
paraphrase | translation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from storytrace.compare import sentence_similarity
from storytrace.records import Alignment, CleanDoc, Passage, PassageKind, Signature, Span
from storytrace.text import words

F32 = npt.NDArray[np.float32]
_EDITED = 0.5  # word-set Jaccard at which a changed sentence still counts as edited
_MUTUAL_FLOOR = 0.55  # a mutual best partner below this is a coincidence, not a match


@dataclass(frozen=True, slots=True)
class SentencePair:
    """Sentence ``a`` of the first document aligned with sentence ``b`` of the second."""

    a: int
    b: int
    score: float
    lexical: float


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
    a: CleanDoc, b: CleanDoc, a_sig: Signature, b_sig: Signature, threshold: float
) -> list[SentencePair]:
    """Sentence pairs, one per aligned sentence of b (several b sentences may share an a)."""
    if not a.sentences or not b.sentences:
        return []
    lexical = lexical_similarity(a, b)
    semantic = sentence_similarity(a_sig, b_sig)
    score = np.maximum(lexical, semantic) if semantic.shape == lexical.shape else lexical
    best_a_for_b = score.argmax(axis=0)
    best_b_for_a = score.argmax(axis=1)
    pairs: list[SentencePair] = []
    for j in range(score.shape[1]):
        i = int(best_a_for_b[j])
        value = float(score[i, j])
        mutual = int(best_b_for_a[i]) == j
        if value >= threshold or (mutual and value >= _MUTUAL_FLOOR):
            pairs.append(SentencePair(i, j, value, float(lexical[i, j])))
    return pairs


def align(
    a: CleanDoc, b: CleanDoc, a_sig: Signature, b_sig: Signature, threshold: float
) -> Alignment:
    """Passages of ``a`` reused in ``b``, with raw spans and coverage of each side."""
    return passages_from_pairs(a, b, align_sentences(a, b, a_sig, b_sig, threshold))


def passages_from_pairs(a: CleanDoc, b: CleanDoc, pairs: list[SentencePair]) -> Alignment:
    """Merge aligned sentence pairs into passages (consecutive on both sides) and type them."""
    translation = a.lang != b.lang and "und" not in (a.lang, b.lang)
    groups: list[list[SentencePair]] = []
    for pair in pairs:
        if groups:
            last = groups[-1][-1]
            if pair.b == last.b + 1 and pair.a in (last.a, last.a + 1):
                groups[-1].append(pair)
                continue
        groups.append([pair])
    passages = tuple(_passage(a, b, group, translation) for group in groups)
    return Alignment(
        a=a.id,
        b=b.id,
        passages=passages,
        coverage_a=_covered(a, {p.a for p in pairs}),
        coverage_b=_covered(b, {p.b for p in pairs}),
    )


def _passage(a: CleanDoc, b: CleanDoc, group: list[SentencePair], translation: bool) -> Passage:
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
    elif lexical >= _EDITED:
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
