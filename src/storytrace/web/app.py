"""``storytrace serve``: a small local web app over a store (Starlette + Jinja2 templates).

Pages: stories (searchable, 50 a page, largest first, and the documents outside any story,
50 a page), one story (derivation graph, versions, edges), one document
(clean text with removed junk greyed), compare two documents side by side, "where else has
this text appeared?" (paste or upload), and adding documents by upload with progress.

Safety: document text is untrusted and always escaped (Jinja2 autoescape, and the report
renderer escapes what it marks up); uploads are size-limited and type-checked and saved
under the store's own ``uploads/`` folder with sanitised, unique names; no request parameter
is ever used as a file path. The app only reads the store, except for uploads, which run
``analyze`` in a background thread, one job at a time (the store's single-writer lock
applies). ``storytrace.web.guard`` checks the Host and the origin of every request, limits
request bodies while they stream in, and sets the security headers.

Reading: each page reads what it shows by id from the store (indexed queries: a story's body,
its members' rows, one alignment, a page of the listing), never a whole report, so a page
costs the same in a store of a hundred documents or of millions.

Responsiveness: every page's work (reading the store, marking up a long text, aligning two
documents) runs in a worker thread, never on the event loop, so one heavy page does not hold
up the others; a page that takes longer than ``page_seconds`` is answered 503 with a message.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from storytrace import engine
from storytrace.codec import Row
from storytrace.config import Config
from storytrace.errors import StorytraceError
from storytrace.ingest import SUPPORTED_SUFFIXES
from storytrace.records import Alignment, ReportDocument, Story
from storytrace.report.graph import render_dag
from storytrace.report.html_report import (
    CSS,
    JS,
    compare_rows,
    markup,
    published,
    removed_marks,
    side_by_side,
    story_title,
    version_label,
)
from storytrace.report.json_report import document_entries
from storytrace.store import SCHEMA_VERSION, Store
from storytrace.web.guard import AllowedHosts, Guard

MAX_UPLOAD_BYTES = 5_000_000
MAX_UPLOAD_FILES = 20
MAX_QUERY_CHARS = 200_000
MAX_UPLOAD_BODY = MAX_UPLOAD_FILES * MAX_UPLOAD_BYTES + 1_000_000
"""The largest /upload request body (every file at its limit, and the multipart framing)."""
MAX_BODY = 4 * MAX_QUERY_CHARS * 3 + 1_000_000
"""The largest request body elsewhere (/query: a text of MAX_QUERY_CHARS characters,
form-encoded, or a file of as many bytes)."""
PAGE_SECONDS = 60.0
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
    skipped: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> Row:
        return {
            "id": self.id,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "files": [*self.files],
            "skipped": [*self.skipped],
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
    """The app's state: the store path and upload jobs (pages read the store by id)."""

    def __init__(self, db_path: Path, page_seconds: float = PAGE_SECONDS) -> None:
        self.db_path = db_path
        self.page_seconds = page_seconds
        self.out_dir = db_path.parent
        self.env = Environment(
            loader=PackageLoader("storytrace.web", "templates"),
            autoescape=select_autoescape(["html"]),
        )
        self.jobs: dict[str, Job] = {}
        self.job_lock = threading.Lock()  # upload jobs run one after another
        self.names_lock = threading.Lock()
        self.env.filters["iso"] = lambda when: when.isoformat() if when else None

    # -- data ------------------------------------------------------------------------------
    def store(self) -> Store:
        """The store, opened to read (each page opens its own: pages run in threads)."""
        return Store(self.db_path)

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """A page; its inline scripts carry the response's CSP nonce (see ``guard``)."""
        nonce = request.scope.get("state", {}).get("csp_nonce", "")
        page = self.env.get_template(template).render(
            css=Markup(CSS), js=Markup(JS), csp_nonce=nonce, **context
        )
        return HTMLResponse(page, status_code=status)

    async def page(self, request: Request, build: Callable[[], Response]) -> Response:
        """``build`` the response in a worker thread, within ``page_seconds``: the event loop
        stays free for other requests, and a page that takes too long is a clear 503 (its
        thread is left to finish on its own; Python threads cannot be stopped)."""
        try:
            with anyio.fail_after(self.page_seconds):
                return await anyio.to_thread.run_sync(build, abandon_on_cancel=True)
        except TimeoutError:
            return self.render(
                request,
                "error.html",
                status=503,
                title="Too slow",
                message=f"This page took longer than {self.page_seconds:g} seconds to build "
                "and was given up (a very long document or a very large store). "
                "The report.html written by 'storytrace analyze' has the same content.",
            )


