"""Small text primitives shared by the stages: content ids, words, sentences, paragraphs.

Pure functions, no state, no I/O. Sentence splitting is rule-based and multilingual: it
breaks at line ends and after ``. ! ? …`` followed by a capital, digit-free start, while
keeping abbreviations ("Aug. 9", "U.S.", "Dr. Weber", "St. Petersburg") together.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

from storytrace.records import Span

WORD_RE = re.compile(r"\w+", re.UNICODE)

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "sr",
        "jr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "rev",
        "fr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "vol",
        "fig",
        "approx",
        "est",
        "dept",
        "univ",
        "hr",
        "frau",
        "herr",
        "nr",
        "bzw",
        "ca",
        "dr",
        "str",
        "sra",
        "sr",
        "dña",
        "d",
        "ee",
        "uu",
        "av",
        "pág",
        "núm",
        "tel",
        "art",
        "abs",
        "z",
        "b",
        "u",
        "a",
        "г",
        "гг",
        "ул",
        "им",
        "т",
        "е",
        "н",
        "э",
        "проф",
    ]
)

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets), then space.
_SENT_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+)""")


def content_id(text: str) -> str:
    """Stable id from content: SHA-1 of NFKC text with whitespace collapsed (16 hex)."""
    norm = " ".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def words(text: str) -> list[str]:
    """Lower-cased word tokens (Unicode ``\\w+``)."""
    return [w.lower() for w in WORD_RE.findall(text)]


# Letters whose diacritic is not a combining mark (no NFKD decomposition).
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "ß": "ss", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower-case and strip diacritics: 'Cichanouskaja' and 'Čichanouskaja' compare equal,
    and so do 'Łukaszenka' and 'Lukaszenka'."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MONTHS_AFTER_ORDINAL = frozenset(
    [
        "januar",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
        "jänner",
        "sausio",
        "vasario",
        "kovo",
        "balandžio",
        "gegužės",
        "birželio",
        "liepos",
        "rugpjūčio",
        "rugsėjo",
        "spalio",
        "lapkričio",
        "gruodžio",
    ]
)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation, an initial or an ordinal date
    ("am 12. März")."""
    digits = dot
    while digits > 0 and text[digits - 1].isdigit():
        digits -= 1
    if 0 < dot - digits <= 2 and (digits == 0 or not text[digits - 1].isalnum()):
        following = text[dot + 1 :].lstrip()
        first = following.split(maxsplit=1)[0].lower() if following else ""
        if first.rstrip(".,;:") in _MONTHS_AFTER_ORDINAL:
            return True
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    token = text[start:dot].rstrip(".")
    if not token:
        return False
    last = token.split(".")[-1]
    if len(last) == 1 and last.isalpha():
        return True  # initials and U.S.-style abbreviations
    return last.lower() in _ABBREVIATIONS


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of ``text[start:end]`` (trimmed of surrounding whitespace)."""
    stop = len(text) if end is None else end
    spans: list[Span] = []
    for line in _line_spans(text, start, stop):
        cursor = line.start
        for m in _SENT_END.finditer(text, line.start, line.end):
            cut = m.end()
            nxt = _next_nonspace(text, cut, line.end)
            if nxt >= line.end:
                continue
            following = text[nxt]
            if following.islower() or following.isdigit():
                continue
            if (
                text[m.start()] == "."
                and m.end() - m.start() == 1
                and _is_abbreviation(text, m.start())
            ):
                continue
            _append_trimmed(spans, text, cursor, cut)
            cursor = nxt
        _append_trimmed(spans, text, cursor, line.end)
    return spans


def split_paragraphs(text: str) -> list[Span]:
    """Paragraph spans: runs of text separated by line breaks (clean text has one per line)."""
    return _line_spans(text, 0, len(text))


def _line_spans(text: str, start: int, stop: int) -> list[Span]:
    spans: list[Span] = []
    pos = start
    while pos < stop:
        nl = text.find("\n", pos, stop)
        line_end = stop if nl < 0 else nl
        _append_trimmed(spans, text, pos, line_end)
        pos = line_end + 1
    return spans


def _next_nonspace(text: str, pos: int, stop: int) -> int:
    while pos < stop and text[pos].isspace():
        pos += 1
    return pos


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(c.isalnum() for c in text[start:end]):
        spans.append(Span(start, end))


def encode_spans(spans: Sequence[tuple[int, int]]) -> str:
    """``[(0, 10), (12, 40)]`` as ``"0-10 12-40"`` (a document's ``meta`` holds strings)."""
    return " ".join(f"{start}-{end}" for start, end in spans)


def decode_spans(value: str) -> tuple[tuple[int, int], ...]:
    """The spans of :func:`encode_spans`; malformed parts are skipped."""
    spans: list[tuple[int, int]] = []
    for part in value.split():
        start, _, end = part.partition("-")
        if start.isdigit() and end.isdigit() and int(start) <= int(end):
            spans.append((int(start), int(end)))
    return tuple(spans)
