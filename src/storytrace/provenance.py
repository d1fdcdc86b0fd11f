"""Who published first and who derived from whom: a derivation graph per story.

An arrow means text was taken. For every matched pair in a story, three questions are
answered apart, each from its own evidence:

1. *Was text taken?* The share of each version traceable to the other (:mod:`storytrace.reuse`:
   aligned passages of shared wording, or sentences matched across languages). Below
   ``Config.reuse.min_share`` there is no edge: two reports of one event that share names and a
   quote are independent coverage, and each is an origin of its own.
2. *In which direction?* Publication times (weak alone, and a constraint: a parent is never
   published after its child), explicit credits ("Nordwire reported" in the child, Nordwire
   being the parent's outlet), a credit in one version but none in the other, the number of
   other versions crediting an outlet, scraper junk and paged renderings (copies, not
   originals), translations fanning out from a sole-language version. Which text is
   longer decides nothing (papers cut wire copy as often as they add to it). Without such
   evidence the pair is an undirected link: "direction unknown".
3. *Which parent?* Among every directed candidate, the one that accounts for the most of
   the child's wording: a maximum spanning arborescence over the shares, with shared
   same-language wording counting ahead of a match across languages (a copy of a
   translation is the translation's child), and a sibling that adds nothing to what their
   common source gave the child losing to that source.

Every edge carries its share (``reuse``), ``degree`` (wholly or partially derived), the
outlets the child credits, and a confidence made of the three parts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
import numpy as np
import numpy.typing as npt

from storytrace.attribution import same_outlet
from storytrace.config import Config
from storytrace.lang import translation_pair
from storytrace.names import STABLE_NAME_LANGS, name_key, transliteration_variants
from storytrace.records import (
    Attribution,
    CleanDoc,
    Document,
    LineageEdge,
    LineageRelation,
    Match,
    UndirectedLink,
)
from storytrace.reuse import Reuse, degree

_ROOT = "\x00root"
_DEFAULT = Config()
"""The settings when the caller gives none: the weights and thresholds below are
``Config.provenance`` and ``Config.reuse`` (saved with every store)."""
# Two translations of one source (different systems or translators) share much of their
# wording, up to near-duplicates; only an exact duplicate is taken for a plain copy.
_SIBLING_RELATIONS = frozenset({"near_duplicate", "partial_reuse", "rewrite", "same_story"})
_SCRAPER_REASONS = frozenset({"ad marker", "comments"})
_RENDERING_REASONS = frozenset({"page header/footer"})
_IMAGE_REASONS = frozenset({"photo credit", "photo caption"})


@dataclass(frozen=True, slots=True)
class Version:
    """What provenance needs to know about one member of a story."""

    doc: Document
    clean: CleanDoc
    attributions: tuple[Attribution, ...]
    outlet: str | None = None
    """The outlet that published it: declared (``doc.source``) or named in its dateline."""
    shingles: npt.NDArray[np.uint64] | None = field(default=None, compare=False, repr=False)
    """Its sorted word-shingle hashes (``Signature.shingles``), to tell siblings apart."""

    @property
    def credited(self) -> tuple[str, ...]:
        """Outlets this version credits, other than its own."""
        own = self.outlet or self.doc.source
        return tuple(
            dict.fromkeys(a.outlet for a in self.attributions if not same_outlet(a.outlet, own))
        )

    @property
    def scraped(self) -> bool:
        return any(r.reason in _SCRAPER_REASONS for r in self.clean.removed)

    def image_credits(self, outlet: str | None) -> bool:
        """Does a photo credit or caption removed from this version name ``outlet``?"""
        if not outlet:
            return False
        lines = [
            self.doc.text[r.start : r.end] for r in self.clean.removed if r.reason in _IMAGE_REASONS
        ]
        return bool(lines) and not _unmentioned_in(outlet, "\n".join(lines))

    @property
    def rendered(self) -> bool:
        """A paged rendering (PDF text): page headers, footers and numbers were removed."""
        return any(r.reason in _RENDERING_REASONS for r in self.clean.removed)


def closeness(match: Match) -> float:
    """How close two versions are by their ``compare`` scores alone (copies > edits >
    translations > same event): a tie-breaker between parents that hold equal shares."""
    shared = max(match.coverage_ab, match.coverage_ba)
    return 2.0 * match.jaccard + shared + 0.5 * max(0.0, match.semantic - 0.5)


def translation_fans(
    versions: Sequence[Version],
    matches: Mapping[tuple[str, str], Match],
    reuse: Mapping[tuple[str, str], Reuse] | None = None,
    *,
    config: Config = _DEFAULT,
) -> dict[str, frozenset[str]]:
    """For each version that is the only one in its language: the versions that translate it.

    When one version stands alone in its language and several versions in another language
    are translations of it, translations fanned out from it: it is the likelier source, and
    those translations are parallel (siblings), not derived from one another. A pair
    translates when ``compare`` says so, or when ``reuse`` finds at least ``reuse.min_share`` of
    it matched across languages.
    """
    langs: dict[str, list[str]] = {}
    for v in versions:
        if v.clean.lang != "und":
            langs.setdefault(v.clean.lang, []).append(v.doc.id)
    sole = {ids[0] for ids in langs.values() if len(ids) == 1}
    fans: dict[str, set[str]] = {s: set() for s in sole}
    for (a, b), match in matches.items():
        r = (reuse or {}).get((a, b))
        crossed = (
            r is not None
            and r.method == "cross-lingual"
            and min(r.share_a, r.share_b) >= config.reuse.min_share
        )
        if match.relation != "translation" and not crossed:
            continue
        if a in fans:
            fans[a].add(b)
        if b in fans:
            fans[b].add(a)
    return {s: frozenset(t) for s, t in fans.items() if len(t) >= 2}


def direction(
    parent: Version,
    child: Version,
    match: Match,
    fans: Mapping[str, frozenset[str]] | None = None,
    relay: str | None = None,
    *,
    config: Config = _DEFAULT,
) -> tuple[float, list[str]]:
    """Score (> 0: parent came first) and the evidence, for ``parent -> child``.

    ``relay``: another version the child copies (near-verbatim) that carries the same
    credit to the parent's outlet. The credit then came along with the copied text: it shows
    the parent is an ancestor, not that it is the direct parent, and counts for less.
    """
    w = config.provenance
    score = 0.0
    notes: list[str] = []
    p_time, c_time = parent.doc.published, child.doc.published
    if p_time and c_time:
        delta = (c_time - p_time).total_seconds()
        if abs(delta) >= w.same_minute_seconds:
            score += w.time_weight if delta > 0 else -w.time_weight
            when = "before" if delta > 0 else "after"
            notes.append(f"parent published {_duration(abs(delta))} {when} child")
        else:
            notes.append("published within the same minute")
    else:
        missing = [v.doc.id for v in (parent, child) if v.doc.published is None]
        notes.append(f"no publication time for {', '.join(missing)}")
    credited_parent = [o for o in child.credited if same_outlet(o, parent.outlet)]
    if credited_parent and relay is not None:
        score += w.relayed_credit_weight
        notes.append(
            f"child credits the parent's outlet ({credited_parent[0]}), but so does {relay}, "
            "which shares the child's text word for word: the credit may have come with the "
            "copied text"
        )
    elif credited_parent:
        score += w.credit_weight
        notes.append(f"child credits the parent's outlet ({credited_parent[0]})")
    elif any(same_outlet(o, child.outlet) for o in parent.credited):
        score -= w.credit_weight
        notes.append(f"parent credits the child's outlet ({child.outlet})")
    elif child.credited and not parent.credited:
        # The child names a source; a parent of unknown outlet may be that source (it names
        # none itself). A parent that names it too, or of another known outlet, tells nothing.
        if not _unmentioned(child.credited, parent):
            notes.append(
                f"child credits {', '.join(child.credited)}; the parent names it too "
                "(no credit asymmetry)"
            )
        elif parent.outlet is None:
            score += w.unknown_outlet_credit_weight
            notes.append(
                f"child credits {', '.join(child.credited)}; parent, of unknown outlet, "
                "credits no outlet"
            )
        else:
            notes.append(f"child credits {', '.join(child.credited)} (not the parent's outlet)")
    elif parent.credited and not child.credited:
        if not _unmentioned(parent.credited, child):
            notes.append(
                f"parent credits {', '.join(parent.credited)}; the child names it too "
                "(no credit asymmetry)"
            )
        elif child.outlet is None:
            score -= w.unknown_outlet_credit_weight
            notes.append(
                f"parent credits {', '.join(parent.credited)}; child, of unknown outlet, "
                "credits no outlet"
            )
        else:
            notes.append(f"parent credits {', '.join(parent.credited)} (not the child's outlet)")
    if not credited_parent and child.image_credits(parent.outlet):
        score += w.image_credit_weight
        notes.append(f"child's photo credit names the parent's outlet ({parent.outlet})")
    elif parent.image_credits(child.outlet) and not child.image_credits(parent.outlet):
        score -= w.image_credit_weight
        notes.append(f"parent's photo credit names the child's outlet ({child.outlet})")
    # Between two copies of one text, the one wrapped in scraper junk is the copy: scrapers
    # add junk, nobody strips it before republishing.
    junk_weight = w.copy_junk_weight if match.jaccard >= w.copy_jaccard else w.junk_weight
    if child.scraped and not parent.scraped:
        score += junk_weight
        notes.append("child carries scraper junk (ad markers or comments)")
    elif parent.scraped and not child.scraped:
        score -= junk_weight
    if child.rendered and not parent.rendered:
        score += junk_weight
        notes.append("child is a paged rendering (PDF page headers and numbers)")
    elif parent.rendered and not child.rendered:
        score -= junk_weight
    for source, translations in (fans or {}).items():
        if source == parent.doc.id and child.doc.id in translations:
            score += w.fan_weight
            notes.append(
                f"parent is the only {parent.clean.lang} version and {len(translations)} versions "
                "translate it: translations fan out from it"
            )
        elif (
            {parent.doc.id, child.doc.id} <= translations
            and match.relation in _SIBLING_RELATIONS
            and match.jaccard < w.copy_jaccard
            and not credited_parent
        ):
            score -= w.parallel_weight
            notes.append(f"both translate {source}: parallel translations, not one from the other")
    return score, notes


def copies_of(
    matches: Mapping[tuple[str, str], Match], *, config: Config = _DEFAULT
) -> dict[str, list[str]]:
    """For each version, the versions it shares near-verbatim text with (Jaccard at least
    ``provenance.copy_jaccard``)."""
    out: dict[str, list[str]] = {}
    for (a, b), match in sorted(matches.items()):
        if match.jaccard >= config.provenance.copy_jaccard:
            out.setdefault(a, []).append(b)
            out.setdefault(b, []).append(a)
    return out


def _relay(
    by_id: Mapping[str, Version], copies: Mapping[str, Sequence[str]], parent: str, child: str
) -> str | None:
    """A version the child may have copied (near-verbatim) that credits the parent's outlet
    too. A copy that is itself a rendering or scraper copy of a clean child, or that was
    published after it, is the child's copy, not its source."""
    outlet = by_id[parent].outlet
    kid = by_id[child]
    if outlet is None or not any(same_outlet(o, outlet) for o in kid.credited):
        return None
    for other in copies.get(child, ()):
        if other == parent or other not in by_id:
            continue
        v = by_id[other]
        if (v.rendered or v.scraped) and not (kid.rendered or kid.scraped):
            continue
        if v.doc.published and kid.doc.published and v.doc.published > kid.doc.published:
            continue
        if any(same_outlet(o, outlet) for o in v.credited):
            return other
    return None