PAGE_ROWS = 50
"""Rows per page of the story listing and of the documents outside any story."""


def _page_number(value: str | None) -> int:
    """A page number from a query parameter (0 for anything that is not one)."""
    try:
        return max(0, min(int(value or 0), 1_000_000))
    except ValueError:
        return 0


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as the stories page lists it."""

    id: str
    title: str
    size: int
    languages: list[str]
    span: tuple[str, str] | None
    origin: str
    origin_source: str | None


def _story_summary(
    story: Story, docs: Mapping[str, ReportDocument], texts: Mapping[str, str]
) -> StoryRow:
    members = [docs[m] for m in story.members if m in docs]
    times = sorted(p for d in members if (p := published(d)))
    origin = story.origins[0] if story.origins else story.members[0]
    return StoryRow(
        id=story.id,
        title=story_title(docs[origin], texts.get(origin, "")),
        size=len(story.members),
        languages=sorted({d.lang or "und" for d in members}),
        span=(times[0][:16], times[-1][:16]) if times else None,
        origin=origin,
        origin_source=docs[origin].source,
    )


def _by_time(doc: ReportDocument) -> tuple[bool, str, str]:
    """Sort key: dated documents first, by time, then by id."""
    when = published(doc)
    return (when is None, when or "", doc.id)


def create_app(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    allowed_hosts: Iterable[str] = (),
    page_seconds: float = PAGE_SECONDS,
) -> Starlette:
    """The web app for the store at ``db_path`` (a storytrace.db or the folder holding it).

    ``host``: the address the server binds (it answers only to that name, see
    ``guard.AllowedHosts``); ``allowed_hosts``: further names it answers to;
    ``page_seconds``: the longest a page may take to build."""
    path = Path(db_path)
    if path.is_dir():
        path = path / "storytrace.db"
    with Store(path) as store:  # fail early, with the store's own message, if it is not usable
        older = store.schema() < SCHEMA_VERSION
    if older:  # a store written by an older storytrace: its writer upgrades it in place
        with Store(path, writer=True):
            pass
    site = Site(path, page_seconds)

    def stories_view(request: Request, q: str, page: int, lone_page: int) -> Response:
        with site.store() as store:
            rows, total = store.story_listing(page * PAGE_ROWS, PAGE_ROWS, q)
            alone, more_alone = store.lone_documents(lone_page * PAGE_ROWS, PAGE_ROWS, q)
            entries = document_entries(store, [d.id for d in alone])
            summary = {
                "documents": store.count_documents(),
                "stories": store.count_stories(),
                "errors": len(store.errors()),
            }
        labels = {d.id: version_label(entries[d.id], d.text) for d in alone}
        return site.render(
            request,
            "stories.html",
            rows=rows,
            q=q,
            summary=summary,
            alone=[entries[d.id] for d in alone],
            labels=labels,
            page=page,
            pages=max(1, -(-total // PAGE_ROWS)),
            total=total,
            lone_page=lone_page,
            more_alone=more_alone,
            page_rows=PAGE_ROWS,
        )

    async def stories(request: Request) -> Response:
        q = (request.query_params.get("q") or "").strip()
        page = _page_number(request.query_params.get("page"))
        lone_page = _page_number(request.query_params.get("alone"))
        return await site.page(request, partial(stories_view, request, q, page, lone_page))

    def story_view(request: Request, story_id: str) -> Response:
        with site.store() as store:
            found = store.story(story_id)
            if found is None:
                return site.render(request, "error.html", message="No such story.", status=404)
            docs = document_entries(store, found.members)
            texts = {d.id: d.text for d in store.documents(found.members)}
        parent_of = {e.child: e for e in found.edges}
        svg = Markup(render_dag(found.members, found.edges, found.origins, docs, found.undirected))
        ordered = sorted(found.members, key=lambda m: _by_time(docs[m]))
        labels = {m: version_label(docs[m], texts.get(m, "")) for m in found.members}
        return site.render(
            request,
            "story.html",
            story=found,
            ordered=ordered,
            labels=labels,
            summary=_story_summary(found, docs, texts),
            docs=docs,
            parent_of=parent_of,
            svg=svg,
        )

    async def story(request: Request) -> Response:
        return await site.page(request, partial(story_view, request, request.path_params["id"]))

    def document_view(request: Request, doc_id: str) -> Response:
        with site.store() as store:
            doc = document_entries(store, [doc_id]).get(doc_id)
            if doc is None:
                return site.render(request, "error.html", message="No such document.", status=404)
            text = store.documents([doc_id])[0].text
            stories_of = sorted(set(store.story_of([doc_id]).values()))
        body = Markup(markup(text, removed_marks(doc)))
        return site.render(request, "document.html", doc=doc, body=body, stories=stories_of)

    async def document(request: Request) -> Response:
        doc_id = request.query_params.get("id", "")
        return await site.page(request, partial(document_view, request, doc_id))

    def compare_view(request: Request, a: str, b: str) -> Response:
        with site.store() as store:
            docs = document_entries(store, [a, b])
            if a not in docs or b not in docs or a == b:
                return site.render(
                    request,
                    "error.html",
                    message="Pick two different documents to compare.",
                    status=404,
                )
            alignment = store.alignment(a, b)
            if alignment is None:
                alignment = store.alignment(b, a)
                if alignment is not None:
                    a, b = b, a
            story_of = store.story_of([a, b])
            found = store.story(story_of[a]) if story_of.get(a) == story_of.get(b) else None
            texts = {d.id: d.text for d in store.documents([a, b])}
        if alignment is None:
            alignment = _align_now(site.db_path, a, b)
        edges = found.edges if found is not None else ()
        edge = next((e for e in edges if (e.parent, e.child) == (a, b)), None)
        view = Markup(side_by_side("cmp", alignment, texts, docs))
        rows = Markup(compare_rows(alignment, edge, texts, docs))
        return site.render(
            request,
            "compare.html",
            a=docs[a],
            b=docs[b],
            edge=edge,
            alignment=alignment,
            view=view,
            rows=rows,
        )

    async def compare_page(request: Request) -> Response:
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        return await site.page(request, partial(compare_view, request, a, b))

    def query_view(request: Request, text: str, error: str | None) -> Response:
        hits = None
        if not error:
            if not text.strip():
                error = "Paste a text or choose a file."
            elif len(text) > MAX_QUERY_CHARS:
                error = f"The text is longer than {MAX_QUERY_CHARS:,} characters."
            else:
                from storytrace.query import query_store

                hits = query_store(site.db_path, text, top=20)
        return site.render(request, "query.html", text=text[:5000], hits=hits, error=error)

    async def query_page(request: Request) -> Response:
        if request.method == "GET":
            return site.render(request, "query.html", text="", hits=None, error=None)
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
        return await site.page(request, partial(query_view, request, text, error))

    def upload_form(request: Request, error: str | None, status: int = 200) -> Response:
        return site.render(
            request,
            "upload.html",
            error=error,
            jobs=list(site.jobs.values()),
            status=status,
            suffixes=sorted(SUPPORTED_SUFFIXES),
            max_files=MAX_UPLOAD_FILES,
            max_mb=f"{MAX_UPLOAD_BYTES / 1e6:g}",
        )

    async def upload_page(request: Request) -> Response:
        if request.method == "GET":
            return upload_form(request, None)
        form = await request.form(max_files=10 * MAX_UPLOAD_FILES)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if not files:
            return upload_form(request, _CHOOSE, status=400)
        job = Job(id=uuid.uuid4().hex[:12], files=[])
        folder = site.out_dir / "uploads" / job.id
        await anyio.to_thread.run_sync(_save_uploads, site, job, folder, files)
        if not job.files:
            return upload_form(request, "Nothing to add: " + "; ".join(job.skipped), status=400)
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
    guard = Middleware(
        Guard,
        allowed=AllowedHosts(host, allowed_hosts),
        body_limits={"/upload": MAX_UPLOAD_BODY},
        default_limit=MAX_BODY,
    )
    app = Starlette(routes=routes, middleware=[guard])
    app.router.redirect_slashes = False  # no redirect is ever built from a request's URL
    app.state.site = site
    return app


_CHOOSE = "Choose one or more files: " + ", ".join(sorted(SUPPORTED_SUFFIXES)) + "."


COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")


def upload_suffix(filename: str) -> str | None:
    """The supported type ``filename`` ends with (the longest such suffix, with a compression
    suffix after it: ``.jsonl.gz``; whether the reader takes that is its to say), else None."""
    lower = filename.lower()
    outer = next((c for c in COMPRESSED_SUFFIXES if lower.endswith(c)), "")
    inner = lower[: len(lower) - len(outer)]
    found = [s for s in SUPPORTED_SUFFIXES if inner.endswith(s)]
    if not found and outer and outer in SUPPORTED_SUFFIXES:  # the reader takes '.gz' itself
        return outer
    return max(found, key=len) + outer if found else None


def safe_name(filename: str, taken: set[str] | frozenset[str] = frozenset()) -> str | None:
    """A name to save an uploaded file under: no directory part, only plain characters, its
    type's suffix kept (``..jsonl`` -> ``upload.jsonl``: a leading dot would make it a hidden
    file, which directory reading skips), and unique among ``taken`` (``a.txt``, ``a-2.txt``).
    None when the type is not one storytrace reads."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = upload_suffix(base)
    if suffix is None:
        return None
    stem = _SAFE_NAME.sub("_", base[: len(base) - len(suffix)]).strip("._")[:100] or "upload"
    name, n = stem + suffix, 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    return name


