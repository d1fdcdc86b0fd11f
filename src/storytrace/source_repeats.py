"""Lines a source repeats across its own documents: its boilerplate, never another's reuse.

A site prints the same lines under every article ("Follow us on Telegram", its newsletter
pitch, its legal line); no cue list knows them all, but the site's own documents do: a line
found in three or more *stories* of the same source (a document in no story counts as its
own) is that source's furniture. Versions of one story share lines as content (translations
by several systems agree on short sentences), so they count once; lines that recur across
*different* sources are never counted: that repetition is the reuse storytrace looks for. A
document made mostly of such lines keeps them: there they are its text, not furniture.

Pure functions over texts and counts; the store keeps the line keys per source, and the
pipeline recounts them by story once stories are built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

MIN_DOCUMENTS = 3  # stories (or lone documents) of one source a line must appear in
MIN_LINE_CHARS = 12  # shorter lines are left to the other rules (share buttons, counters)
MAX_SHARE = 0.5  # a document whose text is mostly repeated lines keeps them


def line_key(line: str) -> str | None:
    """A key for one line (case and spacing folded), or None for a line too short to count."""
    folded = " ".join(line.split()).casefold()
    if len(folded) < MIN_LINE_CHARS:
        return None
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()[:16]


def line_keys(text: str) -> frozenset[str]:
    """The keys of a document's lines (each line once)."""
    return frozenset(k for k in (line_key(line) for line in text.splitlines()) if k)


def repeated(
    counts: Iterable[tuple[str, int]], min_documents: int = MIN_DOCUMENTS
) -> frozenset[str]:
    """Keys found in at least ``min_documents`` documents, from (key, document count) pairs."""
    return frozenset(key for key, n in counts if n >= min_documents)
