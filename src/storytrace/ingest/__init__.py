"""Readers that turn files, directories, JSONL dumps, WARC crawls and PDFs into ``Document``
records, from plain or compressed files in any text encoding.

Each reader yields ``Document`` or ``IngestError``: an unreadable input is reported with its
path and the reason, and never stops the rest of the batch. The readers (and trafilatura
behind them) are imported on first use, so naming the formats costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storytrace.ingest.formats import FORMATS_SENTENCE, SUPPORTED_SUFFIXES, supported

if TYPE_CHECKING:
    from storytrace.ingest.readers import MAX_CHARS, read_inputs

__all__ = ["FORMATS_SENTENCE", "MAX_CHARS", "SUPPORTED_SUFFIXES", "read_inputs", "supported"]


def __getattr__(name: str) -> Any:
    if name in ("MAX_CHARS", "read_inputs"):
        from storytrace.ingest import readers

        return getattr(readers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
