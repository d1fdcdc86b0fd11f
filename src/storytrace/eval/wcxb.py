"""Web content extraction benchmark (WCXB, Murrough-Foley/web-content-extraction-benchmark,
CC-BY-4.0), development split: how close the product's main text of a real page comes to
the hand-made reference, next to trafilatura's default ``extract`` in the same run.

Metric (the benchmark's): per page, bag-of-words F1 between the lowercased ``\\w+`` tokens of
the extraction and ``ground_truth.main_content`` (tokens with counts), macro-averaged over
pages; also the share of ``with`` snippets found and of ``without`` snippets found (lower is
better), and the share of pages whose publication date (the day) is right.

The set is cut in two by a hash of each page's id: ``tune`` (what settings were chosen on)
and ``held_out`` (kept unseen until the end). Both are reported, per page type and for
article pages and all types.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from storytrace.errors import InputError

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
HALVES = ("tune", "held_out")


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its id, type, HTML file and reference answers."""

    id: str
    page_type: str
    html_path: Path
    main_content: str
    with_snippets: tuple[str, ...]
    without_snippets: tuple[str, ...]
    publish_date: str | None

    @property
    def half(self) -> str:
        return half_of(self.id)


@dataclass(frozen=True, slots=True)
class Prediction:
    """What one system returned for a page: main text and publication day (or None)."""

    text: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """Macro-averaged scores over a group of pages."""

    pages: int
    f1: float
    precision: float
    recall: float
    with_rate: float
    without_rate: float
    date_accuracy: float
    dated_pages: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pages": self.pages,
            "f1": round(self.f1, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "with": round(self.with_rate, 4),
            "without": round(self.without_rate, 4),
            "date_accuracy": round(self.date_accuracy, 4),
            "dated_pages": self.dated_pages,
        }


def half_of(page_id: str) -> str:
    """``tune`` or ``held_out``, by the parity of the first byte of SHA-1 of the id."""
    return HALVES[hashlib.sha1(page_id.encode("utf-8")).digest()[0] & 1]


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text or ""))


