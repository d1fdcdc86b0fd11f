"""``storytrace serve``: a small local web app over a store (Starlette + Jinja2 templates).

Pages: stories (searchable), one story (derivation graph, versions, edges), one document
(clean text with removed junk greyed), compare two documents side by side, "where else has
this text appeared?" (paste or upload), and adding documents by upload with progress.

Safety: document text is untrusted and always escaped (Jinja2 autoescape, and the report
renderer escapes what it marks up); uploads are size-limited and type-checked and saved
under the store's own ``uploads/`` folder with sanitised names; no request parameter is ever
used as a file path. The app only reads the store, except for uploads, which run
``analyze`` in a background thread (the store's single-writer lock applies).
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from storytrace.align import align_sentences, passages_from_pairs
from storytrace.config import Config
from storytrace.errors import StorytraceError
from storytrace.ingest import SUPPORTED_SUFFIXES
from storytrace.report import build_report
from storytrace.report.graph import render_dag
from storytrace.report.html_report import CSS, JS, markup, removed_marks, side_by_side, story_title
from storytrace.store import Store

MAX_UPLOAD_BYTES = 5_000_000
MAX_UPLOAD_FILES = 20
MAX_QUERY_CHARS = 200_000
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Job:
    """An upload being analysed in the background."""

    id: str
    files: list[str]
    state: str = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    stage: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "files": self.files,
        }


class _JobProgress:
    """Feeds pipeline progress into a ``Job`` for the progress bar in the page."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def task(self, description: str, total: int | None) -> Any:
        job = self.job

        class _Task:
            def __enter__(self) -> _Task:
                with job.lock:
                    job.stage, job.done, job.total = description, 0, total or 0
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def advance(self, n: int = 1) -> None:
                with job.lock:
                    job.done += n

        return _Task()


class Site:
    """The app's state: the store path, a cached report, and upload jobs."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.out_dir = db_path.parent
        self.env = Environment(
            loader=PackageLoader("storytrace.web", "templates"),
            autoescape=select_autoescape(["html"]),
        )
        self.jobs: dict[str, Job] = {}
        self._cache: tuple[float, dict[str, Any], dict[str, str]] | None = None
        self._cache_lock = threading.Lock()

    # -- data ------------------------------------------------------------------------------
    def report(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The report and raw texts, rebuilt when the store file changed."""
        stamp = max(
            (
                p.stat().st_mtime
                for p in (self.db_path, Path(str(self.db_path) + "-wal"))
                if p.exists()
            ),
            default=0.0,
        )
        with self._cache_lock:
            if self._cache is None or self._cache[0] != stamp:
                with Store(self.db_path) as store:
                    report = build_report(store)
                    texts = {d.id: d.text for d in store.documents()}
                self._cache = (stamp, report, texts)
            return self._cache[1], self._cache[2]

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        page = self.env.get_template(template).render(css=Markup(CSS), js=Markup(JS), **context)
        return HTMLResponse(page, status_code=status)


def _story_summary(
    story: dict[str, Any], docs: dict[str, dict[str, Any]], texts: dict[str, str]
) -> dict[str, Any]:
    members = [docs[m] for m in story["members"] if m in docs]
    times = sorted(d["published"] for d in members if d.get("published"))
    origin = story["origins"][0] if story["origins"] else story["members"][0]
    title = story_title(docs[origin], texts.get(origin, ""))
    return {
        "id": story["id"],
        "title": title,
        "size": len(story["members"]),
        "languages": sorted({d.get("lang") or "und" for d in members}),
        "span": (times[0][:16], times[-1][:16]) if times else None,
        "origin": origin,
        "origin_source": docs[origin].get("source"),
    }


