"""Config: every parameter in one record, saved with each store and read back unchanged."""

from __future__ import annotations

import json
import re

import pytest

from storytrace.config import Config
from storytrace.errors import ConfigError


def test_config_round_trips_through_json() -> None:
    config = Config(lsh_threshold=0.65, num_perm=64, same_story_cosine=0.9)
    assert Config.from_json(config.to_json()) == config


def test_unknown_keys_from_newer_versions_are_ignored() -> None:
    data = json.loads(Config().to_json())
    data["a_future_parameter"] = 3
    assert Config.from_json(json.dumps(data)) == Config()


def test_config_is_frozen() -> None:
    config = Config()
    try:
        config.num_perm = 3  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Config must be immutable")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("shingle_size", 0, "between 1 and 64"),
        ("shingle_size", 2.5, "whole number"),
        ("num_perm", True, "whole number"),
        ("num_perm", 5000, "between 2 and 4096"),
        ("lsh_threshold", 2, "between 0 and 1 (exclusive)"),
        ("lsh_threshold", 1.5, "between 0 and 1 (exclusive)"),
        ("lsh_threshold", 0.0, "between 0 and 1 (exclusive)"),
        ("lsh_threshold", float("nan"), "must be a number"),
        ("sentence_match", -0.1, "between 0 and 1"),
        ("duplicate_jaccard", "0.9", "must be a number"),
        ("neighbour_margin", 0.0, "above 0"),
        ("encoder", "", "name an encoder"),
        ("seed", -1, "between 0 and"),
    ],
)
def test_config_refuses_settings_out_of_range(field: str, value: object, words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)) as caught:
        Config(**{field: value})  # type: ignore[arg-type]
    assert caught.value.code == "ST102" and field in str(caught.value)


def test_every_default_and_the_edges_of_each_range_are_valid() -> None:
    Config().validate()
    Config(shingle_size=1, lsh_threshold=0.01, num_perm=2, sentence_match=0.0).validate()
    Config(shingle_size=64, lsh_threshold=0.99, num_perm=4096, duplicate_jaccard=1.0).validate()
