"""Exact lexical scores, sentence-level semantic coverage, and the relation between two documents.

Lexical overlap finds copies; rewrites and translations share almost no shingles, so the
decisive measure is *sentence coverage*: the share of a document's text (by characters)
whose sentences have a semantically close sentence in the other ("every sentence of B maps
to one in A"). The relation follows from these scores, and the evidence says which ones.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from storytrace.config import Config
from storytrace.fingerprint import jaccard_and_containment
from storytrace.records import CleanDoc, Match, Relation, Signature

F32 = npt.NDArray[np.float32]


def sentence_similarity(a: Signature, b: Signature) -> F32:
    """Cosine of every sentence of a with every sentence of b (rows: a, columns: b)."""
    if a.sentence_embeddings is None or b.sentence_embeddings is None:
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray(a.sentence_embeddings @ b.sentence_embeddings.T, dtype=np.float32)


def coverage(doc: CleanDoc, best: F32, threshold: float) -> float:
    """Share of ``doc``'s sentence characters whose best match reaches ``threshold``."""
    lengths = np.array([s.length for s in doc.sentences], dtype=np.float64)
    if lengths.size == 0 or best.size != lengths.size:
        return 0.0
    return float(lengths[best >= threshold].sum() / lengths.sum())


def compare(
    a_doc: CleanDoc, b_doc: CleanDoc, a_sig: Signature, b_sig: Signature, config: Config
) -> Match:
    """Scores and relation for one candidate pair (``a_doc.id < b_doc.id``)."""
    jac, c_ab, c_ba = jaccard_and_containment(a_sig.shingles, b_sig.shingles)
    semantic = 0.0
    if a_sig.embedding is not None and b_sig.embedding is not None:
        semantic = float(a_sig.embedding @ b_sig.embedding)
    sims = sentence_similarity(a_sig, b_sig)
    if sims.size:
        best_a, best_b = sims.max(axis=1), sims.max(axis=0)
        cov_ab = coverage(a_doc, best_a, config.sentence_match)
        cov_ba = coverage(b_doc, best_b, config.sentence_match)
        strong = max(
            coverage(a_doc, best_a, config.sentence_strong),
            coverage(b_doc, best_b, config.sentence_strong),
        )
    else:
        cov_ab = cov_ba = strong = 0.0
    relation, evidence = decide_relation(
        jac,
        c_ab,
        c_ba,
        semantic,
        cov_ab,
        cov_ba,
        a_doc.lang,
        b_doc.lang,
        config,
        strong_coverage=strong,
    )
    return Match(
        a=a_doc.id,
        b=b_doc.id,
        relation=relation,
        jaccard=round(jac, 4),
        containment_ab=round(c_ab, 4),
        containment_ba=round(c_ba, 4),
        semantic=round(semantic, 4),
        coverage_ab=round(cov_ab, 4),
        coverage_ba=round(cov_ba, 4),
        evidence=evidence,
    )


def decide_relation(
    jac: float,
    c_ab: float,
    c_ba: float,
    semantic: float,
    cov_ab: float,
    cov_ba: float,
    lang_a: str,
    lang_b: str,
    config: Config,
    *,
    strong_coverage: float,
) -> tuple[Relation, tuple[str, ...]]:
    """The relation for a pair of scores, with the evidence that decided it.

    ``strong_coverage`` is the larger of the two coverages measured at
    ``config.sentence_strong``; a same-language rewrite needs it.
    """
    if jac >= config.duplicate_jaccard:
        return "duplicate", (f"shingle Jaccard {jac:.2f} >= {config.duplicate_jaccard}",)
    if jac >= config.near_duplicate_jaccard:
        return "near_duplicate", (f"shingle Jaccard {jac:.2f} >= {config.near_duplicate_jaccard}",)
    contained = max(c_ab, c_ba)
    if contained >= config.partial_containment:
        side = "a in b" if c_ab >= c_ba else "b in a"
        return "partial_reuse", (
            f"shingle containment {side} {contained:.2f} >= {config.partial_containment}",
            f"Jaccard {jac:.2f}",
        )
    covered = max(cov_ab, cov_ba)
    cov_note = (
        f"sentence coverage a->b {cov_ab:.2f}, b->a {cov_ba:.2f} "
        f"(sentences with cosine >= {config.sentence_match})"
    )
    known = "und" not in (lang_a, lang_b)
    if covered >= config.derived_coverage and known and lang_a != lang_b:
        return "translation", (f"languages {lang_a} / {lang_b}", cov_note)
    if strong_coverage >= config.rewrite_coverage and not (known and lang_a != lang_b):
        return "rewrite", (
            cov_note,
            f"{strong_coverage:.2f} of the text has sentences at cosine >= {config.sentence_strong}",
            f"shingle Jaccard only {jac:.2f}",
        )
    if semantic >= config.same_story_cosine:
        return "same_story", (
            f"document cosine {semantic:.2f} >= {config.same_story_cosine}",
            cov_note,
        )
    return "unrelated", (f"document cosine {semantic:.2f}", cov_note)
