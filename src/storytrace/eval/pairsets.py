"""Labelled document pairs put into one collection, and what a report.json says of them.

Two sets are built this way by :mod:`storytrace.eval.derivation`:

- ``semeval``: SemEval-2022 Task 8 article pairs (the original pairs, not their machine-
  translated augmentations, which are translations of the originals). A pair rated 2.5 or
  more on Overall (1 = very similar, 4 = very different) is independent coverage at best:
  any derivation between the two is false. Pairs rated below 2.5 are the same story and may
  or may not share text: they are counted, never scored as errors.
- ``pan13``: PAN 2013 text-alignment pairs; sub-corpora 02-05 (verbatim, random edits,
  round-trip translation, summary) are derivations source -> suspicious, partial ones (a
  case is a passage of the suspicious document), with the reused character spans; 01 holds
  pairs with no reuse.

Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from storytrace.codec import Row
from storytrace.eval.metrics import PRF
from storytrace.eval.wire import (
    aligned_child_spans,
    edges_by_child,
    path_edge,
    token_set,
    tokens,
    undirected_links,
    word_ngrams,
)
from storytrace.records import Report

DERIVED, INDEPENDENT, UNSCORED = "derived", "independent", "unscored"
SHARE = 0.10  # issue 18: a document that took 10% or more of its text must be paired
SHARED_TEXT = 0.10  # independent texts this alike (8-gram containment) do share some text


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """``parent`` -> ``child`` is a derivation (``derived``), is not (``independent``), or is
    not scored (``unscored``); ``group`` names its stratum (a sub-corpus, a rating band);
    ``spans`` are the child's reused character spans where known."""

    parent: str
    child: str
    label: str
    group: str
    spans: tuple[tuple[int, int], ...] = field(default=())

    def as_json(self) -> Row:
        return {
            "parent": self.parent,
            "child": self.child,
            "label": self.label,
            "group": self.group,
            "spans": [list(s) for s in self.spans],
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> LabelledPair:
        return cls(
            str(d["parent"]),
            str(d["child"]),
            str(d["label"]),
            str(d["group"]),
            tuple((int(a), int(b)) for a, b in d.get("spans", [])),
        )


def shares_text(a: str, b: str, n: int = 8) -> float:
    """The share of the smaller text's word ``n``-grams found in the other: how much text
    two documents really have in common, whatever it is (an article or a site's furniture)."""
    ga, gb = word_ngrams(a, n), word_ngrams(b, n)
    small = min(len(ga), len(gb))
    return len(ga & gb) / small if small else 0.0


def score_pairs(
    report: Report,
    pairs: Sequence[LabelledPair],
    texts: Mapping[str, str] | None = None,
    tokens_scored: bool = True,
) -> Row:
    """Derived-vs-not over the scored pairs. *Directed*: ``parent`` is an ancestor of
    ``child`` through the report's edges; *linked*: either is an ancestor of the other, or
    the report links the two without a direction (what a reader takes as "one copied the
    other"). False derivations are independent pairs that are linked; with ``texts``, those
    whose two texts really share ``SHARED_TEXT`` of their 8-grams (a site's furniture kept
    by the cleaner, most often) are also counted apart. With ``texts`` and
    ``tokens_scored``: reused-token P/R/F1 of the children of pairs with spans, from the
    passages of the report's ``parent`` -> ``child`` alignment, and the recall of the
    derived pairs whose child took ``SHARE`` or more of its tokens."""
    by_child = edges_by_child(report)
    undirected = undirected_links(report)
    aligned = aligned_child_spans(report)
    lang = {d.id: d.lang for d in report.documents}
    counts = Counter[str]()
    groups: dict[str, Counter[str]] = {}
    tok = Counter[str]()
    partially = 0
    for pair in pairs:
        edge = path_edge(by_child, pair.parent, pair.child)
        back = path_edge(by_child, pair.child, pair.parent)
        undecided = frozenset((pair.parent, pair.child)) in undirected
        directed = edge is not None
        linked = directed or back is not None or undecided
        g = groups.setdefault(pair.group, Counter())
        g["pairs"] += 1
        g["directed"] += directed
        g["linked"] += linked
        g[pair.label] += 1
        if pair.label == DERIVED:
            counts["tp"] += directed
            counts["fn"] += not directed
            counts["any_tp"] += linked
            counts["any_fn"] += not linked
            if edge is not None and edge.degree == "partially":
                partially += 1
        elif pair.label == INDEPENDENT:
            counts["fp"] += linked  # a link either way between independent texts is false
            counts["any_fp"] += linked
            if linked and texts is not None:
                a, b = texts.get(pair.parent, ""), texts.get(pair.child, "")
                counts["false_sharing"] += shares_text(a, b) >= SHARED_TEXT
        if tokens_scored and texts is not None and (pair.spans or pair.label != UNSCORED):
            text = texts.get(pair.child, "")
            gold = token_set(text, pair.spans)
            if pair.label == DERIVED and len(gold) >= SHARE * len(tokens(text)) > 0:
                counts["share_pairs"] += 1
                counts["share_directed"] += directed
                counts["share_linked"] += linked
            got = token_set(text, aligned.get((pair.parent, pair.child), []))
            tok["tp"] += len(gold & got)
            tok["fp"] += len(got - gold)
            tok["fn"] += len(gold - got)
    directed_prf = PRF.from_counts(counts["tp"], counts["fp"], counts["fn"])
    linked_prf = PRF.from_counts(counts["any_tp"], counts["any_fp"], counts["any_fn"])
    edges = [e for es in by_child.values() for e in es]
    stories = report.stories
    out: Row = {
        "pairs": len(pairs),
        "derived_pairs": sum(1 for p in pairs if p.label == DERIVED),
        "independent_pairs": sum(1 for p in pairs if p.label == INDEPENDENT),
        "false_derivations": counts["any_fp"],
        "derived_precision": round(directed_prf.precision, 4),
        "derived_recall": round(directed_prf.recall, 4),
        "derived_f1": round(directed_prf.f1, 4),
        "linked_precision": round(linked_prf.precision, 4),
        "linked_recall": round(linked_prf.recall, 4),
        "linked_f1": round(linked_prf.f1, 4),
        "found_typed_partially": partially,
        "groups": {k: dict(sorted(v.items())) for k, v in sorted(groups.items())},
        "edges": len(edges),
        "undirected_links": len(undirected),
        "same_language_translations": sum(
            1
            for e in edges
            if e.relation == "translation"
            and lang.get(e.parent) is not None
            and lang.get(e.parent) == lang.get(e.child)
        ),
        "stories": len(stories),
        "largest_story": max((len(s.members) for s in stories), default=0),
    }
    if texts is not None:
        out["false_derivations_sharing_text"] = counts["false_sharing"]
    if tokens_scored and texts is not None:
        t = PRF.from_counts(tok["tp"], tok["fp"], tok["fn"])
        n = counts["share_pairs"]
        out.update(
            took_10pct_pairs=n,
            took_10pct_recall=round(counts["share_directed"] / n, 4) if n else 0.0,
            took_10pct_linked_recall=round(counts["share_linked"] / n, 4) if n else 0.0,
        )
        out.update(
            token_precision=round(t.precision, 4),
            token_recall=round(t.recall, 4),
            token_f1=round(t.f1, 4),
        )
    return out
