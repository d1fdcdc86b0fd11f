"""One codec per record: its plain form (JSON values) and back.

The store (SQLite rows and JSON bodies), the Arrow/Parquet outputs of the Spark executor
and report.json all write a record through the same ``*_to_plain``/``*_to_row`` function
and read it through the same ``*_from_plain``/``*_from_row``, so they can never disagree on
a field. Plain forms are report.json's documented shapes (README, "report.json"): spans as
``[start, end]``, an alignment's sides named ``parent`` and ``child``. Rows
(``StoredRow``) are the bulky records' forms in SQLite and Parquet alike: documents, clean
documents and signatures, arrays as binary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeAlias, cast

import numpy as np
import numpy.typing as npt

from storytrace.config import Config
from storytrace.records import (
    AlignedSentence,
    Alignment,
    Attribution,
    Change,
    ChangeKind,
    CleanDoc,
    Degree,
    Document,
    FoundBy,
    IngestError,
    LineageEdge,
    LineageRelation,
    Match,
    OffsetRun,
    Passage,
    PassageKind,
    Relation,
    Removal,
    Report,
    ReportDocument,
    Signature,
    Span,
    Story,
    UndirectedLink,
)

Plain: TypeAlias = "bool | int | float | str | list[Plain] | dict[str, Plain] | None"
"""A JSON value."""
Row: TypeAlias = "dict[str, Plain]"
"""A record's plain form: a JSON object."""


# -- reading plain values, checked ----------------------------------------------------------------
def _str(value: Plain) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _float(value: Plain) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _int(value: Plain) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def _list(value: Plain) -> list[Plain]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {value!r}")
    return value


def _row(value: Plain) -> Row:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {value!r}")
    return value


def _strs(value: Plain) -> tuple[str, ...]:
    return tuple(_str(v) for v in _list(value))


def span_to_plain(span: Span | None) -> list[Plain] | None:
    return None if span is None else [span.start, span.end]


def span_from_plain(value: Plain) -> Span | None:
    if value is None:
        return None
    start, end = _list(value)
    return Span(_int(start), _int(end))


def _span(value: Plain) -> Span:
    span = span_from_plain(value)
    if span is None:
        raise ValueError("expected a span, got null")
    return span


# -- stored rows: documents, clean documents, signatures -------------------------------------------
Cell: TypeAlias = "str | int | float | bytes | None"
"""One value of a stored row: SQLite's types, Arrow's string/integer/binary columns."""
StoredRow: TypeAlias = "dict[str, Cell]"
"""A record's row in the store and in Parquet: JSON text for small structures, arrays as
little-endian binary (spans as int64 pairs, offset runs as int64 triples, vectors as
float32 rows)."""

DOCUMENT_FIELDS = (
    "id",
    "doc_id",
    "input",
    "url",
    "source",
    "published",
    "title",
    "lang",
    "meta",
    "text",
)
CLEAN_FIELDS = ("id", "text", "lang", "raw_length", "removed", "runs", "sentences", "paragraphs")
SIGNATURE_FIELDS = ("id", "shingles", "minhash", "embedding", "sentence_embeddings", "dim")


def _cell_str(value: Cell) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _cell_opt(value: Cell) -> str | None:
    return None if value is None else _cell_str(value)


def _cell_bytes(value: Cell) -> bytes:
    if not isinstance(value, bytes):
        raise ValueError(f"expected bytes, got {type(value).__name__}")
    return value


def _spans_blob(spans: Sequence[Span]) -> bytes:
    return np.array([(s.start, s.end) for s in spans], dtype=np.int64).reshape(-1, 2).tobytes()


def _spans_from(blob: Cell) -> tuple[Span, ...]:
    arr = np.frombuffer(_cell_bytes(blob), dtype=np.int64).reshape(-1, 2)
    return tuple(Span(int(a), int(b)) for a, b in arr.tolist())


def _blob(arr: npt.NDArray[Any] | None) -> bytes | None:
    return None if arr is None else np.ascontiguousarray(arr).tobytes()


def document_to_row(d: Document) -> StoredRow:
    return {
        "id": d.id,
        "doc_id": d.doc_id,
        "input": d.input,
        "url": d.url,
        "source": d.source,
        "published": d.published.isoformat() if d.published else None,
        "title": d.title,
        "lang": d.lang,
        "meta": json.dumps(dict(d.meta), ensure_ascii=False),
        "text": d.text,
    }


