"""The store of record: one SQLite file in WAL mode (readers never block the writer).

Holds documents, cleaning results, signatures, LSH band keys, matches, stories with
their lineage, alignments, per-run errors and the config of every run. Adding documents
later only processes the new ones: each document moves ``new -> indexed -> matched``, and a
run resumes whatever an interrupted run left behind. One writer at a time (an exclusive
lock file); a second writer gets ``StoreBusyError`` instead of corrupting anything.

The lock is a POSIX record lock (``fcntl.lockf``) held only by the process that took it: the
kernel drops it when that process dies, however it dies, and forked worker processes do not
inherit it (a BSD ``flock`` lives as long as any copy of its descriptor, so workers that outlived
a killed run kept the store locked). Record locks do not exclude threads of one process, so
the paths locked in this process are also kept in a set.

An adapter at the side: it serialises records and runs queries, and holds no algorithm.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from storytrace import codec
from storytrace.candidates import reuse_keys
from storytrace.config import Config
from storytrace.errors import ConfigError, StoreBusyError, StoreError
from storytrace.records import (
    Alignment,
    CleanDoc,
    Document,
    IngestError,
    Match,
    Removal,
    Signature,
    Story,
)
from storytrace.source_repeats import line_keys, repeated
from storytrace.stories import LINKING_RELATIONS
from storytrace.story_index import HEAD_CHARS, MemberInfo, search_text, story_summary

SCHEMA_VERSION = 6  # 2: vectorised word hashing and fast similarity sketching (new signatures)
# 3: line keys per source (a source's own repeated lines are its boilerplate)
# 4: one row of band keys per document (was one row per band, looked up through an index);
#    a schema-3 store is converted when a writer opens it
# 5: reuse keys per document (a content-defined sample of its shingles: containment search);
#    a schema-4 store gets them from its stored shingles when a writer opens it
# 6: stories read by id: a listing row per story (size, summary, search text), each member's
#    story and story-made removals, each alignment's story, the documents whose stories
#    must be traced again (an add recomputes only the stories it touches) and the pairwise
#    results of each story's trace (trace_memo); a schema-5 store gets them from its stored
#    stories when a writer opens it
DB_NAME = "storytrace.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT,
    config TEXT NOT NULL, inputs TEXT NOT NULL, added INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, input TEXT NOT NULL, url TEXT, source TEXT,
    published TEXT, title TEXT, lang TEXT, meta TEXT NOT NULL, text TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'new', run INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS documents_state ON documents(state);
CREATE TABLE IF NOT EXISTS clean (
    id TEXT PRIMARY KEY, text TEXT NOT NULL, lang TEXT NOT NULL, raw_length INTEGER NOT NULL,
    removed TEXT NOT NULL, runs BLOB NOT NULL, sentences BLOB NOT NULL, paragraphs BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (
    id TEXT PRIMARY KEY, shingles BLOB NOT NULL, minhash BLOB NOT NULL,
    embedding BLOB, sentence_embeddings BLOB, dim INTEGER);
CREATE TABLE IF NOT EXISTS bands (id TEXT PRIMARY KEY, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reuse_keys (id TEXT PRIMARY KEY, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS matches (
    a TEXT NOT NULL, b TEXT NOT NULL, relation TEXT NOT NULL, jaccard REAL, containment_ab REAL,
    containment_ba REAL, semantic REAL, coverage_ab REAL, coverage_ba REAL, evidence TEXT,
    found_by TEXT, PRIMARY KEY (a, b));
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alignments (
    parent TEXT NOT NULL, child TEXT NOT NULL, body TEXT NOT NULL, story TEXT,
    PRIMARY KEY (parent, child));
CREATE TABLE IF NOT EXISTS story_index (
    id TEXT PRIMARY KEY, size INTEGER NOT NULL, summary TEXT NOT NULL, search TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_members (
    member TEXT PRIMARY KEY, story TEXT NOT NULL, removed TEXT);
CREATE TABLE IF NOT EXISTS untraced (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS trace_memo (
    key TEXT PRIMARY KEY, story TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS errors (run INTEGER NOT NULL, input TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS line_keys (
    source TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (source, key, id));
CREATE TABLE IF NOT EXISTS applied_repeats (
    source TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (source, key));
CREATE TABLE IF NOT EXISTS vectors (
    encoder TEXT NOT NULL, key BLOB NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (encoder, key));
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS story_index_order ON story_index(size DESC, id);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story);
CREATE INDEX IF NOT EXISTS alignments_story ON alignments(story);
CREATE INDEX IF NOT EXISTS trace_memo_story ON trace_memo(story);
CREATE INDEX IF NOT EXISTS matches_b ON matches(b);
CREATE INDEX IF NOT EXISTS documents_order
    ON documents(published IS NULL, published, id, source, title);
"""
"""Indexes on schema 6's columns: made after an older store is upgraded to have them.
``documents_order`` lists documents by time and holds what the listing searches (id,
outlet, title), so a search reads the index alone, not the documents' texts."""


_MATCH_COLUMNS = codec.MATCH_FIELDS
"""The matches table's columns: a match's plain form (``codec.match_to_plain``), its
evidence as a JSON list."""


def _insert(table: str, fields: Sequence[str]) -> str:
    return f"INSERT OR REPLACE INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"


