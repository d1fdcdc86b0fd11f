"""The records as Arrow columns: how ``Document``, ``CleanDoc``, ``Signature`` and ``Match``
travel between Spark and the pure stages, and how they lie in the Parquet outputs.

An adapter with no algorithm: every function converts a batch one way and its twin converts
it back unchanged (``from_arrow(to_arrow(x)) == x``). Arrays are stored as little-endian
binary in the same layouts as the SQLite store (spans as int64 pairs, offset runs as int64
triples, vectors as float32 rows), so a store can be filled from Parquet without another
conversion. Needs pyarrow (the ``spark`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from storytrace import codec
from storytrace.codec import StoredRow
from storytrace.records import (
    CandidatePair,
    CleanDoc,
    Document,
    IngestError,
    Match,
    Signature,
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


_ARROW_NAME = {"text": "clean_text", "lang": "clean_lang"}
"""Clean-document fields renamed in ``INDEXED`` (a document's own text is ``text``)."""


# -- documents and errors ---------------------------------------------------------------------
def documents_to_arrow(docs: Sequence[Document]) -> pa.RecordBatch:
    """Documents as rows of their stored form (``codec.document_to_row``)."""
    return pa.RecordBatch.from_pylist([codec.document_to_row(d) for d in docs], schema=DOCUMENTS)


def documents_from_arrow(batch: pa.RecordBatch | pa.Table) -> list[Document]:
    """Every row's ``Document`` (``codec.document_from_row``; other columns are ignored)."""
    return [codec.document_from_row(row) for row in batch.select(DOCUMENTS.names).to_pylist()]


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
    """Clean documents, their signatures and band keys (row ``i`` of ``bands`` is doc ``i``),
    each in its stored form (``codec.clean_to_row``, ``codec.signature_to_row``)."""
    rows = [
        {
            **{_ARROW_NAME.get(k, k): v for k, v in codec.clean_to_row(c).items()},
            **codec.signature_to_row(s),
            "bands": row.tolist(),
        }
        for c, s, row in zip(cleaned, sigs, bands.reshape(len(cleaned), -1), strict=True)
    ]
    return pa.RecordBatch.from_pylist(rows, schema=INDEXED)


def _rows(batch: pa.RecordBatch | pa.Table, fields: Sequence[str], prefix: str) -> list[StoredRow]:
    """The ``fields`` of every row, read from columns ``prefix + (Arrow name)``."""
    cols = {f: batch.column(prefix + _ARROW_NAME.get(f, f)).to_pylist() for f in fields}
    return [{f: cols[f][i] for f in fields} for i in range(batch.num_rows)]


def clean_docs_from_arrow(batch: pa.RecordBatch | pa.Table, prefix: str = "") -> list[CleanDoc]:
    """The ``CleanDoc`` of every row (columns named ``prefix + field``, as after a join)."""
    return [codec.clean_from_row(r) for r in _rows(batch, codec.CLEAN_FIELDS, prefix)]


def signatures_from_arrow(batch: pa.RecordBatch | pa.Table, prefix: str = "") -> list[Signature]:
    """The ``Signature`` of every row (columns named ``prefix + field``)."""
    return [codec.signature_from_row(r) for r in _rows(batch, codec.SIGNATURE_FIELDS, prefix)]


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
