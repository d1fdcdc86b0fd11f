"""Input files generated for the reader tests: WARC crawls, compressed files, legacy encodings
and PDFs, all written here from made-up stories (no outside text)."""

from __future__ import annotations

import gzip
import hashlib
import io
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

_TOWNS = ("Tallmere", "Orsk", "Brindle", "Harvik", "Velamar", "Kaelland", "Norrby", "Ostwick")
_EVENTS = (
    ("ferry services were suspended", "a storm damaged the only passenger pier"),
    ("the council approved a new bus depot", "residents had complained about noise for years"),
    ("the old bridge was closed to lorries", "engineers found cracks in two of its piers"),
    ("the harbour reopened to fishing boats", "divers cleared the wreck of a sunken barge"),
    ("the library extended its opening hours", "volunteers offered to staff the evening desk"),
    ("the school term was delayed by a week", "the heating system failed in the cold snap"),
)


def story(n: int, paragraphs: int = 5) -> tuple[str, list[str]]:
    """A made-up news story (title, paragraphs) that differs for every ``n``."""
    town = _TOWNS[n % len(_TOWNS)]
    other = _TOWNS[(n * 3 + 1) % len(_TOWNS)]
    what, why = _EVENTS[n % len(_EVENTS)]
    title = f"In {town}, {what} (report {n})"
    paras = [
        f"Officials in {town} said on day {n} that {what} after {why}, according to a statement "
        f"released by the regional office in {other}.",
    ]
    for k in range(1, paragraphs):
        paras.append(
            f"Update {n}.{k}: about {1000 + 37 * n + k} people in {town} are affected, and the "
            f"office in {other} said a decision on next steps would follow within {k + 2} days. "
            f"Local shops reported {'more' if (n + k) % 2 else 'fewer'} customers than usual."
        )
    return title, paras


def html_page(
    title: str,
    paragraphs: Sequence[str],
    *,
    charset: str | None = "utf-8",
    published: str | None = None,
    lang: str = "en",
) -> str:
    """A news page with navigation and footer around an article."""
    meta = f'<meta charset="{charset}">\n' if charset else ""
    if published:
        meta += f'<meta property="article:published_time" content="{published}">\n'
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{meta}<title>{title}</title>\n</head>\n'
        '<body>\n<nav><a href="/">Home</a> <a href="/news">News</a></nav>\n'
        f"<article>\n<h1>{title}</h1>\n{body}\n</article>\n"
        "<footer><p>Contact the newsroom</p></footer>\n</body>\n</html>\n"
    )


