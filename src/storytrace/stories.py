"""Stories: connected groups of documents in the match graph, deterministic and stable.

Two documents join the same story when their match says one derives from the other
(duplicate, near-duplicate, partial reuse, rewrite, translation) or that they report the
same event (``same_story``). A story's id comes from content: a hash of the smallest content
hash among its members, so it does not depend on input order.

Weak links do not chain stories together. Strong links (copies, partial reuse, rewrites and
translations covering at least 60% of one side) join freely; a weak link (``same_story``,
or a rewrite or translation covering less) joins two groups only when one of them is still
small (fewer than ``ESTABLISHED`` members). Two established stories linked only by
same-event evidence are independent reports of one event, and stay apart: no chain of weak
links grows a mega-cluster out of everything written about an event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

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


ESTABLISHED = 3
STRONG_COVERAGE = 0.6


def is_strong(match: Match) -> bool:
    """Does the match show derivation strongly enough to join two stories on its own?"""
    if match.relation in ("duplicate", "near_duplicate", "partial_reuse"):
        return True
    if match.relation in ("rewrite", "translation"):
        return max(match.coverage_ab, match.coverage_ba) >= STRONG_COVERAGE
    return False


def build_stories(ids: Sequence[str], matches: Iterable[Match]) -> list[list[str]]:
    """Groups of two or more documents linked by story relations (see the module docstring
    for when a weak link may join two groups)."""
    linking = [m for m in matches if m.relation in LINKING_RELATIONS]
    strong = [(m.a, m.b) for m in linking if is_strong(m)]
    base = connected_groups(ids, strong)
    group_of = {member: n for n, group in enumerate(base) for member in group}
    members = {n: len(group) for n, group in enumerate(base)}
    merged: dict[int, int] = {n: n for n in members}

    def find(n: int) -> int:
        while merged[n] != n:
            merged[n] = merged[merged[n]]
            n = merged[n]
        return n

    weak = sorted(
        (m for m in linking if not is_strong(m) and m.a in group_of and m.b in group_of),
        key=lambda m: (-max(m.coverage_ab, m.coverage_ba) - m.semantic, m.a, m.b),
    )
    joins: list[tuple[str, str]] = []
    for m in weak:
        ra, rb = find(group_of[m.a]), find(group_of[m.b])
        if ra == rb or min(members[ra], members[rb]) >= ESTABLISHED:
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        merged[gone] = keep
        members[keep] += members[gone]
        joins.append((m.a, m.b))
    return [g for g in connected_groups(ids, strong + joins) if len(g) > 1]


def story_id(members: Sequence[str], content_ids: Mapping[str, str]) -> str:
    """``story-`` and 12 hex digits, from the members' content hashes."""
    anchor = min(content_ids[m] for m in members)
    return "story-" + hashlib.sha1(anchor.encode()).hexdigest()[:12]
