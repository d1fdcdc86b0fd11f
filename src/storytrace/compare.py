"""Exact lexical scores, sentence-level semantic coverage, and the relation between two documents.

Lexical overlap finds copies; rewrites and translations share almost no shingles, so the
decisive measure is *sentence coverage*: the share of a document's text (by characters)
whose sentences have a semantically close sentence in the other ("every sentence of B maps
to one in A"). The relation follows from these scores, and the evidence says which ones.

Scores are calibrated twice. First, every cosine is put on the default encoder's scale
(``storytrace.embed.calibrate``: identity for the default, a measured monotone map for the
others, whose raw cosines are compressed), so the thresholds in ``Config`` hold for any
encoder. Second, a pair's document cosine is ranked against each document's neighbour
distribution (``neighbour_margin``, the ratio margin of Artetxe & Schwenk 2019, "Margin-based
parallel corpus mining"): two documents on one story are closer to each other than to their
other near neighbours, while two documents that are merely both close to everything (a dense
topic, a hub) are not. A same-story decision needs both a high cosine and that margin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from storytrace.config import Config
from storytrace.embed import NO_ENCODER, calibrate, trusted_language
from storytrace.fingerprint import EMPTY_SHINGLE, jaccard_and_containment
from storytrace.lang import same_language, translation_pair
from storytrace.records import CleanDoc, Match, Relation, Signature

F32 = npt.NDArray[np.float32]


Profile = Sequence[tuple[str, float]]
"""A document's nearest other documents with their (calibrated) cosines, best first."""
MARGIN_K = 4
"""Neighbours per side in the margin's denominator (LASER's k)."""


def sentence_similarity(
    a: Signature, b: Signature, encoder: str | None = None, *, same_language: bool = False
) -> F32:
    """Cosine of every sentence of a with every sentence of b (rows: a, columns: b); with
    ``encoder``, calibrated onto the default encoder's scale."""
    if a.sentence_embeddings is None or b.sentence_embeddings is None:
        return np.zeros((0, 0), dtype=np.float32)
    sims = np.asarray(a.sentence_embeddings @ b.sentence_embeddings.T, dtype=np.float32)
    if encoder is None:
        return sims
    return calibrate(encoder, sims, same_language=same_language).astype(np.float32)


def neighbour_margin(
    cosine: float, a: str, b: str, profile_a: Profile | None, profile_b: Profile | None
) -> float | None:
    """``cosine`` over the mean cosine of each side's ``MARGIN_K`` nearest other neighbours
    (the partner itself left out): above 1, the pair stands out from both documents' usual
    neighbourhoods. ``None`` when neither document has another neighbour to compare with."""
    near = [c for d, c in (profile_a or ())[: MARGIN_K + 1] if d not in (a, b)][:MARGIN_K]
    near += [c for d, c in (profile_b or ())[: MARGIN_K + 1] if d not in (a, b)][:MARGIN_K]
    if not near:
        return None
    typical = float(np.mean(near))
    if typical <= 0.0:
        return None
    return cosine / typical


def coverage(doc: CleanDoc, best: F32, threshold: float) -> float:
    """Share of ``doc``'s sentence characters whose best match reaches ``threshold``."""
    return _coverage(_sentence_lengths(doc), best, threshold)


def _sentence_lengths(doc: CleanDoc) -> npt.NDArray[np.float64]:
    return np.array([s.length for s in doc.sentences], dtype=np.float64)


def _coverage(lengths: npt.NDArray[np.float64], best: F32, threshold: float) -> float:
    if lengths.size == 0 or best.size != lengths.size:
        return 0.0
    return float(lengths[best >= threshold].sum() / lengths.sum())