@dataclass
class WarcRecord:
    """One record to write: its WARC type, headers and block (HTTP message or resource)."""

    type: str
    uri: str | None
    block: bytes
    date: datetime
    content_type: str
    extra: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        headers = {
            "WARC-Type": self.type,
            "WARC-Record-ID": f"<urn:uuid:{uuid.UUID(bytes=hashlib.md5(self.block + (self.uri or '').encode()).digest())}>",
            "WARC-Date": self.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if self.uri is not None:
            headers["WARC-Target-URI"] = self.uri
        headers["Content-Type"] = self.content_type
        headers.update(self.extra)
        headers["Content-Length"] = str(len(self.block))
        head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        return head.encode("utf-8") + self.block + b"\r\n\r\n"


def http_response(
    body: bytes,
    content_type: str,
    *,
    status: str = "200 OK",
    chunked: bool = False,
    content_encoding: str | None = None,
) -> bytes:
    """An HTTP/1.1 response message as a crawler stores it."""
    if content_encoding == "gzip":
        body = gzip.compress(body)
    elif content_encoding == "deflate":
        body = zlib.compress(body)
    headers = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", "Server: test"]
    if content_encoding:
        headers.append(f"Content-Encoding: {content_encoding}")
    if chunked:
        headers.append("Transfer-Encoding: chunked")
        out = io.BytesIO()
        for i in range(0, len(body), 700):
            chunk = body[i : i + 700]
            out.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        out.write(b"0\r\n\r\n")
        body = out.getvalue()
    else:
        headers.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body


def warc_bytes(records: Iterable[WarcRecord], *, gzipped: bool = False) -> bytes:
    """A WARC file; gzipped as crawlers write it, one gzip member per record."""
    out = io.BytesIO()
    for record in records:
        data = record.encode()
        out.write(gzip.compress(data) if gzipped else data)
    return out.getvalue()


CAPTURED = datetime(2025, 3, 4, 12, 30, tzinfo=UTC)


def crawl(pages: int, *, with_noise: bool = True) -> tuple[list[WarcRecord], list[dict[str, str]]]:
    """A crawl of ``pages`` news pages (response records, every third one with its own
    publication time, some chunked or gzip-encoded, one cp1251 page declaring its charset
    only in the HTTP header) plus, with ``with_noise``, the records a crawler adds:
    warcinfo, requests, metadata, an image, a redirect, a PDF response and a revisit.
    Also returns what each page should read as (url, title, published or '')."""
    date = CAPTURED
    records = [
        WarcRecord("warcinfo", None, b"software: test-crawler\r\n", date, "application/warc-fields")
    ]
    expected = []
    for n in range(pages):
        title, paras = story(n)
        url = f"https://news{n % 4}.example.test/2025/03/{n:03d}/story"
        published = f"2025-03-0{1 + n % 3}T0{n % 10}:15:00+00:00" if n % 3 == 0 else None
        charset = "utf-8"
        if n == 5:  # a Russian page in cp1251, its charset only in the HTTP header
            title = f"Паром на остров Орск отменён ({n})"
            paras = [
                "Паромное сообщение с островом Орск прекращено во вторник после шторма, "
                "который повредил единственный причал, сообщило транспортное управление.",
                "На острове живут около 2300 человек, которые зависят от парома.",
            ]
            charset = "windows-1251"
        page = html_page(title, paras, charset=None if n == 5 else charset, published=published)
        body = page.encode(charset)
        ctype = f"text/html; charset={charset}" if n % 2 == 1 or n == 5 else "text/html"
        http = http_response(
            body,
            ctype,
            chunked=n % 7 == 3,
            content_encoding="gzip" if n % 7 == 4 else None,
        )
        date = CAPTURED + timedelta(minutes=n)
        if with_noise:
            req = f"GET /2025/03/{n:03d}/story HTTP/1.1\r\nHost: news.example.test\r\n\r\n"
            records.append(
                WarcRecord("request", url, req.encode(), date, "application/http; msgtype=request")
            )
        records.append(
            WarcRecord("response", url, http, date, "application/http; msgtype=response")
        )
        if with_noise and n % 5 == 0:
            records.append(
                WarcRecord(
                    "metadata", url, b"fetchTimeMs: 120\r\n", date, "application/warc-fields"
                )
            )
        expected.append({"url": url, "title": title, "published": published or ""})
    if with_noise:
        img = http_response(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png")
        records.append(
            WarcRecord(
                "response",
                "https://news0.example.test/logo.png",
                img,
                date,
                "application/http; msgtype=response",
            )
        )
        redirect = (
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://news0.example.test/\r\n"
            b"Content-Length: 0\r\n\r\n"
        )
        records.append(
            WarcRecord(
                "response",
                "http://news0.example.test/",
                redirect,
                date,
                "application/http; msgtype=response",
            )
        )
        pdf = http_response(b"%PDF-1.4 not really a pdf", "application/pdf")
        records.append(
            WarcRecord(
                "response",
                "https://news1.example.test/print.pdf",
                pdf,
                date,
                "application/http; msgtype=response",
            )
        )
        records.append(
            WarcRecord(
                "revisit",
                expected[0]["url"],
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
                date,
                "application/http; msgtype=response",
                {
                    "WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
                },
            )
        )
    return records, expected


# --- PDF ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfText:
    """One line of text placed on a PDF page: x, y from the bottom left, in points."""

    x: float
    y: float
    text: str
    size: float = 11.0


def _pdf_string(text: str) -> bytes:
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b")")


def pdf_bytes(
    pages: Sequence[Sequence[PdfText]],
    *,
    image_only: bool = False,
    width: int = 595,
    height: int = 842,
    info_title: str | None = None,
    compress: bool = True,
) -> bytes:
    """A PDF whose pages hold the given lines, drawn in the order given (Helvetica,
    WinAnsiEncoding). With ``image_only`` each page holds only a grey image and no text,
    as a scanned page without OCR does."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1
    add(b"")  # placeholder for the page tree
    kids = []
    for lines in pages:
        if image_only:
            pixels = bytes((x * 7 + y * 3) % 256 for y in range(64) for x in range(64))
            data = zlib.compress(pixels)
            image = add(
                b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
                % len(data)
                + data
                + b"\nendstream"
            )
            content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (width, height)
            resources = b"<< /XObject << /Im1 %d 0 R >> >>" % image
        else:
            ops = [b"BT"]
            for line in lines:
                ops.append(
                    b"/F1 %.1f Tf 1 0 0 1 %.1f %.1f Tm %s Tj"
                    % (line.size, line.x, line.y, _pdf_string(line.text))
                )
            ops.append(b"ET")
            content = b"\n".join(ops)
            resources = b"<< /Font << /F1 %d 0 R >> >>" % font
        if compress:
            packed = zlib.compress(content)
            stream = add(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
                + packed
                + b"\nendstream"
            )
        else:
            stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R /Resources %s >>"
                % (pages_id, width, height, stream, resources)
            )
        )
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = (
        add(b"<< /Title %s /Producer (storytrace tests) >>" % _pdf_string(info_title))
        if info_title
        else None
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters at spaces."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def pdf_article(
    title: str,
    paragraphs: Sequence[str],
    *,
    columns: int = 1,
    scrambled: bool = False,
    footer: str | None = "Page 1",
    lines_per_page: int = 60,
) -> bytes:
    """An article laid out as a print edition: a title across the page, then the
    paragraphs in one or two columns (a blank line between paragraphs), a footer on every
    page. ``scrambled`` writes each page's lines to the content stream in an order unlike
    the reading order (footer first, right column before left, bottom up), as some
    producers do; the reading order must come from the positions."""
    width = 95 if columns == 1 else 45
    flow: list[str] = []
    for para in paragraphs:
        flow.extend(wrap(para, width))
        flow.append("")
    pages: list[list[PdfText]] = []
    per_column = lines_per_page
    at = 0
    first = True
    while at < len(flow) or first:
        page: list[PdfText] = []
        top = 780.0
        if first:
            page.append(PdfText(50, 800, title, size=16))
            top = 770.0
        for column in range(columns):
            x = 50.0 + column * 260.0
            for row in range(per_column):
                if at >= len(flow):
                    break
                if flow[at]:
                    page.append(PdfText(x, top - row * 12.0, flow[at], size=10))
                at += 1
        if footer:
            page.append(PdfText(280, 30, footer.replace("1", str(len(pages) + 1)), size=8))
        if scrambled:
            page = page[-1:] + sorted(page[:-1], key=lambda t: (-t.x, t.y))
        pages.append(page)
        first = False
    return pdf_bytes(pages)
