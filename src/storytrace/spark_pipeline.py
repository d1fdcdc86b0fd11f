"""The pipeline on Apache Spark: ingest -> clean -> fingerprint -> candidates -> compare -> stories.

The same pure stage functions as the local executor, called on Arrow batches
(``mapInArrow``/``applyInArrow``); the DataFrame code only moves records between them (reads,
joins on ids, repartitions by key, writes). Each stage's output is written as Parquet under
``parquet_out`` (a local path or any URL Spark can write: ``s3a://``, ``gs://``, ``hdfs://``)
and read back by the next, so a stage never recomputes its inputs and every step can be
inspected:

=================  ==========================================================================
``documents/``     ingested documents (``arrow_records.DOCUMENTS``)
``errors/``        unreadable inputs and rejected records (input, reason)
``indexed/``       ``CleanDoc`` + ``Signature`` + LSH band keys per document
``candidates/``    candidate pairs, and whether LSH, embeddings or both found them
``matches/``       ``Match`` per candidate pair (relation, scores, evidence, found_by)
``stories/``       (id, story) for every document in a story; a story is named by its
                   smallest member id
=================  ==========================================================================

How each stage runs, and why it gives what the local executor gives:

- Ingest: files, directories and JSONL are read on the driver by ``storytrace.ingest`` (as
  locally); Parquet inputs (``.parquet`` files, Parquet dataset folders, URLs) are read by
  Spark and every row goes through ``ingest.readers.parse_record``, the JSONL record parser
  (same fields and aliases; ids default to ``file:row``). An id seen twice keeps its first
  record, as the store does (the later one is an error when its content differs). Every
  Parquet input is read as a list of files (``parquet_parts``), so that one bad file is one
  error and costs nothing else: a local file or folder is listed here (regular files only)
  and each footer read with pyarrow (a file that is not Parquet or is cut short is an error
  at once; files of different schemas are separate groups, as one Spark read fails on files
  that disagree); a URL is listed by Spark's own file index. Each group is then read
  by Spark at once (``_read_parquet``), and a read that fails is retried without the file it
  names (or in halves), so damaged data pages under an intact footer, or a file at a URL
  that no footer check saw, cost only that file. A dataset's ``key=value`` partition columns
  come with every file (Spark's ``basePath``).
- A source's repeated lines (``source_repeats``) are counted by story, so the Spark run is
  the local executor's first pass (none known yet); ``pipeline.analyze``, which runs this
  executor (``SparkStages``), then makes the second pass (documents whose source's
  furniture changed are cleaned and matched again) on the store, as for a local run.
- Clean + fingerprint: ``engine.index`` and ``candidates.band_keys`` per batch.
  Embeddings: ``fingerprint.document_vectors`` per batch of 16 documents, in its own
  ``mapInArrow`` so that a cluster can give it GPU executors (``device``).
- Lexical candidates: band rows repartitioned by (band, key), buckets cut from each sorted
  partition, pairs from ``candidates.pairs_from_buckets`` (huge buckets chained as locally).
  The local executor sorts each band over every document too (``candidates.banded_pairs``,
  chaining huge buckets in id order), so the pairs are the same.
- Semantic candidates and neighbour profiles: exact brute force in blocks. Every block of
  queries meets every block of documents (a cross join); ``candidates.semantic_candidates``
  and ``candidates.neighbour_profiles`` on each block pair keep each query's best few per
  block, a ranked cut keeps each query's best few overall (ties kept), and
  ``ann.SemanticSearch`` over those survivors gives each query exactly the candidates and
  profiles that a brute-force search over all documents gives. (The local executor answers
  from an HNSW index above ``Config.ann_min_documents``; that index returned the exact
  neighbours on the corpora measured.) Costs grow with the square of the documents with
  vectors: for tens of millions, use the lexical engine (``encoder="none"``).
- Candidates merged by ``candidates.merge_candidates`` per (a, b); compared by
  ``compare.compare`` on rows that join both documents' records and profiles.
- Stories: ``spark_stories.story_members`` (see there).

``found_by`` says "both" whenever LSH and embeddings both found a pair; the local executor,
which matches batch by batch, records how the pair was found in the first batch that met it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from storytrace import arrow_records as ar
from storytrace import engine
from storytrace.ann import SemanticSearch
from storytrace.candidates import (
    REUSE_MIN_SHARED,
    band_keys,
    bucket_pairs,
    lsh_params,
    merge_candidates,
    neighbour_profiles,
    pairs_from_buckets,
    reuse_keys,
    semantic_candidates,
)
from storytrace.compare import MARGIN_K, Profile
from storytrace.config import Config
from storytrace.embed import NO_ENCODER, Encoder, MiniLmEncoder, load_encoder
from storytrace.errors import ModelError, StoreError
from storytrace.executors.base import RunContext, Staged
from storytrace.executors.spark import DEFAULT_MASTER, SparkExecutor
from storytrace.fingerprint import document_vectors
from storytrace.ingest import MAX_CHARS, read_inputs
from storytrace.ingest.readers import _limit, parse_record
from storytrace.pipeline import AnalysisResult, analyze
from storytrace.progress import Progress, SilentProgress
from storytrace.records import CandidatePair, Document, IngestError, Signature
from storytrace.spark_stories import SINGLE_TASK_LINKS, story_members
from storytrace.store import Store

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OUTPUTS = ("documents", "errors", "indexed", "candidates", "matches", "stories")
EMBED_CHUNK = 16
"""Documents embedded per encoder call (as the local executor's worker chunks)."""
BLOCK_SIZE = 4096
"""Documents per block of the blockwise semantic search (two blocks meet in one task)."""
DOCS_PER_TASK = 2000
"""Documents per cleaning task (at least two tasks per core)."""

_INGESTED = pa.schema(
    [*ar.DOCUMENTS, ("reason", pa.string()), ("arg", pa.int32()), ("row", pa.int64())]
)
_BAND_ROWS = pa.schema([("a", pa.string()), ("b", pa.string())])
_REUSE_ROWS = pa.schema([("id", pa.string()), ("key", pa.int64())])
_NEAR = pa.schema(
    [("q", pa.string()), ("nb", pa.string()), ("score", pa.float64()), ("same", pa.bool_())]
)
_SEMANTIC = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("score", pa.float64()),
        ("profile", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class SparkRun:
    """What a Spark run wrote: the Parquet outputs' root, counts, and seconds per stage."""

    parquet_out: str
    documents: int
    errors: tuple[IngestError, ...]
    candidates: int
    matches: int
    stories: int
    seconds: Mapping[str, float] = field(default_factory=dict)

    def path(self, name: str) -> str:
        return output_path(self.parquet_out, name)


def output_path(root: str, name: str) -> str:
    """Where output ``name`` (one of ``OUTPUTS``) lies under ``root`` (a path or a URL)."""
    return root.rstrip("/") + "/" + name


# -- stage functions: Arrow batches in, Arrow batches out ----------------------------------------
def _plain(value: Any) -> Any:
    """A Parquet value as JSON would give it (times as ISO-8601 strings)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _parse_rows(
    batches: Iterable[pa.RecordBatch], *, arg: int, max_chars: int
) -> Iterator[pa.RecordBatch]:
    """Parquet rows -> documents or errors, by ``ingest.readers.parse_record``."""
    for batch in batches:
        names = [n for n in batch.schema.names if n not in ("_file", "_row")]
        rows = batch.select(names).to_pylist()
        files = batch.column("_file").to_pylist()
        numbers = batch.column("_row").to_pylist()
        docs: list[Document] = []
        out_rows: list[int] = []
        reasons: list[IngestError] = []
        err_rows: list[int] = []
        for obj, file, number in zip(rows, files, numbers, strict=True):
            where = f"{file}:{number + 1}"
            record = _limit(
                parse_record({k: _plain(v) for k, v in obj.items()}, where, where), max_chars
            )
            if isinstance(record, IngestError):
                reasons.append(record)
                err_rows.append(number)
            else:
                meta = {**record.meta, "format": "parquet"}
                docs.append(dataclasses.replace(record, meta=meta))
                out_rows.append(number)
        yield _ingested(docs, reasons, arg, out_rows, err_rows)


def _ingested(
    docs: Sequence[Document],
    errors: Sequence[IngestError],
    arg: int,
    doc_rows: Sequence[int],
    err_rows: Sequence[int],
) -> pa.RecordBatch:
    """Documents and errors in one batch (an error row has a reason and no document)."""
    good = ar.documents_to_arrow(docs)
    n_err = len(errors)
    columns = {name: good.column(name).to_pylist() + [None] * n_err for name in ar.DOCUMENTS.names}
    columns["input"] = [d.input for d in docs] + [e.input for e in errors]
    columns["reason"] = [None] * len(docs) + [e.reason for e in errors]
    columns["arg"] = [arg] * (len(docs) + n_err)
    columns["row"] = list(doc_rows) + list(err_rows)
    return pa.RecordBatch.from_pydict(columns, schema=_INGESTED)


def _index(
    batches: Iterable[pa.RecordBatch],
    *,
    config: Config,
    lines: Mapping[str, frozenset[str]],
) -> Iterator[pa.RecordBatch]:
    """Clean, shingle and MinHash a batch (``engine.index``) and band it."""
    lexical = dataclasses.replace(config, encoder=NO_ENCODER)
    params = lsh_params(config.lsh_threshold, config.num_perm)
    for batch in batches:
        docs = ar.documents_from_arrow(batch)
        if not docs:
            continue
        results = engine.index(docs, lexical, repeated=lines)
        sigs = [s for _, s in results]
        keys = band_keys(np.stack([s.minhash for s in sigs]), params)
        yield ar.indexed_to_arrow([c for c, _ in results], sigs, keys)


@lru_cache(maxsize=2)
def worker_encoder(name: str, device: str | None = None) -> Encoder:
    """The encoder ``name``, loaded once per worker process; ``device`` (``cuda``,
    ``cuda:N``, ``cpu``) places the models that can run on a GPU."""
    if device is None:
        return load_encoder(name)
    if name == MiniLmEncoder.name:
        return MiniLmEncoder(device=device)
    if device == "cpu":
        return load_encoder(name)
    raise ModelError(
        f"encoder {name!r} runs on the CPU only; {MiniLmEncoder.name} runs on {device}"
    )


def _embed(
    batches: Iterable[pa.RecordBatch], *, encoder: str, device: str | None
) -> Iterator[pa.RecordBatch]:
    """Document and sentence vectors for indexed documents (``fingerprint.document_vectors``,
    as the local executor: none for a language the encoder was not trained on)."""
    model = worker_encoder(encoder, device)
    for batch in batches:
        cleaned = ar.clean_docs_from_arrow(batch)
        sigs = ar.signatures_from_arrow(batch)
        embedded: list[Signature] = []
        for start in range(0, len(cleaned), EMBED_CHUNK):
            docs = cleaned[start : start + EMBED_CHUNK]
            doc_vecs, sent_vecs = document_vectors(model, docs)
            embedded.extend(
                dataclasses.replace(s, embedding=d, sentence_embeddings=v)
                for s, d, v in zip(
                    sigs[start : start + EMBED_CHUNK], doc_vecs, sent_vecs, strict=True
                )
            )
        yield ar.indexed_to_arrow(cleaned, embedded, ar.bands_from_arrow(batch))


def _table(batches: Iterable[pa.RecordBatch]) -> pa.Table | None:
    """The partition's batches as one table; ``None`` for an empty partition (Spark hands a
    partition function no batch at all there, and Arrow needs one to know the schema)."""
    given = list(batches)
    return pa.Table.from_batches(given) if given else None


def _bucket_pairs(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Candidate pairs of one partition of band rows (every row of a (band, key) bucket is
    in the same partition): buckets of two or more, through ``pairs_from_buckets``."""
    table = _table(batches)
    if table is None or table.num_rows < 2:
        return
    band = table.column("band").to_numpy()
    key = table.column("key").to_numpy()
    order = np.lexsort((key, band))
    band, key = band[order], key[order]
    new = np.r_[True, (band[1:] != band[:-1]) | (key[1:] != key[:-1])]
    starts = np.flatnonzero(new)
    sizes = np.diff(np.r_[starts, len(order)])
    shared = sizes >= 2
    if not shared.any():
        return
    rows = np.concatenate(
        [
            order[s : s + n]
            for s, n in zip(starts[shared].tolist(), sizes[shared].tolist(), strict=True)
        ]
    )
    ids = table.column("id").take(pa.array(rows)).to_pylist()
    buckets: list[list[str]] = []
    at = 0
    for n in sizes[shared].tolist():
        buckets.append(ids[at : at + n])
        at += n
    pairs = sorted(pairs_from_buckets(buckets))
    yield pa.RecordBatch.from_pydict(
        {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}, schema=_BAND_ROWS
    )


def _reuse_key_rows(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """One ``(id, key)`` row per reuse key of each indexed document (``reuse_keys``)."""
    for batch in batches:
        ids: list[str] = []
        keys: list[npt.NDArray[np.int64]] = []
        for doc, blob in zip(
            batch.column("id").to_pylist(), batch.column("shingles").to_pylist(), strict=True
        ):
            found = reuse_keys(np.frombuffer(blob, dtype=np.uint64))
            ids.extend([doc] * found.size)
            keys.append(found.view(np.int64))
        if ids:
            yield pa.RecordBatch.from_pydict(
                {"id": ids, "key": np.concatenate(keys)}, schema=_REUSE_ROWS
            )


def _reuse_bucket_pairs(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """One ``(a, b)`` row per reuse key two documents share, for the keys of one partition
    (every row of a key is in the same partition), paired as ``candidates.bucket_pairs``
    pairs them locally (owners in id order, so chains run as they do there)."""
    table = _table(batches)
    if table is None or table.num_rows < 2:
        return
    ids = table.column("id").to_pylist()
    names = sorted(set(ids))
    rank = {name: i for i, name in enumerate(names)}
    owners = np.array([rank[i] for i in ids], dtype=np.int64)
    keys = table.column("key").to_numpy().view(np.uint64)
    a, b = bucket_pairs(keys, owners)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    yield pa.RecordBatch.from_pydict(
        {"a": [names[i] for i in lo.tolist()], "b": [names[i] for i in hi.tolist()]},
        schema=_BAND_ROWS,
    )


def _block(rows: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str], np.ndarray]:
    ids = [r["id"] for r in rows]
    langs = [r["lang"] for r in rows]
    vecs = np.stack([np.frombuffer(r["embedding"], dtype=np.float32) for r in rows])
    return ids, langs, vecs


def _near_in_blocks(
    batches: Iterable[pa.RecordBatch], *, config: Config
) -> Iterator[pa.RecordBatch]:
    """For a block of queries against a block of documents: each query's candidates
    (``semantic_candidates`` with no floor) and profile neighbours (``neighbour_profiles``)
    within the block, with their cosines and whether they share the query's language."""
    for batch in batches:
        out: dict[str, list[Any]] = {"q": [], "nb": [], "score": [], "same": []}
        for q_rows, c_rows in zip(
            batch.column("q").to_pylist(), batch.column("c").to_pylist(), strict=True
        ):
            q_ids, q_langs, q_vecs = _block(q_rows)
            c_ids, c_langs, c_vecs = _block(c_rows)
            lang = dict(zip(q_ids, q_langs, strict=True)) | dict(zip(c_ids, c_langs, strict=True))
            queries = set(q_ids)
            found: dict[tuple[str, str], float] = {}
            near = semantic_candidates(
                q_ids, q_vecs, c_ids, c_vecs, config.semantic_neighbours, -2.0, lang
            )
            for (x, y), score in near.items():
                if x in queries:
                    found[(x, y)] = score
                if y in queries:
                    found[(y, x)] = score
            profiles = neighbour_profiles(q_ids, q_vecs, c_ids, c_vecs, MARGIN_K + 1)
            for q, row in profiles.items():
                for nb, score in row:
                    found.setdefault((q, nb), score)
            for (q, nb), score in found.items():
                out["q"].append(q)
                out["nb"].append(nb)
                out["score"].append(score)
                out["same"].append(lang[q] == lang[nb])
        yield pa.RecordBatch.from_pydict(out, schema=_NEAR)


def _resolve_semantic(
    batches: Iterable[pa.RecordBatch], *, config: Config
) -> Iterator[pa.RecordBatch]:
    """Exact semantic candidates and profiles for the queries of one partition, from
    ``ann.SemanticSearch`` over the documents that survived the blockwise cut (a superset of
    every query's true neighbours, the queries themselves included)."""
    table = _table(batches)
    if table is None or table.num_rows == 0:
        return
    queries = sorted(set(table.column("q").to_pylist()))
    vec_of: dict[str, np.ndarray] = {}
    lang_of: dict[str, str] = {}
    for nb, lang, vec in zip(
        table.column("nb").to_pylist(),
        table.column("nb_lang").to_pylist(),
        table.column("nb_vec").to_pylist(),
        strict=True,
    ):
        if nb not in vec_of:
            vec_of[nb] = np.frombuffer(vec, dtype=np.float32)
            lang_of[nb] = lang
    ids = sorted(vec_of)
    search = SemanticSearch(ids, np.stack([vec_of[i] for i in ids]), None, lang_of, config)
    q_vecs = np.stack([vec_of[q] for q in queries])
    found = search.candidates(queries, q_vecs)
    profiles = search.profiles(queries, q_vecs)
    pairs = sorted(found.items())
    yield pa.RecordBatch.from_pydict(
        {
            "a": [a for (a, _), _ in pairs] + list(profiles),
            "b": [b for (_, b), _ in pairs] + [None] * len(profiles),
            "score": [s for _, s in pairs] + [None] * len(profiles),
            "profile": [None] * len(pairs) + [json.dumps(p) for p in profiles.values()],
        },
        schema=_SEMANTIC,
    )


def _merge(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``merge_candidates`` over one partition of (a, b)-partitioned lexical and semantic
    finds: one ``CandidatePair`` per pair."""
    lexical: set[tuple[str, str]] = set()
    semantic: dict[tuple[str, str], float] = {}
    for batch in batches:
        for a, b, lex, score in zip(
            *(batch.column(n).to_pylist() for n in ("a", "b", "lexical", "score")), strict=True
        ):
            if lex:
                lexical.add((a, b))
            else:
                semantic[(a, b)] = max(score, semantic.get((a, b), -1.0))
    pairs: list[CandidatePair] = merge_candidates(lexical, semantic)
    if pairs:
        yield ar.candidates_to_arrow(pairs)


def _compare(
    batches: Iterable[pa.RecordBatch], *, config: Config, profiles: bool
) -> Iterator[pa.RecordBatch]:
    """``compare.compare`` for rows holding both documents' records (columns ``a_*``, ``b_*``)
    and, with embeddings, both documents' neighbour profiles."""
    for batch in batches:
        a_docs, b_docs = (
            ar.clean_docs_from_arrow(batch, "a_"),
            ar.clean_docs_from_arrow(batch, "b_"),
        )
        a_sigs, b_sigs = (
            ar.signatures_from_arrow(batch, "a_"),
            ar.signatures_from_arrow(batch, "b_"),
        )
        found_by = batch.column("found_by").to_pylist()
        a_prof = batch.column("a_profile").to_pylist() if profiles else [None] * batch.num_rows
        b_prof = batch.column("b_profile").to_pylist() if profiles else [None] * batch.num_rows
        matches = []
        for i in range(batch.num_rows):
            known: dict[str, Profile] | None = None
            if profiles:
                known = {}
                for doc, text in ((a_docs[i].id, a_prof[i]), (b_docs[i].id, b_prof[i])):
                    if text is not None:
                        known[doc] = [(d, c) for d, c in json.loads(text)]
            m = engine.match(a_docs[i], b_docs[i], a_sigs[i], b_sigs[i], config, known)
            matches.append(dataclasses.replace(m, found_by=found_by[i] or None))
        yield ar.matches_to_arrow(matches)


# -- the run ----------------------------------------------------------------------------------------
def _is_url(given: str) -> bool:
    """A URL (``s3a://``, ``hdfs://``, ``file://`` too) is listed and read through Spark."""
    return "://" in given


def is_parquet_input(given: str) -> bool:
    """Is ``given`` read by Spark: a URL, a ``.parquet`` file, or a folder of Parquet files
    (directly inside, or in a dataset's ``key=value`` partition folders)?"""
    if _is_url(given):
        return True
    path = Path(given)
    if path.suffix.lower() == ".parquet":
        return True
    if not path.is_dir():
        return False
    if any(path.glob("*.parquet")):
        return True
    return any(p.is_dir() and "=" in p.name and any(p.rglob("*.parquet")) for p in path.iterdir())


@dataclass(frozen=True, slots=True)
class ParquetParts:
    """A Parquet input as the files to read: ``groups`` of files that share one schema (as
    far as the driver can tell), the dataset's folder ``base`` (Spark's ``basePath``, so a
    file read alone still gets its ``key=value`` partition columns), and an error for every
    entry that cannot be read."""

    base: str | None
    groups: list[list[str]]
    errors: list[IngestError]


def _hidden(name: str) -> bool:
    """Spark leaves out files and folders starting with '.' or '_' (``_SUCCESS``, checksums)."""
    return name.startswith((".", "_"))


def _local_files(root: Path) -> tuple[list[Path], list[IngestError]]:
    """Every regular file under ``root`` that Spark would read, and an error for every other
    entry (named pipes, devices, links to folders, unreadable folders): they are never
    opened."""
    from storytrace.ingest.readers import printable
    from storytrace.ingest.streams import kind_of

    files: list[Path] = []
    errors: list[IngestError] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted((e for e in listing if not _hidden(e.name)), key=lambda e: e.name)
        except OSError as exc:
            errors.append(
                IngestError(printable(str(folder)), f"cannot read directory: {exc.strerror}")
            )
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                    continue
                mode = entry.stat(follow_symlinks=True).st_mode
            except OSError as exc:
                errors.append(IngestError(printable(str(path)), f"cannot read: {exc.strerror}"))
                continue
            if stat.S_ISREG(mode):
                files.append(path)
            elif stat.S_ISDIR(mode):
                errors.append(
                    IngestError(printable(str(path)), "symbolic link to a directory (not followed)")
                )
            else:
                errors.append(
                    IngestError(printable(str(path)), f"not a regular file ({kind_of(mode)})")
                )
        stack.extend(reversed(subfolders))
    return files, errors


def url_files(spark: SparkSession, given: str) -> list[str]:
    """The files under a URL as Spark lists them (its own file index: ``s3a://``, ``gs://``,
    ``hdfs://``, ``file://``; hidden files left out, many folders listed in parallel), in one
    call and without opening a file: listed as text, which has no footer to read."""
    return sorted(str(f) for f in spark.read.format("text").load(given).inputFiles())


def parquet_parts(given: str, spark: SparkSession | None = None) -> ParquetParts:
    """A Parquet input as files to read. A local file or folder is listed here (regular
    files only) and each footer read with pyarrow (no data): a file that is not Parquet or
    is cut short is one error, and files of different schemas are separate groups (one
    Spark read fails on a folder whose files disagree). A URL is listed by Spark
    (``url_files``) and is one group: its footers are checked by Spark's own read, file by
    file where it fails (``_read_parquet``); a missing path or URL is one error."""
    import pyarrow.parquet as pq

    from storytrace.ingest.formats import classify

    if _is_url(given):
        if spark is None:
            return ParquetParts(None, [[given]], [])
        try:
            listed = url_files(spark, given)
        except Exception as exc:  # no such folder, no access: that input's error
            return ParquetParts(
                None, [], [IngestError(given, f"cannot list ({_spark_reason(exc)})")]
            )
        errors: list[IngestError] = []
        names: list[str] = []
        for name in listed:
            kind = classify(name.rsplit("/", 1)[-1])[0]
            if kind is not None:  # JSONL, text, HTML: read on the driver from local paths only
                errors.append(
                    IngestError(
                        name,
                        f"the Spark executor reads only Parquet from URLs, not {kind} "
                        "(copy the file here and give its local path)",
                    )
                )
            else:
                names.append(name)
        named_file = len(listed) == 1 and _bare(listed[0]) == _bare(given)
        base = None if named_file else given  # a folder's partition columns come with its files
        return ParquetParts(base, [names] if names else [], errors)
    path = Path(given)
    files: list[Path]
    if not path.exists():
        return ParquetParts(None, [], [IngestError(given, "no such file or directory")])
    if path.is_file():
        files, errors, base = [path], [], None
    else:
        files, errors = _local_files(path)
        base = str(path)
    groups: dict[str, list[str]] = {}
    for file in files:
        try:
            schema = pq.read_schema(file)
        except (OSError, pa.ArrowException) as exc:
            errors.append(IngestError(str(file), f"not a readable Parquet file ({exc})"))
            continue
        groups.setdefault(str(schema.remove_metadata()), []).append(str(file))
    return ParquetParts(base, list(groups.values()), errors)


_CAUSE = re.compile(r"^Caused by: (?:[\w$]+\.)*([\w$]+(?:Exception|Error)): ?(.*)$", re.M)


def _spark_reason(exc: Exception) -> str:
    """One line from a Spark failure: its innermost cause (``TProtocolException: Required
    field 'num_values' was not found``), else its first line."""
    text = str(exc)
    causes = _CAUSE.findall(text)
    if causes:
        kind, message = causes[-1]
        line = f"{kind}: {message}".strip()
    else:
        lines = [x.strip() for x in text.splitlines() if x.strip()]
        line = next((x for x in lines if not x.startswith("An error occurred")), text.strip())
        line = line.removeprefix(": ")
    return line if len(line) <= 240 else line[:239] + "…"


def _bare(name: str) -> str:
    """A path or URL without its scheme and leading slashes (``file:///x/a`` -> ``x/a``)."""
    return re.sub(r"^[a-z][\w+.-]*:", "", name).lstrip("/").rstrip("/")


def _culprit(exc: Exception, files: Sequence[str]) -> str | None:
    """The file of ``files`` that a Spark failure names (``FAILED_READ_FILE``), if any.
    Compared without the scheme (Spark writes ``file:///x`` for ``/x`` or ``file:/x``)."""
    text = str(exc)
    named = [f for f in files if _bare(f) in text]
    return max(named, key=len) if named else None


def _read_parquet(
    read: Callable[[list[str]], DataFrame], groups: Sequence[list[str]]
) -> tuple[list[DataFrame], list[IngestError]]:
    """Every group read by ``read`` (which must read the files now: a checkpoint), with the
    files that fail left out: one error each, the rest read.

    A failed read that names its file (``FAILED_READ_FILE``) is retried without it, and that
    file is tried alone (a file whose schema clashes with the others' reads alone; a corrupt
    one fails again and is an error); one that names none is split in two halves. So each bad
    file costs a few extra reads, and a bad file never costs the others."""
    frames: list[DataFrame] = []
    errors: list[IngestError] = []
    pending: list[list[str]] = [list(g) for g in groups if g]
    while pending:
        group = pending.pop(0)
        try:
            frames.append(read(group))
            continue
        except Exception as exc:  # any failure of a read is that input's
            failure = exc
        if len(group) == 1:
            errors.append(
                IngestError(group[0], f"not a readable Parquet file ({_spark_reason(failure)})")
            )
            continue
        bad = _culprit(failure, group)
        if bad is not None:
            pending[:0] = [[f for f in group if f != bad], [bad]]
        else:
            half = len(group) // 2
            pending[:0] = [group[:half], group[half:]]
    return frames, errors


def run_spark(
    executor: SparkExecutor,
    inputs: Sequence[str | Any],
    parquet_out: str,
    config: Config | None = None,
    *,
    max_chars: int = MAX_CHARS,
    device: str | None = None,
    block_size: int = BLOCK_SIZE,
    single_task_links: int = SINGLE_TASK_LINKS,
    progress: Progress | None = None,
) -> SparkRun:
    """Run every stage up to stories on ``executor``'s session and write the outputs
    (``OUTPUTS``) under ``parquet_out``, replacing what was there.

    ``block_size``: documents per block of the semantic search; ``single_task_links``: up to
    this many story links are grouped in one task (``spark_stories.story_members``)."""
    config = config or Config()
    bars = progress or SilentProgress()
    spark = executor.session
    seconds: dict[str, float] = {}

    @contextmanager
    def timed(name: str) -> Iterator[None]:
        start = time.perf_counter()
        with bars.task(name, None) as task:
            yield
            task.advance()
        seconds[name] = round(time.perf_counter() - start, 2)

    with timed("Reading inputs"):
        documents, errors = _ingest(executor, [str(p) for p in inputs], max_chars)
        path = output_path(parquet_out, "documents")
        documents.write.mode("overwrite").parquet(path)
        documents = spark.read.parquet(path)
        n_docs = documents.count()
    if n_docs == 0:
        _write_errors(spark, errors, parquet_out)
        return SparkRun(parquet_out, 0, tuple(errors), 0, 0, 0, seconds)
    with timed("Cleaning and fingerprinting"):
        lines: dict[str, frozenset[str]] = {}  # first pass: as a fresh local store (none yet)
        parts = max(2 * executor.cores, math.ceil(n_docs / DOCS_PER_TASK))
        indexed = executor.map_arrow(
            documents.repartition(parts), partial(_index, config=config, lines=lines), ar.INDEXED
        )
        if config.encoder != NO_ENCODER:
            indexed = executor.map_arrow(
                indexed, partial(_embed, encoder=config.encoder, device=device), ar.INDEXED
            )
        path = output_path(parquet_out, "indexed")
        indexed.write.mode("overwrite").parquet(path)
        indexed = spark.read.parquet(path)
    with timed("Finding and comparing candidates"):
        candidates, profiles = _candidates(executor, indexed, config, n_docs, block_size)
        path = output_path(parquet_out, "candidates")
        candidates.write.mode("overwrite").parquet(path)
        candidates = spark.read.parquet(path)
        n_candidates = candidates.count()
        matches = _matches(executor, candidates, indexed, profiles, config)
        path = output_path(parquet_out, "matches")
        matches.write.mode("overwrite").parquet(path)
        matches = spark.read.parquet(path)
        n_matches = matches.where(matches.relation != "unrelated").count()
    with timed("Grouping stories"):
        path = output_path(parquet_out, "stories")
        stories = story_members(matches, single_task_links, config.stories)
        stories.write.mode("overwrite").parquet(path)
        n_stories = spark.read.parquet(path).select("story").distinct().count()
    _write_errors(spark, errors, parquet_out)
    return SparkRun(parquet_out, n_docs, tuple(errors), n_candidates, n_matches, n_stories, seconds)


def _write_errors(spark: SparkSession, errors: Sequence[IngestError], root: str) -> None:
    table = pa.Table.from_batches([ar.errors_to_arrow(errors)])
    spark.createDataFrame(table).coalesce(1).write.mode("overwrite").parquet(
        output_path(root, "errors")
    )


def _ingest(
    executor: SparkExecutor, inputs: Sequence[str], max_chars: int
) -> tuple[DataFrame, list[IngestError]]:
    """All documents (first record per id) and every error, in input order."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = executor.session
    errors: list[IngestError] = []
    frames: list[DataFrame] = []
    local: list[pa.RecordBatch] = []
    for arg, given in enumerate(inputs):
        if is_parquet_input(given):
            parts = parquet_parts(given, spark)
            errors.extend(parts.errors)
            read = partial(_read_rows, executor, base=parts.base, arg=arg, max_chars=max_chars)
            with _quiet(spark):  # a failed read is an error line, not a page of Java stack
                read_frames, unreadable = _read_parquet(read, parts.groups)
            frames.extend(read_frames)
            errors.extend(unreadable)
            continue
        docs: list[Document] = []
        for record in read_inputs([given], max_chars):
            if isinstance(record, IngestError):
                errors.append(record)
            else:
                docs.append(record)
        local.append(_ingested(docs, [], arg, range(len(docs)), []))
    if not frames:  # files only: first record per id here, as the store keeps them
        return spark.createDataFrame(_first_per_id(local, errors)), errors
    if local:
        frames.insert(0, spark.createDataFrame(pa.Table.from_batches(local)))
    ingested = frames[0]  # every part is materialised already (checkpointed, or built here)
    for frame in frames[1:]:
        ingested = ingested.unionByName(frame)
    bad = ingested.where(F.col("reason").isNotNull()).select("input", "reason", "arg", "row")
    bad = bad.orderBy("arg", "row")
    errors.extend(IngestError(r["input"], r["reason"]) for r in bad.collect())
    first = Window.partitionBy("id").orderBy("arg", "row")
    ranked = (
        ingested.where(F.col("reason").isNull())
        .select(
            "*",
            F.row_number().over(first).alias("_n"),
            F.first("doc_id").over(first).alias("_first_doc_id"),
            F.first("input").over(first).alias("_first_input"),
        )
        .localCheckpoint()
    )
    clashes = ranked.where((F.col("_n") > 1) & (F.col("doc_id") != F.col("_first_doc_id"))).orderBy(
        "arg", "row"
    )
    for r in clashes.select("id", "input", "_first_input").collect():
        errors.append(IngestError(r["input"], _clash(r["id"], r["_first_input"])))
    return ranked.where(F.col("_n") == 1).select(*ar.DOCUMENTS.names), errors


def _read_rows(
    executor: SparkExecutor, files: list[str], *, base: str | None, arg: int, max_chars: int
) -> DataFrame:
    """The rows of Parquet ``files`` parsed into documents and errors, read now (a local
    checkpoint), so that a file that cannot be read fails here, where it can be left out."""
    from pyspark.sql import functions as F

    reader = executor.session.read
    if base is not None:
        reader = reader.option("basePath", base)
    rows = reader.parquet(*files).select(
        "*",
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.row_index").alias("_row"),
    )
    parsed = executor.map_arrow(rows, partial(_parse_rows, arg=arg, max_chars=max_chars), _INGESTED)
    return parsed.localCheckpoint()


@contextmanager
def _quiet(spark: SparkSession) -> Iterator[None]:
    """Spark's own logging off while reads may fail (each failure is reported as one line)."""
    context = spark.sparkContext
    context.setLogLevel("OFF")
    try:
        yield
    finally:
        context.setLogLevel("ERROR")


def _first_per_id(batches: Sequence[pa.RecordBatch], errors: list[IngestError]) -> pa.Table:
    """Documents read on the driver, first record per id (a later one with other content
    is an error, as in ``Store.add_documents``)."""
    first: dict[str, Document] = {}
    for batch in batches:
        for doc in ar.documents_from_arrow(batch):
            seen = first.get(doc.id)
            if seen is None:
                first[doc.id] = doc
            elif seen.doc_id != doc.doc_id:
                errors.append(IngestError(doc.input, _clash(doc.id, seen.input)))
    return pa.Table.from_batches([ar.documents_to_arrow(list(first.values()))])


def _clash(doc: str, first_input: str) -> str:
    return (
        f"id {doc!r} is already in the store with other content "
        f"(from {first_input}); give it another id or use a new --out"
    )


def _candidates(
    executor: SparkExecutor, indexed: DataFrame, config: Config, n_docs: int, block_size: int
) -> tuple[DataFrame, DataFrame | None]:
    """Lexical and semantic candidate pairs, merged (``arrow_records.CANDIDATES``), and with
    embeddings every document's neighbour profile (id, profile as JSON)."""
    from pyspark.sql import functions as F

    parts = max(2 * executor.cores, math.ceil(n_docs / (2 * DOCS_PER_TASK)))
    bands = indexed.select("id", F.posexplode("bands").alias("band", "key"))
    lexical = executor.map_arrow(
        bands.repartition(parts, "band", "key"), _bucket_pairs, _BAND_ROWS
    ).select("a", "b", F.lit(True).alias("lexical"), F.lit(None).cast("double").alias("score"))
    reuse_rows = executor.map_arrow(indexed.select("id", "shingles"), _reuse_key_rows, _REUSE_ROWS)
    shared = (
        executor.map_arrow(reuse_rows.repartition(parts, "key"), _reuse_bucket_pairs, _BAND_ROWS)
        .groupBy("a", "b")
        .count()
        .where(F.col("count") >= REUSE_MIN_SHARED)
        .select("a", "b", F.lit(True).alias("lexical"), F.lit(None).cast("double").alias("score"))
    )
    found = lexical.unionByName(shared)
    profiles = None
    if config.encoder != NO_ENCODER:
        semantic, profiles = _semantic(executor, indexed, config, n_docs, block_size)
        found = found.unionByName(
            semantic.where(F.col("b").isNotNull()).select(
                "a", "b", F.lit(False).alias("lexical"), "score"
            )
        )
    merged = executor.map_arrow(found.repartition(parts, "a", "b"), _merge, ar.CANDIDATES)
    return merged, profiles


def _semantic(
    executor: SparkExecutor, indexed: DataFrame, config: Config, n_docs: int, block_size: int
) -> tuple[DataFrame, DataFrame]:
    """Semantic candidate pairs and neighbour profiles, exact, block against block."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    vectors = indexed.where(F.col("embedding").isNotNull()).select(
        "id", F.col("clean_lang").alias("lang"), "embedding"
    )
    n_blocks = max(1, math.ceil(n_docs / block_size))
    blocks = (
        vectors.withColumn("block", F.pmod(F.xxhash64("id"), F.lit(n_blocks)))
        .groupBy("block")
        .agg(F.collect_list(F.struct("id", "lang", "embedding")).alias("rows"))
    )
    pairs = blocks.select(F.col("rows").alias("q")).crossJoin(
        blocks.select(F.col("rows").alias("c"))
    )
    near = executor.map_arrow(
        pairs.repartition(max(1, min(n_blocks * n_blocks, 4 * executor.cores))),
        partial(_near_in_blocks, config=config),
        _NEAR,
    )
    by_view = Window.partitionBy("q", "same").orderBy(F.desc("score"))
    by_query = Window.partitionBy("q").orderBy(F.desc("score"))
    kept = (
        near.select(
            "q",
            "nb",
            F.rank().over(by_view).alias("in_view"),
            F.rank().over(by_query).alias("overall"),
        )
        .where(
            (F.col("in_view") <= config.semantic_neighbours + 1)
            | (F.col("overall") <= MARGIN_K + 2)
        )
        .select("q", "nb")
    )
    selves = vectors.select(F.col("id").alias("q"), F.col("id").alias("nb"))
    survivors = kept.unionByName(selves).distinct()
    with_vecs = survivors.join(
        vectors.select(
            F.col("id").alias("nb"),
            F.col("lang").alias("nb_lang"),
            F.col("embedding").alias("nb_vec"),
        ),
        "nb",
    )
    parts = max(2 * executor.cores, math.ceil(n_docs / DOCS_PER_TASK))
    resolved = executor.map_arrow(
        with_vecs.repartition(parts, "q"), partial(_resolve_semantic, config=config), _SEMANTIC
    ).localCheckpoint()
    profiles = resolved.where(F.col("b").isNull()).select(F.col("a").alias("id"), F.col("profile"))
    return resolved, profiles


def _matches(
    executor: SparkExecutor,
    candidates: DataFrame,
    indexed: DataFrame,
    profiles: DataFrame | None,
    config: Config,
) -> DataFrame:
    """Every candidate pair compared (``arrow_records.MATCHES``)."""
    from pyspark.sql import functions as F

    fields = [n for n in ar.INDEXED.names if n != "bands"]

    def side(prefix: str) -> DataFrame:
        return indexed.select(*[F.col(n).alias(prefix + n) for n in fields])

    rows = candidates.join(side("a_"), F.col("a") == F.col("a_id")).join(
        side("b_"), F.col("b") == F.col("b_id")
    )
    with_profiles = profiles is not None
    if profiles is not None:
        rows = rows.join(
            profiles.select(F.col("id").alias("a"), F.col("profile").alias("a_profile")),
            "a",
            "left",
        ).join(
            profiles.select(F.col("id").alias("b"), F.col("profile").alias("b_profile")),
            "b",
            "left",
        )
    return executor.map_arrow(
        rows, partial(_compare, config=config, profiles=with_profiles), ar.MATCHES
    )


# -- the command: Spark outputs into a store and its reports -------------------------------------
def read_output(spark: SparkSession, path: str) -> Iterator[pa.RecordBatch]:
    """The batches of a Parquet output: read here with pyarrow when the path is local (in
    bounded batches), else through Spark."""
    if "://" not in path or path.startswith("file://"):
        import pyarrow.dataset as ds

        yield from ds.dataset(path.removeprefix("file://"), format="parquet").to_batches(
            batch_size=2000
        )
        return
    yield from spark.read.parquet(path).toArrow().to_batches(max_chunksize=2000)


def load_store(
    store: Store, run_id: int, spark: SparkSession, run: SparkRun, config: Config
) -> list[list[str]]:
    """Fill a new store from a Spark run's outputs (documents, errors, clean records,
    signatures, band keys, matches) and return the run's stories, as ``build_stories``
    orders them (members sorted, stories by first member)."""
    for batch in read_output(spark, run.path("documents")):
        store.add_documents(ar.documents_from_arrow(batch), run_id)
    store.add_errors(run_id, run.errors)
    encoder = None if config.encoder == NO_ENCODER else config.encoder
    for batch in read_output(spark, run.path("indexed")):
        if batch.num_rows:
            store.save_indexed(
                ar.clean_docs_from_arrow(batch),
                ar.signatures_from_arrow(batch),
                ar.bands_from_arrow(batch),
                encoder=encoder,
            )
    for batch in read_output(spark, run.path("matches")):
        store.save_matches(ar.matches_from_arrow(batch), [])
    store.save_matches([], store.document_ids())  # every document is now matched
    # The Spark run cleaned without a source's repeated lines (they are counted by story,
    # after matching): record that none were applied, so a later local run on this store
    # applies them and re-indexes what they touch.
    store.replace_applied_repeats({})
    members: dict[str, list[str]] = {}
    for batch in read_output(spark, run.path("stories")):
        for doc, story in zip(
            batch.column("id").to_pylist(), batch.column("story").to_pylist(), strict=True
        ):
            members.setdefault(story, []).append(doc)
    return sorted((sorted(g) for g in members.values()), key=lambda g: g[0])


class SparkStages:
    """The Spark executor (``executors.base.PipelineExecutor``): every stage up to stories
    on Spark (``run_spark``), its outputs then loaded into the store (``load_store``), the
    stories' members handed back so that ``pipeline.analyze`` traces them as it traces a
    local run's. A Spark run starts a new store.

    ``parquet_out``: where the stage outputs go (default: ``parquet/`` beside the store);
    ``master``/``conf``/``session``: the Spark session (``SparkExecutor``); ``device``: the
    encoder's device on the executors."""

    def __init__(
        self,
        *,
        master: str | None = DEFAULT_MASTER,
        parquet_out: str | None = None,
        conf: Mapping[str, str] | None = None,
        device: str | None = None,
        session: SparkSession | None = None,
    ) -> None:
        self.master = master
        self.parquet_out = parquet_out
        self.conf = conf
        self.device = device
        self.session = session

    def check_store(self, store: Store) -> None:
        if store.count_documents() and store.unfinished_inputs() is None:
            raise _holds_documents(store)

    def run(self, inputs: Sequence[str | Any], context: RunContext) -> Staged:
        store = context.store
        if store.count_documents():
            # Only what interrupted runs left (``check_store``): discarded when they were
            # this same command (the Spark stages run whole again), else refused.
            given = [str(p) for p in inputs]
            earlier = store.unfinished_inputs()
            if earlier is None or any(inputs_then != given for inputs_then in earlier):
                raise _holds_documents(store)
            store.discard_contents()
        target = self.parquet_out or str((store.path.parent / "parquet").resolve())
        with SparkExecutor(self.master, conf=self.conf, session=self.session) as executor:
            run = run_spark(
                executor,
                inputs,
                target,
                context.config,
                max_chars=context.max_chars,
                device=self.device,
                progress=context.progress,
            )
            if run.documents == 0:
                store.add_errors(context.run, run.errors)
                return Staged(run.errors, 0)
            groups = load_store(store, context.run, executor.session, run, context.config)
        return Staged(run.errors, run.documents, groups)


def _holds_documents(store: Store) -> StoreError:
    return StoreError(
        f"{store.path} already holds documents; the Spark executor analyses into a new store "
        "(use a new --out, or the local executor to add documents)"
    )


def analyze_spark(
    inputs: Sequence[str | Any],
    out_dir: str | Any,
    config: Config | None = None,
    *,
    master: str | None = DEFAULT_MASTER,
    parquet_out: str | None = None,
    conf: Mapping[str, str] | None = None,
    device: str | None = None,
    session: SparkSession | None = None,
    progress: Progress | None = None,
    max_chars: int = MAX_CHARS,
) -> AnalysisResult:
    """``pipeline.analyze`` with the ``SparkStages`` executor.

    The Parquet outputs go to ``parquet_out`` (default ``out_dir/parquet``); the store in
    ``out_dir`` is then filled from them and provenance, alignments, changes and the reports
    are made as the local executor makes them. ``out_dir`` must not hold an analysed store yet.
    """
    stages = SparkStages(
        master=master, parquet_out=parquet_out, conf=conf, device=device, session=session
    )
    return analyze(inputs, out_dir, config, executor=stages, progress=progress, max_chars=max_chars)