def document_from_row(row: Mapping[str, Cell]) -> Document:
    published = _cell_opt(row["published"])
    return Document(
        id=_cell_str(row["id"]),
        doc_id=_cell_str(row["doc_id"]),
        text=_cell_str(row["text"]),
        input=_cell_str(row["input"]),
        url=_cell_opt(row["url"]),
        source=_cell_opt(row["source"]),
        published=datetime.fromisoformat(published) if published else None,
        title=_cell_opt(row["title"]),
        lang=_cell_opt(row["lang"]),
        meta=json.loads(_cell_str(row["meta"])),
    )


def clean_to_row(c: CleanDoc) -> StoredRow:
    return {
        "id": c.id,
        "text": c.text,
        "lang": c.lang,
        "raw_length": c.raw_length,
        "removed": json.dumps([[r.start, r.end, r.reason] for r in c.removed]),
        "runs": np.array([(r.clean, r.raw, r.length) for r in c.runs], dtype=np.int64).tobytes(),
        "sentences": _spans_blob(c.sentences),
        "paragraphs": _spans_blob(c.paragraphs),
    }


def clean_from_row(row: Mapping[str, Cell]) -> CleanDoc:
    runs = np.frombuffer(_cell_bytes(row["runs"]), dtype=np.int64).reshape(-1, 3).tolist()
    raw_length = row["raw_length"]
    if not isinstance(raw_length, int):
        raise ValueError(f"raw_length: expected an integer, got {raw_length!r}")
    return CleanDoc(
        id=_cell_str(row["id"]),
        text=_cell_str(row["text"]),
        lang=_cell_str(row["lang"]),
        raw_length=raw_length,
        removed=tuple(
            Removal(int(a), int(b), str(c)) for a, b, c in json.loads(_cell_str(row["removed"]))
        ),
        runs=tuple(OffsetRun(a, b, c) for a, b, c in runs),
        sentences=_spans_from(row["sentences"]),
        paragraphs=_spans_from(row["paragraphs"]),
    )


def signature_to_row(s: Signature) -> StoredRow:
    return {
        "id": s.id,
        "shingles": _blob(s.shingles),
        "minhash": _blob(s.minhash),
        "embedding": _blob(s.embedding),
        "sentence_embeddings": _blob(s.sentence_embeddings),
        "dim": None if s.embedding is None else int(s.embedding.shape[0]),
    }


def signature_from_row(row: Mapping[str, Cell]) -> Signature:
    emb, sents, dim = row["embedding"], row["sentence_embeddings"], row["dim"]
    return Signature(
        id=_cell_str(row["id"]),
        shingles=np.frombuffer(_cell_bytes(row["shingles"]), dtype=np.uint64),
        minhash=np.frombuffer(_cell_bytes(row["minhash"]), dtype=np.uint32),
        embedding=None if emb is None else np.frombuffer(_cell_bytes(emb), dtype=np.float32),
        sentence_embeddings=None
        if sents is None or not isinstance(dim, int)
        else np.frombuffer(_cell_bytes(sents), dtype=np.float32).reshape(-1, dim),
    )


# -- matches ------------------------------------------------------------------------------------
MATCH_FIELDS = (
    "a",
    "b",
    "relation",
    "jaccard",
    "containment_ab",
    "containment_ba",
    "semantic",
    "coverage_ab",
    "coverage_ba",
    "found_by",
    "evidence",
)
"""A match's plain keys, in the order of report.json."""


def match_to_plain(m: Match) -> Row:
    return {
        "a": m.a,
        "b": m.b,
        "relation": m.relation,
        "jaccard": m.jaccard,
        "containment_ab": m.containment_ab,
        "containment_ba": m.containment_ba,
        "semantic": m.semantic,
        "coverage_ab": m.coverage_ab,
        "coverage_ba": m.coverage_ba,
        "found_by": m.found_by or "",
        "evidence": list(m.evidence),
    }


def match_from_plain(row: Mapping[str, Plain]) -> Match:
    found_by = row.get("found_by") or None
    return Match(
        a=_str(row["a"]),
        b=_str(row["b"]),
        relation=cast(Relation, _str(row["relation"])),
        jaccard=_float(row["jaccard"]),
        containment_ab=_float(row["containment_ab"]),
        containment_ba=_float(row["containment_ba"]),
        semantic=_float(row["semantic"]),
        coverage_ab=_float(row["coverage_ab"]),
        coverage_ba=_float(row["coverage_ba"]),
        evidence=_strs(row.get("evidence")),
        found_by=None if found_by is None else cast(FoundBy, _str(found_by)),
    )


