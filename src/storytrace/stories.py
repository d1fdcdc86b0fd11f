"""Stories: connected groups of documents in the match graph, deterministic and stable.

Two documents join the same story when their match says one derives from the other
(duplicate, near-duplicate, partial reuse, rewrite, translation) or that they report the
same event (``same_story``). A story's id comes from content: a hash of the smallest content
hash among its members, so it does not depend on input order.
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


def build_stories(ids: Sequence[str], matches: Iterable[Match]) -> list[list[str]]:
    """Groups of two or more documents linked by story relations."""
    links = [(m.a, m.b) for m in matches if m.relation in LINKING_RELATIONS]
    return [g for g in connected_groups(ids, links) if len(g) > 1]


def story_id(members: Sequence[str], content_ids: Mapping[str, str]) -> str:
    """``story-`` and 12 hex digits, from the members' content hashes."""
    anchor = min(content_ids[m] for m in members)
    return "story-" + hashlib.sha1(anchor.encode()).hexdigest()[:12]