def _unmentioned(outlets: Sequence[str], other: Version) -> bool:
    """Does ``other`` leave every one of ``outlets`` unnamed? A credit one version makes and
    the other does not is evidence only when the other never names the outlet: a translation
    naming "Anadolu" where the original credits "Анадолу" lost the phrasing, not the credit."""
    return all(_unmentioned_in(outlet, other.clean.text) for outlet in outlets)


def _unmentioned_in(outlet: str, text: str) -> bool:
    """Is ``outlet`` absent from ``text`` (every word compared by a spelling-insensitive key)?"""
    present = _word_keys(text)
    keys = [name_key(w) for w in re.findall(r"\w{3,}", outlet)]
    keys = [k for k in keys if len(k) >= 2]
    return not (keys and all(k in present for k in keys))


@lru_cache(maxsize=4096)
def _word_keys(text: str) -> frozenset[str]:
    return frozenset(name_key(w) for w in set(re.findall(r"\w{3,}", text)))


def round_trip_names(parent: Version, child: Version) -> list[tuple[str, str]]:
    """Names a same-language child spells in another transliteration than its parent
    (only in languages that do not inflect names)."""
    lang = parent.clean.lang
    if lang != child.clean.lang or lang not in STABLE_NAME_LANGS:
        return []
    return transliteration_variants(parent.clean.text, child.clean.text)


