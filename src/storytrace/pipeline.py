"""The whole job: inputs -> store -> stories, lineage and changes -> report.json / report.html.

This module wires the pure stages to the store and an executor; it holds no algorithm of
its own. Work is resumable: documents are indexed (cleaned, fingerprinted, banded) and then
matched in batches, each batch committed atomically, so an interrupted run continues where
it stopped and a later run with new inputs only processes what is new.
"""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from storytrace.align import SentencePair, align_sentences, passages_from_pairs
from storytrace.ann import SemanticSearch
from storytrace.attribution import dateline_outlet, find_aliases, find_attributions
from storytrace.candidates import (
    band_keys,
    banded_pairs,
    lsh_params,
    merge_candidates,
    shared_key_pairs,
)
from storytrace.changes import find_changes
from storytrace.clean import clean
from storytrace.compare import compare
from storytrace.config import Config
from storytrace.embed import (
    NO_ENCODER,
    Encoder,
    configured_encoder,
    cross_lingual_evidence,
    uncalibrate,
)
from storytrace.errors import NothingToAnalyseError
from storytrace.executors import LocalExecutor
from storytrace.executors.local import Submitted
from storytrace.fingerprint import fingerprint
from storytrace.ingest import MAX_CHARS, read_inputs
from storytrace.progress import Progress, SilentProgress
from storytrace.provenance import Version, derive_lineage
from storytrace.records import Alignment, CleanDoc, Document, IngestError, Match, Signature, Span
from storytrace.report import build_report, write_reports
from storytrace.reuse import measure_reuse
from storytrace.store import DB_NAME, Store
from storytrace.stories import build_stories, story_id
from storytrace.story_clean import clean_story
from storytrace.textalign import PreparedText


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """What a run did and where its outputs are."""

    out_dir: Path
    db_path: Path
    report_json: Path
    report_html: Path
    added: int
    total: int
    errors: tuple[IngestError, ...]
    report: dict[str, Any] = field(repr=False)


def analyze(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    config: Config | None = None,
    *,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    batch_size: int = 256,
    workers: int | None = None,
    max_chars: int = MAX_CHARS,
) -> AnalysisResult:
    """Analyse ``inputs`` into the store in ``out_dir`` and write its reports.

    Raises ``NothingToAnalyseError`` when the store holds no document at all afterwards;
    unreadable inputs are reported in the result's ``errors`` (and in report.json).
    """
    config = config or Config()
    bars: Progress = progress or SilentProgress()
    out = Path(out_dir)
    with Store(out / DB_NAME, writer=True) as store, LocalExecutor(workers) as executor:
        run = store.start_run(config, [str(p) for p in inputs])
        errors = _ingest(store, run, inputs, bars, max_chars)
        added = sum(1 for _ in store.document_ids("new"))
        if store.count_documents() == 0:
            store.finish_run(run, 0)
            raise NothingToAnalyseError(
                "nothing could be analysed: "
                + ("; ".join(f"{e.input}: {e.reason}" for e in errors[:5]) or "no input documents")
            )
        _index(store, config, encoder, executor, bars, batch_size)
        _match(store, config, bars, batch_size)
        _build_stories(store, bars, executor=executor)
        if _refresh_source_repeats(store):  # a source's furniture, counted by story
            _index(store, config, encoder, executor, bars, batch_size)
            _match(store, config, bars, batch_size)
            _build_stories(store, bars, executor=executor)
        report = build_report(store)
        json_path, html_path = write_reports(store, report, out)
        store.finish_run(run, added)
        return AnalysisResult(
            out_dir=out,
            db_path=store.path,
            report_json=json_path,
            report_html=html_path,
            added=added,
            total=store.count_documents(),
            errors=tuple(errors),
            report=report,
        )


