"""Tests for storytrace.ingest.streams and compressed inputs: every compression around every
format, streamed, with the size limit held on the decompressed bytes."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.inputs import crawl, html_page, story, warc_bytes

from storytrace.errors import InputError
from storytrace.ingest import read_inputs
from storytrace.ingest.formats import classify, supported
from storytrace.ingest.streams import TooLarge, decompressed, open_regular, read_capped, zstd
from storytrace.records import Document, IngestError

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": zstd.compress,
}
NAMES = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}


def _docs(records: list[Document | IngestError]) -> list[Document]:
    return [r for r in records if isinstance(r, Document)]


def _errors(records: list[Document | IngestError]) -> list[IngestError]:
    return [r for r in records if isinstance(r, IngestError)]


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_every_format_is_read_through_every_compression(tmp_path: Path, suffix: str) -> None:
    pack = COMPRESSORS[suffix]
    title, paras = story(3)
    text = "\n\n".join(paras)
    feed = "".join(json.dumps({"id": f"r{n}", "text": story(n)[1][0]}) + "\n" for n in range(3))
    records, expected = crawl(4, with_noise=False)
    files = {
        f"plain.txt{suffix}": text.encode("cp1251" if False else "utf-8"),
        f"page.html{suffix}": html_page(title, paras).encode(),
        f"feed.jsonl{suffix}": feed.encode(),
        f"crawl.warc{suffix}": warc_bytes(records, gzipped=False),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(pack(data))
    result = list(read_inputs([tmp_path]))
    assert _errors(result) == []
    ids = [d.id for d in _docs(result)]
    assert ids == [
        *(f"crawl.warc{suffix}#{e['url']}" for e in expected),
        "r0",
        "r1",
        "r2",
        f"page.html{suffix}",
        f"plain.txt{suffix}",
    ]
    by_id = {d.id: d for d in _docs(result)}
    assert by_id[f"plain.txt{suffix}"].text == text
    assert paras[1] in by_id[f"page.html{suffix}"].text
    assert by_id[f"crawl.warc{suffix}#{expected[2]['url']}"].url == expected[2]["url"]


def test_concatenated_gzip_members_and_zstd_frames_are_read_through(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"r{n}", "text": story(n)[1][0]}) + "\n" for n in range(4)]
    (tmp_path / "a.jsonl.gz").write_bytes(b"".join(gzip.compress(line.encode()) for line in lines))
    (tmp_path / "b.jsonl.zst").write_bytes(b"".join(zstd.compress(line.encode()) for line in lines))
    result = list(read_inputs([tmp_path]))
    assert [d.id for d in _docs(result)] == ["r0", "r1", "r2", "r3"] * 2


def test_a_decompression_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    """64 MB of zeros packed into ~64 KB: refused once the cap is passed, in well under the
    time and memory it takes to inflate all of it."""
    bomb = gzip.compress(b" " * 64_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    (tmp_path / "bomb.txt.gz").write_bytes(bomb)
    (tmp_path / "bomb.html.zst").write_bytes(zstd.compress(b"<p>" + b"a" * 64_000_000))
    lines = json.dumps({"text": "x" * 30_000_000}).encode() + b"\n"
    (tmp_path / "bomb.jsonl.xz").write_bytes(lzma.compress(lines + b'{"text": "fine"}\n'))
    start = time.perf_counter()
    result = list(read_inputs([tmp_path], max_chars=100_000))
    elapsed = time.perf_counter() - start
    errors = {Path(e.input).name: e.reason for e in _errors(result)}
    assert errors["bomb.txt.gz"].startswith(
        "document too large (decompresses to more than 400,000 bytes"
    )
    assert "--max-chars" in errors["bomb.txt.gz"]
    assert errors["bomb.html.zst"].startswith("document too large (decompresses to more than")
    assert errors["bomb.jsonl.xz:1"].startswith("record too large (30,000,")
    assert [d.text for d in _docs(result)] == ["fine"]
    assert elapsed < 5, elapsed


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_damaged_and_truncated_compressed_files_are_one_error(tmp_path: Path, suffix: str) -> None:
    data = COMPRESSORS[suffix](("Ferry services to Orsk were suspended. " * 2000).encode())
    (tmp_path / f"a_truncated.txt{suffix}").write_bytes(data[: len(data) // 2])
    (tmp_path / f"b_not_compressed.txt{suffix}").write_bytes(b"plain text, not compressed")
    (tmp_path / "c_good.txt").write_text("The Orsk ferry runs again.")
    result = list(read_inputs([tmp_path]))
    errors = {Path(e.input).name: e.reason for e in _errors(result)}
    assert set(errors) == {f"a_truncated.txt{suffix}", f"b_not_compressed.txt{suffix}"}
    for reason in errors.values():
        assert reason.startswith(f"damaged {NAMES[suffix]} data"), reason
    assert [d.id for d in _docs(result)] == ["c_good.txt"]


def test_unsupported_names_say_what_is_read() -> None:
    assert classify("feed.JSONL.GZ") == ("jsonl", "gzip", ".jsonl.gz")
    assert classify("crawl.warc.zst") == ("warc", "zstd", ".warc.zst")
    assert classify("archive.tar.gz") == (None, "gzip", ".tar.gz")
    assert classify("notes.gz") == (None, "gzip", ".gz")
    assert classify("README") == (None, None, "README")
    assert supported("a.html.bz2") and supported("a.txt") and not supported("a.docx.xz")


def test_compressed_file_of_unknown_type_is_reported(tmp_path: Path) -> None:
    (tmp_path / "photos.tar.gz").write_bytes(gzip.compress(b"x"))
    (error,) = list(read_inputs([tmp_path]))
    assert isinstance(error, IngestError)
    assert error.reason.startswith("unsupported compressed file type '.tar.gz' (storytrace reads")
    assert ".warc" in error.reason and ".zst" in error.reason


def test_open_regular_refuses_pipes_and_devices(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"not a regular file \(named pipe\)"):
        open_regular(fifo)
    with pytest.raises(InputError, match=r"not a regular file \(character device\)"):
        open_regular(Path("/dev/zero"))
    (tmp_path / "a.txt").write_text("fine")
    with open_regular(tmp_path / "a.txt") as handle:
        assert handle.read() == b"fine"


def test_read_capped_stops_one_byte_past_the_cap() -> None:
    stream = io.BytesIO(b"x" * 1000)
    with pytest.raises(TooLarge):
        read_capped(stream, 10)
    assert stream.tell() == 11
    assert read_capped(io.BytesIO(b"x" * 10), 10) == b"x" * 10


def test_read_capped_holds_what_the_file_holds_not_the_cap(tmp_path: Path) -> None:
    """A file's ``read(cap + 1)`` allocates the whole cap first: with a cap of 10^12 bytes
    (``--max-chars`` 10^11) it was a MemoryError for a file of 3 bytes."""
    small = tmp_path / "small.txt"
    small.write_bytes(b"abc")
    with small.open("rb") as plain:
        assert read_capped(plain, 10**12) == b"abc"
    packed = tmp_path / "small.txt.gz"
    packed.write_bytes(gzip.compress(b"x" * 3_000_000))
    with decompressed(packed.open("rb"), "gzip") as stream:
        assert read_capped(stream, 10**12) == b"x" * 3_000_000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from(list(COMPRESSORS)),
    cut=st.integers(min_value=0, max_value=4000),
    fmt=st.sampled_from([".txt", ".html", ".jsonl", ".warc"]),
)
def test_property_any_compressed_bytes_give_documents_or_errors(
    data: bytes, suffix: str, cut: int, fmt: str
) -> None:
    """Arbitrary (and arbitrarily truncated) compressed bytes of any format: the reader ends
    with documents and one-line errors, never an exception."""
    packed = COMPRESSORS[suffix](data)[:cut]
    stream = decompressed(io.BytesIO(packed), NAMES[suffix])  # type: ignore[arg-type]
    assert stream is not None
    from storytrace.ingest.readers import read_stream

    for record in read_stream(io.BytesIO(packed), f"x{fmt}{suffix}", "x", max_chars=5000):
        assert isinstance(record, Document | IngestError)
        if isinstance(record, IngestError):
            assert "\n" not in record.reason
