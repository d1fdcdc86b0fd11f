"""The SQLite store: WAL mode, resumable states, one writer, readers alongside."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storytrace.config import Config
from storytrace.errors import StoreBusyError, StoreError
from storytrace.records import Document
from storytrace.store import SCHEMA_VERSION, Store


def _doc(i: int, text: str = "") -> Document:
    body = text or f"Document number {i} talks about the harbour ferry timetable."
    return Document(
        id=f"d{i}",
        doc_id=f"hash{i}{len(body)}",
        text=body,
        input=f"d{i}.txt",
        source="Harbour Post",
        published=datetime(2025, 3, i + 1, tzinfo=UTC),
        meta={"format": "txt"},
    )


def test_store_is_a_wal_sqlite_file(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db", writer=True) as store:
        store.start_run(Config(), ["x"])
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_documents_round_trip_and_duplicates_are_skipped(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db", writer=True) as store:
        run = store.start_run(Config(), ["x"])
        added, problems = store.add_documents([_doc(1), _doc(2)], run)
        assert added == 2 and not problems
        added, problems = store.add_documents([_doc(1)], run)
        assert added == 0 and not problems
        added, problems = store.add_documents([_doc(1, "Completely different text here.")], run)
        assert added == 0 and "already in the store" in problems[0].reason
        back = store.documents(["d2"])[0]
        assert back == _doc(2)
        assert store.document_ids("new") == ["d1", "d2"]


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    with (
        Store(tmp_path / "s.db", writer=True),
        pytest.raises(StoreBusyError, match="another storytrace"),
    ):
        Store(tmp_path / "s.db", writer=True)


def test_readers_work_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db", writer=True) as writer:
        run = writer.start_run(Config(), ["x"])
        writer.add_documents([_doc(1)], run)
        with Store(tmp_path / "s.db") as reader:
            assert reader.document_ids() == ["d1"]


def test_reader_on_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="storytrace analyze"):
        Store(tmp_path / "none.db")


def test_other_configuration_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db", writer=True) as store:
        store.start_run(Config(), ["x"])
    with (
        Store(tmp_path / "s.db", writer=True) as store,
        pytest.raises(StoreError, match="different configuration"),
    ):
        store.start_run(Config(num_perm=64), ["x"])
    # ... saying which setting differs, a group's setting too (the store records them all)
    with (
        Store(tmp_path / "s.db", writer=True) as store,
        pytest.raises(StoreError, match=r"\(provenance.time_weight 1.0 there, 2.0 here\)"),
    ):
        store.start_run(Config().replace({"provenance.time_weight": 2.0}), ["x"])


def test_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable storytrace store"):
        Store(path, writer=True)


def test_errors_are_listed_once_across_runs(tmp_path: Path) -> None:
    from storytrace.records import IngestError

    with Store(tmp_path / "s.db", writer=True) as store:
        for _ in range(3):
            run = store.start_run(Config(), ["x"])
            store.add_errors(run, [IngestError("a.txt", "binary file, not text")])
        store.add_errors(run, [IngestError("b.txt", "empty document (no text)")])
        assert [e.input for e in store.errors()] == ["a.txt", "b.txt"]


def test_sources_lists_each_outlet_once(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db", writer=True) as store:
        run = store.start_run(Config(), ["x"])
        store.add_documents([_doc(1), _doc(2)], run)
        assert store.sources() == ["Harbour Post"]


# --- vectors of one encoder only, and the per-encoder vector cache ---------------------------


def _indexed(store: Store, ids: list[int], dim: int, encoder: str) -> None:
    import numpy as np

    from storytrace.clean import clean
    from storytrace.records import Signature

    docs = [_doc(i) for i in ids]
    run = store.start_run(Config(), ["x"])
    store.add_documents(docs, run)
    cleaned = [clean(d) for d in docs]
    sigs = [
        Signature(
            id=d.id,
            shingles=np.arange(3, dtype=np.uint64),
            minhash=np.zeros(8, dtype=np.uint32),
            embedding=np.ones(dim, dtype=np.float32) / dim**0.5,
            sentence_embeddings=np.ones((1, dim), dtype=np.float32) / dim**0.5,
        )
        for d in docs
    ]
    store.save_indexed(cleaned, sigs, np.zeros((len(docs), 2), dtype=np.int64), encoder=encoder)


def test_store_holds_one_encoders_vectors(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db", writer=True) as store:
        assert store.encoder() is None
        _indexed(store, [1, 2], 4, "enc-a")
        assert store.encoder() == "enc-a/4"
        _indexed(store, [3], 4, "enc-a")  # more of the same encoder: fine
        with pytest.raises(StoreError, match="mix two embedding spaces"):
            _indexed(store, [4], 4, "enc-b")
        with pytest.raises(StoreError, match="enc-a/4"):
            _indexed(store, [5], 8, "enc-a")
        assert store.embedding_ids() == ["d1", "d2", "d3"]
        ids, vecs = store.embeddings(["d3", "d1", "d9"])
        assert ids == ["d1", "d3"] and vecs.shape == (2, 4)
    with Store(tmp_path / "s.db") as reader:
        assert reader.encoder() == "enc-a/4"


def test_vector_cache_is_keyed_by_encoder(tmp_path: Path) -> None:
    import numpy as np

    with Store(tmp_path / "s.db", writer=True) as store:
        vecs = np.arange(6, dtype=np.float32).reshape(2, 3)
        store.save_vectors("enc-a", [b"k1", b"k2"], vecs)
        got = store.cached_vectors("enc-a", [b"k2", b"k1", b"k3"])
        assert set(got) == {b"k1", b"k2"}
        np.testing.assert_array_equal(got[b"k2"], vecs[1])
        assert store.cached_vectors("enc-b", [b"k1"]) == {}


def test_band_keys_come_back_one_row_per_document_sorted_by_id(
    tmp_path: Path, save_band_keys: Any
) -> None:
    with Store(tmp_path / "s.db", writer=True) as store:
        assert store.band_keys()[0] == []
        save_band_keys(store, [_doc(3), _doc(1)], [[30, -31, 2**62], [10, 11, 12]])
        save_band_keys(store, [_doc(2)], [[20, 21, 22]])
        ids, keys = store.band_keys()
        assert ids == ["d1", "d2", "d3"]
        assert keys.tolist() == [[10, 11, 12], [20, 21, 22], [30, -31, 2**62]]
        save_band_keys(store, [_doc(1)], [[7, 8, 9]])  # indexed again: its keys are replaced
        ids, keys = store.band_keys()
        assert ids == ["d1", "d2", "d3"] and keys[0].tolist() == [7, 8, 9]


def test_a_schema_3_store_gets_its_band_rows_folded_per_document(tmp_path: Path) -> None:
    """Schema 3 kept one row per (band, key, id) under two indexes; opening it for writing
    converts it in place, with every key kept in band order."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema', '3');
        CREATE TABLE bands (band INTEGER NOT NULL, key INTEGER NOT NULL, id TEXT NOT NULL);
        CREATE INDEX bands_key ON bands(band, key);
        CREATE INDEX bands_id ON bands(id);
        INSERT INTO bands VALUES (1, 51, 'e'), (0, 50, 'e'), (2, -52, 'e'),
                                 (0, 40, 'd'), (2, 42, 'd'), (1, 41, 'd');
        """
    )
    conn.commit()
    conn.close()
    with Store(path, writer=True) as store:
        ids, keys = store.band_keys()
        assert ids == ["d", "e"]
        assert keys.tolist() == [[40, 41, 42], [50, 51, -52]]
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "bands_v3" not in tables and "bands_key" not in tables
    with Store(path) as reader:  # the upgrade is recorded: no second conversion
        schema = reader.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        assert schema == (str(SCHEMA_VERSION),)


def test_a_store_of_an_unknown_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema', '99');"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=f"has schema 99, this storytrace reads {SCHEMA_VERSION}"):
        Store(path, writer=True)


def test_a_stored_configuration_out_of_range_is_a_clear_store_error(tmp_path: Path) -> None:
    """A store that an older storytrace left with an invalid configuration (it saved
    ``--shingle-size 0`` before checking it) is named, not a traceback."""
    with Store(tmp_path / "s.db", writer=True) as store, store.transaction() as tx:
        bad = json.loads(Config().to_json()) | {"shingle_size": 0}
        tx.execute("INSERT INTO meta VALUES ('config', ?)", (json.dumps(bad),))
    with Store(tmp_path / "s.db") as store, pytest.raises(StoreError, match="new --out"):
        store.config()


def test_a_schema_4_store_gets_reuse_keys_from_its_shingles(tmp_path: Path) -> None:
    """Schema 5 adds each document's reuse keys; a schema-4 store computes them from the
    shingles it already holds when a writer opens it."""
    from storytrace.candidates import reuse_keys

    shingles = np.arange(1, 400, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    shingles.sort()
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema', '4');
        CREATE TABLE signatures (
            id TEXT PRIMARY KEY, shingles BLOB NOT NULL, minhash BLOB NOT NULL,
            embedding BLOB, sentence_embeddings BLOB, dim INTEGER);
        """
    )
    conn.execute(
        "INSERT INTO signatures VALUES ('d1', ?, ?, NULL, NULL, NULL)", (shingles.tobytes(), b"")
    )
    conn.commit()
    conn.close()
    with Store(path, writer=True) as store:
        (keys,) = store.reuse_keys(["d1"])
        assert keys.tolist() == reuse_keys(shingles).tolist()
        assert 40 <= keys.size <= 160  # about one shingle in four
        assert store.reuse_keys(["missing"])[0].size == 0
    with Store(path) as reader:
        schema = reader.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        assert schema == (str(SCHEMA_VERSION),)