_PARALLEL_INDEX_MIN = (
    200  # below this, starting worker processes and models costs more than it saves
)
_INDEX_CHUNK = 16


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ingest(
    store: Store,
    run: int,
    inputs: Sequence[str | os.PathLike[str]],
    progress: Progress,
    max_chars: int,
) -> list[IngestError]:
    errors: list[IngestError] = []
    pending: list[Document] = []
    with progress.task("Reading inputs", None) as task:
        for record in read_inputs(inputs, max_chars):
            if isinstance(record, IngestError):
                errors.append(record)
            else:
                pending.append(record)
                if len(pending) >= 500:
                    errors.extend(store.add_documents(pending, run)[1])
                    pending.clear()
            task.advance()
        errors.extend(store.add_documents(pending, run)[1])
    store.add_errors(run, errors)
    return errors


def index_documents(
    docs: Sequence[Document],
    config: Config,
    encoder: Encoder | None = None,
    repeated: Mapping[str, frozenset[str]] | None = None,
) -> list[tuple[CleanDoc, Signature]]:
    """Clean and fingerprint a batch (a pure stage pair; runs in a worker process too, where
    the encoder named in ``config`` is loaded once per process). ``repeated``: per source,
    the lines it repeats across its own documents (see ``source_repeats``)."""
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


def _index(
    store: Store,
    config: Config,
    encoder: Encoder | None,
    executor: LocalExecutor,
    progress: Progress,
    batch_size: int,
) -> None:
    """Clean, fingerprint and band every document not yet indexed.

    Large runs spread the work over the executor's processes in chunks (each process loads
    the encoder once); small runs, or a caller-supplied encoder, stay in this process.
    """
    repeated = store.applied_repeats()
    ids = store.document_ids("new")
    params = lsh_params(config.lsh_threshold, config.num_perm)
    named = encoder.name if encoder is not None else config.encoder
    encoder_name = None if named == NO_ENCODER else named
    parallel = encoder is None and executor.workers > 1 and len(ids) >= _PARALLEL_INDEX_MIN
    work = partial(
        index_documents,
        config=config,
        encoder=None if parallel else encoder,
        repeated=repeated,
    )

    def save(submitted: Submitted[list[tuple[CleanDoc, Signature]]]) -> int:
        results = [r for part in submitted.results() for r in part]
        cleaned = [c for c, _ in results]
        sigs = [s for _, s in results]
        keys = band_keys(np.stack([s.minhash for s in sigs]), params)
        store.save_indexed(cleaned, sigs, keys, encoder=encoder_name)
        return len(results)

    with progress.task("Cleaning and fingerprinting", len(ids)) as task:
        # The workers compute one batch while this process reads the next and writes the
        # last (the store has one writer; without the overlap the workers wait for it).
        pending: Submitted[list[tuple[CleanDoc, Signature]]] | None = None
        for batch in _chunks(ids, batch_size):
            docs = store.documents(batch)
            chunks = [docs[i : i + _INDEX_CHUNK] for i in range(0, len(docs), _INDEX_CHUNK)]
            submitted = executor.submit(work, chunks, parallel=parallel)
            if pending is not None:
                task.advance(save(pending))
            pending = submitted
        if pending is not None:
            task.advance(save(pending))


def _refresh_source_repeats(store: Store) -> bool:
    """Recount each source's repeated lines by story, now that stories are known: a line
    counts once per story (the versions of one story share lines as content) and is the
    source's furniture from three stories or lone documents on. Documents whose source's
    set changed since they were cleaned go back to be indexed again (True if any did), so
    the result does not depend on the order documents arrived in."""
    units = {m: s["id"] for s in store.stories() for m in s["members"]}
    current = store.repeated_lines(store.sources(), units)
    applied = store.applied_repeats()
    if current == applied:
        return False
    stale: set[str] = set()
    for source in set(current) | set(applied):
        changed = current.get(source, frozenset()) ^ applied.get(source, frozenset())
        if changed:
            stale.update(store.documents_with_lines(source, changed))
    store.replace_applied_repeats(current)
    stale -= set(store.document_ids("new"))
    if stale:
        store.reindex(sorted(stale))
    return bool(stale)


