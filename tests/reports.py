"""Reports for the scorer tests, written as short report.json-like dicts: the fields a test
leaves out get neutral defaults, and ``codec.report_from_plain`` reads the rest, so a test
states only what it scores."""

from __future__ import annotations

from typing import Any

from storytrace import codec
from storytrace.records import Report

_EDGE = {"relation": "copy", "confidence": 0.5, "evidence": [], "changes": []}
_PASSAGE = {"parent": [0, 0], "child": [0, 0], "kind": "verbatim", "score": 1.0}
_LINK = {"reuse_a": 0.0, "reuse_b": 0.0, "evidence": []}


def _story(n: int, s: dict[str, Any]) -> dict[str, Any]:
    edges = [
        {
            **_EDGE,
            "degree": "partially" if e.get("relation") == "partial_reuse" else "wholly",
            **e,
        }
        for e in s.get("edges", [])
    ]
    links = [{**_LINK, **u} for u in s.get("undirected", [])]
    members = {m for e in edges for m in (e["parent"], e["child"])}
    members |= {m for u in links for m in (u["a"], u["b"])}
    return {
        "id": f"story-{n}",
        "members": sorted(members),
        **s,
        "edges": edges,
        "undirected": links,
    }


def as_report(plain: dict[str, Any]) -> Report:
    """A ``Report`` from a partial report.json dict."""
    return codec.report_from_plain(
        {
            "stories": [_story(n, s) for n, s in enumerate(plain.get("stories", []))],
            "alignments": [
                {
                    "coverage_parent": 0.0,
                    "coverage_child": 0.0,
                    **a,
                    "passages": [{**_PASSAGE, **p} for p in a.get("passages", [])],
                }
                for a in plain.get("alignments", [])
            ],
            "documents": [
                {"doc_id": d["id"], "input": d["id"], **d} for d in plain.get("documents", [])
            ],
            "matches": [
                {"relation": "rewrite", **{k: 0.0 for k in codec.MATCH_FIELDS[3:9]}, **m}
                for m in plain.get("matches", [])
            ],
        }
    )