def lineage_relation(
    parent: Version,
    child: Version,
    match: Match,
    reuse: Reuse | None = None,
    *,
    config: Config = _DEFAULT,
) -> LineageRelation:
    """The derivation type of ``parent -> child``. A translation only across two known,
    different languages (a same-language text whose names are respelled came through
    another language, which the evidence says, but it is a rewrite of this parent)."""
    if translation_pair(parent.clean.lang, child.clean.lang):
        return "translation"
    if match.relation in ("duplicate", "near_duplicate"):
        sources = parent.doc.source, child.doc.source
        if all(sources) and not same_outlet(*sources):
            return "copy"
        if all(sources) or not child.scraped:
            return "same_article"
        return "copy"
    share = reuse.share_of(child.doc.id) if reuse is not None else 0.0
    partially = reuse is not None and degree(share, config.reuse.wholly) == "partially"
    if match.relation == "partial_reuse" or partially:
        return "partial_reuse"
    return "rewrite"


@dataclass(frozen=True, slots=True)
class Lineage:
    """The derivation structure of one story.

    ``origins``: members with no parent; ``edges``: parent -> child derivations, each with
    the share of the child taken from the parent; ``undirected``: pairs that share text
    where nothing tells who took it from whom; ``independent``: members that share no text
    with any other member (their own report of the same event).
    """

    origins: tuple[str, ...]
    edges: tuple[LineageEdge, ...]
    undirected: tuple[UndirectedLink, ...] = ()
    independent: tuple[str, ...] = ()

    def __iter__(
        self,
    ) -> Iterator[tuple[str, ...] | tuple[LineageEdge, ...] | tuple[UndirectedLink, ...]]:
        """``origins, edges, undirected, independent = lineage``."""
        return iter((self.origins, self.edges, self.undirected, self.independent))


