"""PAN 2013 text alignment (Webis / PAN@CLEF): runner and plagdet scorer.

The training corpus holds ``src/`` and ``susp/`` documents, a ``pairs`` file and five
sub-corpora (``01-no-plagiarism`` ... ``05-summary-obfuscation``), each with one truth XML
per pair listing its cases (``<feature name="plagiarism" this_offset=.. this_length=..
source_offset=.. source_length=../>``, offsets in characters of the UTF-8 text read with
``newline=''``).

The scorer follows Potthast et al., "An Evaluation Framework for Plagiarism Detection"
(COLING 2010). A case or detection is a pair of character ranges (suspicious, source). A
detection *detects* a case when both ranges overlap on the same document pair.

- recall = mean over cases of the share of the case's characters (both sides counted
  together) covered by the detections that detect it;
- precision = the same with the roles swapped (mean over detections);
- granularity = mean number of detections per detected case (1 when nothing is detected);
- plagdet = F1(precision, recall) / log2(1 + granularity).

With no cases and no detections, precision and recall are both 1; with either side empty
they are 0 (so a detection in the no-plagiarism sub-corpus costs all of its precision).
"""

from __future__ import annotations

import math
import os
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from storytrace.codec import Row
from storytrace.errors import InputError
from storytrace.executors.local import process_pool
from storytrace.progress import Progress, SilentProgress
from storytrace.records import Passage

SUBCORPORA = (
    "01-no-plagiarism",
    "02-no-obfuscation",
    "03-random-obfuscation",
    "04-translation-obfuscation",
    "05-summary-obfuscation",
)
PUBLISHED = {
    "Sanchez-Perez et al. 2014, training corpus": 0.877,
    "Sanchez-Perez et al. 2014, test corpus": 0.878,
}


@dataclass(frozen=True, slots=True)
class Annotation:
    """A case or a detection: ``[susp_offset, +susp_length)`` of ``susp`` taken from
    ``[src_offset, +src_length)`` of ``src``."""

    susp: str
    susp_offset: int
    susp_length: int
    src: str
    src_offset: int
    src_length: int

    @property
    def susp_end(self) -> int:
        return self.susp_offset + self.susp_length

    @property
    def src_end(self) -> int:
        return self.src_offset + self.src_length