def _match(store: Store, config: Config, progress: Progress, batch_size: int) -> None:
    """Find and compare candidate pairs for every indexed, not yet matched document."""
    ids = store.document_ids("indexed")
    search = SemanticSearch.for_store(store, config)
    lexical_by_batch = _lexical_by_batch(store, ids, batch_size)
    done: set[tuple[str, str]] = set()
    with progress.task("Finding and comparing candidates", len(ids)) as task:
        for number, batch in enumerate(_chunks(ids, batch_size)):
            sigs = store.signatures(batch)
            lexical = lexical_by_batch.get(number, set())
            semantic: dict[tuple[str, str], float] = {}
            # Documents in a language the encoder lacks have no vectors (lexical only).
            with_own = [(i, v) for i in batch if (v := sigs[i].embedding) is not None]
            if search is not None and with_own:
                semantic = search.candidates(
                    [i for i, _ in with_own], np.stack([v for _, v in with_own])
                )
            pairs = [c for c in merge_candidates(lexical, semantic) if (c.a, c.b) not in done]
            needed = sorted({c.a for c in pairs} | {c.b for c in pairs})
            docs = store.clean_docs(needed)
            all_sigs = {**sigs, **store.signatures([i for i in needed if i not in sigs])}
            profiles = None
            with_vecs = {i: v for i in needed if (v := all_sigs[i].embedding) is not None}
            if search is not None and with_vecs:
                profiles = search.profiles(list(with_vecs), np.stack(list(with_vecs.values())))
            matches = [
                compare(docs[c.a], docs[c.b], all_sigs[c.a], all_sigs[c.b], config, profiles)
                for c in pairs
            ]
            store.save_matches(matches, {(c.a, c.b): c.found_by for c in pairs}, batch)
            done.update((c.a, c.b) for c in pairs)
            task.advance(len(batch))


def _lexical_by_batch(
    store: Store, pending: Sequence[str], batch_size: int
) -> dict[int, set[tuple[str, str]]]:
    """Lexical candidate pairs of the ``pending`` documents (sorted ids): near-copies by
    their LSH band keys and partial reuse by their shared reuse keys, each found once over
    every document's keys and handed to the batch (of ``batch_size`` pending ids) that
    holds the pair's first pending document, where it is compared."""
    ids, keys = store.band_keys()
    if not pending or not ids:
        return {}
    position = {doc: row for row, doc in enumerate(pending)}
    never = len(pending)
    order = np.array([position.get(doc, never) for doc in ids], dtype=np.int64)
    among = order < never
    pairs = np.concatenate(
        [
            banded_pairs(keys, among=among),
            shared_key_pairs(store.reuse_keys(ids), among=among),
        ]
    )
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    first = np.minimum(order[pairs[:, 0]], order[pairs[:, 1]]) // batch_size
    for (a, b), number in zip(pairs.tolist(), first.tolist(), strict=True):
        out[number].add((ids[a], ids[b]))
    return out


_PARALLEL_STORIES_MIN = 8
"""Below this many stories, handing them to worker processes costs more than it saves."""


