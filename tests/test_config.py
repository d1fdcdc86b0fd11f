"""Config: every parameter in one record, saved with each store and read back unchanged."""

from __future__ import annotations

import json

from storytrace.config import Config


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
