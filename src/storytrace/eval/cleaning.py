"""Article-extraction benchmark (Scrapinghub, MIT): how much of each page's article text a
cleaner keeps, and how much else it lets through.

Metric (as published with the benchmark): per page, token 4-gram shingles of ``\\w+`` tokens
with counts; precision averaged over pages with a prediction, recall over pages with a
truth, F1 of the two means. Two runs, each the path the pipeline takes: (a) the real HTML
through ``ingest`` (trafilatura) and then ``clean``; (b) the "all visible text" plain-text
renderings through ``clean``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from storytrace.clean import clean
from storytrace.errors import InputError
from storytrace.ingest.readers import parse_html
from storytrace.records import Document
from storytrace.text import content_id

_TOKEN = re.compile(r"\w+", re.UNICODE)

PUBLISHED = {
    "html": {
        "trafilatura": 0.958,
        "newspaper4k": 0.949,
        "readability": 0.922,
        "jusText": 0.804,
        "all visible text": 0.66,
    },
    "plaintext": {"jusText": 0.763, "trafilatura on <p> lines": 0.683, "keep everything": 0.653},
}


@dataclass(frozen=True, slots=True)
class ShingleScore:
    precision: float
    recall: float
    f1: float
    pages: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "pages": self.pages,
        }


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_score(pairs: Iterable[tuple[str, str]]) -> ShingleScore:
    """Score ``(truth, prediction)`` pairs with the benchmark's shingle metric."""
    precisions: list[float] = []
    recalls: list[float] = []
    pages = 0
    for truth, prediction in pairs:
        pages += 1
        t, p = shingles(truth), shingles(prediction)
        tp = sum((t & p).values())
        if p:
            precisions.append(tp / sum(p.values()))
        if t:
            recalls.append(tp / sum(t.values()))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ShingleScore(precision, recall, f1, pages)


def load_truth(data: str | os.PathLike[str]) -> dict[str, str]:
    path = Path(data) / "ground-truth.json"
    if not path.is_file():
        raise InputError(f"{path}: missing (expected the Scrapinghub benchmark there)")
    raw: Mapping[str, Mapping[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return {key: str(value.get("articleBody") or "") for key, value in raw.items()}


def html_prediction(path: Path) -> str:
    """What the pipeline keeps of a page: trafilatura's main text, then ``clean``."""
    html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    record = parse_html(html, str(path), path.name)
    return clean(record).text if isinstance(record, Document) else ""


def plaintext_prediction(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        return ""
    return clean(Document(id=path.name, doc_id=content_id(text), text=text, input=str(path))).text


def run(
    data: str | os.PathLike[str], progress: Callable[[str, int], None] | None = None
) -> dict[str, ShingleScore]:
    """Scores for the HTML pages and for their plain-text renderings."""
    root = Path(data)
    truth = load_truth(root)
    results: dict[str, ShingleScore] = {}
    for name, folder, suffix, predict in (
        ("html", root / "html", ".html.gz", html_prediction),
        ("plaintext", root / "plaintext" / "txt", ".txt", plaintext_prediction),
    ):
        pairs = []
        for key in sorted(truth):
            path = folder / f"{key}{suffix}"
            if path.is_file():
                pairs.append((truth[key], predict(path)))
                if progress:
                    progress(name, len(pairs))
        results[name] = shingle_score(pairs)
    return results
