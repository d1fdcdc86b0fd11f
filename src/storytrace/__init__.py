"""storytrace: follow a news story across the web.

Public API::

    from storytrace import analyze, extract, Config
    result = analyze(["corpus/"], out_dir="out")
    text = extract(html)  # the cleaned main text of one HTML page

The stages (``ingest``, ``clean``, ``fingerprint``, ``candidates``, ``compare``, ``align``,
``stories``, ``provenance``, ``changes``) are pure functions over the records in
:mod:`storytrace.records`; the store, executors, CLI and reports sit at the side.
"""

from storytrace.config import Config
from storytrace.errors import (
    InputError,
    ModelError,
    NothingToAnalyseError,
    StoreBusyError,
    StoreError,
    StorytraceError,
)

__version__ = "0.1.0"

__all__ = [
    "Config",
    "InputError",
    "ModelError",
    "NothingToAnalyseError",
    "StoreBusyError",
    "StoreError",
    "StorytraceError",
    "__version__",
    "analyze",
    "extract",
]


def __getattr__(name: str) -> object:
    # Lazy: importing the package must not load numpy-heavy stages or models.
    if name == "analyze":
        from storytrace.pipeline import analyze

        return analyze
    if name == "extract":
        from storytrace.main_text import extract

        return extract
    raise AttributeError(name)