def _build_stories(
    store: Store,
    progress: Progress,
    groups: Sequence[list[str]] | None = None,
    executor: LocalExecutor | None = None,
) -> None:
    """Stories, lineage, alignments and changes, recomputed from all matches in the store.

    ``groups``: the story members when an executor has already grouped them (the Spark
    executor's ``spark_stories``, which equals ``build_stories`` over the same matches).
    ``executor``: with more than one worker, stories are traced in its processes (each
    opens the store to read; a story is traced from its own members and matches alone, so
    the result is the same as in this process), in chunks of similar work, largest first.
    """
    config = store.config() or Config()
    matches = {(m.a, m.b): m for m, _ in store.matches()}
    if groups is None:
        groups = build_stories(store.document_ids(), matches.values())
    sources = store.sources()
    traced: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    with progress.task("Tracing provenance", len(groups)) as task:
        if executor is not None and executor.workers > 1 and len(groups) >= _PARALLEL_STORIES_MIN:
            chunks = _story_chunks(groups, executor.workers * 4)
            chunk_of = {m: n for n, chunk in enumerate(chunks) for i in chunk for m in groups[i]}
            chunk_matches: list[dict[tuple[str, str], Match]] = [{} for _ in chunks]
            for key, match in matches.items():
                n = chunk_of.get(key[0])
                if n is not None and chunk_of.get(key[1]) == n:
                    chunk_matches[n][key] = match
            work = partial(_trace_stories, db=store.path, sources=sources, config=config)
            items = [
                ([groups[i] for i in chunk], chunk_matches[n]) for n, chunk in enumerate(chunks)
            ]
            by_group: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
            for chunk, results in zip(
                chunks, executor.submit(work, items, parallel=True).results(), strict=True
            ):
                by_group.update(zip(chunk, results, strict=True))
                task.advance(len(chunk))
            traced = [by_group[i] for i in range(len(groups))]
        else:
            for members in groups:
                traced.append(_story(store, members, matches, sources, config))
                task.advance()
    stories = [story for story, _ in traced]
    alignments = [a for _, story_alignments in traced for a in story_alignments]
    store.replace_stories(stories, alignments)


def _story_chunks(groups: Sequence[list[str]], count: int) -> list[list[int]]:
    """Indices of ``groups`` in at most ``count`` chunks of similar work (a story's work
    grows with its pairs of members): largest stories first, each to the lightest chunk."""
    loads = [0] * min(count, len(groups))
    chunks: list[list[int]] = [[] for _ in loads]
    for i in sorted(range(len(groups)), key=lambda i: (-len(groups[i]), i)):
        lightest = min(range(len(loads)), key=loads.__getitem__)
        chunks[lightest].append(i)
        loads[lightest] += len(groups[i]) ** 2
    return [chunk for chunk in chunks if chunk]


