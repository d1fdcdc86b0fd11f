"""Main content and metadata of an HTML page (trafilatura), with what it left out kept auditable.

The extractor judges with the DOM; what it drops (menus, cookie banners, teasers, footers)
must still be visible to a user who audits a page as they audit plain text. So a page becomes
two things: its *visible text* (one block-level element per paragraph, what a reader sees)
and the spans of that text the extractor kept. ``clean`` then removes the rest with the
reason "page furniture (HTML)" and cleans the kept text as it cleans any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import trafilatura

from storytrace.ingest.fields import parse_published

# Exact publication times from the page's own metadata (trafilatura keeps only the day).
_META_TIME = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|og:published_time|"""
    r"""datePublished|pubdate|publish-date|dc\.date\.issued)["'][^>]*>""",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_JSONLD_TIME = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')

RECALL_SHARE = 0.5
PRECISION_SHARE = 0.8
"""Which of trafilatura's settings gives a page's main text: favor_precision's text, unless it
is shorter than ``PRECISION_SHARE`` of the recall-side choice; that is favor_recall's text,
unless it is shorter than ``RECALL_SHARE`` of the default's (then the default's).

favor_recall follows the article's markup further (lists, tables, boxes inside it); where it
finds much less than the default, it has taken the wrong element for the main block.
favor_precision prunes link-dense and teaser blocks at the article's edges; where that costs
a fifth of the text, it has cut into the article. Measured (bag-of-words F1 on the tune half
of the WCXB development split, 497 pages, articles / all page types; token 4-gram F1 on the
181 Scrapinghub pages):

| setting | WCXB articles | WCXB all | Scrapinghub |
| --- | --- | --- | --- |
| default (comments included) | 0.922 | 0.875 | |
| default, no comments | 0.930 | 0.881 | 0.960 |
| favor_precision | 0.909 | 0.831 | 0.964 |
| favor_recall | 0.936 | 0.872 | 0.959 |
| recall unless under half the default | 0.940 | 0.892 | 0.957 |
| precision unless under 0.8 of that (chosen) | 0.940 | 0.890 | 0.962 |
"""


@dataclass(frozen=True, slots=True)
class HtmlContent:
    """What a page yields: ``text`` the extractor's main text; ``page_text`` the page's
    visible text (blocks separated by blank lines) and ``kept`` the ``[start, end)`` spans of
    ``page_text`` that make up ``text`` (empty when the two could not be lined up)."""

    text: str
    title: str | None
    published: str | None
    site: str | None
    url: str | None
    extractor: str
    page_text: str = ""
    kept: tuple[tuple[int, int], ...] = ()


def main_text(html: str) -> tuple[str, str]:
    """The extractor's main text of ``html`` and the name of the setting that gave it
    (see ``PRECISION_SHARE`` for the choice and its measurements).

    Reader comments are left out (``include_comments=False``) and nothing is deduplicated
    (``deduplicate=False``: repeated passages across pages are the reuse we look for).
    """
    recall = _extract(html, favor_recall=True)
    default = _extract(html)
    wide, name = (
        (recall, "trafilatura (favor_recall)")
        if recall and len(recall) >= RECALL_SHARE * len(default)
        else (default, "trafilatura")
    )
    precise = _extract(html, favor_precision=True)
    if precise and len(precise) >= PRECISION_SHARE * len(wide):
        return precise, "trafilatura (favor_precision)"
    if wide:
        return wide, name
    _, baseline_text, _ = trafilatura.baseline(html)
    return (baseline_text or "").strip(), "trafilatura-baseline"


def _extract(html: str, favor_recall: bool = False, favor_precision: bool = False) -> str:
    text = trafilatura.extract(
        html,
        include_comments=False,
        deduplicate=False,
        favor_recall=favor_recall,
        favor_precision=favor_precision,
    )
    return (text or "").strip()


def extract_html(html: str) -> HtmlContent | None:
    """Main text of ``html`` with title, date, site name and URL, and the page's visible
    text with the kept spans; None when there is no text."""
    text, extractor = main_text(html)
    if not text:
        return None
    meta = trafilatura.extract_metadata(html)
    title = _attr(meta, "title")
    # The page's own exact time when it is a readable timestamp, else trafilatura's day.
    declared = _meta_published(html)
    if declared and parse_published(declared)[0] is not None:
        published: str | None = declared
    else:
        published = _attr(meta, "date") or declared
    site = _attr(meta, "sitename")
    url = _attr(meta, "url")
    page = visible_text(html)
    kept = kept_spans(page, text) if page else ()
    if not kept:
        page = ""  # no audit for this page: its text is the extraction alone
    return HtmlContent(text, title, published, site, url, extractor, page, kept)


# Elements whose text is no page text. (A <noscript> or a <button> can hold a whole page,
# which the extractor then reads: they stay.)
_INVISIBLE = frozenset({"script", "style", "template", "svg", "head", "iframe", "object", "canvas"})
# Elements that start a new line of visible text.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "label",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)