def create_app(db_path: str | Path) -> Starlette:
    """The web app for the store at ``db_path`` (a storytrace.db or the folder holding it)."""
    path = Path(db_path)
    if path.is_dir():
        path = path / "storytrace.db"
    with Store(path):  # fail early, with the store's own message, if it is not usable
        pass
    site = Site(path)

    async def stories(request: Request) -> Response:
        report, texts = site.report()
        docs = {d["id"]: d for d in report["documents"]}
        q = (request.query_params.get("q") or "").strip()
        rows = [_story_summary(s, docs, texts) for s in report["stories"]]
        if q:
            needle = q.lower()
            rows = [
                r
                for r, s in zip(rows, report["stories"], strict=True)
                if needle in r["title"].lower()
                or any(
                    needle in m.lower() or needle in texts.get(m, "").lower() for m in s["members"]
                )
            ]
        return site.render("stories.html", rows=rows, q=q, summary=report["summary"])

    async def story(request: Request) -> Response:
        report, texts = site.report()
        found = next((s for s in report["stories"] if s["id"] == request.path_params["id"]), None)
        if found is None:
            return site.render("error.html", message="No such story.", status=404)
        docs = {d["id"]: d for d in report["documents"]}
        parent_of = {e["child"]: e for e in found["edges"]}
        svg = Markup(render_dag(found["members"], found["edges"], found["origins"], docs))
        return site.render(
            "story.html",
            story=found,
            summary=_story_summary(found, docs, texts),
            docs=docs,
            parent_of=parent_of,
            svg=svg,
        )

    async def document(request: Request) -> Response:
        report, texts = site.report()
        doc_id = request.query_params.get("id", "")
        doc = next((d for d in report["documents"] if d["id"] == doc_id), None)
        if doc is None:
            return site.render("error.html", message="No such document.", status=404)
        body = Markup(markup(texts.get(doc_id, ""), removed_marks(doc)))
        stories_of = [s["id"] for s in report["stories"] if doc_id in s["members"]]
        return site.render("document.html", doc=doc, body=body, stories=stories_of)

    async def compare_page(request: Request) -> Response:
        report, texts = site.report()
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        docs = {d["id"]: d for d in report["documents"]}
        if a not in docs or b not in docs or a == b:
            return site.render(
                "error.html", message="Pick two different documents to compare.", status=404
            )
        stored = {(x["parent"], x["child"]): x for x in report.get("alignments", [])}
        alignment = stored.get((a, b))
        if alignment is None and (b, a) in stored:
            a, b = b, a
            alignment = stored[(a, b)]
        if alignment is None:
            alignment = _align_now(site.db_path, a, b)
        edge = next(
            (
                e
                for s in report["stories"]
                for e in s["edges"]
                if (e["parent"], e["child"]) == (a, b)
            ),
            {
                "parent": a,
                "child": b,
                "changes": [],
                "evidence": [],
                "relation": "",
                "confidence": 0.0,
            },
        )
        view = Markup(side_by_side("cmp", edge, alignment, texts, docs))
        return site.render(
            "compare.html", a=docs[a], b=docs[b], edge=edge, alignment=alignment, view=view
        )

    async def query_page(request: Request) -> Response:
        if request.method == "GET":
            return site.render("query.html", text="", hits=None, error=None)
        form = await request.form()
        text = str(form.get("text") or "")
        upload = form.get("file")
        error = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_QUERY_CHARS * 4 + 1)
            if len(data) > MAX_QUERY_CHARS * 4:
                error = "The file is too large to query."
            else:
                text = data.decode("utf-8", errors="replace")
        hits = None
        if not error:
            if not text.strip():
                error = "Paste a text or choose a file."
            elif len(text) > MAX_QUERY_CHARS:
                error = f"The text is longer than {MAX_QUERY_CHARS:,} characters."
            else:
                from storytrace.query import query_store

                hits = query_store(site.db_path, text, top=20)
        return site.render("query.html", text=text[:5000], hits=hits, error=error)

    async def upload_page(request: Request) -> Response:
        if request.method == "GET":
            return site.render("upload.html", error=None, jobs=list(site.jobs.values()))
        form = await request.form()
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        error = _check_uploads(files)
        if error:
            return site.render(
                "upload.html", error=error, jobs=list(site.jobs.values()), status=400
            )
        job = Job(id=uuid.uuid4().hex[:12], files=[])
        folder = site.out_dir / "uploads" / job.id
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            data = await f.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                return site.render(
                    "upload.html",
                    error=f"{f.filename}: larger than {MAX_UPLOAD_BYTES:,} bytes",
                    jobs=list(site.jobs.values()),
                    status=400,
                )
            name = _safe_name(f.filename or "upload.txt")
            (folder / name).write_bytes(data)
            job.files.append(name)
        site.jobs[job.id] = job
        threading.Thread(target=_run_job, args=(site, job, folder), daemon=True).start()
        return RedirectResponse(f"/upload?job={job.id}", status_code=303)

    async def job_status(request: Request) -> Response:
        job = site.jobs.get(request.path_params["id"])
        if job is None:
            return JSONResponse({"error": "no such job"}, status_code=404)
        with job.lock:
            return JSONResponse(job.as_dict())

    routes = [
        Route("/", stories),
        Route("/story/{id}", story),
        Route("/doc", document),
        Route("/compare", compare_page),
        Route("/query", query_page, methods=["GET", "POST"]),
        Route("/upload", upload_page, methods=["GET", "POST"]),
        Route("/jobs/{id}", job_status),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return app


def _check_uploads(files: list[UploadFile]) -> str | None:
    if not files:
        return "Choose one or more .txt, .html or .jsonl files."
    if len(files) > MAX_UPLOAD_FILES:
        return f"At most {MAX_UPLOAD_FILES} files at once."
    for f in files:
        suffix = Path(f.filename or "").suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return f"{f.filename}: not a supported type ({', '.join(sorted(SUPPORTED_SUFFIXES))})"
    return None


def _safe_name(filename: str) -> str:
    """A file name with no directory part and only plain characters."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).lstrip(".") or "upload.txt"
    return cleaned[:120]


def _run_job(site: Site, job: Job, folder: Path) -> None:
    from storytrace.pipeline import analyze

    with job.lock:
        job.state = "running"
    try:
        result = analyze([folder], site.out_dir, progress=_JobProgress(job), workers=1)
        with job.lock:
            job.state = "done"
            job.message = f"{result.added} new documents; {len(result.errors)} skipped"
    except StorytraceError as exc:
        with job.lock:
            job.state = "failed"
            job.message = str(exc)


def _align_now(db_path: Path, a: str, b: str) -> dict[str, Any]:
    """An alignment for two documents that are not a lineage edge, computed on request."""
    from storytrace.pipeline import alignment_record

    with Store(db_path) as store:
        config = store.config() or Config()
        cleaned, sigs = store.clean_docs([a, b]), store.signatures([a, b])
    pairs = align_sentences(cleaned[a], cleaned[b], sigs[a], sigs[b], config.sentence_match)
    return alignment_record(
        cleaned[a], cleaned[b], pairs, passages_from_pairs(cleaned[a], cleaned[b], pairs)
    )
