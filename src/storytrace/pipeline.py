"""The whole job: inputs -> store -> stories, lineage and changes -> report.json / report.html.

This module wires the pure stages to the store and an executor; it holds no algorithm of
its own. Work is resumable: documents are indexed (cleaned, fingerprinted, banded) and then
matched in batches, each batch committed atomically, so an interrupted run continues where
it stopped and a later run with new inputs only processes what is new.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path

import numpy as np

from storytrace import codec, engine
from storytrace.ann import SemanticSearch
from storytrace.attribution import may_credit
from storytrace.candidates import (
    band_keys,
    banded_pairs,
    lsh_params,
    merge_candidates,
    shared_key_pairs,
)
from storytrace.codec import Row
from storytrace.config import Config
from storytrace.embed import (
    NO_ENCODER,
    Encoder,
)
from storytrace.errors import NothingToAnalyseError
from storytrace.executors import LocalExecutor
from storytrace.executors.base import PipelineExecutor, RunContext, Staged
from storytrace.executors.local import Submitted
from storytrace.ingest import MAX_CHARS, read_inputs
from storytrace.progress import Progress, SilentProgress
from storytrace.records import (
    Alignment,
    CleanDoc,
    Document,
    IngestError,
    Match,
    Report,
    Signature,
    Story,
)
from storytrace.report import write_reports
from storytrace.store import DB_NAME, Store
from storytrace.stories import build_stories
from storytrace.trace_memo import TraceMemo


@dataclass(frozen=True)
class AnalysisResult:
    """What a run did and where its outputs are: ``records``, the report as typed records
    (stories, edges with their changes, alignments, matches); ``report``, the same as
    report.json holds it (``codec.report_to_plain``). Both are read from report.json when
    first asked for: the run writes it from the store record by record and holds none."""

    out_dir: Path
    db_path: Path
    report_json: Path
    report_html: Path
    added: int
    total: int
    errors: tuple[IngestError, ...]

    @cached_property
    def report(self) -> Row:
        loaded: Row = json.loads(self.report_json.read_text(encoding="utf-8"))
        return loaded

    @cached_property
    def records(self) -> Report:
        return codec.report_from_plain(self.report)


def analyze(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    config: Config | None = None,
    *,
    executor: PipelineExecutor | None = None,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    batch_size: int = 256,
    workers: int | None = None,
    max_chars: int = MAX_CHARS,
) -> AnalysisResult:
    """Analyse ``inputs`` into the store in ``out_dir`` and write its reports.

    ``executor`` runs the stages from ingest to matches (default: ``LocalStages``, this
    machine's processes; ``spark_pipeline.SparkStages`` for Spark); the rest is done here,
    the same for every executor: the run's record, stories, lineage and changes, the second
    pass over a source's repeated lines, and the reports. ``workers``: local processes
    (stages, and tracing stories). Raises ``NothingToAnalyseError`` when the store holds no
    document at all afterwards; unreadable inputs are reported in the result's ``errors``
    (and in report.json).
    """
    config = config or Config()
    stages: PipelineExecutor = executor or LocalStages()
    bars: Progress = progress or SilentProgress()
    out = Path(out_dir)
    with Store(out / DB_NAME, writer=True) as store, LocalExecutor(workers) as local:
        stages.check_store(store)
        run = store.start_run(config, [str(p) for p in inputs])
        context = RunContext(store, run, config, bars, local, max_chars, batch_size, encoder)
        staged = stages.run(inputs, context)
        if store.count_documents() == 0:
            store.finish_run(run, 0)
            raise NothingToAnalyseError(
                "nothing could be analysed: "
                + (
                    "; ".join(f"{e.input}: {e.reason}" for e in staged.errors[:5])
                    or "no input documents"
                )
            )
        _build_stories(store, bars, staged.groups, executor=local)
        if _refresh_source_repeats(store):  # a source's furniture, counted by story
            _index(store, config, encoder, local, bars, batch_size)
            _match(store, config, bars, batch_size)
            _build_stories(store, bars, executor=local)
        json_path, html_path = write_reports(store, out)
        store.finish_run(run, staged.added)
        return AnalysisResult(
            out_dir=out,
            db_path=store.path,
            report_json=json_path,
            report_html=html_path,
            added=staged.added,
            total=store.count_documents(),
            errors=staged.errors,
        )


class LocalStages:
    """The local executor: ingest, clean and fingerprint, candidates and compare on this
    machine (in ``context.local``'s processes where that pays), batch by batch, each batch
    committed to the store, so an interrupted run resumes where it stopped."""

    def check_store(self, store: Store) -> None:
        """Any store: documents already there are skipped, new ones added."""

    def run(self, inputs: Sequence[str | os.PathLike[str]], context: RunContext) -> Staged:
        store, config, bars = context.store, context.config, context.progress
        errors = _ingest(store, context.run, inputs, bars, context.max_chars)
        added = sum(1 for _ in store.document_ids("new"))
        _index(store, config, context.encoder, context.local, bars, context.batch_size)
        _match(store, config, bars, context.batch_size)
        return Staged(tuple(errors), added)


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
        engine.index,
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
    units = store.member_stories()
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
                replace(
                    engine.match(
                        docs[c.a], docs[c.b], all_sigs[c.a], all_sigs[c.b], config, profiles
                    ),
                    found_by=c.found_by,
                )
                for c in pairs
            ]
            store.save_matches(matches, batch)
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
    """Stories, lineage, alignments and changes, recomputed where documents changed.

    A story is traced from its members, their matches and the outlets its texts may credit
    alone (``_story``), so only these are traced again: the stories of documents added,
    re-cleaned or re-matched since the last trace (``Store.untraced``), with every story
    linked to them (merged or split), and the stories whose texts may credit an outlet new
    to the store (``attribution.may_credit``). Their documents' whole components of the link
    graph are grouped again (``Store.linked_region``), which gives the groups a grouping of
    the whole store would; a group with the members of a stored story and no changed
    document keeps that story. Given the same matches, the result equals one run over all
    documents, whatever order they came in.

    ``groups``: the story members when an executor has already grouped them (the Spark
    executor's ``spark_stories``, which equals ``build_stories`` over the same matches): all
    stories are traced again. ``executor``: with more than one worker, stories are traced in
    its processes (each opens the store to read; a story is traced from its own members and
    matches alone, so the result is the same as in this process), in chunks of similar work,
    largest first.
    """
    config = store.config() or Config()
    sources = store.sources()
    untraced = store.untraced()
    before = store.traced_sources()
    retrace_all = groups is not None or before is None
    everything = retrace_all
    changed = set(untraced)
    region: set[str] | None = None
    if not everything:
        touched = set(store.story_of(sorted(changed)).values())
        new_sources = sorted(set(sources) - set(before or ()))
        if new_sources:
            named = _stories_crediting(store, new_sources)
            touched |= named
            for members in store.members_of(sorted(named)).values():
                changed.update(members)
        seeds = set(changed)
        for members in store.members_of(sorted(touched)).values():
            seeds.update(members)
        # Most of the store: one read of everything beats look-ups by id.
        region = store.linked_region(seeds, limit=store.count_documents() // 2)
        everything = region is None
    if everything:
        ids = store.document_ids()
        matches = {(m.a, m.b): m for m in store.matches()}
        old_stories = set(store.member_stories().values())
        if groups is None:
            groups = build_stories(ids, matches.values(), config.stories)
        if retrace_all:
            changed = set(ids)
    else:
        ids = sorted(region or ())
        matches = {(m.a, m.b): m for m in store.matches_among(ids)}
        groups = build_stories(ids, matches.values(), config.stories)
        old_stories = set(store.story_of(ids).values())
    stored = {tuple(m): s for s, m in store.members_of(sorted(old_stories)).items()}
    kept: set[str] = set()
    todo: list[list[str]] = []
    for members in groups:
        same = stored.get(tuple(members))
        if same is not None and changed.isdisjoint(members):
            kept.add(same)
        else:
            todo.append(members)
    traced = _trace(store, todo, matches, sources, config, progress, executor)
    store.save_stories(old_stories - kept, traced, untraced, sources)


def _stories_crediting(store: Store, outlets: Sequence[str]) -> set[str]:
    """The stored stories one of whose members' texts may credit one of ``outlets``
    (``attribution.may_credit``): outlets new to the store change what those texts credit."""
    return {story for story, text in store.member_texts() if may_credit(text, outlets)}


Traced = tuple[Story, list[Alignment], dict[str, str]]
"""A traced story, its alignments, and the pairwise results its trace used (``trace_memo``)."""


def _trace(
    store: Store,
    groups: Sequence[list[str]],
    matches: Mapping[tuple[str, str], Match],
    sources: list[str],
    config: Config,
    progress: Progress,
    executor: LocalExecutor | None,
) -> list[Traced]:
    """``_story`` of each of ``groups``, in the executor's processes when it has several;
    each story gets only the matches among its own members."""
    group_of = {m: n for n, members in enumerate(groups) for m in members}
    inside: list[dict[tuple[str, str], Match]] = [{} for _ in groups]
    for key, match in matches.items():
        n = group_of.get(key[0])
        if n is not None and group_of.get(key[1]) == n:
            inside[n][key] = match
    traced: list[Traced] = []
    with progress.task("Tracing provenance", len(groups)) as task:
        if executor is not None and executor.workers > 1 and len(groups) >= _PARALLEL_STORIES_MIN:
            chunks = _story_chunks(groups, executor.workers * 4)
            work = partial(_trace_stories, db=store.path, sources=sources, config=config)
            items = [
                ([groups[i] for i in chunk], {k: v for i in chunk for k, v in inside[i].items()})
                for chunk in chunks
            ]
            by_group: dict[int, Traced] = {}
            for chunk, results in zip(
                chunks, executor.submit(work, items, parallel=True).results(), strict=True
            ):
                by_group.update(zip(chunk, results, strict=True))
                task.advance(len(chunk))
            traced = [by_group[i] for i in range(len(groups))]
        else:
            for members, among in zip(groups, inside, strict=True):
                traced.append(_story(store, members, among, sources, config))
                task.advance()
    return traced


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
) -> list[Traced]:
    """``_story`` for each group of ``item`` (with the matches among its members), reading
    the store at ``db``: runs in a worker process."""
    groups, matches = item
    with Store(db) as store:
        return [_story(store, members, matches, sources, config) for members in groups]


def _story(
    store: Store,
    members: list[str],
    matches: Mapping[tuple[str, str], Match],
    sources: list[str],
    config: Config,
) -> Traced:
    """``engine.trace_story`` over the members' records read from ``store``, with the
    pairwise results kept from earlier traces (``trace_memo``); the results it used come
    back with the story, to be kept with it."""
    docs = {d.id: d for d in store.documents(members)}
    memo = TraceMemo(store.memo, config)
    story, alignments = engine.trace_story(
        members,
        docs,
        store.clean_docs(members),
        store.signatures(members),
        matches,
        sources,
        config,
        memo,
    )
    return story, alignments, memo.used
