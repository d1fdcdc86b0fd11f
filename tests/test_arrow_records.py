"""Tests for storytrace.arrow_records: every record survives the trip to Arrow and back."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

pytest.importorskip("pyarrow", reason="Arrow records need the 'spark' extra (pyarrow)")

from tests.conftest import DEMO

from storytrace import arrow_records as ar
from storytrace.config import Config
from storytrace.engine import index as index_documents
from storytrace.ingest import read_inputs
from storytrace.records import CandidatePair, Document, IngestError, Match, Signature


def _demo_docs() -> list[Document]:
    return [r for r in read_inputs([DEMO]) if isinstance(r, Document)]


def test_documents_round_trip_with_every_field() -> None:
    docs = _demo_docs()
    docs.append(
        Document(
            id="x",
            doc_id="abc",
            text="Tekstas su ą ir 中文.",
            input="feed.jsonl:3",
            url="https://example.org/a",
            source="example.org",
            published=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
            title="T",
            lang="lt",
            meta={"format": "jsonl", "section": "world"},
        )
    )
    batch = ar.documents_to_arrow(docs)
    assert batch.schema == ar.DOCUMENTS
    assert ar.documents_from_arrow(batch) == docs


def test_indexed_round_trip_keeps_clean_docs_signatures_and_bands(encoder: object) -> None:
    docs = _demo_docs()[:3]
    results = index_documents(docs, Config(), encoder=encoder)  # type: ignore[arg-type]
    cleaned = [c for c, _ in results]
    sigs = [s for _, s in results]
    bands = np.arange(len(docs) * 4, dtype=np.int64).reshape(len(docs), 4)
    batch = ar.indexed_to_arrow(cleaned, sigs, bands)
    assert ar.clean_docs_from_arrow(batch) == cleaned
    back = ar.signatures_from_arrow(batch)
    for got, want in zip(back, sigs, strict=True):
        assert got.id == want.id
        assert np.array_equal(got.shingles, want.shingles)
        assert np.array_equal(got.minhash, want.minhash)
        assert got.embedding is not None and want.embedding is not None
        assert np.array_equal(got.embedding, want.embedding)
        assert got.sentence_embeddings is not None and want.sentence_embeddings is not None
        assert np.array_equal(got.sentence_embeddings, want.sentence_embeddings)
    assert np.array_equal(ar.bands_from_arrow(batch), bands)


def test_prefixed_columns_read_one_side_of_a_join(empty_clean_doc: object) -> None:
    sig = Signature(id="empty", shingles=np.array([7], np.uint64), minhash=np.zeros(4, np.uint32))
    batch = ar.indexed_to_arrow([empty_clean_doc], [sig], np.zeros((1, 2), np.int64))  # type: ignore[list-item]
    renamed = batch.rename_columns(["a_" + n for n in batch.schema.names])
    assert ar.clean_docs_from_arrow(renamed, "a_") == [empty_clean_doc]
    got = ar.signatures_from_arrow(renamed, "a_")[0]
    assert got.embedding is None and got.sentence_embeddings is None
    assert got.shingles.tolist() == [7]


def test_matches_candidates_and_errors_round_trip() -> None:
    m = Match("a", "b", "rewrite", 0.1, 0.2, 0.3, 0.9, 0.7, 0.6, ("x", "y"), found_by="both")
    unknown = Match("a", "c", "unrelated", 0.0, 0.0, 0.0, 0.1, 0.0, 0.0)
    assert ar.matches_from_arrow(ar.matches_to_arrow([m, unknown])) == [m, unknown]
    pairs = [CandidatePair("a", "b", "lexical", 0.0)]
    assert ar.candidates_to_arrow(pairs).to_pylist() == [
        {"a": "a", "b": "b", "found_by": "lexical", "score": 0.0}
    ]
    errors = [IngestError("f.txt", "empty document (no text)")]
    assert ar.errors_from_arrow(ar.errors_to_arrow(errors)) == errors
