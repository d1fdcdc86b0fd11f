"""WMT21 ru-en news: versions of each story (Russian original, human and machine English
translations). Scores what ``storytrace analyze`` itself finds, given only the documents:

- pairwise clustering P/R/F1 of stories against ``gold_clusters.tsv``;
- parent accuracy against ``gold_provenance.tsv`` (each translation's parent is the
  original) and root accuracy (the Russian original is its story's origin);
- segment-alignment P/R/F1 against ``gold_seg_align.tsv``: every aligned sentence pair the
  report gives for a gold document pair, mapped onto the segments it overlaps.

The JSONL fields ``story``, ``kind`` and ``system`` are answers: the documents are handed
to the pipeline without them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from storytrace.codec import Row
from storytrace.errors import InputError
from storytrace.eval.metrics import PRF, accuracy, pairwise_clustering, set_prf
from storytrace.records import Report, Span

ANSWER_FIELDS = frozenset({"story", "kind", "system"})


@dataclass(frozen=True, slots=True)
class Wmt21Gold:
    clusters: dict[str, str]
    parents: dict[str, str]
    roots: dict[str, str]
    seg_pairs: frozenset[tuple[str, int, str, int]]
    seg_offsets: dict[str, list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class Wmt21Scores:
    clustering: PRF
    parent_accuracy: float
    root_accuracy: float
    seg_align: PRF
    documents: int
    stories: int

    def as_dict(self) -> Row:
        return {
            "precision": round(self.clustering.precision, 4),
            "recall": round(self.clustering.recall, 4),
            "f1": round(self.clustering.f1, 4),
            "parent_accuracy": round(self.parent_accuracy, 4),
            "root_accuracy": round(self.root_accuracy, 4),
            "seg_align_precision": round(self.seg_align.precision, 4),
            "seg_align_recall": round(self.seg_align.recall, 4),
            "seg_align_f1": round(self.seg_align.f1, 4),
            "documents": self.documents,
            "stories": self.stories,
        }


def _tsv(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        raise InputError(f"{path}: missing (expected the WMT21 evaluation files there)")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line.rstrip("\n").split("\t")


def load_gold(data: str | os.PathLike[str]) -> Wmt21Gold:
    """Read the gold files and the segment offsets of ``docs.jsonl`` under ``data``."""
    root = Path(data)
    clusters = {row[0]: row[1] for row in _tsv(root / "gold_clusters.tsv")}
    parents = {row[0]: row[1] for row in _tsv(root / "gold_provenance.tsv")}
    roots = {story: doc for doc, story in clusters.items() if doc not in parents}
    seg_pairs = frozenset(
        (row[0], int(row[1]), row[2], int(row[3])) for row in _tsv(root / "gold_seg_align.tsv")
    )
    offsets: dict[str, list[tuple[int, int]]] = {}
    for record in _records(root / "docs.jsonl"):
        pairs = cast(list[tuple[int, int]], record.get("seg_offsets") or [])
        offsets[str(record["id"])] = [(int(a), int(b)) for a, b in pairs]
    return Wmt21Gold(clusters, parents, roots, seg_pairs, offsets)


def _records(path: Path) -> Iterator[Row]:
    if not path.is_file():
        raise InputError(f"{path}: missing (expected docs.jsonl)")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def blind_inputs(data: str | os.PathLike[str], out: Path) -> Path:
    """A copy of ``docs.jsonl`` without the answer fields, for the pipeline to read."""
    out.mkdir(parents=True, exist_ok=True)
    blind = out / "docs.blind.jsonl"
    with blind.open("w", encoding="utf-8") as fh:
        for record in _records(Path(data) / "docs.jsonl"):
            clean = {k: v for k, v in record.items() if k not in ANSWER_FIELDS}
            fh.write(json.dumps(clean, ensure_ascii=False) + "\n")
    return blind


def _segments(offsets: Sequence[tuple[int, int]], span: Span) -> list[int]:
    return [i for i, (a, b) in enumerate(offsets) if a < span.end and span.start < b]


def score_report(report: Report, gold: Wmt21Gold) -> Wmt21Scores:
    """Scores of a report (``codec.report_from_plain`` reads a report.json) against the
    gold answers."""
    predicted = {m: s.id for s in report.stories for m in s.members}
    clustering = pairwise_clustering(predicted, gold.clusters)
    parent_of = {e.child: e.parent for s in report.stories for e in s.edges}
    parent_acc = accuracy(parent_of, gold.parents)
    origin_of_story = {m: s.origins for s in report.stories for m in s.members}
    root_hits = sum(1 for doc in gold.roots.values() if origin_of_story.get(doc) == (doc,))
    root_acc = root_hits / len(gold.roots) if gold.roots else 0.0
    gold_doc_pairs = {(a, b) for a, _, b, _ in gold.seg_pairs}
    predicted_segs: set[tuple[str, int, str, int]] = set()
    for alignment in report.alignments:
        p, c = alignment.a, alignment.b
        if (p, c) in gold_doc_pairs:
            a, b, flip = p, c, False
        elif (c, p) in gold_doc_pairs:
            a, b, flip = c, p, True
        else:
            continue
        for pair in alignment.sentences:
            span_a, span_b = (pair.b, pair.a) if flip else (pair.a, pair.b)
            for i in _segments(gold.seg_offsets.get(a, []), span_a):
                for j in _segments(gold.seg_offsets.get(b, []), span_b):
                    predicted_segs.add((a, i, b, j))
    return Wmt21Scores(
        clustering=clustering,
        parent_accuracy=parent_acc,
        root_accuracy=root_acc,
        seg_align=set_prf(predicted_segs, gold.seg_pairs),
        documents=len(gold.clusters),
        stories=len(report.stories),
    )


def run(
    data: str | os.PathLike[str], out: str | os.PathLike[str], **analyze_kwargs: Any
) -> Wmt21Scores:
    """Analyse the blinded documents into ``out`` and score the result."""
    from storytrace.pipeline import analyze

    gold = load_gold(data)
    out_dir = Path(out)
    blind = blind_inputs(data, out_dir / "inputs")
    result = analyze([blind], out_dir / "analysis", **analyze_kwargs)
    return score_report(result.records, gold)
