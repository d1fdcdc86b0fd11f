"""Every tunable parameter in one frozen record, with no hidden defaults elsewhere.

The config used for a run is saved in the store next to its results, so a report can always
say how it was made.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storytrace.errors import ConfigError

MAX_PERM = 4096
"""The most MinHash permutations a signature can have (``storytrace.fingerprint``)."""

# whole-number settings: name -> (smallest, largest)
_INT_RANGES: dict[str, tuple[int, int]] = {
    "shingle_size": (1, 64),
    "num_perm": (2, MAX_PERM),
    "seed": (0, 2**63 - 1),
    "semantic_neighbours": (1, 10_000),
    "ann_min_documents": (0, 2**62),
}
_SHARES = (
    "semantic_floor",
    "sentence_match",
    "sentence_strong",
    "near_duplicate_jaccard",
    "duplicate_jaccard",
    "partial_containment",
    "reuse_containment",
    "derived_coverage",
    "rewrite_coverage",
    "same_story_cosine",
)


@dataclass(frozen=True, slots=True)
class Config:
    """Parameters of the whole pipeline.

    Lexical: ``shingle_size`` words per shingle, ``num_perm`` MinHash permutations,
    ``lsh_threshold`` the Jaccard at which LSH should find pairs (bands and rows are
    derived from it), ``seed`` for the hash family.

    Semantic: ``semantic_neighbours`` nearest documents checked per new document and
    ``semantic_floor`` the document cosine below which no semantic candidate is kept;
    ``sentence_match`` the sentence cosine at which two sentences count as the same content.

    Relations: ``near_duplicate_jaccard`` (shingle Jaccard for near-duplicates after
    cleaning), ``partial_containment`` (shingle containment for partial reuse that joins
    stories on its own), ``reuse_containment`` (the smallest containment that still counts
    as partial reuse when no sentence-level relation holds: a tenth of one text reappears
    word for word in the other, as when a paper builds a story around wire paragraphs),
    ``derived_coverage`` (share of the better-covered document's text whose sentences have a
    partner at ``sentence_match``: a translation), ``rewrite_coverage`` (the same share at the
    stricter ``sentence_strong``: a same-language rewrite; independent reports of one event
    share topical sentences at 0.7 but rarely at 0.8), ``same_story_cosine`` (document cosine
    for two versions that share no passages but report the same event).

    ``encoder`` names the sentence encoder (``storytrace.embed.ENCODERS``); ``"none"`` turns
    embeddings off (lexical matching only: copies, near-copies and partial reuse). Semantic
    thresholds are on the default encoder's scale; other encoders' cosines are mapped onto it
    (``storytrace.embed.calibrate``). ``ann_min_documents``: from this many documents with
    vectors, semantic candidates come from the persisted ANN index (``storytrace.ann``)
    instead of a brute-force scan. ``neighbour_margin``: a same-story pair must also stand out
    from its documents' usual neighbours (``storytrace.compare.neighbour_margin``); on WMT21
    dev, pairs of one story above ``same_story_cosine`` have margins 0.93-0.96 and pairs of
    two stories 0.88-0.91 (62 of 63; the seeds' pairs 0.96-1.03).

    The semantic thresholds were measured on the seeds, the demo corpus and the development
    half of the WMT21 ru-en set (see the foundation issue's closing note).
    """

    shingle_size: int = 5
    num_perm: int = 128
    lsh_threshold: float = 0.5
    seed: int = 1
    semantic_neighbours: int = 20
    semantic_floor: float = 0.45
    sentence_match: float = 0.70
    sentence_strong: float = 0.80
    near_duplicate_jaccard: float = 0.70
    duplicate_jaccard: float = 0.97
    partial_containment: float = 0.50
    reuse_containment: float = 0.10
    derived_coverage: float = 0.35
    rewrite_coverage: float = 0.45
    same_story_cosine: float = 0.86
    encoder: str = "use-multilingual"
    ann_min_documents: int = 50_000
    neighbour_margin: float = 0.92

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ConfigError`` (code ST102) naming the first setting out of its range:
        ``shingle_size`` 1-64 words, ``num_perm`` 2-4096, ``lsh_threshold`` strictly between
        0 and 1, every share and cosine threshold within 0-1, ``neighbour_margin`` above 0.
        Runs on construction, so an invalid configuration never reaches a store."""
        for name, (low, high) in _INT_RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(f"{name} must be a whole number, not {value!r}")
            if not low <= value <= high:
                raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
        threshold = _number(self, "lsh_threshold")
        if not 0.0 < threshold < 1.0:
            raise ConfigError(
                f"lsh_threshold (--threshold) must be between 0 and 1 (exclusive), "
                f"not {threshold:g}"
            )
        for name in _SHARES:
            value = _number(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must be between 0 and 1, not {value:g}")
        if not _number(self, "neighbour_margin") > 0.0:
            raise ConfigError(f"neighbour_margin must be above 0, not {self.neighbour_margin}")
        if not isinstance(self.encoder, str) or not self.encoder.strip():
            raise ConfigError(f"encoder must name an encoder (or 'none'), not {self.encoder!r}")

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Config:
        """The config saved by ``to_json``; fields it lacks (a store made before they
        existed) keep their defaults, which are the values those stores were made with."""
        data: dict[str, Any] = json.loads(text)
        config: Config = _from_dict(cls, data)
        return config

    def settings(self) -> dict[str, Any]:
        """Every setting by its dotted name (``provenance.time_weight``), in field order."""
        return _flatten(self, "")

    def replace(self, values: Mapping[str, object]) -> Config:
        """A copy with the settings named in ``values`` (dotted names) changed; a string
        value is parsed as the field's type (``"1.5"``, ``"true"``, ``"none"``). Raises
        ``ConfigError`` for an unknown name or a bad value; the result is validated."""
        known = self.settings()
        data: dict[str, Any] = dataclasses.asdict(self)
        for name, value in values.items():
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ConfigError(
                    f"unknown setting {name!r}{hint}; 'storytrace config show' lists them"
                )
            *path, leaf = name.split(".")
            node = data
            for part in path:
                node = node[part]
            node[leaf] = _parsed(name, value, known[name]) if isinstance(value, str) else value
        config: Config = _from_dict(type(self), data)
        return config


def parse_settings(items: Sequence[str]) -> dict[str, str]:
    """``["a.b=1", ...]`` (the CLI's ``--set``) as ``{"a.b": "1"}``; ``ConfigError`` for an
    item without ``=`` or a name given twice."""
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise ConfigError(f"--set {item!r}: expected NAME=VALUE")
        if name in values:
            raise ConfigError(f"--set {name}: given twice")
        values[name] = value.strip()
    return values


def _flatten(record: Any, prefix: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if dataclasses.is_dataclass(value):
            flat.update(_flatten(value, f"{prefix}{f.name}."))
        else:
            flat[prefix + f.name] = value
    return flat


def _from_dict(cls: Any, data: Mapping[str, Any]) -> Any:
    """``cls`` built from ``data`` (nested dicts for nested records); unknown keys are
    dropped (a newer store's extra field), missing ones keep their defaults, lists become
    tuples where the default is a tuple."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        default = f.default_factory() if callable(f.default_factory) else f.default
        if dataclasses.is_dataclass(default) and isinstance(value, Mapping):
            value = _from_dict(type(default), value)
        elif isinstance(default, tuple) and isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _parsed(name: str, text: str, current: object) -> object:
    """``text`` as a value of ``current``'s type."""
    try:
        if isinstance(current, bool):
            lowered = text.lower()
            if lowered in ("true", "yes", "on", "1"):
                return True
            if lowered in ("false", "no", "off", "0"):
                return False
            raise ValueError(text)
        if isinstance(current, int):
            return int(text.replace("_", ""))
        if isinstance(current, float):
            return float(text)
        if isinstance(current, tuple):
            return tuple(_parsed(name, part.strip(), current[0]) for part in text.split(","))
    except ValueError:
        kind = {bool: "true or false", int: "a whole number", float: "a number"}
        expected = kind.get(type(current[0] if isinstance(current, tuple) else current), "a value")
        raise ConfigError(f"{name} must be {expected}, not {text!r}") from None
    return text


def _number(config: Config, name: str) -> float:
    """A float setting, checked to be a finite number."""
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    return float(value)