def took_text(reuse: Reuse, parent: str, child: str, *, config: Config = _DEFAULT) -> bool:
    """May ``child`` have taken text from ``parent``: at least ``reuse.min_share`` of the
    child is traceable to it, or most of the parent (``reuse.wholly``) reappears in the child
    (a whole brief inside a long round-up is a small share of the round-up, and still
    taken)."""
    shares = config.reuse
    return reuse.share_of(child) >= shares.min_share or reuse.share_of(parent) >= shares.wholly


def _textual_weight(reuse: Reuse, child: str, match: Match, config: Config) -> float:
    """A share found across languages counts for less than the same share of shared
    wording (``provenance.cross_lingual_weight``): a copy of a translation holds the
    translation's words, and only its meaning of the original."""
    share = reuse.share_of(child)
    factor = config.provenance.cross_lingual_weight if reuse.method == "cross-lingual" else 1.0
    return share * factor + 0.05 * closeness(match)


def _supported(versions: Sequence[Version]) -> dict[str, list[str]]:
    """For each version, the other versions of the story whose text credits its outlet."""
    out: dict[str, list[str]] = {}
    for v in versions:
        if not v.outlet:
            continue
        out[v.doc.id] = [
            w.doc.id
            for w in versions
            if w is not v and any(same_outlet(o, v.outlet) for o in w.credited)
        ]
    return out