def bow_prf(truth: str, prediction: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 of one page (tokens with counts). An empty
    prediction of an empty truth is perfect; either empty alone scores 0."""
    t, p = tokens(truth), tokens(prediction)
    if not t and not p:
        return 1.0, 1.0, 1.0
    if not t or not p:
        return 0.0, 0.0, 0.0
    tp = sum((t & p).values())
    precision, recall = tp / sum(p.values()), tp / sum(t.values())
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def snippet_rate(snippets: Sequence[str], prediction: str) -> float | None:
    """Share of ``snippets`` found in the prediction (whitespace and case folded); None
    when there are none."""
    if not snippets:
        return None
    text = _norm(prediction)
    return sum(1 for s in snippets if _norm(s) and _norm(s) in text) / len(snippets)


def score(pages: Sequence[Page], predictions: Sequence[Prediction]) -> Score:
    """Macro averages over ``pages`` and their ``predictions`` (same order)."""
    prf = [bow_prf(p.main_content, pred.text) for p, pred in zip(pages, predictions, strict=True)]
    withs = [
        r
        for p, pred in zip(pages, predictions, strict=True)
        if (r := snippet_rate(p.with_snippets, pred.text)) is not None
    ]
    withouts = [
        r
        for p, pred in zip(pages, predictions, strict=True)
        if (r := snippet_rate(p.without_snippets, pred.text)) is not None
    ]
    dated = [
        (p.publish_date, pred.date)
        for p, pred in zip(pages, predictions, strict=True)
        if p.publish_date
    ]
    n = len(pages)

    def mean(values: Sequence[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return Score(
        pages=n,
        f1=mean([f for _, _, f in prf]),
        precision=mean([p for p, _, _ in prf]),
        recall=mean([r for _, r, _ in prf]),
        with_rate=mean(withs),
        without_rate=mean(withouts),
        date_accuracy=mean([1.0 if got == want else 0.0 for want, got in dated]),
        dated_pages=len(dated),
    )


def load_pages(data: str | os.PathLike[str]) -> list[Page]:
    """Every page of the set with an HTML file and a reference, sorted by id."""
    root = Path(data)
    truth_dir = root / "ground-truth"
    if not truth_dir.is_dir():
        raise InputError(f"{truth_dir}: missing (expected the WCXB development split there)")
    pages: list[Page] = []
    for path in sorted(truth_dir.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: unreadable reference ({exc})") from exc
        truth = record.get("ground_truth") or {}
        page_id = str(record.get("file_id") or path.stem)
        html_path = root / "html" / f"{path.stem}.html.gz"
        if not html_path.is_file():
            continue
        kind = ((record.get("_internal") or {}).get("page_type") or {}).get("primary")
        pages.append(
            Page(
                id=page_id,
                page_type=str(kind or "unknown"),
                html_path=html_path,
                main_content=str(truth.get("main_content") or ""),
                with_snippets=tuple(str(s) for s in truth.get("with") or ()),
                without_snippets=tuple(str(s) for s in truth.get("without") or ()),
                publish_date=_day(truth.get("publish_date")),
            )
        )
    if not pages:
        raise InputError(f"{root}: no pages (expected html/ID.html.gz and ground-truth/ID.json)")
    return pages


def read_html(page: Page) -> str:
    """The page's HTML, decoded as UTF-8 (the benchmark stores it so)."""
    return gzip.decompress(page.html_path.read_bytes()).decode("utf-8", errors="replace")


_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _day(value: object) -> str | None:
    """``YYYY-MM-DD`` of a date or timestamp string, or None."""
    found = _DAY.search(str(value)) if value else None
    return found.group(0) if found else None


def product(html: str) -> Prediction:
    """The product's main text of a page (what ``storytrace.extract`` returns) and its
    publication day."""
    from storytrace.clean import clean
    from storytrace.ingest.readers import parse_html
    from storytrace.records import Document

    record = parse_html(html, "page", "page")
    if not isinstance(record, Document):
        return Prediction("")
    day = record.published.date().isoformat() if record.published else None
    return Prediction(clean(record).text, day)


def trafilatura_default(html: str) -> Prediction:
    """The anchor: ``trafilatura.extract`` with its defaults, and its metadata's date."""
    import trafilatura

    text = trafilatura.extract(html) or ""
    meta = trafilatura.extract_metadata(html)
    return Prediction(text, _day(getattr(meta, "date", None)) if meta is not None else None)


SYSTEMS: dict[str, Callable[[str], Prediction]] = {
    "storytrace": product,
    "trafilatura default": trafilatura_default,
}


def _predict(job: tuple[str, Page]) -> Prediction:
    name, page = job
    try:
        return SYSTEMS[name](read_html(page))
    except Exception:  # a page a system chokes on scores 0, never ends the run
        return Prediction("")


def predictions(
    pages: Sequence[Page],
    name: str,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[Prediction]:
    """The predictions of system ``name`` (of ``SYSTEMS``) for ``pages``, in order."""
    jobs = [(name, page) for page in pages]
    if workers <= 1:
        out: list[Prediction] = []
        for job in jobs:
            out.append(_predict(job))
            if progress:
                progress(len(out))
        return out
    from storytrace.executors.local import process_pool

    with process_pool(workers) as pool:
        out = []
        for prediction in pool.map(_predict, jobs, chunksize=8):
            out.append(prediction)
            if progress:
                progress(len(out))
        return out


def groups(pages: Sequence[Page]) -> dict[str, list[int]]:
    """Indexes of the pages in each reported group: per half, articles and all types; over
    the whole set, each page type."""
    out: dict[str, list[int]] = {}
    for half in (*HALVES, "all"):
        chosen = [i for i, p in enumerate(pages) if half in ("all", p.half)]
        out[f"{half}/article"] = [i for i in chosen if pages[i].page_type == "article"]
        out[f"{half}/all types"] = chosen
        if half == "all":
            for kind in sorted({p.page_type for p in pages}):
                out[f"all/{kind}"] = [i for i in chosen if pages[i].page_type == kind]
    return out


def run(
    data: str | os.PathLike[str],
    systems: Sequence[str] = tuple(SYSTEMS),
    progress: Callable[[str, int], None] | None = None,
    workers: int = 1,
    half: str | None = None,
) -> dict[str, dict[str, Score]]:
    """Scores of each system in ``systems`` (names of ``SYSTEMS``) per group of pages
    (``half``: only that half's pages)."""
    pages = [p for p in load_pages(data) if half is None or p.half == half]
    out: dict[str, dict[str, Score]] = {}
    for name in systems:

        def done(n: int, name: str = name) -> None:
            if progress:
                progress(name, n)

        preds = predictions(pages, name, workers, done)
        out[name] = {
            group: score([pages[i] for i in idx], [preds[i] for i in idx])
            for group, idx in groups(pages).items()
            if idx
        }
    return out
