"""Bytes to text: refuse binary data, find the encoding, and explain undecodable bytes precisely.

The encoding of a document is decided in this order, and the answer is kept with its evidence
(``Decoded.encoding`` and ``Decoded.source``):

1. a byte-order mark (UTF-8, UTF-16, UTF-32): the bytes say what they are;
2. a UTF-16/32 encoding declared by the transport (HTTP ``Content-Type``), or UTF-16 without
   a byte-order mark, recognised by its zero bytes; then data that is still binary (NUL or
   many control bytes) is refused;
3. valid UTF-8: multi-byte UTF-8 sequences almost never occur by chance in text of another
   encoding, so valid UTF-8 wins over a declaration (a page labelled ISO-8859-1 by a
   misconfigured server but written in UTF-8 is common);
4. the declared encodings in order (the HTTP header, then the HTML ``<meta charset>`` or
   ``http-equiv`` tag), each only if it decodes every byte;
5. detection by charset-normalizer (code-page fit and language coherence).

Only bytes that no encoding decodes are an error.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

from charset_normalizer import from_bytes

from storytrace.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")

# WHATWG: these labels mean windows-1252 on the web (a superset of Latin-1's printable range);
# Latin-1 itself stays the fallback for the five bytes windows-1252 leaves undefined.
_WEB_ALIASES = {"latin-1": ("cp1252", "latin-1"), "ascii": ("cp1252", "latin-1")}

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the codec used and why it was chosen (bom, http, meta,
    utf-8, utf-16 pattern, detected)."""

    text: str
    encoding: str
    source: str


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
    """The text of ``data`` (see ``decode_document``); ``InputError`` when undecodable."""
    return decode_document(data).text


def decode_document(
    data: bytes, declared: Sequence[tuple[str, str | None]] = (), *, html: bool = False
) -> Decoded:
    """Decode ``data`` in the order the module docstring gives.

    ``declared``: (where, label) pairs from outside the bytes, e.g. ``("http", "cp1251")``;
    with ``html`` the page's own ``<meta>`` charset (or XML declaration) is added after them.
    Raises ``InputError`` for binary data and for bytes that no encoding decodes.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), _name(encoding), "bom")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {encoding} after its byte-order mark: {exc.reason}"
                ) from exc
    candidates = [(where, codec) for where, label in declared for codec in _codecs(label)]
    if html:
        candidates += [("meta", codec) for codec in _codecs(html_declared_charset(data))]
    for where, codec in candidates:
        if where != "meta" and codec.startswith(("utf-16", "utf-32")):
            found = _try(data, codec, where)
            if found is not None:
                return found
    wide = _utf16_by_zeros(data)
    if wide is not None:
        found = _try(data, wide, "utf-16 pattern")
        if found is not None and not looks_binary(found.text[:4096].encode("utf-8", "replace")):
            return found
    if looks_binary(data):
        raise InputError("binary file, not text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError as exc:
        utf8_problem = exc
    for where, codec in candidates:
        if not codec.startswith(("utf-16", "utf-32", "utf-8")):
            found = _try(data, codec, where)
            if found is not None:
                return found
    best = from_bytes(data).best()
    if best is not None:
        found = _try(data, best.encoding, "detected")
        if found is not None:
            return found
    bad = data[utf8_problem.start : utf8_problem.start + 1].hex()
    raise InputError(
        f"undecodable bytes: not UTF-8 (byte 0x{bad} at offset {utf8_problem.start}) and no "
        "other encoding fits; re-encode the file as UTF-8"
    )


def html_declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KiB (``<meta charset>``, the
    ``http-equiv`` Content-Type, or an XML declaration), or None."""
    head = data[:4096]
    found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return found.group(1).decode("ascii") if found else None


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, or None."""
    if not value:
        return None
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip("\"'"):
            return val.strip().strip("\"'")
    return None


def _codecs(label: str | None) -> tuple[str, ...]:
    """Python codecs for an encoding label (empty when unknown)."""
    if not label:
        return ()
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return ()
    name = _name(name)
    return _WEB_ALIASES.get(name, (name,))


def _name(codec: str) -> str:
    """A codec's canonical Python name ("iso8859-1" -> "latin-1", "utf_8" -> "utf-8")."""
    name = codecs.lookup(codec).name
    return {"iso8859-1": "latin-1", "utf-8-sig": "utf-8"}.get(name, name)


def _try(data: bytes, codec: str, where: str) -> Decoded | None:
    try:
        return Decoded(data.decode(codec), _name(codec), where)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf16_by_zeros(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: text in Latin script puts a zero in every other
    byte. Returns the codec when one half of the first 8 KiB is mostly zeros and the other
    half is not."""
    head = data[:8192]
    if len(head) < 4 or len(head) % 2:
        return None
    even = head[0::2].count(0) / (len(head) // 2)
    odd = head[1::2].count(0) / (len(head) // 2)
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


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