def _time_forbids(parent: Version, child: Version, config: Config) -> bool:
    """Both dated, and the parent published at least a minute after the child."""
    p, c = parent.doc.published, child.doc.published
    return bool(p and c and (p - c).total_seconds() >= config.provenance.same_minute_seconds)


def exclusive_share(child: Version, sibling: Version, source: Version) -> float | None:
    """Share of ``child``'s shingles that it shares with ``sibling`` but not with
    ``source``: the wording only the sibling can have given it. ``None`` without shingles."""
    c, q, p = child.shingles, sibling.shingles, source.shingles
    if c is None or q is None or p is None or c.size == 0:
        return None
    from_sibling = np.intersect1d(c, q, assume_unique=True)
    only_sibling = np.setdiff1d(from_sibling, p, assume_unique=True)
    return float(only_sibling.size / c.size)


def derive_lineage(
    versions: Sequence[Version],
    matches: Mapping[tuple[str, str], Match],
    reuse: Mapping[tuple[str, str], Reuse] | None = None,
    *,
    config: Config = _DEFAULT,
) -> Lineage:
    """Origins, edges and undecided links for one story (deterministic for the same input).

    An edge ``p -> c`` needs three things: text taken (``took_text``: at least
    ``reuse.min_share`` of c traceable to p, or most of p found in c; ``reuse``); a
    direction (time, credits, junk and the other cues of :func:`direction`, at least
    ``provenance.min_direction``, and never against the clock where both
    versions are dated); and, among every parent that c may have, the most of c's wording
    (a maximum spanning arborescence over the shares, same-language wording ahead of
    matches across languages). A pair that shares text but has no direction is reported as
    an undirected link; a member that shares no text is independent coverage.
    ``reuse``: by match key; missing pairs fall back on the match's own scores. ``config``:
    the weights and thresholds (``Config.provenance``, ``Config.reuse``).
    """
    w = config.provenance
    by_id = {v.doc.id: v for v in versions}
    measured = dict(reuse or {})
    fans = translation_fans(versions, matches, measured, config=config)
    copies = copies_of(matches, config=config)
    supported = _supported(versions)
    graph = nx.DiGraph()
    graph.add_node(_ROOT)
    candidates: dict[tuple[str, str], tuple[float, float, list[str], Match, Reuse]] = {}
    undirected: list[UndirectedLink] = []
    twins: set[tuple[str, str]] = set()
    linked: set[str] = set()
    for (a, b), match in sorted(matches.items()):
        if a not in by_id or b not in by_id:
            continue
        # The match's relation groups stories; here only the shared text counts (a pair
        # ``compare`` left unrelated may still share a few translated passages).
        r = measured.get((a, b)) or _reuse_from_match(by_id[a], by_id[b], match)
        if max(r.share_a, r.share_b) < config.reuse.min_share:
            continue  # the same event, told independently: no text was taken
        linked.update((a, b))
        scored: dict[tuple[str, str], tuple[float, list[str]]] = {}
        for p, c in ((a, b), (b, a)):
            if not took_text(r, p, c, config=config) or _time_forbids(by_id[p], by_id[c], config):
                continue
            relay = _relay(by_id, copies, p, c)
            score, notes = direction(by_id[p], by_id[c], match, fans, relay, config=config)
            others = [o for o in supported.get(p, []) if o != c]
            if others and not supported.get(c) and by_id[c].doc.published is None:
                score += w.undated_credit_weight
                notes.append(
                    f"undated child; {len(others)} other version(s) credit the parent's "
                    f"outlet ({by_id[p].outlet}) as their source"
                )
            scored[(p, c)] = (score, notes)
        best = max(scored.items(), key=lambda kv: (kv[1][0], kv[0]), default=None)
        rival = min((s for k, (s, _) in scored.items() if best and k != best[0]), default=None)
        undecided = (
            best is None
            or best[1][0] < w.min_direction
            or (rival is not None and rival >= best[1][0])
        )
        if undecided and best is not None and match.jaccard >= w.copy_jaccard:
            # Twin copies of one text: they share one ancestry whichever came first, so one
            # stands under the other, drawn without an arrow (``directed=False``).
            # The likelier parent first; else the publisher's own page (the one that
            # carries an outlet and a time), else the first id.
            (p, c), (score, notes) = min(
                scored.items(),
                key=lambda kv: (-kv[1][0], -_metadata(by_id[kv[0][0]]), kv[0]),
            )
            notes = [*notes, "near-verbatim copies of each other: which came first is unknown"]
            weight = _textual_weight(r, c, match, config)
            candidates[(p, c)] = (weight, score, notes, match, r)
            twins.add((p, c))
            graph.add_edge(p, c, weight=weight)
            continue
        if undecided:
            notes = sorted({n for _, ns in scored.values() for n in ns})
            undirected.append(
                UndirectedLink(
                    a,
                    b,
                    r.share_a,
                    r.share_b,
                    (
                        f"{r.share_a:.0%} of {a} and {r.share_b:.0%} of {b} shared "
                        f"({r.method}); nothing tells which one took it from the other",
                        *notes,
                    ),
                )
            )
            continue
        assert best is not None  # not undecided
        (p, c), (score, notes) = best
        # Wording decides; the direction evidence only breaks a tie between equal shares.
        weight = _textual_weight(r, c, match, config) + 0.01 * min(score, 5.0)
        candidates[(p, c)] = (weight, score, notes, match, r)
        graph.add_edge(p, c, weight=weight)
    _prefer_common_sources(graph, by_id, candidates, w.exclusive)
    for child in by_id:
        incoming = sorted(graph.in_edges(child, data="weight"), key=lambda e: (-e[2], e[0]))
        graph.remove_edges_from([(p, c) for p, c, _ in incoming[w.max_parents :]])
    for v in sorted(by_id):
        graph.add_edge(_ROOT, v, weight=w.root_weight)
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=True)
    below = {node: nx.descendants(tree, node) for node in by_id}
    origins: list[str] = []
    edges: list[LineageEdge] = []
    for parent, child in sorted(tree.edges()):
        if parent == _ROOT:
            origins.append(child)
            continue
        edges.append(
            _edge(
                by_id[parent],
                by_id[child],
                candidates[(parent, child)],
                {k: candidates[k] for k in graph.edges if k in candidates},
                below,
                directed=(parent, child) not in twins,
                config=config,
            )
        )
    independent = tuple(sorted(set(by_id) - linked))
    return Lineage(tuple(origins), tuple(edges), tuple(undirected), independent)


