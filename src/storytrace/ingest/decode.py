"""Bytes to text: refuse binary data, honour BOMs, and explain invalid UTF-8 precisely."""

from __future__ import annotations

import codecs

from storytrace.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes, or many control bytes, in the first 8 KiB."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    return controls / len(head) > 0.05


def decode_text(data: bytes) -> str:
    """Decode ``data`` as UTF-8 (or the UTF encoding its BOM names); raise ``InputError``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {encoding} after its byte-order mark: {exc.reason}"
                ) from exc
    if looks_binary(data):
        raise InputError("binary file, not text")
    return decode_utf8(data)


def decode_utf8(data: bytes, where: str = "") -> str:
    """``data`` as UTF-8; ``InputError`` naming the first bad byte and its offset (``where``
    says what the offset counts from, e.g. " of the line")."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}{where}); "
            "re-encode the file as UTF-8"
        ) from exc


def has_wide_bom(data: bytes) -> bool:
    """True when ``data`` opens with a UTF-16 or UTF-32 byte-order mark (text that cannot
    be split into lines byte by byte)."""
    return any(data.startswith(bom) for bom, encoding in _BOMS if encoding != "utf-8-sig")