# -- alignments ---------------------------------------------------------------------------------
def alignment_to_plain(a: Alignment) -> Row:
    """``a`` is the parent, ``b`` the child."""
    return {
        "parent": a.a,
        "child": a.b,
        "coverage_parent": a.coverage_a,
        "coverage_child": a.coverage_b,
        "sentences": [
            {"parent": span_to_plain(s.a), "child": span_to_plain(s.b), "score": s.score}
            for s in a.sentences
        ],
        "passages": [
            {
                "parent": span_to_plain(p.a),
                "child": span_to_plain(p.b),
                "kind": p.kind,
                "score": p.score,
            }
            for p in a.passages
        ],
    }


def alignment_from_plain(row: Mapping[str, Plain]) -> Alignment:
    return Alignment(
        a=_str(row["parent"]),
        b=_str(row["child"]),
        passages=tuple(
            Passage(
                _span(p["parent"]),
                _span(p["child"]),
                cast(PassageKind, _str(p["kind"])),
                _float(p["score"]),
            )
            for p in map(_row, _list(row.get("passages")))
        ),
        coverage_a=_float(row["coverage_parent"]),
        coverage_b=_float(row["coverage_child"]),
        sentences=tuple(
            AlignedSentence(_span(s["parent"]), _span(s["child"]), _float(s["score"]))
            for s in map(_row, _list(row.get("sentences")))
        ),
    )


# -- stories, their edges and changes -----------------------------------------------------------
def change_to_plain(c: Change) -> Row:
    return {
        "kind": c.kind,
        "parent_span": span_to_plain(c.parent_span),
        "child_span": span_to_plain(c.child_span),
        "before": c.before,
        "after": c.after,
        "note": c.note,
    }


def change_from_plain(row: Mapping[str, Plain]) -> Change:
    return Change(
        kind=cast(ChangeKind, _str(row["kind"])),
        parent_span=span_from_plain(row.get("parent_span")),
        child_span=span_from_plain(row.get("child_span")),
        before=_str(row.get("before", "")),
        after=_str(row.get("after", "")),
        note=_str(row.get("note", "")),
    )


def edge_to_plain(e: LineageEdge) -> Row:
    return {
        "parent": e.parent,
        "child": e.child,
        "relation": e.relation,
        "confidence": e.confidence,
        "reuse": e.reuse,
        "degree": e.degree,
        "method": e.method,
        "credited": list(e.credited),
        "directed": e.directed,
        "evidence": list(e.evidence),
        "changes": [change_to_plain(c) for c in e.changes],
    }


def edge_from_plain(row: Mapping[str, Plain]) -> LineageEdge:
    directed = row.get("directed", True)
    return LineageEdge(
        parent=_str(row["parent"]),
        child=_str(row["child"]),
        relation=cast(LineageRelation, _str(row["relation"])),
        confidence=_float(row["confidence"]),
        evidence=_strs(row.get("evidence")),
        changes=tuple(change_from_plain(_row(c)) for c in _list(row.get("changes"))),
        reuse=_float(row.get("reuse", 0.0)),
        degree=cast(Degree, _str(row.get("degree", "partially"))),
        method=_str(row.get("method", "lexical")),
        credited=_strs(row.get("credited")),
        directed=bool(directed),
    )


def removal_to_plain(r: Removal) -> Row:
    return {"start": r.start, "end": r.end, "reason": r.reason}


def removal_from_plain(row: Mapping[str, Plain]) -> Removal:
    return Removal(_int(row["start"]), _int(row["end"]), _str(row["reason"]))


def story_to_plain(s: Story) -> Row:
    return {
        "id": s.id,
        "members": list(s.members),
        "origins": list(s.origins),
        "edges": [edge_to_plain(e) for e in s.edges],
        "undirected": [
            {
                "a": u.a,
                "b": u.b,
                "reuse_a": u.reuse_a,
                "reuse_b": u.reuse_b,
                "evidence": list(u.evidence),
            }
            for u in s.undirected
        ],
        "independent": list(s.independent),
        "removed": {m: [removal_to_plain(r) for r in rs] for m, rs in s.removed.items()},
        "attributions": {
            m: [
                {"outlet": a.outlet, "start": a.span.start, "end": a.span.end, "cue": a.cue}
                for a in attributions
            ]
            for m, attributions in s.attributions.items()
        },
    }


