"""How much of one version's text is traceable to another: the evidence that text was taken.

A derivation edge must mean that text was taken, so provenance needs, for every pair of
versions in a story, the share of each one's text that the other accounts for:

- **Lexical** (any two texts, mostly one language): shared word 5-grams (shingle
  containment, exact for copies and short texts), or, where larger, the passages the character-level
  aligner (:mod:`storytrace.textalign`, the PAN text-alignment method, plagdet 0.92 on the
  PAN13 training corpus and 5 false detections in its 1,000 no-reuse pairs) finds between
  the two cleaned texts. It finds copies, edits, paraphrases and summaries, and it needs
  runs of neighbouring sentences that share content words, so two independent reports of
  one event, which share names and a quote or two, account for little of each other.
- **Cross-lingual** (two known, different languages the encoder covers): the share of each
  text whose sentences have a close sentence in the other (``Match.coverage_ab``/``_ba``,
  computed by ``compare``).

The share is taken over the *content* characters of the cleaned text (letters and digits),
so a text's spacing and punctuation do not count. The larger of the two measures is kept,
with the method that gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from storytrace.config import NEWS_TEXT_ALIGN, ReuseConfig, TextAlignConfig
from storytrace.records import CleanDoc, Match, Passage, Span
from storytrace.textalign import PreparedText, align_texts, prepare

ReuseMethod = Literal["lexical", "cross-lingual", "none"]


@dataclass(frozen=True, slots=True)
class Reuse:
    """The share of each of ``a`` and ``b`` that the other accounts for, and how it was
    measured (``passages``: the aligned passage pairs behind a lexical share)."""

    a: str
    b: str
    share_a: float
    share_b: float
    method: ReuseMethod
    passages: tuple[Passage, ...] = ()

    def share_of(self, doc: str) -> float:
        """Share of ``doc`` (``a`` or ``b``) traceable to the other version."""
        return self.share_a if doc == self.a else self.share_b

    def describe(self, parent: str, child: str) -> str:
        share = self.share_of(child)
        how = {
            "lexical": f"{len(self.passages)} aligned passage(s) of shared wording"
            if self.passages
            else "shared word 5-grams",
            "cross-lingual": "sentences matched across languages",
            "none": "no shared passage",
        }[self.method]
        return f"{share:.0%} of {child} traceable to {parent} ({how})"


def degree(share: float, wholly: float = ReuseConfig().wholly) -> Literal["wholly", "partially"]:
    """``wholly`` when most of the child comes from the parent (``Config.reuse.wholly``),
    else ``partially`` (the parent is one of its sources)."""
    return "wholly" if share >= wholly else "partially"


def content_share(text: str, spans: Sequence[Span]) -> float:
    """Share of the letters and digits of ``text`` that lie inside ``spans`` (overlaps once)."""
    prefix = _alnum_prefix(text)
    total = int(prefix[-1])
    if total == 0:
        return 0.0
    covered = 0
    reach = 0
    for span in sorted(spans, key=lambda s: s.start):
        start, end = max(span.start, reach), min(span.end, len(text))
        if end > start:
            covered += int(prefix[end] - prefix[start])
            reach = end
    return min(1.0, covered / total)


@lru_cache(maxsize=512)
def _alnum_prefix(text: str) -> npt.NDArray[np.int64]:
    """``prefix[i]``: letters and digits (``str.isalnum``) among ``text[:i]``. Computed once
    per text (a version takes part in every pair of its story), with ``isalnum`` asked once
    per distinct character instead of once per character."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    distinct, inverse = np.unique(points, return_inverse=True)
    flags = np.fromiter(
        (chr(c).isalnum() for c in distinct.tolist()), dtype=np.int64, count=len(distinct)
    )
    prefix = np.zeros(len(points) + 1, dtype=np.int64)
    np.cumsum(flags[inverse.reshape(-1)], out=prefix[1:])
    return prefix


def measure_reuse(
    a: CleanDoc,
    b: CleanDoc,
    match: Match,
    *,
    cross_lingual: bool,
    prepared: dict[str, PreparedText] | None = None,
    settings: TextAlignConfig = NEWS_TEXT_ALIGN,
) -> Reuse:
    """The reuse between two cleaned versions (``match`` is their ``compare`` verdict, with
    ``a``/``b`` in its order). ``cross_lingual``: the two are in different known languages
    that the encoder covers, so its sentence coverage counts as evidence. ``prepared``: a
    cache of :func:`textalign.prepare` results by document id, for versions in many pairs
    (prepared with the same ``settings``: ``Config.text_align``)."""
    cache = prepared if prepared is not None else {}
    passages: tuple[Passage, ...] = ()
    if not cross_lingual:  # word passages cannot be shared across two languages
        if a.id not in cache:
            cache[a.id] = prepare(a.text, settings)
        if b.id not in cache:
            cache[b.id] = prepare(b.text, settings)
        passages = align_texts(cache[a.id], cache[b.id], settings)
    if match.a != a.id:
        raise ValueError(f"match is for {match.a}/{match.b}, not {a.id}/{b.id}")
    # A "summary" passage says a whole paragraph resembles the whole other text (topic and
    # names), not which words were taken: it is kept as evidence but adds nothing to the
    # share. The aligner needs passages of a few sentences; in short texts shared word
    # 5-grams (containment) measure the same thing, so the larger of the two counts.
    taken = [p for p in passages if p.kind != "summary"]
    lex_a = max(content_share(a.text, [p.a for p in taken]), match.containment_ab)
    lex_b = max(content_share(b.text, [p.b for p in taken]), match.containment_ba)
    cross_a = match.coverage_ab if cross_lingual else 0.0
    cross_b = match.coverage_ba if cross_lingual else 0.0
    if max(cross_a, cross_b) > max(lex_a, lex_b):
        return Reuse(a.id, b.id, round(cross_a, 4), round(cross_b, 4), "cross-lingual")
    if passages or max(lex_a, lex_b) > 0.0:
        return Reuse(a.id, b.id, round(lex_a, 4), round(lex_b, 4), "lexical", passages)
    return Reuse(a.id, b.id, 0.0, 0.0, "none")
