"""The sorted band-key index beside a store: same hits as a scan, rebuilt when the store
changes, never left half-written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storytrace.key_index import KeyIndex, index_folder
from storytrace.records import Document
from storytrace.store import Store


def _docs(first: int, count: int) -> list[Document]:
    """``count`` documents numbered from ``first``."""
    return [
        Document(
            id=f"doc{first + i:04d}",
            doc_id=f"h{first + i}",
            text=f"Ferry timetable notice number {first + i} for the northern harbour.",
            input=f"d{first + i}.txt",
            published=datetime(2025, 1, 1, tzinfo=UTC),
        )
        for i in range(count)
    ]


def _scan(ids: list[str], keys: np.ndarray, query: np.ndarray) -> set[tuple[int, int, str]]:
    return {
        (band, int(query[q, band]), ids[r])
        for q in range(query.shape[0])
        for band in range(keys.shape[1])
        for r in range(len(ids))
        if keys[r, band] == query[q, band]
    }


@pytest.mark.parametrize("seed", range(3))
def test_hits_equal_a_scan_of_every_row(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = rng.integers(-6, 6, size=(80, 5)).astype(np.int64)  # many shared keys
    keys[:, 4] = rng.integers(-(2**62), 2**62, size=80)  # one band of unique 64-bit keys
    ids = [f"d{i:03d}" for i in range(80)]
    index = KeyIndex.build(ids, keys)
    query = np.vstack([keys[17], rng.integers(-6, 6, size=5)]).astype(np.int64)
    hits = index.hits(query)
    assert len(hits) == len(set(hits))
    assert set(hits) == _scan(ids, keys, query)
    assert (4, int(keys[17, 4]), "d017") in hits


def test_an_empty_index_finds_nothing() -> None:
    index = KeyIndex.build([], np.zeros((0, 0), dtype=np.int64))
    assert index.hits(np.array([[1, 2, 3]], dtype=np.int64)) == []


def test_the_index_is_saved_reused_and_rebuilt_when_the_store_changes(
    tmp_path: Path, save_band_keys: Any
) -> None:
    rng = np.random.default_rng(4)
    first = rng.integers(0, 50, size=(30, 4))
    with Store(tmp_path / "s.db", writer=True) as store:
        save_band_keys(store, _docs(0, 30), first)
        built = KeyIndex.for_store(store)
        folder = index_folder(store.path)
        states = [p.name for p in folder.iterdir()]
        assert len(states) == 1
        again = KeyIndex.for_store(store)  # unchanged store: read back, memory-mapped
        assert isinstance(again.keys, np.memmap)
        assert again.hits(first[:1]) == built.hits(first[:1])
        second = rng.integers(0, 50, size=(10, 4))
        save_band_keys(
            store, _docs(30, 10), second
        )  # the store changed: a new index replaces the old one
        rebuilt = KeyIndex.for_store(store)
        assert [p.name for p in folder.iterdir()] != states
        assert len(list(folder.iterdir())) == 1
        ids, keys = store.band_keys()
        assert set(rebuilt.hits(second[:2])) == _scan(ids, keys, second[:2])
        assert any(doc == "doc0031" for _, _, doc in rebuilt.hits(second[1:2]))


def test_a_damaged_index_is_rebuilt(tmp_path: Path, save_band_keys: Any) -> None:
    keys = np.arange(40, dtype=np.int64).reshape(10, 4)
    with Store(tmp_path / "s.db", writer=True) as store:
        save_band_keys(store, _docs(0, 10), keys)
        KeyIndex.for_store(store)
        (saved,) = index_folder(store.path).iterdir()
        (saved / "keys.npy").write_bytes(b"not an array")
        index = KeyIndex.for_store(store)
        assert index.hits(keys[3:4]) == [(b, int(keys[3, b]), "doc0003") for b in range(4)]
        repaired = KeyIndex.for_store(store)  # the rebuilt index was saved in its place
        assert isinstance(repaired.keys, np.memmap)
        assert repaired.hits(keys[3:4]) == index.hits(keys[3:4])


def test_a_second_build_of_the_same_state_keeps_the_first(tmp_path: Path) -> None:
    """Two processes that build at once: the second rename fails, the first index stays."""
    keys = np.arange(12, dtype=np.int64).reshape(3, 4)
    index = KeyIndex.build(["a", "b", "c"], keys)
    folder = tmp_path / "s.db.keys"
    index._save(folder, "1-3-3")
    index._save(folder, "1-3-3")
    assert [p.name for p in folder.iterdir()] == ["1-3-3"]  # no build folder left over
