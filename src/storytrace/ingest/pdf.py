"""PDF files: the text layer in reading order, one paragraph per text block.

pdfminer.six groups characters into lines and lines into text blocks by their positions; the
blocks of each page are then put in reading order by a recursive XY cut (split the page at
its widest empty band, across or down, and read each part in turn), so columns are read one
after the other and a title above them first, whatever order the producer drew them in.
Measured on generated print-style PDFs (``python benchmarks/readers.py``: 40 paragraphs; one
and two columns; drawn in reading order or scrambled; six layouts, 234 paragraph successions):
pypdf's plain extraction follows the drawing order (112 successions wrong, 37-38 on each
scrambled layout), its layout mode prints columns side by side (8 wrong); pdfminer.six's own
block order interleaves two columns whose paragraphs line up (2 wrong); the XY cut over
pdfminer's blocks got all 234 right.

The text keeps the PDF's line breaks and end-of-line hyphens: cleaning (``storytrace.clean``)
reflows hard-wrapped lines and rejoins hyphenated words as it does for any PDF-extracted text.
A PDF with no text at all (a scan without OCR) is refused with "no text layer: scanned?".
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence

from storytrace.records import Document, IngestError
from storytrace.text import content_id

PDF_BYTES_PER_CHAR = 25
"""A PDF may hold this many bytes per character of text (fonts, images, structure) before it is
refused unread: 50 MB under the default limit of 2,000,000 characters."""

_CID = re.compile(r"\(cid:\d+\)")

Box = tuple[float, float, float, float, str]  # x0, y0, x1, y1, text


def parse_pdf(data: bytes, input_name: str, ident: str, max_chars: int) -> Document | IngestError:
    """The text of a PDF as one document; an ``IngestError`` when it cannot be read or has
    no text layer. Pages are read until the text passes ``max_chars`` (then the caller's
    size check refuses it) so a huge PDF is not extracted whole."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextBox

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its notes on odd files are noise
    paragraphs: list[str] = []
    size = 0
    pages = 0
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            pages += 1
            boxes = [
                (b.x0, b.y0, b.x1, b.y1, b.get_text().strip())
                for b in page
                if isinstance(b, LTTextBox)
            ]
            for box in reading_order([b for b in boxes if b[4]]):
                paragraphs.append(box[4])
                size += len(box[4]) + 2
            if size > max_chars:
                break
    except Exception as exc:  # pdfminer raises many types on damaged or hostile files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return IngestError(input_name, f"not a readable PDF ({reason[:200]})")
    text = "\n\n".join(paragraphs)
    if not text.strip():
        if pages == 0:
            return IngestError(input_name, "not a readable PDF (no pages)")
        return IngestError(input_name, "no text layer: scanned? (run OCR on it first)")
    if len(_CID.findall(text)) * 8 > len(text):
        return IngestError(
            input_name,
            "text layer without a character map (glyph codes only): scanned or "
            "exported without text? (run OCR on it first)",
        )
    return Document(
        id=ident,
        doc_id=content_id(text),
        text=text,
        input=input_name,
        meta={"format": "pdf", "extractor": "pdfminer.six", "pages": str(pages)},
    )


def reading_order(boxes: Sequence[Box]) -> list[Box]:
    """``boxes`` of one page in reading order (recursive XY cut).

    The widest empty band between boxes, horizontal or vertical, splits them in two parts
    read one after the other (top before bottom, left before right); a part with no empty
    band is read top to bottom, left to right. A full-width title leaves no vertical band
    across the page, so it is cut off first; then the gutter between columns is wider than
    the gaps between paragraphs of one column, so columns are read whole."""
    if len(boxes) <= 1:
        return list(boxes)
    across = _gaps([(b[0], b[2]) for b in boxes])  # bands between columns
    down = _gaps([(-b[3], -b[1]) for b in boxes])  # bands between rows, top first
    best = max((g for g in (across, down) if g is not None), key=lambda g: g[0], default=None)
    if best is None:
        return sorted(boxes, key=lambda b: (-b[3], b[0]))
    _, first, rest = best
    return reading_order([boxes[i] for i in first]) + reading_order([boxes[i] for i in rest])


def _gaps(spans: Sequence[tuple[float, float]]) -> tuple[float, list[int], list[int]] | None:
    """The widest gap in the projection of ``spans`` on one axis: (its width, the indices
    of the spans before it, those after it), or None when the spans overlap throughout."""
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    best: tuple[float, int] | None = None
    end = spans[order[0]][1]
    for position, i in enumerate(order[1:], start=1):
        start, stop = spans[i]
        if start > end and (best is None or start - end > best[0]):
            best = (start - end, position)
        end = max(end, stop)
    if best is None:
        return None
    width, cut = best
    return width, order[:cut], order[cut:]
