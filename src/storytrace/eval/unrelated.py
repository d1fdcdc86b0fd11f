"""Unrelated real pages: pages from different sites that copy nothing from each other, so
every derivation edge the product draws between them is a false accusation of copying.

The runner (:mod:`storytrace.eval.derivation`) picks article pages of the WCXB development
split, one per site, drops any page that shares a 10-word run of its reference text with
another picked page (so the set holds no reuse at all), and hands the raw HTML to the
product's own ingest. This module holds the selection rule and the scorer; no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from storytrace.codec import Row
from storytrace.eval.wire import undirected_links, word_ngrams
from storytrace.records import Report

TARGET_EDGES = 3  # issue 18: at most 3 derivation edges among 500 unrelated pages


@dataclass(frozen=True, slots=True)
class Page:
    """A candidate page: its id, URL and reference main text."""

    id: str
    url: str
    text: str


def select_pages(pages: Sequence[Page], size: int, n: int = 10) -> tuple[list[Page], int]:
    """Up to ``size`` pages, one per site (the first by id), in a hash order of their ids;
    a page sharing a word ``n``-gram with an already picked page is left out. Returns the
    pages and how many were left out for shared text."""
    by_site: dict[str, Page] = {}
    for page in sorted(pages, key=lambda p: p.id):
        by_site.setdefault(urlparse(page.url).netloc.lower() or page.id, page)
    ordered = sorted(by_site.values(), key=lambda p: hashlib.sha1(p.id.encode()).hexdigest())
    picked: list[Page] = []
    seen: set[tuple[str, ...]] = set()
    dropped = 0
    for page in ordered:
        if len(picked) >= size:
            break
        grams = word_ngrams(page.text, n)
        if grams & seen:
            dropped += 1
            continue
        seen |= grams
        picked.append(page)
    return picked, dropped


@dataclass(frozen=True, slots=True)
class UnrelatedScores:
    documents: int
    edges: int
    undirected: int
    same_language_translations: int
    stories: int
    largest_story: int
    matches: int
    examples: tuple[Row, ...]

    def as_dict(self) -> Row:
        return {
            "documents": self.documents,
            "derivation_edges": self.edges,
            "target_edges_at_most": TARGET_EDGES,
            "undirected_links": self.undirected,
            "same_language_translations": self.same_language_translations,
            "stories": self.stories,
            "largest_story": self.largest_story,
            "matches": self.matches,
            "examples": list(self.examples),
        }


def score_unrelated(report: Report, examples: int = 10) -> UnrelatedScores:
    """Count what a report claims between pages that share nothing: its
    derivation edges, its links without a direction (shared text claimed, no arrow), those
    edges typed "translation" between documents of one language, its stories, and its
    matches; the most confident edges are kept as examples."""
    lang = {d.id: d.lang for d in report.documents}
    edges = [e for s in report.stories for e in s.edges]
    same_lang = [
        e
        for e in edges
        if e.relation == "translation"
        and lang.get(e.parent) is not None
        and lang.get(e.parent) == lang.get(e.child)
    ]
    stories = report.stories
    top = sorted(edges, key=lambda e: -e.confidence)[:examples]
    return UnrelatedScores(
        documents=len(report.documents),
        edges=len(edges),
        undirected=len(undirected_links(report)),
        same_language_translations=len(same_lang),
        stories=len(stories),
        largest_story=max((len(s.members) for s in stories), default=0),
        matches=len(report.matches),
        examples=tuple(
            {
                "parent": e.parent,
                "child": e.child,
                "relation": e.relation,
                "confidence": e.confidence,
            }
            for e in top
        ),
    )
