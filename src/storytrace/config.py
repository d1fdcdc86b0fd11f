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


def _setting(default: Any, low: float | None = None, high: float | None = None) -> Any:
    """A field with the range ``validate`` checks it against (``None``: unbounded)."""
    return dataclasses.field(default=default, metadata={"range": (low, high)})


@dataclass(frozen=True, slots=True)
class TextAlignConfig:
    """Parameters of ``storytrace.textalign.align_texts`` (see that module's docstring;
    defaults tuned on the PAN13 training corpus only: ``Config.text_align`` holds the
    settings news alignment uses)."""

    seed_cosine: float = _setting(0.33, 0.0, 1.0)
    seed_dice: float = _setting(0.33, 0.0, 1.0)
    max_gap: int = _setting(4, 0)
    validate: float = _setting(0.4, 0.0, 1.0)
    min_chars: int = _setting(200, 0)
    min_chars_derived: int = _setting(120, 0)
    summary_ratio: float = _setting(3.0, 0.0)
    summary_whole: bool = True
    summary_seed: float = _setting(0.18, 0.0, 1.0)
    summary_skip: int = _setting(1, 0)
    summary_cosine: float = _setting(0.25, 0.0, 1.0)
    summary_para: float = _setting(0.5, 0.0, 1.0)
    min_sentence_words: int = _setting(3, 1)
    ngram: int = _setting(5, 1, 64)
    max_repeats: int = _setting(4, 1)
    run_gap: int = _setting(12, 0)
    run_cover: float = _setting(0.95, 0.0, 1.0)
    copy_mode: bool = True
    copy_cover: float = _setting(0.3, 0.0, 1.0)


NEWS_TEXT_ALIGN = TextAlignConfig(min_chars=100, min_chars_derived=80)
"""The aligner's PAN13 settings with shorter passages: news reuse comes a sentence or a
paragraph at a time (one 100-character sentence is a passage), where PAN13's cases are
long. A share is counted in characters, so one shared quote adds little to it."""


