"""A sorted, memory-mapped copy of a store's LSH band keys, for looking a few documents up.

The store keeps one row of band keys per document, and analysis finds its candidates by
sorting every band in memory (``candidates.banded_pairs``). A query ("where else has this
text appeared?") only needs the documents that share a key with one text: reading every
row for that costs ~1 s per million documents. This index holds each band's keys sorted,
with the row each came from, in ``.npy`` files next to the store (``<db>.keys/``) that a
lookup memory-maps and binary-searches: a few pages per band.

Derived and rebuildable, like the ANN index: it is stamped with the store's band-table
state (``Store.bands_state``) and rebuilt by the first lookup after the store changed.
Each build goes to a folder of its own, renamed into place when complete, so two processes
building at once, or a crash half-way, never leave a half-written index behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storytrace.store import Store

I64 = npt.NDArray[np.int64]
_VERSION = "1"


def index_folder(db_path: str | os.PathLike[str]) -> Path:
    """Where the key index of the store at ``db_path`` lives."""
    path = Path(db_path)
    return path.with_name(path.name + ".keys")


class KeyIndex:
    """Each band's keys sorted (``keys[band]``), the row of ``ids`` each came from
    (``rows[band]``), and the ids."""

    def __init__(self, keys: I64, rows: npt.NDArray[np.int32], ids: npt.NDArray[np.str_]):
        self.keys = keys
        self.rows = rows
        self.ids = ids

    @classmethod
    def build(cls, ids: Sequence[str], keys: I64) -> KeyIndex:
        """The index of ``keys`` (one row of band keys per id)."""
        if len(ids) == 0 or keys.size == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return cls(empty, empty.astype(np.int32), np.array([], dtype=np.str_))
        order = np.argsort(keys, axis=0, kind="stable").T.astype(np.int32)
        return cls(np.take_along_axis(keys.T, order, axis=1), order, np.array(ids, dtype=np.str_))

    def hits(self, keys: I64) -> list[tuple[int, int, str]]:
        """Rows ``(band, key, id)`` whose key equals one of ``keys``'s (documents x bands)
        in the same band: what ``candidates.lexical_candidates`` takes."""
        out: list[tuple[int, int, str]] = []
        for band in range(self.keys.shape[0]):
            column = self.keys[band]
            for key in np.unique(keys[:, band]).tolist():
                lo = int(np.searchsorted(column, key, side="left"))
                hi = int(np.searchsorted(column, key, side="right"))
                out.extend((band, key, str(self.ids[r])) for r in self.rows[band][lo:hi].tolist())
        return out

    @classmethod
    def for_store(cls, store: Store) -> KeyIndex:
        """The saved index of ``store`` if it matches the store's band table, else a new one
        built now and saved beside the store (kept in memory only when that folder cannot
        be written: a read-only store still answers)."""
        state = f"{_VERSION}-{store.bands_state()}"
        folder = index_folder(store.path)
        saved = folder / state
        if (saved / "ids.npy").is_file():
            try:
                return cls._load(saved)
            except (OSError, ValueError):  # damaged: rebuilt below
                shutil.rmtree(saved, ignore_errors=True)
        index = cls.build(*store.band_keys())
        with contextlib.suppress(OSError):  # a read-only folder: answer from memory
            index._save(folder, state)
        return index

    @classmethod
    def _load(cls, folder: Path) -> KeyIndex:
        keys = np.load(folder / "keys.npy", mmap_mode="r")
        rows = np.load(folder / "rows.npy", mmap_mode="r")
        ids = np.load(folder / "ids.npy", allow_pickle=False)
        if keys.shape != rows.shape or (keys.size and keys.shape[1] != len(ids)):
            raise ValueError(f"{folder}: inconsistent key index")
        return cls(keys, rows, ids)

    def _save(self, folder: Path, state: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=folder))
        try:
            np.save(work / "keys.npy", self.keys)
            np.save(work / "rows.npy", self.rows)
            np.save(work / "ids.npy", self.ids)  # last: its presence marks a complete index
            os.rename(work, folder / state)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
            if not (folder / state / "ids.npy").is_file():
                raise
            return  # another process saved the same state first
        for old in folder.iterdir():  # indexes of earlier states
            if old.name != state and not old.name.startswith(".build-"):
                shutil.rmtree(old, ignore_errors=True)
