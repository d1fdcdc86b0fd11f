"""Tests for storytrace.ingest.pdf: PDFs written here (tests/inputs.py), read in reading order."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.inputs import PdfText, pdf_article, pdf_bytes, story

from storytrace.clean import clean
from storytrace.ingest import read_inputs
from storytrace.ingest.pdf import parse_pdf, reading_order
from storytrace.records import Document, IngestError


def _positions(text: str, paragraphs: list[str]) -> list[int]:
    flat = " ".join(text.split())
    return [flat.find(" ".join(p.split()[:6])) for p in paragraphs]


@pytest.mark.parametrize("columns", [1, 2])
@pytest.mark.parametrize("scrambled", [False, True])
def test_text_comes_out_in_reading_order(columns: int, scrambled: bool) -> None:
    """One and two columns, drawn in reading order or scrambled (footer first, right column
    before left, bottom up): the title first, then every paragraph in order."""
    title, paras = story(21, paragraphs=30)
    data = pdf_article(title, paras, columns=columns, scrambled=scrambled, lines_per_page=50)
    doc = parse_pdf(data, "a.pdf", "a.pdf", 100_000)
    assert isinstance(doc, Document)
    positions = _positions(doc.text, paras)
    assert -1 not in positions
    assert positions == sorted(positions)
    assert " ".join(doc.text.split()).startswith(title)
    assert doc.meta["format"] == "pdf" and int(doc.meta["pages"]) >= 2


def test_reading_order_of_a_title_over_two_columns() -> None:
    title = (50.0, 790.0, 500.0, 806.0, "title")
    left = [(50.0, 700.0 - 60 * k, 275.0, 750.0 - 60 * k, f"left {k}") for k in range(3)]
    right = [(310.0, 700.0 - 60 * k, 535.0, 750.0 - 60 * k, f"right {k}") for k in range(3)]
    footer = (280.0, 28.0, 320.0, 36.0, "footer")
    shuffled = [footer, *reversed(right), *left, title]
    assert [b[4] for b in reading_order(shuffled)] == [
        "title",
        "left 0",
        "left 1",
        "left 2",
        "right 0",
        "right 1",
        "right 2",
        "footer",
    ]


ARTICLE = [
    "Ferry services between the port of Tallmere and the island of Orsk were suspended on "
    "Tuesday after an overnight storm tore away part of the island's only passenger pier.",
    "About 2,300 people live on Orsk, which depends on the ferry for food deliveries, school "
    "transport and access to the hospital in Tallmere. A temporary landing stage is planned.",
    "Nobody was hurt, said harbour master Ylva Krenn, who inspected the damage at first light "
    "and asked residents to keep away from the breakwater until engineers have checked it.",
    "Until then, a chartered fishing boat will carry medicine and mail twice a day, and a "
    "rescue helicopter will remain on standby at the island's school field.",
]


def test_pdf_text_goes_through_the_pdf_cleaning(tmp_path: Path) -> None:
    """Hard-wrapped lines of the print layout are reflowed by cleaning, as for any
    PDF-extracted text."""
    (tmp_path / "print.pdf").write_bytes(pdf_article("Orsk ferry suspended", ARTICLE, columns=2))
    (doc,) = list(read_inputs([tmp_path]))
    assert isinstance(doc, Document)
    assert doc.id == "print.pdf"
    assert "\n" in doc.text.split("\n\n")[1]  # the raw text keeps the print line breaks
    cleaned = " ".join(clean(doc).text.split())
    for paragraph in ARTICLE:
        assert paragraph in cleaned


def test_a_pdf_without_text_layer_is_a_clear_skip(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(pdf_bytes([[]], image_only=True))
    (tmp_path / "text.pdf").write_bytes(
        pdf_bytes([[PdfText(50, 700, "The Orsk ferry runs again.")]])
    )
    records = list(read_inputs([tmp_path]))
    assert records[0] == IngestError(
        str(tmp_path / "scan.pdf"), "no text layer: scanned? (run OCR on it first)"
    )
    assert isinstance(records[1], Document) and records[1].text == "The Orsk ferry runs again."


def test_damaged_compressed_and_oversized_pdfs(tmp_path: Path) -> None:
    title, paras = story(6, paragraphs=6)
    data = pdf_article(title, paras)
    (tmp_path / "a_cut.pdf").write_bytes(data[: len(data) // 3])
    (tmp_path / "b_fake.pdf").write_bytes(b"%PDF-1.7 not really")
    (tmp_path / "c_packed.pdf.gz").write_bytes(gzip.compress(data))
    (tmp_path / "d_long.pdf").write_bytes(pdf_article(*story(7, paragraphs=40)))
    records = list(read_inputs([tmp_path], max_chars=3000))
    by_name = {Path(r.input).name: r for r in records}
    for name in ("a_cut.pdf", "b_fake.pdf"):
        error = by_name[name]
        assert isinstance(error, IngestError)
        assert error.reason.startswith("not a readable PDF ("), error
    packed = by_name["c_packed.pdf.gz"]
    assert isinstance(packed, Document) and paras[2] in " ".join(packed.text.split())
    long = by_name["d_long.pdf"]
    assert isinstance(long, IngestError) and long.reason.startswith("document too large (")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=3000),
    flips=st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 255)), max_size=6),
)
def test_property_damaged_pdf_bytes_give_a_document_or_one_error(
    cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(
        pdf_bytes([[PdfText(50, 700, "Ferry to Orsk resumes on Monday.")]], compress=False)
    )
    data = data[: max(cut, 1)] if cut < len(data) else data
    for at, value in flips:
        if at < len(data):
            data[at] = value
    record = parse_pdf(bytes(data), "x.pdf", "x.pdf", 10_000)
    assert isinstance(record, Document | IngestError)
    if isinstance(record, IngestError):
        assert "\n" not in record.reason