def compare(
    a_doc: CleanDoc,
    b_doc: CleanDoc,
    a_sig: Signature,
    b_sig: Signature,
    config: Config,
    profiles: Mapping[str, Profile] | None = None,
) -> Match:
    """Scores and relation for one candidate pair (``a_doc.id < b_doc.id``).

    ``profiles``: each document's nearest neighbours (``candidates.neighbour_profiles``),
    for the neighbour margin; without them a same-story decision rests on the cosine alone.
    """
    wordless = [d.id for d, s in ((a_doc, a_sig), (b_doc, b_sig)) if has_no_words(s)]
    if wordless:
        return _nothing_to_compare(a_doc.id, b_doc.id, wordless)
    jac, c_ab, c_ba = jaccard_and_containment(a_sig.shingles, b_sig.shingles)
    same = same_language(a_doc.lang, b_doc.lang)
    semantic = 0.0
    margin = None
    if a_sig.embedding is not None and b_sig.embedding is not None:
        raw = float(a_sig.embedding @ b_sig.embedding)
        semantic = float(calibrate(config.encoder, raw, same_language=same))
        if profiles is not None:  # on the profiles' (cross-language) scale
            margin = neighbour_margin(
                float(calibrate(config.encoder, raw)),
                a_doc.id,
                b_doc.id,
                profiles.get(a_doc.id),
                profiles.get(b_doc.id),
            )
    sims = sentence_similarity(a_sig, b_sig, config.encoder, same_language=same)
    if sims.size:
        best_a, best_b = sims.max(axis=1), sims.max(axis=0)
        len_a, len_b = _sentence_lengths(a_doc), _sentence_lengths(b_doc)
        cov_ab = _coverage(len_a, best_a, config.sentence_match)
        cov_ba = _coverage(len_b, best_b, config.sentence_match)
        strong = max(
            _coverage(len_a, best_a, config.sentence_strong),
            _coverage(len_b, best_b, config.sentence_strong),
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
        margin=margin,
    )
    lacking = sorted(
        {d.lang for d in (a_doc, b_doc) if not trusted_language(config.encoder, d.lang)}
    )
    if lacking and config.encoder != NO_ENCODER:
        evidence = (
            *evidence,
            f"encoder {config.encoder} was not trained on {', '.join(lacking)}: "
            "lexical evidence only",
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


def has_no_words(sig: Signature) -> bool:
    """Whether a document had no word left after cleaning (junk only, punctuation only,
    empty): its shingle set is empty or only the fingerprint's ``EMPTY_SHINGLE`` sentinel,
    which every such document shares."""
    shingles = sig.shingles
    return shingles.size == 0 or (shingles.size == 1 and shingles[0] == EMPTY_SHINGLE)


def _nothing_to_compare(a: str, b: str, wordless: Sequence[str]) -> Match:
    """A document with no words is a copy of nothing: two such documents would otherwise
    share the one sentinel shingle (Jaccard 1.0) and any punctuation embeds alike."""
    return Match(
        a=a,
        b=b,
        relation="unrelated",
        jaccard=0.0,
        containment_ab=0.0,
        containment_ba=0.0,
        semantic=0.0,
        coverage_ab=0.0,
        coverage_ba=0.0,
        evidence=tuple(f"{d} has no words after cleaning: nothing to compare" for d in wordless),
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
    margin: float | None = None,
) -> tuple[Relation, tuple[str, ...]]:
    """The relation for a pair of scores, with the evidence that decided it.

    ``strong_coverage`` is the larger of the two coverages measured at
    ``config.sentence_strong``; a same-language rewrite needs it. ``margin`` is the pair's
    neighbour margin (``neighbour_margin``); a same-story pair needs it at
    ``config.neighbour_margin`` when it is known.
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
    translated = translation_pair(lang_a, lang_b)
    if covered >= config.derived_coverage and translated:
        return "translation", (f"languages {lang_a} / {lang_b}", cov_note)
    if strong_coverage >= config.rewrite_coverage and not translated:
        return "rewrite", (
            cov_note,
            f"{strong_coverage:.2f} of the text has sentences at cosine >= {config.sentence_strong}",
            f"shingle Jaccard only {jac:.2f}",
        )
    if contained >= config.reuse_containment:
        side = "a in b" if c_ab >= c_ba else "b in a"
        return "partial_reuse", (
            f"shingle containment {side} {contained:.2f} >= {config.reuse_containment}: "
            "part of one text reappears word for word in the other",
            f"Jaccard {jac:.2f}",
            cov_note,
        )
    margin_note = () if margin is None else (f"neighbour margin {margin:.3f}",)
    if semantic >= config.same_story_cosine and (
        margin is None or margin >= config.neighbour_margin
    ):
        return "same_story", (
            f"document cosine {semantic:.2f} >= {config.same_story_cosine}",
            *(
                ()
                if margin is None
                else (
                    f"neighbour margin {margin:.3f} >= {config.neighbour_margin} "
                    "(closer than either document's usual near neighbours)",
                )
            ),
            cov_note,
        )
    return "unrelated", (f"document cosine {semantic:.2f}", *margin_note, cov_note)