def _save_uploads(site: Site, job: Job, folder: Path, files: list[UploadFile]) -> None:
    """Save each acceptable file into ``folder`` under a new name (``job.files``); every file
    that is not saved is listed with its reason (``job.skipped``) and the others are kept."""
    with site.names_lock:  # two uploads at once must not pick the same new name
        taken = _taken_names(site)
        for number, f in enumerate(files):
            label = _display(f.filename or "")
            if number >= MAX_UPLOAD_FILES:
                job.skipped.append(f"{label}: more than {MAX_UPLOAD_FILES} files in one upload")
                continue
            name = safe_name(f.filename or "", taken)
            if name is None:
                job.skipped.append(
                    f"{label}: not a supported type ({', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
                continue
            f.file.seek(0)
            data = f.file.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                job.skipped.append(f"{label}: larger than {MAX_UPLOAD_BYTES:,} bytes")
                continue
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            taken.add(name)
            job.files.append(name)


def _taken_names(site: Site) -> set[str]:
    """Names an upload must not reuse: files of earlier uploads and ids in the store (a file
    is known by its name, and a second document of one id would be refused)."""
    uploads = site.out_dir / "uploads"
    taken = {p.name for p in uploads.glob("*/*")} if uploads.is_dir() else set()
    with Store(site.db_path) as store:
        taken.update(i for i in store.document_ids() if "/" not in i)
    return taken


def _display(name: str) -> str:
    """A file name as the user gave it, safe to show (control characters replaced)."""
    return "".join(c if c.isprintable() else "?" for c in name)[:200] or "(no name)"


def _run_job(site: Site, job: Job, folder: Path) -> None:
    """Analyse an upload; the job always ends "done" or "failed" with the reason."""
    from storytrace.pipeline import analyze

    with site.job_lock:
        with job.lock:
            job.state = "running"
        try:
            with Store(site.db_path) as store:  # the store's own settings, whatever they are
                config = store.config()
            result = analyze([folder], site.out_dir, config, progress=_JobProgress(job), workers=1)
        except Exception as exc:  # any failure is the job's outcome, never a stuck "running"
            reason = (
                str(exc) if isinstance(exc, StorytraceError) else f"{type(exc).__name__}: {exc}"
            )
            with job.lock:
                job.state = "failed"
                job.message = reason
            return
        skipped = [f"{Path(e.input).name}: {e.reason}" for e in result.errors] + job.skipped
        with job.lock:
            job.state = "done"
            job.message = f"{result.added} new documents; {len(skipped)} skipped" + (
                " (" + "; ".join(skipped) + ")" if skipped else ""
            )


def _align_now(db_path: Path, a: str, b: str) -> Alignment:
    """An alignment for two documents that are not a lineage edge, computed on request."""
    with Store(db_path) as store:
        config = store.config() or Config()
        cleaned, sigs = store.clean_docs([a, b]), store.signatures([a, b])
    aligned = engine.align_pair(cleaned[a], cleaned[b], sigs[a], sigs[b], config)
    return aligned.alignment
