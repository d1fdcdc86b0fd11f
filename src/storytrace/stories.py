"""Stories: connected groups of documents in the match graph, deterministic and stable.

Two documents join the same story when their match says one derives from the other
(duplicate, near-duplicate, partial reuse, rewrite, translation) or that they report the
same event (``same_story``). A story's id comes from content: a hash of the smallest content
hash among its members, so it does not depend on input order.

Weak links do not chain stories together. Strong links (copies, partial reuse of at least
half of one side, rewrites and translations covering at least 60% of one side) join freely; a weak link (``same_story``,
or a rewrite or translation covering less) joins two groups only when one of them is still
small (fewer than ``Config.stories.established`` members). Two established stories linked only by
same-event evidence are independent reports of one event, and stay apart: no chain of weak
links grows a mega-cluster out of everything written about an event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from storytrace.config import StoriesConfig
from storytrace.records import Match

LINKING_RELATIONS = frozenset(
    {"duplicate", "near_duplicate", "partial_reuse", "rewrite", "translation", "same_story"}
)


def connected_groups(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components (union-find), each sorted, ordered by their first member."""
    parent: dict[str, str] = {i: i for i in ids}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in links:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for i in parent:
        groups.setdefault(find(i), []).append(i)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


_DEFAULT = StoriesConfig()


def is_strong(match: Match, settings: StoriesConfig = _DEFAULT) -> bool:
    """Does the match show derivation strongly enough to join two stories on its own?"""
    if match.relation in ("duplicate", "near_duplicate"):
        return True
    if match.relation == "partial_reuse":  # strong when half of one text is in the other
        return max(match.containment_ab, match.containment_ba) >= settings.strong_containment
    if match.relation in ("rewrite", "translation"):
        return max(match.coverage_ab, match.coverage_ba) >= settings.strong_coverage
    return False


def is_weak_link(match: Match, settings: StoriesConfig = _DEFAULT) -> bool:
    """A story relation that may join two groups only while one of them is small."""
    return match.relation in LINKING_RELATIONS and not is_strong(match, settings)


def may_join(size_a: int, size_b: int, settings: StoriesConfig = _DEFAULT) -> bool:
    """May a weak link join groups of these sizes? Only while one is not yet established.
    Groups only grow, so a weak link between two established groups never joins them (an
    executor may drop such links before ``weak_joins`` sees them)."""
    return min(size_a, size_b) < settings.established


def weak_order(match: Match) -> tuple[float, str, str]:
    """The order weak links are tried in: best covered and closest first, then by ids."""
    return (-max(match.coverage_ab, match.coverage_ba) - match.semantic, match.a, match.b)


def weak_joins(
    group_of: Mapping[str, str],
    sizes: Mapping[str, int],
    weak: Iterable[Match],
    settings: StoriesConfig = _DEFAULT,
) -> list[tuple[str, str]]:
    """The weak links that join groups, tried in ``weak_order``.

    ``group_of`` maps documents to the key of their strong group, ``sizes`` gives each
    group's size. A link joins two groups when they are not yet joined and ``may_join`` their
    current (merged) sizes. Decisions in one connected part of the group graph never depend
    on another part, so an executor may call this once per part.
    """
    merged: dict[str, str] = {g: g for g in sizes}
    members = dict(sizes)

    def find(n: str) -> str:
        while merged[n] != n:
            merged[n] = merged[merged[n]]
            n = merged[n]
        return n

    ordered = sorted((m for m in weak if m.a in group_of and m.b in group_of), key=weak_order)
    joins: list[tuple[str, str]] = []
    for m in ordered:
        ra, rb = find(group_of[m.a]), find(group_of[m.b])
        if ra == rb or not may_join(members[ra], members[rb], settings):
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        merged[gone] = keep
        members[keep] += members[gone]
        joins.append((m.a, m.b))
    return joins


def build_stories(
    ids: Sequence[str], matches: Iterable[Match], settings: StoriesConfig = _DEFAULT
) -> list[list[str]]:
    """Groups of two or more documents linked by story relations (see the module docstring
    for when a weak link may join two groups)."""
    linking = [m for m in matches if m.relation in LINKING_RELATIONS]
    strong = [(m.a, m.b) for m in linking if is_strong(m, settings)]
    base = connected_groups(ids, strong)
    group_of = {member: group[0] for group in base for member in group}
    sizes = {group[0]: len(group) for group in base}
    weak = (m for m in linking if not is_strong(m, settings))
    joins = weak_joins(group_of, sizes, weak, settings)
    return [g for g in connected_groups(ids, strong + joins) if len(g) > 1]


def story_id(members: Sequence[str], content_ids: Mapping[str, str]) -> str:
    """``story-`` and 12 hex digits, from the members' content hashes."""
    anchor = min(content_ids[m] for m in members)
    return "story-" + hashlib.sha1(anchor.encode()).hexdigest()[:12]
