"""The typed, frozen records that flow between stages.

Stages are pure functions from records to records; nothing else passes between them. Every
record that states a decision (a removal, a match, an alignment, a lineage edge, a change)
carries the evidence for it, so a user can see *why*.

Identifiers: ``Document.id`` is the user's identifier (a JSONL ``id`` or the path of the
file relative to the input it came from) and is the key everywhere downstream;
``Document.doc_id`` is a hash of the normalised content, so exact copies share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import numpy.typing as npt

from storytrace.config import Config

Relation = Literal[
    "duplicate",
    "near_duplicate",
    "partial_reuse",
    "rewrite",
    "translation",
    "same_story",
    "unrelated",
]
"""How two documents relate, as decided by ``compare``."""

LineageRelation = Literal["copy", "same_article", "rewrite", "translation", "partial_reuse"]
PassageKind = Literal["verbatim", "edited", "paraphrase", "summary", "translation"]
ChangeKind = Literal["number", "date", "name", "quote", "negation", "role", "added", "dropped"]
FoundBy = Literal["lexical", "semantic", "both"]
Degree = Literal["wholly", "partially"]


@dataclass(frozen=True, slots=True)
class Document:
    """One input document as read, before any cleaning."""

    id: str
    doc_id: str
    text: str
    input: str
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    title: str | None = None
    lang: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IngestError:
    """An input that could not be read, and why (reported, never silently dropped)."""

    input: str
    reason: str


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Removal:
    """Text taken out by cleaning, in raw offsets, with the rule that took it."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class OffsetRun:
    """``length`` characters of clean text starting at ``clean`` come from raw ``raw``."""

    clean: int
    raw: int
    length: int


@dataclass(frozen=True, slots=True)
class CleanDoc:
    """The cleaned text of a document, with every removal and a map back to raw offsets.

    ``sentences`` and ``paragraphs`` are spans in *clean* offsets; use :meth:`to_raw` or
    :meth:`raw_span` to point into the raw text.
    """

    id: str
    text: str
    removed: tuple[Removal, ...]
    runs: tuple[OffsetRun, ...]
    sentences: tuple[Span, ...]
    paragraphs: tuple[Span, ...]
    lang: str
    raw_length: int

    def to_raw(self, pos: int) -> int:
        """Raw offset of clean position ``pos`` (``len(text)`` maps to the raw end)."""
        if pos >= len(self.text):
            if not self.runs:
                return self.raw_length
            last = self.runs[-1]
            return last.raw + last.length
        lo, hi = 0, len(self.runs) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.runs[mid].clean <= pos:
                lo = mid
            else:
                hi = mid - 1
        run = self.runs[lo]
        return run.raw + (pos - run.clean)

    def raw_span(self, span: Span) -> Span:
        """The raw range covering clean ``span`` (end mapped from its last character)."""
        if span.length == 0:
            start = self.to_raw(span.start)
            return Span(start, start)
        return Span(self.to_raw(span.start), self.to_raw(span.end - 1) + 1)

    def sentence_texts(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.sentences]


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    """Fingerprints of one cleaned document.

    ``shingles``: sorted unique 64-bit hashes of word n-grams (exact Jaccard/containment);
    ``minhash``: uint32 MinHash over them; ``embedding``: L2-normalised document vector;
    ``sentence_embeddings``: one L2-normalised row per sentence of the ``CleanDoc``.
    """

    id: str
    shingles: npt.NDArray[np.uint64]
    minhash: npt.NDArray[np.uint32]
    embedding: npt.NDArray[np.float32] | None = None
    sentence_embeddings: npt.NDArray[np.float32] | None = None


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two documents worth comparing, ``a < b``, and how the pair was found; ``score`` is the
    document-embedding cosine (0.0 when only LSH found the pair)."""

    a: str
    b: str
    found_by: FoundBy
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict on a candidate pair, with the scores behind it.

    ``containment_ab``: share of a's shingles found in b. ``coverage_ab``: share of a's
    sentences (by characters) that have a semantically close sentence in b. ``found_by``:
    how the candidate pair was found (``None`` for a pair compared without a candidate
    search, such as two members of one small story).
    """

    a: str
    b: str
    relation: Relation
    jaccard: float
    containment_ab: float
    containment_ba: float
    semantic: float
    coverage_ab: float
    coverage_ba: float
    evidence: tuple[str, ...] = ()
    found_by: FoundBy | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """One aligned passage pair: raw spans in a and b, its kind and similarity."""

    a: Span
    b: Span
    kind: PassageKind
    score: float


