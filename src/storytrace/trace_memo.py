"""A story's pairwise results kept between traces, under the content of their inputs.

Tracing a story again (a version joined it, two stories merged) repeats work on the pairs of
members that did not change: comparing two members that candidate search did not pair,
measuring what each pair reused, aligning an edge and finding its changes. ``TraceMemo``
keeps each such result under a key made of everything it is computed from: the two cleaned
texts with their offsets (after the story's own cleaning), their match, their signatures,
the documents' fields, the settings, and the source code of the package that computes it.
A result is taken again only where computing it again would give the same one, so a story
traced with a memo equals one traced without (tests/test_trace_memo.py).

Pure bookkeeping: the store keeps the entries (``Store.save_stories``, ``Store.memo``) and
hands ``TraceMemo`` a look-up function; this module does no I/O of its own but reading the
package's source once per process for the code fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from storytrace import codec
from storytrace.config import Config
from storytrace.records import CleanDoc, Document, Match, Passage, Signature, Span
from storytrace.reuse import Reuse

T = TypeVar("T")

_NOT_CODE = (
    "web",
    "eval",
    "report",
    "demo",
    "executors",
    "cli.py",
    "pipeline.py",
    "store.py",
    "spark_pipeline.py",
    "spark_stories.py",
    "query.py",
    "key_index.py",
    "progress.py",
)
"""Package folders and modules whose code computes none of the memo's results (they read,
write and schedule; a change there leaves every kept result valid)."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the package's source (but ``_NOT_CODE``): a memo written by other code is
    never read."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in _NOT_CODE:
            continue
        digest.update(str(rel).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash(*parts: bytes | str) -> str:
    digest = hashlib.sha1()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def clean_key(c: CleanDoc) -> str:
    """Everything of a cleaned document that a pairwise result can depend on."""
    return _hash(
        json.dumps(
            [
                c.id,
                c.text,
                c.lang,
                c.raw_length,
                [[r.start, r.end, r.reason] for r in c.removed],
                [[r.clean, r.raw, r.length] for r in c.runs],
                [[s.start, s.end] for s in c.sentences],
                [[s.start, s.end] for s in c.paragraphs],
            ],
            ensure_ascii=False,
        )
    )


def signature_key(s: Signature) -> str:
    arrays = (s.shingles, s.minhash, s.embedding, s.sentence_embeddings)
    return _hash(
        s.id,
        *(b"-" if a is None else repr(a.shape).encode() + a.tobytes() for a in arrays),
    )


def document_key(d: Document) -> str:
    """A document's fields but its text (``doc_id`` is the hash of its content)."""
    return _hash(
        json.dumps(
            [
                d.id,
                d.doc_id,
                d.url,
                d.source,
                d.published.isoformat() if d.published else None,
                d.title,
                d.lang,
                dict(d.meta),
            ],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
    )


def match_key(m: Match) -> str:
    return _hash(match_to_json(m))


def match_to_json(m: Match) -> str:
    return json.dumps(codec.match_to_plain(m), ensure_ascii=False)


def match_from_json(text: str) -> Match:
    return codec.match_from_plain(json.loads(text))


def reuse_to_json(r: Reuse) -> str:
    passages = [[p.a.start, p.a.end, p.b.start, p.b.end, p.kind, p.score] for p in r.passages]
    return json.dumps([r.a, r.b, r.share_a, r.share_b, r.method, passages], ensure_ascii=False)


def reuse_from_json(text: str) -> Reuse:
    a, b, share_a, share_b, method, passages = json.loads(text)
    return Reuse(
        a,
        b,
        share_a,
        share_b,
        method,
        tuple(
            Passage(Span(s0, e0), Span(s1, e1), kind, score)
            for s0, e0, s1, e1, kind, score in passages
        ),
    )


class TraceMemo:
    """Pairwise results by content key: those found through ``lookup`` (the store) are
    taken, the others computed; every result the trace used is in ``used``, to be kept
    with the story it now belongs to."""

    def __init__(
        self, lookup: Callable[[Sequence[str]], Mapping[str, str]], config: Config
    ) -> None:
        self._lookup = lookup
        self._settings = _hash(config.to_json(), code_fingerprint())
        self._keys: dict[tuple[str, int], str] = {}
        self.used: dict[str, str] = {}
        self.taken = 0

    def _of(self, kind: str, value: Any, make: Callable[[Any], str]) -> str:
        found = self._keys.get((kind, id(value)))
        if found is None:
            found = self._keys[(kind, id(value))] = make(value)
        return found

    def key(self, kind: str, *parts: str) -> str:
        return _hash(kind, self._settings, *parts)

    def clean(self, c: CleanDoc) -> str:
        return self._of("clean", c, clean_key)

    def signature(self, s: Signature) -> str:
        return self._of("sig", s, signature_key)

    def document(self, d: Document) -> str:
        return self._of("doc", d, document_key)

    def get(
        self, key: str, compute: Callable[[], T], dump: Callable[[T], str], load: Callable[[str], T]
    ) -> T:
        """The result under ``key``: as kept, else computed (and kept in ``used``)."""
        kept = self.used.get(key)
        if kept is None:
            kept = self._lookup([key]).get(key)
        if kept is not None:
            self.used[key] = kept
            self.taken += 1
            return load(kept)
        result = compute()
        self.used[key] = dump(result)
        return result
