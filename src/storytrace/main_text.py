"""``storytrace.extract``: the product's cleaned main text of an HTML page, in one call.

In the spirit of ``trafilatura.extract``: the page's main text as the pipeline keeps it
(the extractor's choice with the settings that measured best, then the text rules), for a
user who wants the cleaning without the rest of the pipeline.
"""

from __future__ import annotations

from storytrace.clean import clean
from storytrace.ingest.readers import parse_html
from storytrace.records import Document


def extract(html: str) -> str:
    """The cleaned main text of ``html`` ("" when the page has no text)."""
    record = parse_html(html, "<html>", "page")
    if not isinstance(record, Document):
        return ""
    return clean(record).text