@dataclass(frozen=True, slots=True)
class AlignedSentence:
    """A sentence of a aligned with a sentence of b: raw spans and the pair's score."""

    a: Span
    b: Span
    score: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """Passage-level alignment of two documents, with coverage of each by the other, and
    the sentence pairs the passages were built from (``sentences``, raw spans)."""

    a: str
    b: str
    passages: tuple[Passage, ...]
    coverage_a: float
    coverage_b: float
    sentences: tuple[AlignedSentence, ...] = ()


@dataclass(frozen=True, slots=True)
class Attribution:
    """An explicit credit in the text ("Nordwire reported"), with its raw span."""

    outlet: str
    span: Span
    cue: str


@dataclass(frozen=True, slots=True)
class Change:
    """What a derived version changed on an aligned passage (or added/dropped).

    ``parent_span``/``child_span`` are raw spans; either is None for a passage that
    exists on one side only.
    """

    kind: ChangeKind
    parent_span: Span | None
    child_span: Span | None
    before: str
    after: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """A directed derivation ``parent -> child``: the child took text from the parent.

    ``reuse``: the share of the child's text traceable to the parent (0-1), ``degree``:
    ``wholly`` (most of it) or ``partially`` (the parent is one of its sources);
    ``method``: how the shared text was found (``lexical``: passages of shared wording,
    ``cross-lingual``: sentences matched across languages); ``credited``: the outlets the
    child's text credits (evidence of its own, never a substitute for shared wording).
    """

    parent: str
    child: str
    relation: LineageRelation
    confidence: float
    evidence: tuple[str, ...]
    changes: tuple[Change, ...] = ()
    reuse: float = 0.0
    degree: Degree = "partially"
    method: str = "lexical"
    credited: tuple[str, ...] = ()
    directed: bool = True
    """False for twin copies whose order is unknown: one is shown under the other."""


@dataclass(frozen=True, slots=True)
class UndirectedLink:
    """Two versions that share text where nothing tells which one took it from the other:
    the report says so instead of drawing an arrow. ``reuse_a``/``reuse_b``: the share of
    each traceable to the other."""

    a: str
    b: str
    reuse_a: float
    reuse_b: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Story:
    """A cluster of documents that are versions of one story, with its derivation DAG.

    ``edges``: who took text from whom (each with its changes); ``undirected``: pairs that
    share text with no known direction; ``independent``: members that share no text with
    any other; ``removed``: what the story's cleaning took from a member
    (``story_clean``); ``attributions``: the credits found in each member's text.
    """

    id: str
    members: tuple[str, ...]
    origins: tuple[str, ...] = ()
    edges: tuple[LineageEdge, ...] = ()
    undirected: tuple[UndirectedLink, ...] = ()
    independent: tuple[str, ...] = ()
    removed: Mapping[str, tuple[Removal, ...]] = field(default_factory=dict)
    attributions: Mapping[str, tuple[Attribution, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """A document as the report lists it: its metadata, its language (given, else
    detected) and every removal made from it (its own cleaning's and its story's)."""

    id: str
    doc_id: str
    input: str
    source: str | None = None
    url: str | None = None
    published: datetime | None = None
    lang: str | None = None
    title: str | None = None
    removed: tuple[Removal, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a store holds, as report.json gives it (``codec.report_to_plain``):
    documents, stories (largest first), the related pairs' matches, every edge's
    alignment, the unreadable inputs; ``config`` the settings as saved with the store and
    ``lsh`` the banding they give."""

    generated: str
    config: Config
    lsh: str
    documents: tuple[ReportDocument, ...]
    stories: tuple[Story, ...]
    matches: tuple[Match, ...]
    alignments: tuple[Alignment, ...]
    errors: tuple[IngestError, ...]