def _metadata(version: Version) -> int:
    """How much publication metadata a version carries (its outlet, its time)."""
    return int(bool(version.doc.source)) + int(version.doc.published is not None)


def _prefer_common_sources(
    graph: nx.DiGraph,
    by_id: Mapping[str, Version],
    candidates: Mapping[tuple[str, str], tuple[float, float, list[str], Match, Reuse]],
    exclusive: float,
) -> None:
    """Siblings printed from one source share its words: a child that holds almost nothing
    of a sibling ``q``'s wording beyond what their common source ``p`` also has
    (``exclusive_share`` under ``exclusive``, ``provenance.exclusive``) took its text from ``p``, so ``q -> c``
    goes. Never when the child credits q's outlet and not p's (a credit to both names no
    one: a copy of p carries p's dateline)."""
    for q, c in sorted(candidates):
        if not graph.has_edge(q, c):
            continue
        credits = by_id[c].credited
        for p, q2 in sorted(candidates):
            if q2 != q or p == c or (p, c) not in candidates:
                continue
            names_q = any(same_outlet(o, by_id[q].outlet) for o in credits)
            names_p = any(same_outlet(o, by_id[p].outlet) for o in credits)
            if names_q and not names_p:
                continue
            share = exclusive_share(by_id[c], by_id[q], by_id[p])
            if share is not None and share < exclusive:
                graph.remove_edge(q, c)
                break


