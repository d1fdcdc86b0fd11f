"""What a listing of stories shows and searches: one summary row per story, from its members.

The store keeps this row beside each story (``story_index``) so that a listing page, or a
report written story by story, reads a few small rows by index instead of every story's
body. Pure functions: the store hands in the members' few fields it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from storytrace.records import Story

HEADLINE_CHARS = 120
HEAD_CHARS = 400
"""How much of a member's text the summary reads (its headline is cut at HEADLINE_CHARS)."""


class MemberInfo(TypedDict):
    """The fields of one member a story's summary is made of."""

    title: str | None
    source: str | None
    published: str | None
    lang: str | None
    head: str
    """The start of its raw text (at least ``HEAD_CHARS`` characters, or all of it)."""


def headline(title: str | None, text: str) -> str:
    """A version's headline: its title, else its first line cut at a word (with an ellipsis)."""
    if title:
        return str(title)
    first = text.strip().split("\n", 1)[0]
    if len(first) <= HEADLINE_CHARS:
        return first
    return first[:HEADLINE_CHARS].rsplit(" ", 1)[0] + "…"


def story_summary(story: Story, members: Mapping[str, MemberInfo]) -> dict[str, Any]:
    """The listing row of ``story``: title (its origin's headline), size, languages, time
    span (to the minute) and origin with its outlet."""
    ids = story.members
    known = [members[m] for m in ids if m in members]
    times = sorted(d["published"] for d in known if d["published"])
    origin = story.origins[0] if story.origins else ids[0]
    info = members.get(origin)
    return {
        "id": story.id,
        "title": headline(info["title"], info["head"]) if info else origin,
        "size": len(ids),
        "languages": sorted({d["lang"] or "und" for d in known}),
        "span": [times[0][:16], times[-1][:16]] if times else None,
        "origin": origin,
        "origin_source": info["source"] if info else None,
    }


def search_text(story: Story, members: Mapping[str, MemberInfo]) -> str:
    """What a search of the listing looks in, lower-cased: the story's id, and each member's
    id, headline and outlet."""
    parts = [story.id]
    for m in story.members:
        parts.append(m)
        info = members.get(m)
        if info:
            parts.append(headline(info["title"], info["head"]))
            parts.append(info["source"] or "")
    return "\n".join(parts).lower()