def story_from_plain(row: Mapping[str, Plain]) -> Story:
    return Story(
        id=_str(row["id"]),
        members=_strs(row["members"]),
        origins=_strs(row.get("origins")),
        edges=tuple(edge_from_plain(_row(e)) for e in _list(row.get("edges"))),
        undirected=tuple(
            UndirectedLink(
                _str(u["a"]),
                _str(u["b"]),
                _float(u["reuse_a"]),
                _float(u["reuse_b"]),
                _strs(u.get("evidence")),
            )
            for u in map(_row, _list(row.get("undirected")))
        ),
        independent=_strs(row.get("independent")),
        removed={
            m: tuple(removal_from_plain(_row(r)) for r in _list(rs))
            for m, rs in _row(row.get("removed") or {}).items()
        },
        attributions={
            m: tuple(
                Attribution(
                    _str(a["outlet"]), Span(_int(a["start"]), _int(a["end"])), _str(a["cue"])
                )
                for a in map(_row, _list(attributions))
            )
            for m, attributions in _row(row.get("attributions") or {}).items()
        },
    )


# -- the report -----------------------------------------------------------------------------------
REPORT_VERSION = 1


def _opt_str(value: Plain) -> str | None:
    return None if value is None else _str(value)


def document_to_plain(d: ReportDocument) -> Row:
    return {
        "id": d.id,
        "doc_id": d.doc_id,
        "source": d.source,
        "url": d.url,
        "published": d.published.isoformat() if d.published else None,
        "lang": d.lang,
        "title": d.title,
        "input": d.input,
        "removed": [removal_to_plain(r) for r in d.removed],
    }


def document_from_plain(row: Mapping[str, Plain]) -> ReportDocument:
    published = _opt_str(row.get("published"))
    return ReportDocument(
        id=_str(row["id"]),
        doc_id=_str(row["doc_id"]),
        input=_str(row.get("input", "")),
        source=_opt_str(row.get("source")),
        url=_opt_str(row.get("url")),
        published=datetime.fromisoformat(published) if published else None,
        lang=_opt_str(row.get("lang")),
        title=_opt_str(row.get("title")),
        removed=tuple(removal_from_plain(_row(r)) for r in _list(row.get("removed"))),
    )


def report_to_plain(report: Report) -> Row:
    """report.json: the documented contract (version 1)."""
    in_story = {m for s in report.stories for m in s.members}
    config: Row = json.loads(report.config.to_json())
    return {
        "version": REPORT_VERSION,
        "generated": report.generated,
        "summary": {
            "documents": len(report.documents),
            "stories": len(report.stories),
            "documents_in_stories": len(in_story),
            "matches": len(report.matches),
            "errors": len(report.errors),
        },
        "config": {**config, "lsh": report.lsh},
        "documents": [document_to_plain(d) for d in report.documents],
        "stories": [story_to_plain(s) for s in report.stories],
        "matches": [match_to_plain(m) for m in report.matches],
        "alignments": [alignment_to_plain(a) for a in report.alignments],
        "errors": [{"input": e.input, "reason": e.reason} for e in report.errors],
    }


def report_from_plain(row: Mapping[str, Plain]) -> Report:
    """A report.json read back (keys beyond the contract are ignored)."""
    config = dict(_row(row.get("config") or {}))
    lsh = config.pop("lsh", "")
    return Report(
        generated=_str(row.get("generated", "")),
        config=Config.from_json(json.dumps(config)),
        lsh=_str(lsh),
        documents=tuple(document_from_plain(_row(d)) for d in _list(row.get("documents"))),
        stories=tuple(story_from_plain(_row(s)) for s in _list(row.get("stories"))),
        matches=tuple(match_from_plain(_row(m)) for m in _list(row.get("matches"))),
        alignments=tuple(alignment_from_plain(_row(a)) for a in _list(row.get("alignments"))),
        errors=tuple(
            IngestError(_str(e["input"]), _str(e["reason"]))
            for e in map(_row, _list(row.get("errors")))
        ),
    )