@dataclass(frozen=True, slots=True)
class ReuseConfig:
    """How much text makes a derivation (``storytrace.reuse``).

    ``min_share``: share of a version's text that must be traceable to another before an
    edge may say text was taken (10% of its sentences or 5-grams); ``wholly``: from this
    share on a version is wholly derived, below it partially."""

    min_share: float = _setting(0.10, 0.0, 1.0)
    wholly: float = _setting(0.5, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class ProvenanceConfig:
    """Weights and thresholds of ``storytrace.provenance`` (who derived from whom).

    Direction scores (``direction``): ``time_weight`` for a parent published first (at
    least ``same_minute_seconds`` apart), ``credit_weight`` for a child crediting the
    parent's outlet (``relayed_credit_weight`` when a word-for-word copy carries the same
    credit), ``unknown_outlet_credit_weight`` for a child crediting a source when the parent,
    of unknown outlet, credits none, ``image_credit_weight`` for a photo credit naming the
    other's outlet, ``copy_junk_weight`` / ``junk_weight`` for the copy wrapped in scraper
    junk or paged (between copies at ``copy_jaccard`` and between other versions),
    ``fan_weight`` for translations fanning out of a sole-language original,
    ``parallel_weight`` against one parallel translation deriving from another and
    ``undated_credit_weight`` for an undated child when other versions credit the parent's
    outlet as their source.
    ``min_direction``: direction evidence below this decides nothing (shared text, direction
    unknown). ``copy_jaccard``: two independent translations never share this much of their
    shingles. ``cross_lingual_weight``: a share found across languages counts for this much
    of the same share of shared wording. ``exclusive``: a sibling must hold this share of the
    child that their common source does not, to be the child's parent. ``root_weight`` and
    ``max_parents``: the arborescence's virtual-root edge weight and candidate parents kept
    per version."""

    time_weight: float = _setting(1.0, 0.0)
    same_minute_seconds: float = _setting(60.0, 0.0)
    credit_weight: float = _setting(3.0, 0.0)
    relayed_credit_weight: float = _setting(1.0, 0.0)
    unknown_outlet_credit_weight: float = _setting(1.0, 0.0)
    image_credit_weight: float = _setting(1.5, 0.0)
    copy_junk_weight: float = _setting(1.5, 0.0)
    junk_weight: float = _setting(0.5, 0.0)
    fan_weight: float = _setting(1.0, 0.0)
    parallel_weight: float = _setting(2.5, 0.0)
    undated_credit_weight: float = _setting(0.5, 0.0)
    min_direction: float = _setting(0.5, 0.0)
    copy_jaccard: float = _setting(0.8, 0.0, 1.0)
    cross_lingual_weight: float = _setting(0.6, 0.0, 1.0)
    exclusive: float = _setting(0.05, 0.0, 1.0)
    root_weight: float = _setting(0.01, 0.0)
    max_parents: int = _setting(6, 1)


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Sentence alignment of a derivation edge (``storytrace.align``).

    ``edited``: word-set Jaccard at which a changed sentence still counts as edited;
    ``mutual_floor``: a mutual best partner below this is a coincidence, not a match;
    ``name_bonus``: added to the score of sentences sharing a rare name (one in at most
    ``rare_name_sentences`` sentences of each document); ``gap_floor``: a neighbour of an
    aligned sentence, next to its partner, is aligned from this score."""

    edited: float = _setting(0.5, 0.0, 1.0)
    mutual_floor: float = _setting(0.55, 0.0, 1.0)
    name_bonus: float = _setting(0.1, 0.0, 1.0)
    gap_floor: float = _setting(0.40, 0.0, 1.0)
    rare_name_sentences: int = _setting(2, 1)


@dataclass(frozen=True, slots=True)
class ChangesConfig:
    """What counts as a change (``storytrace.changes``): ``confident`` the sentence-pair
    score from which a pair corresponds with confidence; ``short`` the most words of a
    replaced name or a negated verb (more is a rewritten clause)."""

    confident: float = _setting(0.6, 0.0, 1.0)
    short: int = _setting(4, 1)


@dataclass(frozen=True, slots=True)
class StoryCleanConfig:
    """The story cleaning its members (``storytrace.story_clean``): a paragraph is shared
    content when ``shared_pairs`` of its word pairs (at least ``min_shared_pairs``) occur in
    another version, echoed from ``echoed_pairs``; furniture is a label of at most
    ``label_words`` words, a link of at most ``link_words``, a line addressing the reader of
    at most ``address_words``, a line between junk of at most ``sandwich_words``, and never
    over ``max_furniture_chars`` characters."""

    shared_pairs: float = _setting(0.5, 0.0, 1.0)
    min_shared_pairs: int = _setting(5, 0)
    echoed_pairs: float = _setting(0.25, 0.0, 1.0)
    label_words: int = _setting(30, 0)
    link_words: int = _setting(25, 0)
    address_words: int = _setting(80, 0)
    sandwich_words: int = _setting(60, 0)
    max_furniture_chars: int = _setting(1000, 0)


@dataclass(frozen=True, slots=True)
class StoriesConfig:
    """Grouping versions into stories (``storytrace.stories``): a rewrite or translation
    covering ``strong_coverage`` of one side, or partial reuse containing
    ``strong_containment`` of one side, joins stories on its own; a weaker link joins two
    groups only while one has fewer than ``established`` members. Stories of up to
    ``complete_story`` members have every pair compared before provenance."""

    established: int = _setting(3, 1)
    strong_coverage: float = _setting(0.6, 0.0, 1.0)
    strong_containment: float = _setting(0.5, 0.0, 1.0)
    complete_story: int = _setting(40, 0)


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
    text_align: TextAlignConfig = NEWS_TEXT_ALIGN
    reuse: ReuseConfig = ReuseConfig()
    provenance: ProvenanceConfig = ProvenanceConfig()
    align: AlignConfig = AlignConfig()
    changes: ChangesConfig = ChangesConfig()
    story_clean: StoryCleanConfig = StoryCleanConfig()
    stories: StoriesConfig = StoriesConfig()

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
        from storytrace.embed import ENCODERS, NO_ENCODER  # numpy-heavy: only when checked

        if self.encoder not in (*ENCODERS, NO_ENCODER):
            names = ", ".join(ENCODERS)
            raise ConfigError(f"encoder must be one of {names} or none, not {self.encoder!r}")
        for f in dataclasses.fields(self):
            part = getattr(self, f.name)
            if isinstance(f.default, _SUBCONFIGS):
                if type(part) is not type(f.default):
                    raise ConfigError(
                        f"{f.name} must be a {type(f.default).__name__}, not {part!r}"
                    )
                _check_ranges(part, f"{f.name}.")

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


_SUBCONFIGS = (
    TextAlignConfig,
    ReuseConfig,
    ProvenanceConfig,
    AlignConfig,
    ChangesConfig,
    StoryCleanConfig,
    StoriesConfig,
)


def _check_ranges(record: Any, prefix: str) -> None:
    """``ConfigError`` naming the first field of ``record`` of the wrong type or out of the
    range in its metadata."""
    for f in dataclasses.fields(record):
        name, value = prefix + f.name, getattr(record, f.name)
        if isinstance(f.default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{name} must be true or false, not {value!r}")
            continue
        if isinstance(f.default, int) and (not isinstance(value, int) or isinstance(value, bool)):
            raise ConfigError(f"{name} must be a whole number, not {value!r}")
        low, high = f.metadata.get("range", (None, None))
        number = _number(record, f.name, name)
        if low is not None and high is not None and not low <= number <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {number:g}")
        if low is not None and number < low:
            raise ConfigError(f"{name} must be at least {low:g}, not {number:g}")
        if high is not None and number > high:
            raise ConfigError(f"{name} must be at most {high:g}, not {number:g}")


def _number(config: Any, name: str, shown: str | None = None) -> float:
    """A float setting, checked to be a finite number."""
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{shown or name} must be a number, not {value!r}")
    return float(value)
