"""Readers that turn files, directories and JSONL dumps into ``Document`` records.

Each reader yields ``Document`` or ``IngestError``: an unreadable input is reported with its
path and the reason, and never stops the rest of the batch.
"""

from storytrace.ingest.readers import MAX_CHARS, SUPPORTED_SUFFIXES, read_inputs

__all__ = ["MAX_CHARS", "SUPPORTED_SUFFIXES", "read_inputs"]
