"""report.json: the documented contract (version 1), built from the store.

Required keys (``version``, ``documents``, ``stories``, ``matches``, ``errors``) keep the
shape given in the design; additional keys (``summary``, ``config``, ``alignments``) only
add information.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from storytrace import codec
from storytrace.candidates import lsh_params
from storytrace.codec import Plain, Row
from storytrace.config import Config
from storytrace.records import CleanDoc, Document, Removal, Report, ReportDocument
from storytrace.store import Store

REPORT_VERSION = codec.REPORT_VERSION


def document_entry(
    doc: Document, cleaned: CleanDoc | None, story_removed: Sequence[Removal] = ()
) -> ReportDocument:
    """A document as the report lists it: its fields, its language (given, else detected)
    and every removal (its own cleaning's and its story's, ``story_clean``) by position."""
    return ReportDocument(
        id=doc.id,
        doc_id=doc.doc_id,
        input=doc.input,
        source=doc.source,
        url=doc.url,
        published=doc.published,
        lang=doc.lang or (cleaned.lang if cleaned else None),
        title=doc.title,
        removed=tuple(
            sorted(
                [*(cleaned.removed if cleaned else ()), *story_removed],
                key=lambda r: (r.start, r.end),
            )
        ),
    )


def document_entries(store: Store, ids: Sequence[str]) -> dict[str, ReportDocument]:
    """``document_entry`` of each of ``ids`` that is stored, read by id."""
    cleaned = store.clean_docs(ids)
    removed = store.story_removed(ids)
    return {
        d.id: document_entry(d, cleaned.get(d.id), removed.get(d.id, ()))
        for d in store.documents(ids)
    }


def build_report(store: Store) -> Report:
    """The report of everything in ``store`` (``codec.report_to_plain`` gives report.json)."""
    docs = store.documents()
    cleaned = store.clean_docs()
    stories = store.stories()
    config = store.config() or Config()
    # Removals a story made on its members (story_clean) join each document's own.
    by_story: dict[str, list[Removal]] = {}
    for s in stories:
        for member, removed in s.removed.items():
            by_story.setdefault(member, []).extend(removed)
    documents = [document_entry(d, cleaned.get(d.id), by_story.get(d.id, ())) for d in docs]
    return Report(
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        config=config,
        lsh=lsh_params(config.lsh_threshold, config.num_perm).describe(),
        documents=tuple(documents),
        stories=tuple(sorted(stories, key=lambda s: (-len(s.members), s.id))),
        matches=tuple(m for m in store.matches() if m.relation != "unrelated"),
        alignments=tuple(store.alignments()),
        errors=tuple(store.errors()),
    )


def report_head(store: Store) -> Row:
    """report.json's small keys, in its order: version, time, summary counts, settings."""
    config = store.config() or Config()
    settings: Row = json.loads(config.to_json())
    return {
        "version": REPORT_VERSION,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "summary": {
            "documents": store.count_documents(),
            "stories": store.count_stories(),
            "documents_in_stories": store.count_story_members(),
            "matches": store.count_related_matches(),
            "errors": len(store.errors()),
        },
        "config": {**settings, "lsh": lsh_params(config.lsh_threshold, config.num_perm).describe()},
    }


def _documents_json(store: Store, chunk: int = 500) -> Iterator[str]:
    ids = store.document_ids()
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        entries = document_entries(store, part)
        for doc in part:
            yield json.dumps(codec.document_to_plain(entries[doc]), ensure_ascii=False)


def _sections(store: Store) -> Iterator[tuple[str, Iterator[str]]]:
    """report.json's lists, in order, each record as its JSON text, streamed from the
    store (stories and alignments copied as stored: their stored form is their report form)."""
    yield "documents", _documents_json(store)
    yield "stories", store.iter_story_bodies()
    yield (
        "matches",
        (
            json.dumps(codec.match_to_plain(m), ensure_ascii=False)
            for m in store.iter_related_matches()
        ),
    )
    yield "alignments", store.iter_alignment_bodies()
    yield (
        "errors",
        (
            json.dumps({"input": e.input, "reason": e.reason}, ensure_ascii=False)
            for e in store.errors()
        ),
    )


def write_report_json(store: Store, path: Path) -> None:
    """report.json streamed from the store one record at a time (atomically: a temporary
    file renamed), so memory does not grow with the number of documents or stories; the
    text is ``dumps_report``'s of the same report."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for key, value in report_head(store).items():
            out.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        sections = list(_sections(store))
        for number, (key, items) in enumerate(sections):
            comma = "," if number < len(sections) - 1 else ""
            name = json.dumps(key)
            first = next(items, None)
            if first is None:
                out.write(f" {name}: []{comma}\n")
                continue
            out.write(f" {name}: [\n  {first}")
            for item in items:
                out.write(",\n  " + item)
            out.write(f"\n ]{comma}\n")
        out.write("}\n")
    os.replace(tmp, path)


def write_report_html(store: Store, path: Path) -> None:
    """report.html from the store: the largest ``HTML_STORIES`` stories with their members
    and alignments, the first ``HTML_DOCUMENTS`` documents and ``HTML_MATCHES`` matches,
    read by id (``html_report.render_html`` with the store's totals for its notes)."""
    from storytrace.report.html_report import (
        HTML_DOCUMENTS,
        HTML_MATCHES,
        HTML_STORIES,
        render_html,
    )

    stories = list(itertools.islice(store.iter_stories(), HTML_STORIES))
    first = store.document_ids()[:HTML_DOCUMENTS]
    members = sorted({m for s in stories for m in s.members} | set(first))
    entries = document_entries(store, members)
    texts = {d.id: d.text for d in store.documents(members)}
    alignments = [a for s in stories for e in s.edges if (a := store.alignment(e.parent, e.child))]
    head = report_head(store)
    config = store.config() or Config()
    part = Report(
        generated=str(head["generated"]),
        config=config,
        lsh=lsh_params(config.lsh_threshold, config.num_perm).describe(),
        documents=tuple(entries[d] for d in members),
        stories=tuple(stories),
        matches=tuple(itertools.islice(store.iter_related_matches(), HTML_MATCHES)),
        alignments=tuple(alignments),
        errors=tuple(store.errors()),
    )
    summary = head["summary"]
    assert isinstance(summary, dict)
    page = render_html(
        part,
        texts,
        shown_documents=[entries[d] for d in first],
        totals={k: int(v) for k, v in summary.items() if isinstance(v, int)},
    )
    _atomic_write(path, page)


def write_reports(store: Store, out_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``out_dir`` (each atomically, each
    read from the store as it is written) and return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "report.json"
    html_path = out / "report.html"
    write_report_json(store, json_path)
    write_report_html(store, html_path)
    return json_path, html_path


def dumps_report(report: Mapping[str, Plain]) -> str:
    """report.json's text: one top-level key a line, and each record of a top-level list
    (a document, a story, a match) on a line of its own, so the file reads and greps like
    JSONL. Each line is written by json's C encoder; ``indent`` would send the whole report
    through the pure-Python one, 3x slower (0.30 against 0.10 s on WMT21's 715 versions,
    the last serial step of a run)."""
    lines = ["{"]
    last = len(report) - 1
    for k, (key, value) in enumerate(report.items()):
        comma = "," if k < last else ""
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, list) and value:
            rows = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            lines.append(f" {name}: [\n  {rows}\n ]{comma}")
        else:
            lines.append(f" {name}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
