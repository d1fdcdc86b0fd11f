"""Who published first and who derived from whom: a derivation DAG per story.

For every matched pair in a story, the evidence for each direction is scored: publication
times, explicit credits ("Nordwire reported" in the child, Nordwire being the parent's
outlet), a credit in one version but none in the other (the uncredited one is closer to
the original report), scraper junk (ad markers, comment sections: copies, not originals)
and containment asymmetry (the child holds the parent's text plus its own). Each possible
edge ``p -> c`` weighs ``closeness(p, c) + 0.5 * direction(p, c)``; a maximum spanning
arborescence from a virtual root then gives every document one parent (or makes it an
origin). Conflicting or missing evidence is stated in the edge's evidence, not hidden.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx

from storytrace.attribution import same_outlet
from storytrace.names import STABLE_NAME_LANGS, name_key, transliteration_variants
from storytrace.records import Attribution, CleanDoc, Document, LineageEdge, LineageRelation, Match

_ROOT = "\x00root"
_ROOT_WEIGHT = 0.05
_MAX_PARENTS = 6
# Two translations of one source (different systems or translators) share much of their
# wording, up to near-duplicates; only an exact duplicate is taken for a plain copy.
_SIBLING_RELATIONS = frozenset({"near_duplicate", "partial_reuse", "rewrite", "same_story"})
_SCRAPER_REASONS = frozenset({"ad marker", "comments"})
_RENDERING_REASONS = frozenset({"page header/footer"})
_IMAGE_REASONS = frozenset({"photo credit", "photo caption"})
# Two independent translations never share this much of their 5-word shingles: a pair this
# close is a copy of one translation, not a second translation of the source.
_COPY_JACCARD = 0.8


@dataclass(frozen=True, slots=True)
class Version:
    """What provenance needs to know about one member of a story."""

    doc: Document
    clean: CleanDoc
    attributions: tuple[Attribution, ...]
    outlet: str | None = None
    """The outlet that published it: declared (``doc.source``) or named in its dateline."""

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
    """How close two versions are textually (copies > edits > translations > same event)."""
    shared = max(match.coverage_ab, match.coverage_ba)
    return 2.0 * match.jaccard + shared + 0.5 * max(0.0, match.semantic - 0.5)


def translation_fans(
    versions: Sequence[Version], matches: Mapping[tuple[str, str], Match]
) -> dict[str, frozenset[str]]:
    """For each version that is the only one in its language: the versions that translate it.

    When one version stands alone in its language and several versions in another language
    are translations of it, translations fanned out from it: it is the likelier source, and
    those translations are parallel (siblings), not derived from one another.
    """
    langs: dict[str, list[str]] = {}
    for v in versions:
        if v.clean.lang != "und":
            langs.setdefault(v.clean.lang, []).append(v.doc.id)
    sole = {ids[0] for ids in langs.values() if len(ids) == 1}
    fans: dict[str, set[str]] = {s: set() for s in sole}
    for (a, b), match in matches.items():
        if match.relation != "translation":
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
) -> tuple[float, list[str]]:
    """Score (> 0: parent came first) and the evidence, for ``parent -> child``.

    ``relay``: another version the child copies (near-verbatim) that carries the same
    credit to the parent's outlet. The credit then came along with the copied text: it shows
    the parent is an ancestor, not that it is the direct parent, and counts for less.
    """
    score = 0.0
    notes: list[str] = []
    p_time, c_time = parent.doc.published, child.doc.published
    if p_time and c_time:
        delta = (c_time - p_time).total_seconds()
        if abs(delta) >= 60:
            score += 2.0 if delta > 0 else -2.0
            when = "before" if delta > 0 else "after"
            notes.append(f"parent published {_duration(abs(delta))} {when} child")
        else:
            notes.append("published within the same minute")
    else:
        missing = [v.doc.id for v in (parent, child) if v.doc.published is None]
        notes.append(f"no publication time for {', '.join(missing)}")
    credited_parent = [o for o in child.credited if same_outlet(o, parent.outlet)]
    if credited_parent and relay is not None:
        score += 1.0
        notes.append(
            f"child credits the parent's outlet ({credited_parent[0]}), but so does {relay}, "
            "which the child copies: the credit came with the copied text"
        )
    elif credited_parent:
        score += 3.0
        notes.append(f"child credits the parent's outlet ({credited_parent[0]})")
    elif any(same_outlet(o, child.outlet) for o in parent.credited):
        score -= 3.0
        notes.append(f"parent credits the child's outlet ({child.outlet})")
    elif child.credited and not parent.credited:
        if _unmentioned(child.credited, parent):
            score += 1.0
            notes.append(f"child credits {', '.join(child.credited)}; parent credits no outlet")
        else:
            notes.append(
                f"child credits {', '.join(child.credited)}; the parent names it too "
                "(no credit asymmetry)"
            )
    elif parent.credited and not child.credited:
        if _unmentioned(parent.credited, child):
            score -= 1.0
            notes.append(f"parent credits {', '.join(parent.credited)}; child credits no outlet")
        else:
            notes.append(
                f"parent credits {', '.join(parent.credited)}; the child names it too "
                "(no credit asymmetry)"
            )
    if not credited_parent and child.image_credits(parent.outlet):
        score += 1.5
        notes.append(f"child's photo credit names the parent's outlet ({parent.outlet})")
    elif parent.image_credits(child.outlet) and not child.image_credits(parent.outlet):
        score -= 1.5
        notes.append(f"parent's photo credit names the child's outlet ({child.outlet})")
    # Between two copies of one text, the one wrapped in scraper junk is the copy: scrapers
    # add junk, nobody strips it before republishing.
    junk_weight = 1.5 if match.jaccard >= _COPY_JACCARD else 0.5
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
            score += 1.0
            notes.append(
                f"parent is the only {parent.clean.lang} version and {len(translations)} versions "
                "translate it: translations fan out from it"
            )
        elif (
            {parent.doc.id, child.doc.id} <= translations
            and match.relation in _SIBLING_RELATIONS
            and match.jaccard < _COPY_JACCARD
            and not credited_parent
        ):
            score -= 2.5
            notes.append(f"both translate {source}: parallel translations, not one from the other")
    c_in_child, c_in_parent = _containment(parent, child, match)
    if c_in_child - c_in_parent > 0.1 and match.relation in ("partial_reuse", "near_duplicate"):
        score += 0.5
        notes.append(
            f"child contains the parent's text plus its own ({c_in_child:.2f} vs {c_in_parent:.2f})"
        )
    return score, notes


def copies_of(matches: Mapping[tuple[str, str], Match]) -> dict[str, list[str]]:
    """For each version, the versions it shares near-verbatim text with (Jaccard >= 0.8)."""
    out: dict[str, list[str]] = {}
    for (a, b), match in sorted(matches.items()):
        if match.jaccard >= _COPY_JACCARD:
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


def _containment(parent: Version, child: Version, match: Match) -> tuple[float, float]:
    """(share of parent found in child, share of child found in parent)."""
    if match.a == parent.doc.id:
        return match.containment_ab, match.containment_ba
    return match.containment_ba, match.containment_ab


def round_trip_names(parent: Version, child: Version) -> list[tuple[str, str]]:
    """Names a same-language child spells in another transliteration than its parent
    (only in languages that do not inflect names)."""
    lang = parent.clean.lang
    if lang != child.clean.lang or lang not in STABLE_NAME_LANGS:
        return []
    return transliteration_variants(parent.clean.text, child.clean.text)


def lineage_relation(parent: Version, child: Version, match: Match) -> LineageRelation:
    """The derivation type of ``parent -> child``. A same-language rewrite whose names are
    respelled in another transliteration came through another language: a translation."""
    if match.relation in ("rewrite", "same_story") and round_trip_names(parent, child):
        return "translation"
    if match.relation in ("duplicate", "near_duplicate"):
        sources = parent.doc.source, child.doc.source
        if all(sources) and not same_outlet(*sources):
            return "copy"
        if all(sources) or not child.scraped:
            return "same_article"
        return "copy"
    if match.relation == "partial_reuse":
        return "partial_reuse"
    if match.relation == "translation":
        return "translation"
    return "rewrite"


def derive_lineage(
    versions: Sequence[Version], matches: Mapping[tuple[str, str], Match]
) -> tuple[tuple[str, ...], tuple[LineageEdge, ...]]:
    """Origins and parent->child edges for one story (deterministic for the same input)."""
    by_id = {v.doc.id: v for v in versions}
    graph = nx.DiGraph()
    graph.add_node(_ROOT)
    candidates: dict[tuple[str, str], tuple[float, list[str], Match]] = {}
    fans = translation_fans(versions, matches)
    copies = copies_of(matches)
    for (a, b), match in sorted(matches.items()):
        if a not in by_id or b not in by_id or match.relation == "unrelated":
            continue
        base = closeness(match)
        for p, c in ((a, b), (b, a)):
            score, notes = direction(by_id[p], by_id[c], match, fans, _relay(by_id, copies, p, c))
            weight = base + 0.5 * score
            candidates[(p, c)] = (weight, notes, match)
            if weight > 0:
                graph.add_edge(p, c, weight=weight)
    # Each version keeps only its strongest few possible parents: Edmonds' algorithm stays
    # fast on large stories, and a weak far-away parent would never win anyway.
    for child in by_id:
        incoming = sorted(graph.in_edges(child, data="weight"), key=lambda e: (-e[2], e[0]))
        graph.remove_edges_from([(p, c) for p, c, _ in incoming[_MAX_PARENTS:]])
    for v in sorted(by_id):
        graph.add_edge(_ROOT, v, weight=_ROOT_WEIGHT)
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=True)
    below = {node: nx.descendants(tree, node) for node in by_id}
    origins: list[str] = []
    edges: list[LineageEdge] = []
    for parent, child in sorted(tree.edges()):
        if parent == _ROOT:
            origins.append(child)
            continue
        weight, notes, match = candidates[(parent, child)]
        # Rival parents: any other version, except the child's own descendants in the tree
        # (a same-article twin below it is not an alternative explanation).
        rivals = [
            w
            for (p, c), (w, _, _) in candidates.items()
            if c == child and p != parent and p not in below[child]
        ]
        reverse = candidates.get((child, parent), (0.0, [], match))[0]
        margin = weight - max([reverse, _ROOT_WEIGHT, *rivals])
        confidence = round(0.5 + 0.5 * math.tanh(margin), 3)
        evidence = [f"{match.relation} match: " + "; ".join(match.evidence), *notes]
        if match.relation == "same_story":
            evidence.append(
                "the two share no closely matching passages (same event): the derivation rests on "
                "credits and times, and may be independent reporting"
            )
        respelled = round_trip_names(by_id[parent], by_id[child])
        if respelled and match.relation in ("rewrite", "same_story"):
            shown = ", ".join(f"{a} → {b}" for a, b in respelled[:3])
            evidence.append(
                f"names respelled in another transliteration ({shown}): the text passed "
                "through another language (a round-trip translation)"
            )
        if margin < 0.25:
            evidence.append("weak or conflicting evidence for this direction and parent")
        edges.append(
            LineageEdge(
                parent=parent,
                child=child,
                relation=lineage_relation(by_id[parent], by_id[child], match),
                confidence=confidence,
                evidence=tuple(evidence),
            )
        )
    return tuple(origins), tuple(edges)


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