@dataclass(frozen=True, slots=True)
class PlagdetScore:
    plagdet: float
    precision: float
    recall: float
    granularity: float
    cases: int
    detections: int

    def as_dict(self) -> Row:
        return {
            "plagdet": round(self.plagdet, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "granularity": round(self.granularity, 4),
            "cases": self.cases,
            "detections": self.detections,
        }


def parse_annotations(xml_text: str, feature: str = "plagiarism") -> list[Annotation]:
    """The annotations named ``feature`` in one PAN XML document (truth or detections)."""
    root = ET.fromstring(xml_text)
    susp = root.get("reference", "")
    out: list[Annotation] = []
    for node in root.iter("feature"):
        if node.get("name") != feature:
            continue
        out.append(
            Annotation(
                susp=susp,
                susp_offset=int(node.get("this_offset", "0")),
                susp_length=int(node.get("this_length", "0")),
                src=node.get("source_reference", ""),
                src_offset=int(node.get("source_offset", "0")),
                src_length=int(node.get("source_length", "0")),
            )
        )
    return out


def detection_xml(susp: str, src: str, passages: Iterable[tuple[int, int, int, int]]) -> str:
    """PAN detection XML for one pair; each passage is (susp_offset, susp_length,
    src_offset, src_length)."""
    lines = [f"<document reference={quoteattr(susp)}>"]
    for t_off, t_len, s_off, s_len in passages:
        lines.append(
            f'<feature name="detected-plagiarism" this_offset="{t_off}" this_length="{t_len}"'
            f" source_reference={quoteattr(src)}"
            f' source_offset="{s_off}" source_length="{s_len}"/>'
        )
    lines.append("</document>")
    return "\n".join(lines) + "\n"


def _overlaps(a: Annotation, b: Annotation) -> bool:
    return (
        a.susp == b.susp
        and a.src == b.src
        and b.susp_offset < a.susp_end
        and a.susp_offset < b.susp_end
        and b.src_offset < a.src_end
        and a.src_offset < b.src_end
    )


def _covered(start: int, end: int, ranges: Iterable[tuple[int, int]]) -> int:
    """Characters of ``[start, end)`` inside the union of ``ranges``."""
    clipped = sorted((max(s, start), min(e, end)) for s, e in ranges if s < end and e > start)
    total, reach = 0, start
    for s, e in clipped:
        s = max(s, reach)
        if e > s:
            total += e - s
            reach = e
    return total


def _macro_recall(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    by_pair: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for d in detections:
        by_pair[(d.susp, d.src)].append(d)
    total = 0.0
    for case in cases:
        size = case.susp_length + case.src_length
        if size <= 0:
            continue
        hits = [d for d in by_pair.get((case.susp, case.src), ()) if _overlaps(case, d)]
        if not hits:
            continue
        got = _covered(case.susp_offset, case.susp_end, ((d.susp_offset, d.susp_end) for d in hits))
        got += _covered(case.src_offset, case.src_end, ((d.src_offset, d.src_end) for d in hits))
        total += got / size
    return total / len(cases)


def granularity(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    """Mean number of detections per detected case (1.0 when no case is detected)."""
    by_pair: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for d in detections:
        by_pair[(d.susp, d.src)].append(d)
    counts = [
        n
        for case in cases
        if (n := sum(1 for d in by_pair.get((case.susp, case.src), ()) if _overlaps(case, d)))
    ]
    return sum(counts) / len(counts) if counts else 1.0


def score(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> PlagdetScore:
    """Macro precision, recall, granularity and plagdet of ``detections`` against ``cases``."""
    recall = _macro_recall(cases, detections)
    precision = _macro_recall(detections, cases)
    gran = granularity(cases, detections)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PlagdetScore(
        plagdet=f1 / math.log2(1 + gran),
        precision=precision,
        recall=recall,
        granularity=gran,
        cases=len(cases),
        detections=len(detections),
    )


# --- the runner (I/O) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pan13Result:
    overall: PlagdetScore
    subcorpora: dict[str, PlagdetScore]
    pairs: int
    seconds: float
    det_out: str

    def as_dict(self) -> Row:
        return {
            "overall": self.overall.as_dict(),
            "subcorpora": {name: s.as_dict() for name, s in self.subcorpora.items()},
            "pairs": self.pairs,
            "align_seconds": round(self.seconds, 2),
            "det_out": self.det_out,
        }


def read_text(path: Path) -> str:
    """A corpus document as the offsets count it: UTF-8, newlines untranslated."""
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def _pairs(root: Path, folder: str) -> list[tuple[str, str]]:
    path = root / folder / "pairs"
    if not path.is_file():
        raise InputError(f"{path}: missing (expected the PAN13 text-alignment training corpus)")
    out: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            out.append((parts[0], parts[1]))
    return out


def pair_name(susp: str, src: str) -> str:
    """``suspicious-documentX-source-documentY.xml`` for the pair (X, Y) given as file names."""
    return f"{Path(susp).stem}-{Path(src).stem}.xml"


# Per-process document cache for the workers (each document appears in several pairs).
_ROOT: Path | None = None
_DOCS: dict[tuple[str, str], Any] = {}


def _init_worker(root: str) -> None:
    global _ROOT
    _ROOT = Path(root)
    _DOCS.clear()


def _prepared(kind: str, name: str) -> Any:
    from storytrace.textalign import prepare

    key = (kind, name)
    doc = _DOCS.get(key)
    if doc is None:
        assert _ROOT is not None
        doc = prepare(read_text(_ROOT / kind / name))
        if len(_DOCS) > 4000:
            _DOCS.clear()
        _DOCS[key] = doc
    return doc


def _align_chunk(chunk: list[tuple[str, str]]) -> list[list[tuple[int, int, int, int]]]:
    from storytrace.textalign import align_texts

    out: list[list[tuple[int, int, int, int]]] = []
    for susp, src in chunk:
        passages: tuple[Passage, ...] = align_texts(_prepared("src", src), _prepared("susp", susp))
        out.append([(p.b.start, p.b.length, p.a.start, p.a.length) for p in passages if p.b.length])
    return out


def _chunks(items: list[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def run(
    data: str | os.PathLike[str],
    det_out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Pan13Result:
    """Align every pair of the corpus under ``data``, write one detection XML per pair to
    ``det_out`` and score them against the truth, per sub-corpus and overall."""
    root = Path(data)
    out_dir = Path(det_out)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or SilentProgress()
    pairs_by_sub = {sub: _pairs(root, sub) for sub in SUBCORPORA}
    # Pairs sorted by suspicious document, so a worker's chunk reuses its prepared documents.
    every = sorted({p for pairs in pairs_by_sub.values() for p in pairs})
    n_workers = max(1, workers if workers is not None else min(4, os.cpu_count() or 1))
    detections: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
    started = time.perf_counter()
    with progress.task("aligning PAN13 pairs", total=len(every)) as task:
        chunks = list(_chunks(every, 20))
        if n_workers == 1:
            _init_worker(str(root))
            results: Iterator[list[list[tuple[int, int, int, int]]]] = map(_align_chunk, chunks)
            pool = None
        else:
            pool = process_pool(n_workers, initializer=_init_worker, initargs=(str(root),))
            results = pool.map(_align_chunk, chunks)
        try:
            for chunk, per_pair in zip(chunks, results, strict=True):
                detections.update(zip(chunk, per_pair, strict=True))
                task.advance(len(chunk))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    seconds = time.perf_counter() - started
    for (susp, src), found in detections.items():
        (out_dir / pair_name(susp, src)).write_text(
            detection_xml(susp, src, found), encoding="utf-8"
        )
    all_cases: list[Annotation] = []
    all_dets: list[Annotation] = []
    subs: dict[str, PlagdetScore] = {}
    for sub, pairs in pairs_by_sub.items():
        cases: list[Annotation] = []
        dets: list[Annotation] = []
        for susp, src in pairs:
            truth = root / sub / pair_name(susp, src)
            if not truth.is_file():
                raise InputError(f"{truth}: missing truth file")
            cases += parse_annotations(truth.read_text(encoding="utf-8"))
            dets += [
                Annotation(susp, t, tl, src, s, sl) for t, tl, s, sl in detections[(susp, src)]
            ]
        subs[sub] = score(cases, dets)
        all_cases += cases
        all_dets += dets
    return Pan13Result(
        overall=score(all_cases, all_dets),
        subcorpora=subs,
        pairs=len(every),
        seconds=seconds,
        det_out=str(out_dir),
    )
