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
        ("encoder", "foo", "encoder must be one of use-multilingual"),
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


def test_every_tuning_value_is_a_setting_with_a_dotted_name() -> None:
    settings = Config().settings()
    # the stages' tuning values, grouped by stage, each reachable by --set
    for name in (
        "provenance.time_weight",
        "provenance.credit_weight",
        "provenance.min_direction",
        "reuse.min_share",
        "reuse.wholly",
        "text_align.min_chars",
        "align.gap_floor",
        "changes.confident",
        "story_clean.label_words",
    ):
        assert name in settings
    changed = Config().replace({"provenance.time_weight": "1.5", "align.edited": 0.6})
    assert changed.provenance.time_weight == 1.5 and changed.align.edited == 0.6
    assert changed.provenance.credit_weight == Config().provenance.credit_weight
    assert Config.from_json(changed.to_json()) == changed
    assert Config().replace({"text_align.copy_mode": "false"}).text_align.copy_mode is False


def test_a_store_made_before_the_groups_existed_reads_as_the_defaults() -> None:
    """Stores saved only the top-level fields; the groups' defaults are the values those
    stores were made with, so they resume with today's defaults."""
    flat = {k: v for k, v in json.loads(Config().to_json()).items() if not isinstance(v, dict)}
    assert Config.from_json(json.dumps(flat)) == Config()
    partial = json.loads(Config().to_json())
    partial["provenance"] = {"time_weight": 2.0}
    assert Config.from_json(json.dumps(partial)).provenance.credit_weight == 3.0


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("provenance.time_weight", "-1", "provenance.time_weight must be at least 0, not -1"),
        ("reuse.min_share", "1.5", "reuse.min_share must be between 0 and 1, not 1.5"),
        ("text_align.ngram", "0", "text_align.ngram must be between 1 and 64, not 0"),
        ("align.rare_name_sentences", "2.5", "align.rare_name_sentences must be a whole number"),
        ("changes.confident", "nan", "changes.confident must be a number, not nan"),
        ("text_align.copy_mode", "maybe", "text_align.copy_mode must be true or false"),
        ("provenance.time_weigth", "1", "did you mean provenance.time_weight?"),
    ],
)
def test_a_group_setting_out_of_range_is_one_error_naming_it(
    name: str, value: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)) as caught:
        Config().replace({name: value})
    assert caught.value.code == "ST102"


def test_a_group_of_the_wrong_type_is_refused() -> None:
    from storytrace.config import AlignConfig

    with pytest.raises(ConfigError, match="provenance must be a ProvenanceConfig"):
        Config(provenance=AlignConfig())  # type: ignore[arg-type]