def _values(row: codec.StoredRow, fields: Sequence[str]) -> tuple[codec.Cell, ...]:
    return tuple(row[k] for k in fields)


def _keys_blob(keys: Iterable[int] | npt.NDArray[np.int64]) -> bytes:
    return np.asarray(keys, dtype=np.int64).tobytes()


_LOCKED: set[Path] = set()
"""Store lock files this process holds (record locks do not exclude its own threads)."""
_LOCKED_GUARD = threading.Lock()

CACHE_KIB = 262_144
"""SQLite page cache per connection, in KiB (pages are only taken as they are used)."""


class Store:
    """A storytrace store file. Use as a context manager; ``writer=True`` takes the write lock."""

    def __init__(self, path: str | os.PathLike[str], *, writer: bool = False) -> None:
        self.path = Path(path)
        self.writer = writer
        self._lock: TextIO | None = None
        self._lock_path: Path | None = None
        self._stream: sqlite3.Connection | None = None
        if writer:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder {self.path.parent}: {exc.strerror or exc}"
                ) from exc
            self._lock = self._take_lock()
            if not self.path.exists():
                try:
                    self._create()
                except (OSError, sqlite3.DatabaseError) as exc:
                    self.close()
                    raise StoreError(f"cannot create the store {self.path}: {exc}") from exc
        elif not self.path.exists():
            raise StoreError(
                f"no store at {self.path} (run 'storytrace analyze ... --out DIR' first)"
            )
        try:
            self.conn = sqlite3.connect(self.path, timeout=30.0)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            # SQLite's default page cache is 2 MB: once an index written at random keys (the
            # content-hash ids of every table) outgrows it, each insert re-reads index pages
            # from the file. Measured with schema 3's per-band index (the worst such index):
            # 20,000 documents' index writes took 18.5 s with 2 MB, 12.4 s with 256 MB.
            self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            if writer:
                self.conn.executescript(_SCHEMA)
                self._check_version()
                self.conn.executescript(_INDEXES)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"{self.path} is not a usable storytrace store: {exc}") from exc

    def _create(self) -> None:
        """Make a new store file whole: its tables are written to a temporary file that is then
        renamed, so a reader in another process that finds the file finds its tables too (it
        used to find an empty database while the writer was still creating them)."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA + _INDEXES)
            with conn:
                conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        finally:
            conn.close()
        os.replace(tmp, self.path)

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"another storytrace process is writing to {self.path}; wait for it to finish"
        )

    def _take_lock(self) -> TextIO:
        lock_path = self.path.with_name(self.path.name + ".lock").resolve()
        with _LOCKED_GUARD:
            # Checked before opening: closing any descriptor of a file drops this process's
            # record locks on it, so a second open-and-close here would free the first lock.
            if lock_path in _LOCKED:
                raise self._busy()
            try:
                # Python opens files close-on-exec: a program this process runs holds no copy.
                handle = lock_path.open("a+")
            except OSError as exc:
                raise StoreError(
                    f"cannot create the lock file {lock_path}: {exc.strerror or exc}"
                ) from exc
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                handle.close()
                raise self._busy() from exc
            _LOCKED.add(lock_path)
        self._lock_path = lock_path
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return handle

    def _check_version(self) -> None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            with self.conn:
                self.conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) == 3:
            self._upgrade_bands()
            self._upgrade_reuse_keys()
            self._upgrade_stories()
        elif int(row[0]) == 4:
            self._upgrade_reuse_keys()
            self._upgrade_stories()
        elif int(row[0]) == 5:
            self._upgrade_stories()
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema {row[0]}, this storytrace reads {SCHEMA_VERSION}"
            )

    def schema(self) -> int:
        """The schema version of the store file (a reader sees what the last writer left)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        return int(row[0]) if row else SCHEMA_VERSION

    def _upgrade_stories(self) -> None:
        """Schema 5 -> 6: the listing row, members and alignments of every stored story, from
        its stored body, in one transaction; the stories stay as they were traced."""
        with self.conn as tx:
            columns = {r[1] for r in tx.execute("PRAGMA table_info(alignments)")}
            if "story" not in columns:
                tx.execute("ALTER TABLE alignments ADD COLUMN story TEXT")
            for (body,) in tx.execute("SELECT body FROM stories").fetchall():
                story = decode_story(body)
                self._index_story(tx, story)
                tx.executemany(
                    "UPDATE alignments SET story=? WHERE parent=? AND child=?",
                    [(story.id, e.parent, e.child) for e in story.edges],
                )
            tx.execute(
                "INSERT OR REPLACE INTO meta VALUES ('traced_sources', ?)",
                (json.dumps(self.sources()),),
            )
            tx.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION),))

    def _upgrade_reuse_keys(self) -> None:
        """Schema 4 -> 5: every indexed document's reuse keys, from its stored shingles."""
        with self.conn as tx:
            rows = tx.execute("SELECT id, shingles FROM signatures").fetchall()
            tx.executemany(
                "INSERT OR REPLACE INTO reuse_keys VALUES (?,?)",
                [
                    (doc, reuse_keys(np.frombuffer(blob, dtype=np.uint64)).tobytes())
                    for doc, blob in rows
                ],
            )
            tx.execute("UPDATE meta SET value=? WHERE key='schema'", ("5",))

    def _upgrade_bands(self) -> None:
        """Schema 3 -> 4: fold the band rows ``(band, key, id)`` into one row of keys per
        document, in one transaction (an interrupted upgrade leaves the store at 3)."""
        with self.transaction() as tx:
            tx.execute("ALTER TABLE bands RENAME TO bands_v3")
            tx.execute("DROP INDEX IF EXISTS bands_key")
            tx.execute("DROP INDEX IF EXISTS bands_id")
            tx.execute("CREATE TABLE bands (id TEXT PRIMARY KEY, keys BLOB NOT NULL)")
            rows = tx.execute("SELECT id, key FROM bands_v3 ORDER BY id, band")
            current: str | None = None
            keys: list[int] = []
            for doc, key in rows:
                if doc != current and current is not None:
                    tx.execute("INSERT INTO bands VALUES (?, ?)", (current, _keys_blob(keys)))
                    keys = []
                current = doc
                keys.append(int(key))
            if current is not None:
                tx.execute("INSERT INTO bands VALUES (?, ?)", (current, _keys_blob(keys)))
            tx.execute("DROP TABLE bands_v3")
            tx.execute("UPDATE meta SET value=? WHERE key='schema'", ("4",))

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._lock is not None:
            with _LOCKED_GUARD:
                fcntl.lockf(self._lock, fcntl.LOCK_UN)
                self._lock.close()
                self._lock = None
                _LOCKED.discard(self._lock_path or Path())

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.conn:
            yield self.conn

    # -- runs and config -------------------------------------------------------------------
    def start_run(self, config: Config, inputs: Sequence[str]) -> int:
        stored = self.config()
        if stored is not None and stored != config:
            theirs, ours = stored.settings(), config.settings()
            differ = [n for n in ours if theirs.get(n) != ours[n]]
            shown = ", ".join(f"{n} {theirs.get(n)!r} there, {ours[n]!r} here" for n in differ[:3])
            raise StoreError(
                f"{self.path} was built with a different configuration ({shown}); "
                "use a new --out directory to analyse with other parameters"
            )
        with self.transaction() as tx:
            if stored is None:
                tx.execute("INSERT OR REPLACE INTO meta VALUES ('config', ?)", (config.to_json(),))
            cur = tx.execute(
                "INSERT INTO runs (started, config, inputs) VALUES (?, ?, ?)",
                (_now(), config.to_json(), json.dumps(list(inputs))),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run: int, added: int) -> None:
        with self.transaction() as tx:
            tx.execute("UPDATE runs SET finished=?, added=? WHERE run=?", (_now(), added, run))

    def config(self) -> Config | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='config'").fetchone()
        if row is None:
            return None
        try:
            return Config.from_json(row[0])
        except (ConfigError, ValueError, TypeError) as exc:
            raise StoreError(
                f"{self.path} holds a configuration this storytrace cannot use ({exc}); "
                "use a new --out directory"
            ) from exc

    # -- documents ---------------------------------------------------------------------------
    def add_documents(self, docs: Iterable[Document], run: int) -> tuple[int, list[IngestError]]:
        """Insert new documents; the same id with the same content is skipped silently."""
        added = 0
        problems: list[IngestError] = []
        with self.transaction() as tx:
            for doc in docs:
                row = tx.execute(
                    "SELECT doc_id, input FROM documents WHERE id=?", (doc.id,)
                ).fetchone()
                if row is not None:
                    if row[0] != doc.doc_id:
                        problems.append(
                            IngestError(
                                doc.input,
                                f"id {doc.id!r} is already in the store with other content "
                                f"(from {row[1]}); give it another id or use a new --out",
                            )
                        )
                    continue
                stored = codec.document_to_row(doc)
                tx.execute(
                    f"INSERT INTO documents ({', '.join(codec.DOCUMENT_FIELDS)}, state, run) "
                    f"VALUES ({', '.join('?' * len(codec.DOCUMENT_FIELDS))}, 'new', ?)",
                    (*(stored[k] for k in codec.DOCUMENT_FIELDS), run),
                )
                if doc.source:
                    tx.executemany(
                        "INSERT OR IGNORE INTO line_keys VALUES (?,?,?)",
                        [(doc.source, key, doc.id) for key in sorted(line_keys(doc.text))],
                    )
                added += 1
        return added, problems

    # -- a source's own repeated lines ------------------------------------------------------
    def repeated_lines(
        self, sources: Iterable[str], units: Mapping[str, str]
    ) -> dict[str, frozenset[str]]:
        """For each source, the line keys found in ``MIN_DOCUMENTS`` or more of its units:
        ``units`` maps a document to its story (a document in no story is its own unit), so
        lines that the versions of one story share are never counted as furniture."""
        out: dict[str, frozenset[str]] = {}
        for source in sorted(set(sources)):
            seen: dict[str, set[str]] = {}
            for key, doc in self.conn.execute(
                "SELECT key, id FROM line_keys WHERE source=?", (source,)
            ):
                seen.setdefault(str(key), set()).add(units.get(doc, doc))
            found = repeated((key, len(group)) for key, group in seen.items())
            if found:
                out[source] = found
        return out

    def applied_repeats(self) -> dict[str, frozenset[str]]:
        """The repeated lines per source that indexed documents were cleaned with."""
        out: dict[str, set[str]] = {}
        for source, key in self.conn.execute("SELECT source, key FROM applied_repeats"):
            out.setdefault(str(source), set()).add(str(key))
        return {source: frozenset(keys) for source, keys in out.items()}

    def replace_applied_repeats(self, current: Mapping[str, frozenset[str]]) -> None:
        with self.transaction() as tx:
            tx.execute("DELETE FROM applied_repeats")
            tx.executemany(
                "INSERT INTO applied_repeats VALUES (?,?)",
                [(source, key) for source, keys in sorted(current.items()) for key in sorted(keys)],
            )

    def documents_with_lines(self, source: str, keys: Iterable[str]) -> list[str]:
        """Ids of the source's documents that contain one of ``keys``."""
        wanted = sorted(keys)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM line_keys WHERE source=? AND key IN ({marks})",
                    (source, *part),
                )
            )
        return sorted(found)

    def reindex(self, ids: Sequence[str]) -> None:
        """Send indexed documents back to be cleaned, fingerprinted and matched again (their
        matches go; everything else is replaced when they are indexed)."""
        with self.transaction() as tx:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                marks = ",".join("?" * len(part))
                tx.execute(
                    f"DELETE FROM matches WHERE a IN ({marks}) OR b IN ({marks})", part + part
                )
            self.set_state(ids, "new", tx)
            tx.executemany("INSERT OR IGNORE INTO untraced VALUES (?)", [(i,) for i in ids])

    def document_ids(self, state: str | None = None) -> list[str]:
        if state is None:
            rows = self.conn.execute("SELECT id FROM documents ORDER BY id")
        else:
            rows = self.conn.execute("SELECT id FROM documents WHERE state=? ORDER BY id", (state,))
        return [r[0] for r in rows]

    def sources(self) -> list[str]:
        """Every outlet named in the documents' metadata (the corpus's own sources)."""
        rows = self.conn.execute(
            "SELECT DISTINCT source FROM documents WHERE source IS NOT NULL AND source != '' ORDER BY source"
        )
        return [r[0] for r in rows]

    def count_documents(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def documents(self, ids: Sequence[str] | None = None) -> list[Document]:
        sql = f"SELECT {', '.join(codec.DOCUMENT_FIELDS)} FROM documents"
        rows = self._select_in(sql, "id", ids, order="id")
        return [
            codec.document_from_row(dict(zip(codec.DOCUMENT_FIELDS, r, strict=True))) for r in rows
        ]

    def set_state(
        self, ids: Sequence[str], state: str, tx: sqlite3.Connection | None = None
    ) -> None:
        conn = tx or self.conn
        conn.executemany("UPDATE documents SET state=? WHERE id=?", [(state, i) for i in ids])

    # -- cleaning and signatures ----------------------------------------------------------
    def save_indexed(
        self,
        cleaned: Sequence[CleanDoc],
        signatures: Sequence[Signature],
        keys: npt.NDArray[np.int64],
        encoder: str | None = None,
    ) -> None:
        """Save clean docs, signatures and band keys of a batch, and mark it indexed, atomically.

        ``encoder`` names the encoder that made the signatures' embeddings. A store holds one
        encoder's document vectors: saving another's raises ``StoreError`` instead of mixing
        vectors from two spaces.
        """
        if encoder is not None and any(s.embedding is not None for s in signatures):
            self._claim_encoder(encoder, signatures)
        with self.transaction() as tx:
            tx.executemany(
                _insert("clean", codec.CLEAN_FIELDS),
                [_values(codec.clean_to_row(c), codec.CLEAN_FIELDS) for c in cleaned],
            )
            tx.executemany(
                _insert("signatures", codec.SIGNATURE_FIELDS),
                [_values(codec.signature_to_row(s), codec.SIGNATURE_FIELDS) for s in signatures],
            )
            ids = [s.id for s in signatures]
            tx.executemany(
                "INSERT OR REPLACE INTO bands VALUES (?,?)",
                [(doc, _keys_blob(row)) for doc, row in zip(ids, keys, strict=True)],
            )
            tx.executemany(
                "INSERT OR REPLACE INTO reuse_keys VALUES (?,?)",
                [(s.id, reuse_keys(s.shingles).tobytes()) for s in signatures],
            )
            self.set_state(ids, "indexed", tx)

    def clean_docs(self, ids: Sequence[str] | None = None) -> dict[str, CleanDoc]:
        sql = f"SELECT {', '.join(codec.CLEAN_FIELDS)} FROM clean"
        rows = self._select_in(sql, "id", ids)
        return {
            r[0]: codec.clean_from_row(dict(zip(codec.CLEAN_FIELDS, r, strict=True))) for r in rows
        }

    def signatures(self, ids: Sequence[str] | None = None) -> dict[str, Signature]:
        sql = f"SELECT {', '.join(codec.SIGNATURE_FIELDS)} FROM signatures"
        rows = self._select_in(sql, "id", ids)
        return {
            r[0]: codec.signature_from_row(dict(zip(codec.SIGNATURE_FIELDS, r, strict=True)))
            for r in rows
        }

    def _claim_encoder(self, encoder: str, signatures: Sequence[Signature]) -> None:
        dims = {int(s.embedding.shape[0]) for s in signatures if s.embedding is not None}
        claim = f"{encoder}/{max(dims)}"
        held = self.encoder()
        if held is None:
            with self.transaction() as tx:
                tx.execute("INSERT OR REPLACE INTO meta VALUES ('encoder', ?)", (claim,))
        elif held != claim or len(dims) > 1:
            raise StoreError(
                f"{self.path} holds document vectors of encoder {held!r}; vectors of {claim!r} "
                "would mix two embedding spaces (use a new --out directory for another encoder)"
            )

    def encoder(self) -> str | None:
        """``name/dimension`` of the encoder whose vectors the store holds (None: none yet)."""
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key='encoder'").fetchone()
        except sqlite3.OperationalError:  # a reader on a store that has no meta table yet
            return None
        return str(row[0]) if row else None

    def embedding_ids(self) -> list[str]:
        """Ids of every indexed document that has a document vector, sorted."""
        rows = self.conn.execute(
            "SELECT id FROM signatures WHERE embedding IS NOT NULL ORDER BY id"
        ).fetchall()
        return [r[0] for r in rows]

    def embeddings(
        self, ids: Sequence[str] | None = None
    ) -> tuple[list[str], npt.NDArray[np.float32]]:
        """Ids and document vectors of every indexed document that has one (of ``ids`` only,
        when given), sorted by id."""
        sql = "SELECT id, embedding FROM signatures"
        if ids is None:
            rows = self.conn.execute(f"{sql} WHERE embedding IS NOT NULL ORDER BY id").fetchall()
        else:
            rows = [r for r in self._select_in(sql, "id", ids, order="id") if r[1] is not None]
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    # -- vector cache: sentence vectors by (encoder, text hash) --------------------------------
    def cached_vectors(
        self, encoder: str, keys: Sequence[bytes]
    ) -> dict[bytes, npt.NDArray[np.float32]]:
        """The cached vectors of ``encoder`` for those of ``keys`` it has."""
        out: dict[bytes, npt.NDArray[np.float32]] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT key, vec FROM vectors WHERE encoder=? AND key IN ({marks})",
                [encoder, *chunk],
            )
            for key, vec in rows:
                out[bytes(key)] = np.frombuffer(vec, dtype=np.float32)
        return out

    def save_vectors(
        self, encoder: str, keys: Sequence[bytes], vecs: npt.NDArray[np.float32]
    ) -> None:
        """Cache ``encoder``'s vectors (one row of ``vecs`` per key)."""
        with self.transaction() as tx:
            tx.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [
                    (encoder, key, np.ascontiguousarray(row, dtype=np.float32).tobytes())
                    for key, row in zip(keys, vecs, strict=True)
                ],
            )

    def languages(self) -> dict[str, str]:
        """The detected language of every cleaned document, by id."""
        return dict(self.conn.execute("SELECT id, lang FROM clean").fetchall())

    def bands_state(self) -> str:
        """Changes whenever band keys are added or replaced (a replaced row gets a new
        rowid): what a derived index of the keys (``key_index``) is stamped with."""
        count, last = self.conn.execute("SELECT COUNT(*), MAX(rowid) FROM bands").fetchone()
        return f"{count}-{last or 0}"

    def band_keys(self) -> tuple[list[str], npt.NDArray[np.int64]]:
        """Every indexed document's id, sorted, and its LSH band keys (one row per id).

        One row per document, read whole: candidates are found by sorting each band's keys
        in memory (``candidates.banded_pairs``), which stays linear where a per-band SQLite
        index, written at random 64-bit keys, grew slower with every document."""
        rows = self.conn.execute("SELECT id, keys FROM bands").fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.int64)
        rows.sort(key=lambda r: r[0])
        width = len(rows[0][1]) // 8
        keys = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int64).reshape(-1, width)
        return [r[0] for r in rows], keys

    def reuse_keys(self, ids: Sequence[str]) -> list[npt.NDArray[np.uint64]]:
        """The reuse keys (``candidates.reuse_keys``) of ``ids``, in that order (empty for a
        document not indexed)."""
        found: dict[str, bytes] = {}
        if len(ids) > 2000:  # most of the store: one scan beats many look-ups
            found.update(self.conn.execute("SELECT id, keys FROM reuse_keys").fetchall())
            return [np.frombuffer(found.get(i, b""), dtype=np.uint64) for i in ids]
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            found.update(
                self.conn.execute(
                    f"SELECT id, keys FROM reuse_keys WHERE id IN ({marks})", part
                ).fetchall()
            )
        return [np.frombuffer(found.get(i, b""), dtype=np.uint64) for i in ids]

    # -- matches, stories, alignments, errors -------------------------------------------------
    def save_matches(self, matches: Sequence[Match], ids: Sequence[str]) -> None:
        """Save a batch's matches and mark its documents matched, atomically."""
        rows = [codec.match_to_plain(m) for m in matches]
        with self.transaction() as tx:
            tx.executemany(
                f"INSERT OR REPLACE INTO matches ({', '.join(_MATCH_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_MATCH_COLUMNS))})",
                [
                    tuple(json.dumps(r[k]) if k == "evidence" else r[k] for k in _MATCH_COLUMNS)
                    for r in rows
                ],
            )
            self.set_state(ids, "matched", tx)
            tx.executemany("INSERT OR IGNORE INTO untraced VALUES (?)", [(i,) for i in ids])

    def matches(self) -> list[Match]:
        rows = self.conn.execute(
            f"SELECT {', '.join(_MATCH_COLUMNS)} FROM matches ORDER BY a, b"
        ).fetchall()
        return [_match_from_row(r) for r in rows]

    def matches_among(self, ids: Collection[str]) -> list[Match]:
        """Every match whose two documents are both among ``ids``."""
        wanted = set(ids)
        rows = self._select_in(
            f"SELECT {', '.join(_MATCH_COLUMNS)} FROM matches", "a", sorted(wanted)
        )
        return sorted(
            (m for m in map(_match_from_row, rows) if m.b in wanted), key=lambda m: (m.a, m.b)
        )

    def linked_region(self, seeds: Iterable[str], limit: int | None = None) -> set[str] | None:
        """``seeds`` and every document linked to them by a chain of story relations
        (``stories.LINKING_RELATIONS``): a union of whole components of the link graph, so
        stories grouped over it equal those grouped over the whole store. None as soon as it
        holds more than ``limit`` documents (reading everything is then cheaper)."""
        region = set(seeds)
        frontier = sorted(region)
        linking = sorted(LINKING_RELATIONS)
        rel = ",".join("?" * len(linking))
        while frontier:
            found: set[str] = set()
            for start in range(0, len(frontier), 400):
                part = frontier[start : start + 400]
                marks = ",".join("?" * len(part))
                for a, b in self.conn.execute(
                    f"SELECT a, b FROM matches WHERE relation IN ({rel}) AND a IN ({marks})"
                    f" UNION ALL SELECT a, b FROM matches WHERE relation IN ({rel})"
                    f" AND b IN ({marks})",
                    [*linking, *part, *linking, *part],
                ):
                    found.add(a)
                    found.add(b)
            frontier = sorted(found - region)
            region.update(frontier)
            if limit is not None and len(region) > limit:
                return None
        return region

    # -- stories, read and written by id ------------------------------------------------------
    def save_stories(
        self,
        removed: Iterable[str],
        traced: Sequence[tuple[Story, Sequence[Alignment], Mapping[str, str]]],
        done: Sequence[str],
        sources: Sequence[str],
    ) -> None:
        """Replace stories, atomically: the stories ``removed`` go (with their members,
        alignments and kept pairwise results), each ``(story, alignments, memo)`` of
        ``traced`` comes in (``memo``: the pairwise results its trace used, ``trace_memo``),
        the documents ``done`` are no longer waiting to be traced, and ``sources`` are the
        outlets the stories were traced with. An interrupted write leaves the stories as
        they were, still to be traced."""
        with self.transaction() as tx:
            gone = sorted(set(removed))
            for start in range(0, len(gone), 500):
                part = gone[start : start + 500]
                marks = ",".join("?" * len(part))
                for table, column in _STORY_TABLES:
                    tx.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)
            for story, alignments, memo in traced:
                tx.execute(
                    "INSERT OR REPLACE INTO stories VALUES (?, ?)", (story.id, encode_story(story))
                )
                tx.executemany(
                    "INSERT OR REPLACE INTO alignments VALUES (?, ?, ?, ?)",
                    [(a.a, a.b, _encode_alignment(a), story.id) for a in alignments],
                )
                tx.executemany(
                    "INSERT OR REPLACE INTO trace_memo VALUES (?, ?, ?)",
                    [(key, story.id, value) for key, value in memo.items()],
                )
                self._index_story(tx, story)
            for start in range(0, len(done), 500):
                part = list(done[start : start + 500])
                marks = ",".join("?" * len(part))
                tx.execute(f"DELETE FROM untraced WHERE id IN ({marks})", part)
            tx.execute(
                "INSERT OR REPLACE INTO meta VALUES ('traced_sources', ?)",
                (json.dumps(list(sources)),),
            )

    def replace_stories(self, stories: Sequence[Story], alignments: Sequence[Alignment]) -> None:
        """Every story replaced by ``stories`` (with their ``alignments``)."""
        by_story = {m: s.id for s in stories for m in s.members}
        own: dict[str, list[Alignment]] = {}
        for a in alignments:
            own.setdefault(by_story.get(a.a, ""), []).append(a)
        self.save_stories(
            self.member_stories().values(),
            [(s, own.get(s.id, []), {}) for s in stories],
            self.untraced(),
            self.sources(),
        )

    def _index_story(self, tx: sqlite3.Connection, story: Story) -> None:
        """The listing row and member rows of ``story`` (see ``story_index``)."""
        members = self._member_info(tx, story.members)
        tx.executemany(
            "INSERT OR REPLACE INTO story_members VALUES (?, ?, ?)",
            [
                (
                    m,
                    story.id,
                    _dumps([codec.removal_to_plain(r) for r in story.removed[m]])
                    if story.removed.get(m)
                    else None,
                )
                for m in story.members
            ],
        )
        tx.execute(
            "INSERT OR REPLACE INTO story_index VALUES (?, ?, ?, ?)",
            (
                story.id,
                len(story.members),
                _dumps(story_summary(story, members)),
                search_text(story, members),
            ),
        )

    @staticmethod
    def _member_info(tx: sqlite3.Connection, ids: Sequence[str]) -> dict[str, MemberInfo]:
        out: dict[str, MemberInfo] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            rows = tx.execute(
                "SELECT d.id, d.title, d.source, d.published, COALESCE(d.lang, c.lang),"
                f" substr(d.text, 1, {HEAD_CHARS * 4}) FROM documents d"
                f" LEFT JOIN clean c ON c.id = d.id WHERE d.id IN ({marks})",
                part,
            )
            for r in rows:
                out[r[0]] = MemberInfo(
                    title=r[1], source=r[2], published=r[3], lang=r[4], head=r[5] or ""
                )
        return out

    def memo(self, keys: Sequence[str]) -> dict[str, str]:
        """The kept pairwise results (``trace_memo``) under those of ``keys`` there are."""
        rows = self._select_in("SELECT key, value FROM trace_memo", "key", keys)
        return {r[0]: r[1] for r in rows}

    def untraced(self) -> list[str]:
        """Documents whose stories must be traced again (new, re-cleaned or re-matched)."""
        return [r[0] for r in self.conn.execute("SELECT id FROM untraced ORDER BY id")]

    def traced_sources(self) -> list[str] | None:
        """The outlets the stored stories were traced with (None: none traced yet)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='traced_sources'").fetchone()
        return None if row is None else [str(s) for s in json.loads(row[0])]

    def stories(self) -> list[Story]:
        """Every story, by id (all in memory: ``iter_stories`` streams them)."""
        rows = self.conn.execute("SELECT body FROM stories ORDER BY id")
        return [decode_story(r[0]) for r in rows]

    def iter_stories(self) -> Iterator[Story]:
        """Every story, one at a time, largest first (then by id): the report's order."""
        rows = self._reader().execute(
            "SELECT s.body FROM story_index i JOIN stories s ON s.id = i.id"
            " ORDER BY i.size DESC, i.id"
        )
        for (body,) in rows:
            yield decode_story(body)

    def iter_story_bodies(self) -> Iterator[str]:
        """Every story as stored (its report.json form as JSON text: ``encode_story``), in
        ``iter_stories``' order: a report copies them without decoding them."""
        rows = self._reader().execute(
            "SELECT s.body FROM story_index i JOIN stories s ON s.id = i.id"
            " ORDER BY i.size DESC, i.id"
        )
        for (body,) in rows:
            yield str(body)

    def iter_alignment_bodies(self) -> Iterator[str]:
        """Every alignment as stored (its report.json form as JSON text), by parent, child."""
        rows = self._reader().execute("SELECT body FROM alignments ORDER BY parent, child")
        for (body,) in rows:
            yield str(body)

    def iter_related_matches(self) -> Iterator[Match]:
        """Every match that found a relation (not ``unrelated``), one at a time, by a, b."""
        rows = self._reader().execute(
            f"SELECT {', '.join(_MATCH_COLUMNS)} FROM matches"
            " WHERE relation != 'unrelated' ORDER BY a, b"
        )
        for r in rows:
            yield _match_from_row(r)

    def count_story_members(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM story_members").fetchone()[0])

    def count_related_matches(self) -> int:
        row = self.conn.execute("SELECT COUNT(*) FROM matches WHERE relation != 'unrelated'")
        return int(row.fetchone()[0])

    def story(self, story_id: str) -> Story | None:
        row = self.conn.execute("SELECT body FROM stories WHERE id=?", (story_id,)).fetchone()
        return None if row is None else decode_story(row[0])

    def count_stories(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM story_index").fetchone()[0])

    def story_listing(
        self, offset: int = 0, limit: int = 50, query: str = ""
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of story summaries (``story_index``), largest first, and how many stories
        there are (that match ``query``: a case-insensitive part of an id, headline or outlet)."""
        where, params = ("", []) if not query else ("WHERE instr(search, ?) > 0", [query.lower()])
        total = self.conn.execute(f"SELECT COUNT(*) FROM story_index {where}", params).fetchone()
        rows = self.conn.execute(
            f"SELECT summary FROM story_index {where} ORDER BY size DESC, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [json.loads(r[0]) for r in rows], int(total[0])

    def lone_documents(
        self, offset: int = 0, limit: int = 50, query: str = ""
    ) -> tuple[list[Document], bool]:
        """A page of the documents in no story, by publication time (unknown last), and
        whether more follow; ``query``: a case-insensitive part of the id, title or outlet."""
        sql = (
            "SELECT id FROM documents d WHERE NOT EXISTS"
            " (SELECT 1 FROM story_members m WHERE m.member = d.id)"
        )
        params: list[Any] = []
        if query:
            sql += (
                " AND (instr(lower(d.id), ?) > 0 OR instr(lower(coalesce(d.title, '')), ?) > 0"
                " OR instr(lower(coalesce(d.source, '')), ?) > 0)"
            )
            params = [query.lower()] * 3
        sql += " ORDER BY d.published IS NULL, d.published, d.id LIMIT ? OFFSET ?"
        ids = [r[0] for r in self.conn.execute(sql, [*params, limit + 1, offset])]
        found = {d.id: d for d in self.documents(ids[:limit])}
        return [found[i] for i in ids[:limit]], len(ids) > limit

    def story_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The story of each of ``ids`` that is in one."""
        rows = self._select_in("SELECT member, story FROM story_members", "member", ids)
        return {r[0]: r[1] for r in rows}

    def members_of(self, story_ids: Sequence[str]) -> dict[str, list[str]]:
        """The members of each of ``story_ids``, sorted."""
        out: dict[str, list[str]] = {}
        for member, story in self._select_in(
            "SELECT member, story FROM story_members", "story", story_ids
        ):
            out.setdefault(story, []).append(member)
        return {s: sorted(m) for s, m in out.items()}

    def member_stories(self) -> dict[str, str]:
        """Every document in a story, with its story's id."""
        return dict(self.conn.execute("SELECT member, story FROM story_members").fetchall())

    def member_texts(self) -> Iterator[tuple[str, str]]:
        """``(story, cleaned text)`` of every document in a story, one at a time."""
        rows = self._reader().execute(
            "SELECT m.story, c.text FROM story_members m JOIN clean c ON c.id = m.member"
        )
        yield from rows

    def story_removed(self, ids: Sequence[str]) -> dict[str, tuple[Removal, ...]]:
        """What each document's story removed from it (``story_clean``), for ``ids``."""
        rows = self._select_in("SELECT member, removed FROM story_members", "member", ids)
        return {
            r[0]: tuple(codec.removal_from_plain(x) for x in json.loads(r[1])) for r in rows if r[1]
        }

    def alignment(self, parent: str, child: str) -> Alignment | None:
        row = self.conn.execute(
            "SELECT body FROM alignments WHERE parent=? AND child=?", (parent, child)
        ).fetchone()
        return None if row is None else codec.alignment_from_plain(json.loads(row[0]))

    def alignments(self) -> list[Alignment]:
        rows = self.conn.execute("SELECT body FROM alignments ORDER BY parent, child")
        return [codec.alignment_from_plain(json.loads(r[0])) for r in rows]

    def _reader(self) -> sqlite3.Connection:
        """A connection of its own for a long read, so that the store's connection stays
        free for the look-ups made while it streams."""
        if self._stream is None:
            self._stream = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        return self._stream

    def add_errors(self, run: int, errors: Iterable[IngestError]) -> None:
        with self.transaction() as tx:
            tx.executemany(
                "INSERT INTO errors VALUES (?, ?, ?)", [(run, e.input, e.reason) for e in errors]
            )

    def errors(self) -> list[IngestError]:
        """Every input skipped so far, once each (re-running the same inputs adds no repeats)."""
        rows = self.conn.execute(
            "SELECT input, reason FROM errors GROUP BY input, reason ORDER BY MIN(run), MIN(rowid)"
        )
        return [IngestError(r[0], r[1]) for r in rows]

    def unfinished_inputs(self) -> list[list[str]] | None:
        """The inputs of every run, when no run has finished (the store holds only what
        interrupted runs left, which ``discard_contents`` may drop to do the work again);
        None once any run has finished."""
        rows = self.conn.execute("SELECT finished, inputs FROM runs").fetchall()
        if any(r[0] is not None for r in rows):
            return None
        return [json.loads(r[1]) for r in rows]

    def discard_contents(self) -> None:
        """Empty every table but the configuration and the runs (whose history stays), in one
        transaction; derived indexes beside the store go too (their stamps could match the
        refilled tables)."""
        tables = (
            "documents", "clean", "signatures", "bands", "reuse_keys", "matches", "stories",
            "alignments", "errors", "line_keys", "applied_repeats", "vectors",
        )  # fmt: skip
        with self.transaction() as tx:
            for table in tables:
                tx.execute(f"DELETE FROM {table}")
        for suffix in (".ann", ".keys"):
            shutil.rmtree(self.path.with_name(self.path.name + suffix), ignore_errors=True)

    def _select_in(
        self, sql: str, column: str, ids: Sequence[str] | None, order: str | None = None
    ) -> list[tuple[Any, ...]]:
        if ids is None:
            suffix = f" ORDER BY {order}" if order else ""
            return self.conn.execute(sql + suffix).fetchall()
        rows: list[tuple[Any, ...]] = []
        id_list = list(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows.extend(self.conn.execute(f"{sql} WHERE {column} IN ({marks})", chunk).fetchall())
        if order:
            rows.sort(key=lambda r: r[0])
        return rows


_STORY_TABLES = (
    ("stories", "id"),
    ("story_index", "id"),
    ("story_members", "story"),
    ("alignments", "story"),
    ("trace_memo", "story"),
)
"""Where a story's rows are, by the column that holds its id."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def encode_story(story: Story) -> str:
    """A story as stored: its report.json form (``codec.story_to_plain``) as JSON."""
    return _dumps(codec.story_to_plain(story))


def decode_story(body: str) -> Story:
    """A stored story (the twin of ``encode_story``)."""
    return codec.story_from_plain(json.loads(body))


def _encode_alignment(a: Alignment) -> str:
    return _dumps(codec.alignment_to_plain(a))


def _match_from_row(r: Sequence[Any]) -> Match:
    return codec.match_from_plain(
        {
            k: json.loads(v or "[]") if k == "evidence" else v
            for k, v in zip(_MATCH_COLUMNS, r, strict=True)
        }
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