def visible_text(html: str) -> str:
    """The text a reader sees on the page: one block-level element's text per paragraph
    (whitespace collapsed), paragraphs separated by a blank line. Scripts, styles and
    embedded objects are left out; hidden elements are not (pages that render on the
    client keep their whole text in hidden elements, and the extractor reads them)."""
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
    except Exception:  # the extractor has read it already; an odd page just has no audit
        return ""
    if tree is None:
        return ""
    body = tree.find(".//body")
    root = body if body is not None else tree
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = " ".join("".join(current).split())
        if line:
            lines.append(line)
        current.clear()

    for piece in _walk(root):
        if piece is None:
            flush()
        else:
            current.append(piece)
    flush()
    return "\n\n".join(lines)


def _walk(element: object) -> Iterator[str | None]:
    """Text pieces of ``element`` in document order; None where a block starts or ends."""
    tag = getattr(element, "tag", None)
    if not isinstance(tag, str):  # comments and processing instructions
        return
    name = tag.lower().rsplit("}", 1)[-1]
    if name in _INVISIBLE:
        return
    block = name in _BLOCKS
    if block:
        yield None
    text = getattr(element, "text", None)
    if text:
        yield text
    for child in element:  # type: ignore[attr-defined]
        yield from _walk(child)
        tail = getattr(child, "tail", None)
        if tail:
            yield tail
    if block:
        yield None


_WORD = re.compile(r"\w+", re.UNICODE)
MIN_COVERAGE = 0.9


def kept_spans(page: str, text: str) -> tuple[tuple[int, int], ...]:
    """The spans of ``page`` (visible text) whose words make up ``text`` (the extraction):
    each extracted line is looked for as a run of words in the page, from where the last one
    was found on (then anywhere); a line not found whole is matched word by word nearby.
    Spans are whole paragraphs of ``page`` with at least half their words matched. Empty
    when under ``MIN_COVERAGE`` of the extraction's words were found (its text did not come
    from the page's elements as this function reads them)."""
    page_words = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(page)]
    if not page_words:
        return ()
    joined, starts = _joined(page_words)
    matched = [False] * len(page_words)
    cursor = 0
    for line in text.splitlines():
        line_words = [w.lower() for w in _WORD.findall(line)]
        if not line_words:
            continue
        needle = " " + " ".join(line_words) + " "
        at = joined.find(needle, starts[cursor] if cursor < len(starts) else len(joined))
        if at < 0:
            at = joined.find(needle)
        if at >= 0:
            first = _index_at(starts, at + 1)
            for i in range(first, first + len(line_words)):
                matched[i] = True
            cursor = max(cursor, first + len(line_words))
            continue
        cursor = _match_words(page_words, matched, line_words, cursor)
    spans = _paragraph_spans(page, page_words, matched)
    wanted = len(_WORD.findall(text))
    found = sum(len(_WORD.findall(page[start:end])) for start, end in spans)
    if not wanted or min(found, sum(matched)) < MIN_COVERAGE * wanted:
        return ()
    return spans


def _joined(page_words: Sequence[tuple[str, int, int]]) -> tuple[str, list[int]]:
    """The page's words as one string " w1 w2 ... " and where each word starts in it."""
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for word, _, _ in page_words:
        parts.append(" " + word)
        starts.append(pos + 1)
        pos += len(word) + 1
    return "".join(parts) + " ", starts


def _index_at(starts: Sequence[int], offset: int) -> int:
    from bisect import bisect_left

    return bisect_left(starts, offset)


_REACH = 60


def _match_words(
    page_words: Sequence[tuple[str, int, int]],
    matched: list[bool],
    line_words: Sequence[str],
    cursor: int,
) -> int:
    """Match ``line_words`` one by one to page words at most ``_REACH`` words after the last
    match (the extractor reorders nothing, but drops or adds words inside a block)."""
    pos = cursor
    for word in line_words:
        for j in range(pos, min(len(page_words), pos + _REACH)):
            if page_words[j][0] == word and not matched[j]:
                matched[j] = True
                pos = j + 1
                break
    return pos


def _paragraph_spans(
    page: str, page_words: Sequence[tuple[str, int, int]], matched: Sequence[bool]
) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    index = 0
    pos = 0
    for block in page.split("\n\n"):
        start, end = pos, pos + len(block)
        pos = end + 2
        total = hits = 0
        while index < len(page_words) and page_words[index][1] < end:
            total += 1
            hits += matched[index]
            index += 1
        if total and hits * 2 >= total:
            spans.append((start, end))
    return tuple(spans)


def _attr(obj: object, name: str) -> str | None:
    value = getattr(obj, name, None) if obj is not None else None
    return str(value) if value else None


def _meta_published(html: str) -> str | None:
    """The publication timestamp a page declares in its meta tags or JSON-LD, if any."""
    head = html[:200_000]
    for tag in _META_TIME.finditer(head):
        content = _CONTENT.search(tag.group(0))
        if content:
            return content.group(1).strip()
    found = _JSONLD_TIME.search(head)
    return found.group(1).strip() if found else None
