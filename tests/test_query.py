"""'Where else has this text appeared?' against a real store."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import DEMO

from storytrace.errors import InputError, StoreError
from storytrace.query import query_store


def test_a_copy_finds_its_original_and_the_story(demo_run: Any) -> None:
    text = (DEMO / "text/hotnewsmirror_harvik_dam.txt").read_text(encoding="utf-8")
    hits = query_store(demo_run.db_path, text)
    by_id = {h.id: h for h in hits}
    assert by_id["text/hotnewsmirror_harvik_dam.txt"].relation == "duplicate"
    assert by_id["web/nordwire_harvik_dam.html"].relation in ("duplicate", "near_duplicate")
    assert by_id["kk-2025-03-12-harvik-staudamm"].relation == "translation"
    assert not any("velamar" in h.id for h in hits)
    assert hits[0].relation == "duplicate"
    assert hits[0].passages


def test_an_unrelated_text_finds_nothing(demo_run: Any) -> None:
    text = (
        "The chess club of Brindle opened its winter season with a simultaneous exhibition. "
        "Twenty players faced the club champion, who won seventeen games and drew three. "
        "Members meet every Thursday evening in the old library building on Mill Street."
    )
    assert query_store(demo_run.db_path, text) == []


def test_empty_query_and_missing_store_are_clear_errors(demo_run: Any, tmp_path: Any) -> None:
    with pytest.raises(InputError, match="empty"):
        query_store(demo_run.db_path, "   ")
    with pytest.raises(StoreError, match="no store"):
        query_store(tmp_path / "nothing.db", "some text about ferries")
