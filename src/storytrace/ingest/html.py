"""Main content and metadata of an HTML page (trafilatura, with a fallback extractor)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

# Exact publication times from the page's own metadata (trafilatura keeps only the day).
_META_TIME = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|og:published_time|"""
    r"""datePublished|pubdate|publish-date|dc\.date\.issued)["'][^>]*>""",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_JSONLD_TIME = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


@dataclass(frozen=True, slots=True)
class HtmlContent:
    text: str
    title: str | None
    published: str | None
    site: str | None
    url: str | None
    extractor: str


def extract_html(html: str) -> HtmlContent | None:
    """Main text of ``html`` with title, date, site name and URL; None when there is no text.

    trafilatura decides with the DOM (``include_comments=False`` so reader comments stay out,
    ``deduplicate=False`` so repeated passages across pages are kept: that reuse is what we
    look for). Where it finds nothing, trafilatura's baseline extractor takes over.
    """
    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        deduplicate=False,
        with_metadata=True,
        favor_precision=True,
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    meta = trafilatura.extract_metadata(html)
    title = _attr(doc, "title") or _attr(meta, "title")
    published = _meta_published(html) or _attr(doc, "date") or _attr(meta, "date")
    site = _attr(doc, "sitename") or _attr(meta, "sitename")
    url = _attr(doc, "url") or _attr(meta, "url")
    extractor = "trafilatura"
    if not text:
        _, baseline_text, _ = trafilatura.baseline(html)
        text = (baseline_text or "").strip()
        extractor = "trafilatura-baseline"
    if not text:
        return None
    return HtmlContent(text, title, published, site, url, extractor)


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
