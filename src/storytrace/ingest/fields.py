"""Parsing of optional document fields: publication times and languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def parse_published(
    value: object, now: datetime | None = None
) -> tuple[datetime | None, str | None]:
    """An aware datetime from an ISO-8601 string (naive values are taken as UTC).

    Returns ``(datetime, None)`` or ``(None, problem)``; a missing value is not a problem.
    A time more than a day after ``now`` (default: the current time) is not trusted as
    evidence of who published first, and is reported as a problem.
    """
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"'published' is {type(value).__name__}, not an ISO-8601 string"
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None, f"unparsable 'published' value {value!r}"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed > (now or datetime.now(UTC)) + timedelta(days=1):
        return None, f"'published' value {value!r} is in the future"
    return parsed, None


def normalise_lang(value: object) -> str | None:
    """A lower-case ISO 639-1 style code ('EN', 'en-GB' -> 'en'), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower().replace("_", "-").split("-")[0]