def _as_schema_5(path: Path) -> None:
    """Take a store back to schema 5: no story listing, members or untraced documents, and
    alignments without their story (what storytrace wrote before schema 6)."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP TABLE story_index; DROP TABLE story_members; DROP TABLE untraced;
        DROP TABLE trace_memo;
        DROP INDEX alignments_story; DROP INDEX matches_b; DROP INDEX documents_order;
        ALTER TABLE alignments DROP COLUMN story;
        DELETE FROM meta WHERE key = 'traced_sources';
        UPDATE meta SET value = '5' WHERE key = 'schema';
        """
    )
    conn.commit()
    conn.close()


def test_a_schema_5_store_gets_its_stories_listed_by_id(tmp_path: Path, demo_run: Any) -> None:
    """Schema 6 lists stories and their members by id; a schema-5 store gets them from the
    stories it holds when a writer opens it, and nothing needs tracing again."""
    path = tmp_path / "v5.db"
    with Store(demo_run.db_path) as source:
        listing, total = source.story_listing()
        members = source.member_stories()
        source.conn.execute("VACUUM INTO ?", (str(path),))
    _as_schema_5(path)
    with Store(path) as reader:
        assert reader.schema() == 5
    with Store(path, writer=True) as store:
        assert store.schema() == SCHEMA_VERSION
        assert store.story_listing() == (listing, total) and total == 2
        assert store.member_stories() == members
        assert store.untraced() == []
        for story in store.iter_stories():
            for edge in story.edges:
                assert store.alignment(edge.parent, edge.child) is not None
                row = store.conn.execute(
                    "SELECT story FROM alignments WHERE parent=? AND child=?",
                    (edge.parent, edge.child),
                ).fetchone()
                assert row == (story.id,)


def test_story_listing_pages_and_searches(tmp_path: Path, demo_run: Any) -> None:
    with Store(demo_run.db_path) as store:
        whole, total = store.story_listing()
        assert total == 2 and [r["size"] for r in whole] == sorted(
            (r["size"] for r in whole), reverse=True
        )
        assert [store.story_listing(n, 1)[0][0] for n in range(2)] == whole
        assert store.story_listing(2, 1) == ([], 2)
        found, count = store.story_listing(query="VELAMAR")
        assert count == 1 and "velamar" in found[0]["origin"]
        lone, more = store.lone_documents(0, 3)
        assert len(lone) == 3 and more
        rest, more = store.lone_documents(3, 3)
        assert len(rest) == 1 and not more
        in_story = store.member_stories()
        assert not {d.id for d in lone + rest} & set(in_story)
        assert len(in_story) + 4 == store.count_documents()
