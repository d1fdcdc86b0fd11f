"""'Where else has this text appeared?' against a real store."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DEMO

from storytrace.config import Config
from storytrace.errors import InputError, StoreError
from storytrace.pipeline import analyze
from storytrace.query import query_file, query_store


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


def test_a_lexical_only_store_answers_with_scores_and_passages(tmp_path: Any) -> None:
    """With the encoder off, copies are still found through the stored LSH index."""
    result = analyze([DEMO / "text"], tmp_path / "out", Config(encoder="none"))
    text = (DEMO / "text/hotnewsmirror_harvik_dam.txt").read_text(encoding="utf-8")
    tokens = text.split(" ")
    for at in (len(tokens) // 3, len(tokens) // 2):
        tokens[at] = "zzzq"  # two words changed in the body
    edited = " ".join(tokens) + "\nShare this article."
    hits = query_store(result.db_path, edited)
    assert hits, "the edited copy must find its original"
    top = hits[0]
    assert top.id == "hotnewsmirror_harvik_dam.txt"
    assert top.relation in ("duplicate", "near_duplicate")
    assert 0.7 < top.jaccard < 1.0 and top.semantic == 0.0
    assert top.passages and "Harvik" in " ".join(top.passages)
    assert not any("velamar" in h.id for h in hits)


def test_a_stored_page_finds_itself_by_its_main_text(demo_run: Any) -> None:
    """An HTML file is read as analyze reads it (main text, furniture dropped), not as its
    raw markup: the stored page is its own duplicate."""
    page = DEMO / "web/nordwire_harvik_dam.html"
    hits = query_file(demo_run.db_path, page)
    assert hits[0].id == "web/nordwire_harvik_dam.html"
    assert hits[0].relation == "duplicate" and hits[0].jaccard == 1.0
    raw = query_store(demo_run.db_path, page.read_text(encoding="utf-8"))
    assert not raw or raw[0].jaccard < hits[0].jaccard  # the markup is not the document


def test_query_file_reads_compressed_and_legacy_encoded_files(
    demo_run: Any, tmp_path: Path
) -> None:
    text = (DEMO / "text/mps_velamar_port_strike.txt").read_text(encoding="utf-8")
    packed = tmp_path / "copy.txt.gz"
    packed.write_bytes(gzip.compress(text.encode("cp1252", errors="replace")))
    hits = query_file(demo_run.db_path, packed)
    assert hits and hits[0].relation in ("duplicate", "near_duplicate")


def test_query_file_errors_are_clear(demo_run: Any, tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"no such file \(to look up the words themselves, add --text\)"
    ):
        query_file(demo_run.db_path, tmp_path / "typo.txt")
    (tmp_path / "feed.jsonl").write_text('{"text": "one"}\n{"text": "two"}\n')
    with pytest.raises(InputError, match="holds more than one document"):
        query_file(demo_run.db_path, tmp_path / "feed.jsonl")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01" * 50)
    with pytest.raises(InputError, match=r"bin\.txt: binary file, not text"):
        query_file(demo_run.db_path, tmp_path / "bin.txt")
