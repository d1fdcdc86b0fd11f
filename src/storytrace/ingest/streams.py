"""Opening inputs as byte streams: regular files only, decompressed on the fly, read with a cap.

A size limit on compressed data must hold on what it decompresses to, or a 1 MB file can
expand to gigabytes (a decompression bomb): ``read_capped`` stops reading one byte past
its cap, so no more than the cap is ever held.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import sys
import zlib
from pathlib import Path
from typing import BinaryIO, cast

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the same module, backported (pinned in pyproject.toml)
    from backports import zstd

from storytrace.errors import InputError
from storytrace.ingest.formats import Compression

DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,  # a truncated gzip, bzip2 or xz stream
    lzma.LZMAError,
    zlib.error,
    zstd.ZstdError,
)
"""What decompressing damaged data raises besides ``OSError`` (e.g. ``gzip.BadGzipFile``)."""

_BUFFER = 1 << 20


class TooLarge(InputError):
    """More bytes than the cap allows."""


def open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading if it is a regular file (a symlink to one is fine).

    Opened without blocking and checked on the open descriptor, so a named pipe or a device
    put in place of a file is refused instead of hanging or reading forever.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"not a regular file ({kind_of(mode)})")
        os.set_blocking(fd, True)
        return io.BufferedReader(io.FileIO(fd, "rb", closefd=True), buffer_size=_BUFFER)
    except BaseException:
        os.close(fd)
        raise


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words."""
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "directory"
    return "special file"


def decompressed(raw: BinaryIO, compression: Compression | None) -> BinaryIO:
    """A stream of the decompressed bytes of ``raw`` (``raw`` itself when not compressed).

    Every stream supports ``read(n)``, ``readline(n)`` and ``peek``; data is decompressed as
    it is read, never whole, and a read never inflates past what it asked for (a few
    bytes of a decompression bomb cannot expand at once). Concatenated gzip members and
    zstd frames are read through; a stream that ends inside one raises ``EOFError``."""
    if compression is None:
        return raw
    if compression == "gzip":
        return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
    if compression == "bzip2":
        return cast(BinaryIO, bz2.BZ2File(raw, mode="rb"))
    if compression == "xz":
        return cast(BinaryIO, lzma.LZMAFile(raw, mode="rb"))
    return cast(BinaryIO, zstd.ZstdFile(raw, mode="rb"))


_PIECE = 1 << 20


def read_capped(stream: BinaryIO, cap: int) -> bytes:
    """All of ``stream``, or ``TooLarge`` as soon as it holds more than ``cap`` bytes.

    Read in pieces of at most 1 MiB: one ``read(cap + 1)`` makes Python allocate the whole
    ``cap`` up front, whatever the file's size (a MemoryError for a large ``--max-chars``)."""
    pieces: list[bytes] = []
    held = 0
    while held <= cap:
        piece = stream.read(min(_PIECE, cap + 1 - held))
        if not piece:
            break
        pieces.append(piece)
        held += len(piece)
    if held > cap:
        raise TooLarge(f"more than {cap:,} bytes")
    return b"".join(pieces)


def peek(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes from the start of ``stream`` without consuming them."""
    peeker = getattr(stream, "peek", None)
    if peeker is None:
        return b""
    return bytes(peeker(size)[:size])
