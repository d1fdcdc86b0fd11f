"""The records as Arrow columns: how ``Document``, ``CleanDoc``, ``Signature`` and ``Match``
travel between Spark and the pure stages, and how they lie in the Parquet outputs.

An adapter with no algorithm: every function converts a batch one way and its twin converts
it back unchanged (``from_arrow(to_arrow(x)) == x``). Arrays are stored as little-endian
binary in the same layouts as the SQLite store (spans as int64 pairs, offset runs as int64
triples, vectors as float32 rows), so a store can be filled from Parquet without another
conversion. Needs pyarrow (the ``spark`` extra).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from storytrace import codec
from storytrace.records import (
    CandidatePair,
    CleanDoc,
    Document,
    IngestError,
    Match,
    OffsetRun,
    Removal,
    Signature,
    Span,
)

DOCUMENTS = pa.schema(
    [
        ("id", pa.string()),
        ("doc_id", pa.string()),
        ("input", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("published", pa.string()),
        ("title", pa.string()),
        ("lang", pa.string()),
        ("meta", pa.string()),
        ("text", pa.string()),
    ]
)
"""One row per document; ``published`` is ISO-8601, ``meta`` a JSON object."""

ERRORS = pa.schema([("input", pa.string()), ("reason", pa.string())])

CLEAN_FIELDS = [
    ("id", pa.string()),
    ("clean_text", pa.string()),
    ("clean_lang", pa.string()),
    ("raw_length", pa.int64()),
    ("removed", pa.string()),
    ("runs", pa.binary()),
    ("sentences", pa.binary()),
    ("paragraphs", pa.binary()),
]
SIGNATURE_FIELDS = [
    ("shingles", pa.binary()),
    ("minhash", pa.binary()),
    ("embedding", pa.binary()),
    ("sentence_embeddings", pa.binary()),
    ("dim", pa.int32()),
]
INDEXED = pa.schema([*CLEAN_FIELDS, *SIGNATURE_FIELDS, ("bands", pa.list_(pa.int64()))])
"""A cleaned, fingerprinted document: its ``CleanDoc``, ``Signature`` and LSH band keys."""

CANDIDATES = pa.schema(
    [("a", pa.string()), ("b", pa.string()), ("found_by", pa.string()), ("score", pa.float64())]
)
MATCHES = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("relation", pa.string()),
        ("jaccard", pa.float64()),
        ("containment_ab", pa.float64()),
        ("containment_ba", pa.float64()),
        ("semantic", pa.float64()),
        ("coverage_ab", pa.float64()),
        ("coverage_ba", pa.float64()),
        ("evidence", pa.list_(pa.string())),
        ("found_by", pa.string()),
    ]
)


def _blob(arr: npt.NDArray[Any] | None) -> bytes | None:
    return None if arr is None else np.ascontiguousarray(arr).tobytes()


def _spans_blob(spans: Sequence[Span]) -> bytes:
    return np.array([(s.start, s.end) for s in spans], dtype=np.int64).reshape(-1, 2).tobytes()


def _spans(blob: bytes) -> tuple[Span, ...]:
    arr = np.frombuffer(blob, dtype=np.int64).reshape(-1, 2)
    return tuple(Span(int(a), int(b)) for a, b in arr.tolist())


# -- documents and errors ---------------------------------------------------------------------
def documents_to_arrow(docs: Sequence[Document]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {
            "id": [d.id for d in docs],
            "doc_id": [d.doc_id for d in docs],
            "input": [d.input for d in docs],
            "url": [d.url for d in docs],
            "source": [d.source for d in docs],
            "published": [d.published.isoformat() if d.published else None for d in docs],
            "title": [d.title for d in docs],
            "lang": [d.lang for d in docs],
            "meta": [json.dumps(dict(d.meta), ensure_ascii=False) for d in docs],
            "text": [d.text for d in docs],
        },
        schema=DOCUMENTS,
    )


def documents_from_arrow(batch: pa.RecordBatch | pa.Table) -> list[Document]:
    cols = {name: batch.column(name).to_pylist() for name in DOCUMENTS.names}
    return [
        Document(
            id=cols["id"][i],
            doc_id=cols["doc_id"][i],
            text=cols["text"][i],
            input=cols["input"][i],
            url=cols["url"][i],
            source=cols["source"][i],
            published=datetime.fromisoformat(p) if (p := cols["published"][i]) else None,
            title=cols["title"][i],
            lang=cols["lang"][i],
            meta=json.loads(cols["meta"][i]),
        )
        for i in range(batch.num_rows)
    ]


def errors_to_arrow(errors: Sequence[IngestError]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {"input": [e.input for e in errors], "reason": [e.reason for e in errors]},
        schema=ERRORS,
    )


def errors_from_arrow(batch: pa.RecordBatch | pa.Table) -> list[IngestError]:
    return [
        IngestError(i, r)
        for i, r in zip(
            batch.column("input").to_pylist(), batch.column("reason").to_pylist(), strict=True
        )
    ]


# -- cleaned and fingerprinted documents -------------------------------------------------------
def indexed_to_arrow(
    cleaned: Sequence[CleanDoc], sigs: Sequence[Signature], bands: npt.NDArray[np.int64]
) -> pa.RecordBatch:
    """Clean documents, their signatures and band keys (row ``i`` of ``bands`` is doc ``i``)."""
    return pa.RecordBatch.from_pydict(
        {
            "id": [c.id for c in cleaned],
            "clean_text": [c.text for c in cleaned],
            "clean_lang": [c.lang for c in cleaned],
            "raw_length": [c.raw_length for c in cleaned],
            "removed": [
                json.dumps([[r.start, r.end, r.reason] for r in c.removed]) for c in cleaned
            ],
            "runs": [
                np.array([(r.clean, r.raw, r.length) for r in c.runs], dtype=np.int64).tobytes()
                for c in cleaned
            ],
            "sentences": [_spans_blob(c.sentences) for c in cleaned],
            "paragraphs": [_spans_blob(c.paragraphs) for c in cleaned],
            "shingles": [_blob(s.shingles) for s in sigs],
            "minhash": [_blob(s.minhash) for s in sigs],
            "embedding": [_blob(s.embedding) for s in sigs],
            "sentence_embeddings": [_blob(s.sentence_embeddings) for s in sigs],
            "dim": [None if s.embedding is None else int(s.embedding.shape[0]) for s in sigs],
            "bands": [row.tolist() for row in bands.reshape(len(cleaned), -1)],
        },
        schema=INDEXED,
    )


def clean_docs_from_arrow(batch: pa.RecordBatch | pa.Table, prefix: str = "") -> list[CleanDoc]:
    """The ``CleanDoc`` of every row (columns named ``prefix + field``, as after a join)."""
    cols = {name: batch.column(prefix + name).to_pylist() for name, _ in CLEAN_FIELDS}
    out: list[CleanDoc] = []
    for i in range(batch.num_rows):
        runs = np.frombuffer(cols["runs"][i], dtype=np.int64).reshape(-1, 3).tolist()
        out.append(
            CleanDoc(
                id=cols["id"][i],
                text=cols["clean_text"][i],
                lang=cols["clean_lang"][i],
                raw_length=cols["raw_length"][i],
                removed=tuple(
                    Removal(int(a), int(b), str(c)) for a, b, c in json.loads(cols["removed"][i])
                ),
                runs=tuple(OffsetRun(a, b, c) for a, b, c in runs),
                sentences=_spans(cols["sentences"][i]),
                paragraphs=_spans(cols["paragraphs"][i]),
            )
        )
    return out


def signatures_from_arrow(batch: pa.RecordBatch | pa.Table, prefix: str = "") -> list[Signature]:
    ids = batch.column(prefix + "id").to_pylist()
    cols = {name: batch.column(prefix + name).to_pylist() for name, _ in SIGNATURE_FIELDS}
    out: list[Signature] = []
    for i, doc in enumerate(ids):
        emb, sents, dim = cols["embedding"][i], cols["sentence_embeddings"][i], cols["dim"][i]
        out.append(
            Signature(
                id=doc,
                shingles=np.frombuffer(cols["shingles"][i], dtype=np.uint64),
                minhash=np.frombuffer(cols["minhash"][i], dtype=np.uint32),
                embedding=None if emb is None else np.frombuffer(emb, dtype=np.float32),
                sentence_embeddings=None
                if sents is None
                else np.frombuffer(sents, dtype=np.float32).reshape(-1, dim),
            )
        )
    return out


def bands_from_arrow(batch: pa.RecordBatch | pa.Table) -> npt.NDArray[np.int64]:
    """The band keys of every row as a ``documents x bands`` array."""
    rows = batch.column("bands").to_pylist()
    if not rows:
        return np.zeros((0, 0), dtype=np.int64)
    return np.array(rows, dtype=np.int64)


# -- candidates and matches ---------------------------------------------------------------------
def candidates_to_arrow(pairs: Sequence[CandidatePair]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {
            "a": [p.a for p in pairs],
            "b": [p.b for p in pairs],
            "found_by": [p.found_by for p in pairs],
            "score": [p.score for p in pairs],
        },
        schema=CANDIDATES,
    )


def matches_to_arrow(matches: Sequence[Match]) -> pa.RecordBatch:
    """Matches as rows of their plain form (``codec.match_to_plain``)."""
    return pa.RecordBatch.from_pylist([codec.match_to_plain(m) for m in matches], schema=MATCHES)


def matches_from_arrow(batch: pa.RecordBatch | pa.Table) -> list[Match]:
    """Every row's ``Match`` (``codec.match_from_plain``), with how its pair was found."""
    return [codec.match_from_plain(row) for row in batch.to_pylist()]