def _trace_stories(
    item: tuple[list[list[str]], dict[tuple[str, str], Match]],
    db: Path,
    sources: list[str],
    config: Config,
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``_story`` for each group of ``item`` (with the matches among its members), reading
    the store at ``db``: runs in a worker process."""
    groups, matches = item
    with Store(db) as store:
        return [_story(store, members, matches, sources, config) for members in groups]


def _span_list(span: Span) -> list[int]:
    return [span.start, span.end]


def alignment_record(
    parent: CleanDoc, child: CleanDoc, pairs: Sequence[SentencePair], alignment: Alignment
) -> dict[str, Any]:
    """The stored (and report.json) form of an alignment: sentence pairs and passages in raw
    offsets, with coverage of each side."""
    return {
        "parent": parent.id,
        "child": child.id,
        "coverage_parent": alignment.coverage_a,
        "coverage_child": alignment.coverage_b,
        "sentences": [
            {
                "parent": _span_list(parent.raw_span(parent.sentences[sp.a])),
                "child": _span_list(child.raw_span(child.sentences[sp.b])),
                "score": round(sp.score, 4),
            }
            for sp in pairs
        ],
        "passages": [
            {
                "parent": _span_list(ps.a),
                "child": _span_list(ps.b),
                "kind": ps.kind,
                "score": ps.score,
            }
            for ps in alignment.passages
        ],
    }


_COMPLETE_STORY = 40
"""Stories up to this size have every pair of members compared before provenance."""


def _story(
    store: Store,
    members: list[str],
    matches: dict[tuple[str, str], Match],
    sources: list[str],
    config: Config,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    docs = {d.id: d for d in store.documents(members)}
    cleaned = store.clean_docs(members)
    sigs = store.signatures(members)
    # The story cleans its members: what one version alone prints as furniture goes
    # before alignment and changes (story_clean); the removals are kept with the story.
    cleaned, sigs, story_removed = clean_story(members, cleaned, sigs)
    aliases = find_aliases((cleaned[m].text for m in members), sources)
    versions = [
        Version(
            docs[m],
            cleaned[m],
            find_attributions(cleaned[m], sources, aliases),
            outlet=docs[m].source or dateline_outlet(cleaned[m].text, aliases),
            shingles=sigs[m].shingles,
        )
        for m in members
    ]
    inside = {k: v for k, v in matches.items() if k[0] in docs and k[1] in docs}
    if len(members) <= _COMPLETE_STORY:
        # Candidate search keeps a few neighbours per document; inside a small story every
        # pair is compared, so a version's parent is never missed for want of a candidate.
        for a, b in itertools.combinations(sorted(members), 2):
            if (a, b) not in inside:
                inside[(a, b)] = compare(cleaned[a], cleaned[b], sigs[a], sigs[b], config)
    prepared: dict[str, PreparedText] = {}
    reuse = {
        (a, b): measure_reuse(
            cleaned[a],
            cleaned[b],
            m,
            cross_lingual=cross_lingual_evidence(config.encoder, cleaned[a].lang, cleaned[b].lang),
            prepared=prepared,
        )
        for (a, b), m in sorted(inside.items())
    }
    lineage = derive_lineage(versions, inside, reuse)
    origins, edges = lineage.origins, lineage.edges
    edge_dicts: list[dict[str, Any]] = []
    alignment_dicts: list[dict[str, Any]] = []
    for edge in edges:
        p, c = edge.parent, edge.child
        same = cleaned[p].lang == cleaned[c].lang
        threshold = uncalibrate(config.encoder, config.sentence_match, same_language=same)
        pairs = align_sentences(cleaned[p], cleaned[c], sigs[p], sigs[c], threshold)
        alignment = passages_from_pairs(cleaned[p], cleaned[c], pairs)
        changes = find_changes(docs[p], docs[c], cleaned[p], cleaned[c], pairs, alignment)
        edge_dicts.append(
            {
                "parent": p,
                "child": c,
                "relation": edge.relation,
                "confidence": edge.confidence,
                "reuse": edge.reuse,
                "degree": edge.degree,
                "method": edge.method,
                "credited": list(edge.credited),
                "directed": edge.directed,
                "evidence": list(edge.evidence),
                "changes": [
                    {
                        "kind": ch.kind,
                        "parent_span": [ch.parent_span.start, ch.parent_span.end]
                        if ch.parent_span
                        else None,
                        "child_span": [ch.child_span.start, ch.child_span.end]
                        if ch.child_span
                        else None,
                        "before": ch.before,
                        "after": ch.after,
                        "note": ch.note,
                    }
                    for ch in changes
                ],
            }
        )
        alignment_dicts.append(alignment_record(cleaned[p], cleaned[c], pairs, alignment))
    story = {
        "id": story_id(members, {d: docs[d].doc_id for d in members}),
        "members": members,
        "origins": list(origins),
        "edges": edge_dicts,
        "undirected": [
            {
                "a": u.a,
                "b": u.b,
                "reuse_a": u.reuse_a,
                "reuse_b": u.reuse_b,
                "evidence": list(u.evidence),
            }
            for u in lineage.undirected
        ],
        "independent": list(lineage.independent),
        "removed": {
            m: [{"start": r.start, "end": r.end, "reason": r.reason} for r in removed]
            for m, removed in story_removed.items()
        },
        "attributions": {
            v.doc.id: [
                {"outlet": a.outlet, "start": a.span.start, "end": a.span.end, "cue": a.cue}
                for a in v.attributions
            ]
            for v in versions
            if v.attributions
        },
    }
    return story, alignment_dicts