def _reuse_from_match(a: Version, b: Version, match: Match) -> Reuse:
    """Reuse estimated from the match alone (no aligner run): shingle containment, and the
    sentence coverage across languages."""
    cross = translation_pair(a.clean.lang, b.clean.lang)
    if cross and max(match.coverage_ab, match.coverage_ba) > max(
        match.containment_ab, match.containment_ba
    ):
        return Reuse(match.a, match.b, match.coverage_ab, match.coverage_ba, "cross-lingual")
    return Reuse(match.a, match.b, match.containment_ab, match.containment_ba, "lexical")


def _edge(
    parent: Version,
    child: Version,
    chosen: tuple[float, float, list[str], Match, Reuse],
    candidates: Mapping[tuple[str, str], tuple[float, float, list[str], Match, Reuse]],
    below: Mapping[str, set[str]],
    *,
    directed: bool = True,
    config: Config = _DEFAULT,
) -> LineageEdge:
    """The edge record, its confidence from three parts: text taken (the share), direction
    (the strength of its evidence) and parent (the margin over rival parents)."""
    weight, score, notes, match, r = chosen
    p, c = parent.doc.id, child.doc.id
    share = r.share_of(c)
    rivals = [
        w for (q, k), (w, *_) in candidates.items() if k == c and q != p and q not in below[c]
    ]
    margin = weight - max(rivals, default=0.0)
    text_conf = 1.0 - math.exp(-share / 0.15)
    direction_conf = 0.5 + 0.5 * math.tanh(score / 2.0) if directed else 0.5
    parent_conf = 0.5 + 0.5 * math.tanh(margin / 0.1)
    confidence = round(text_conf * direction_conf * parent_conf, 3)
    evidence = [
        r.describe(p, c),
        f"{match.relation} match: " + "; ".join(match.evidence),
        *notes,
    ]
    respelled = round_trip_names(parent, child)
    if respelled:
        shown = ", ".join(f"{a} → {b}" for a, b in respelled[:3])
        evidence.append(
            f"names respelled in another transliteration ({shown}): the text passed "
            "through another language (a round-trip translation)"
        )
    if rivals:
        names = ", ".join(q for (q, k) in candidates if k == c and q != p and q not in below[c])
        evidence.append(
            f"other possible parent(s): {names}; this one accounts for the most of the "
            f"child's wording (margin {margin:.2f})"
        )
    if not directed:
        evidence.append("direction unknown: shown under the other copy, not derived from it")
    elif score < 1.0:
        evidence.append("weak evidence for the direction")
    return LineageEdge(
        parent=p,
        child=c,
        relation=lineage_relation(parent, child, match, r, config=config),
        confidence=confidence,
        evidence=tuple(evidence),
        reuse=round(share, 4),
        degree=degree(share, config.reuse.wholly),
        method=r.method,
        credited=child.credited,
        directed=directed,
    )


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
