"""Approximate nearest neighbours over document vectors, persisted next to the store.

Brute force (one matrix product per batch, ``candidates.semantic_candidates``) is exact and
fast up to some tens of thousands of documents; above ``Config.ann_min_documents`` the
pipeline searches this index instead. One HNSW graph per language, so the per-language
neighbour quota of the brute-force search holds exactly as before: the same-language
neighbours come from the document's own language's graph, the cross-language ones from the
best of the other graphs.

Library: usearch (Unum, pinned 2.26.6). Chosen over faiss-cpu and hnswlib because it adds
vectors one batch at a time to a live graph (incremental, as the store is), saves and loads a
graph as one file, needs no training step (faiss's IVF indexes do; its HNSW cannot remove or
relabel), is released monthly (hnswlib's last release is from 2023), and its wheels are a
few MB with no BLAS. Graphs are built single-threaded, so the same documents added in the
same order give the same graph.

Layout: ``<db>.ann/`` holds ``manifest.json`` (encoder, dimension, and the document id and
language of every key, in key order) and one ``<lang>.usearch`` per language. The store is
the record; the index is derived from it: ``sync`` adds whatever indexed documents it lacks,
and a manifest for another encoder or dimension is discarded and rebuilt.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from usearch.index import BatchMatches, Index

from storytrace.candidates import neighbour_profiles, semantic_candidates
from storytrace.compare import MARGIN_K
from storytrace.embed import calibrate
from storytrace.engine import semantic_floor

if TYPE_CHECKING:
    from storytrace.config import Config
    from storytrace.store import Store

F32 = npt.NDArray[np.float32]
_MANIFEST = "manifest.json"
_VERSION = 1


def ann_folder(db_path: str | os.PathLike[str]) -> Path:
    """Where the index of the store at ``db_path`` lives."""
    path = Path(db_path)
    return path.with_name(path.name + ".ann")


def _lang_file(lang: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", lang) or "_"
    return f"{safe}.usearch"


class AnnIndex:
    """HNSW graphs (usearch, inner product on L2-normalised vectors), one per language.

    ``expansion_search`` is the search beam: with 256 the graphs return the exact top
    neighbours on the corpora measured in ``benchmarks/encoders.py --ann`` (recall@21 = 1.0
    up to 20k documents); it is raised to the number of results when a search asks for more.
    """

    def __init__(
        self,
        encoder: str,
        dim: int,
        *,
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 256,
    ) -> None:
        self.encoder = encoder
        self.dim = dim
        self.connectivity = connectivity
        self.expansion_add = expansion_add
        self.expansion_search = expansion_search
        self._ids: list[str] = []
        self._langs: list[str] = []
        self._key: dict[str, int] = {}
        self._graphs: dict[str, Index] = {}

    # -- size and membership ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc: object) -> bool:
        return doc in self._key

    def languages(self) -> list[str]:
        return sorted(self._graphs)

    def _graph(self, lang: str) -> Index:
        graph = self._graphs.get(lang)
        if graph is None:
            graph = Index(
                ndim=self.dim,
                metric="ip",
                dtype="f32",
                connectivity=self.connectivity,
                expansion_add=self.expansion_add,
                expansion_search=self.expansion_search,
            )
            self._graphs[lang] = graph
        return graph

    # -- building ----------------------------------------------------------------------------
    def add(self, ids: Sequence[str], vecs: F32, langs: Sequence[str]) -> int:
        """Add documents not yet in the index; returns how many were added."""
        if len(ids) != len(vecs) or len(ids) != len(langs):
            raise ValueError("ids, vectors and languages differ in length")
        if len(ids) and vecs.shape[1] != self.dim:
            raise ValueError(f"vectors have dimension {vecs.shape[1]}, the index {self.dim}")
        by_lang: dict[str, list[int]] = {}
        for row, (doc, lang) in enumerate(zip(ids, langs, strict=True)):
            if doc in self._key:
                continue
            key = len(self._ids)
            self._ids.append(doc)
            self._langs.append(lang)
            self._key[doc] = key
            by_lang.setdefault(lang, []).append(row)
        added = 0
        for lang, rows in sorted(by_lang.items()):
            keys = np.array([self._key[ids[r]] for r in rows], dtype=np.uint64)
            block = np.ascontiguousarray(vecs[rows], dtype=np.float32)
            self._graph(lang).add(keys, block, threads=1)
            added += len(rows)
        return added

    def sync(self, ids: Sequence[str], fetch: Any, langs: Mapping[str, str]) -> int:
        """Add every one of ``ids`` the index lacks; ``fetch(ids) -> (ids, vectors)`` reads
        their vectors (``Store.embeddings``), in chunks of 5,000."""
        missing = [i for i in ids if i not in self._key]
        added = 0
        for start in range(0, len(missing), 5000):
            got_ids, vecs = fetch(missing[start : start + 5000])
            if got_ids:
                added += self.add(got_ids, vecs, [langs.get(i, "") for i in got_ids])
        return added

    # -- searching ---------------------------------------------------------------------------
    def _search(self, lang: str, queries: F32, count: int) -> tuple[npt.NDArray[Any], F32]:
        """Keys and cosines of the top ``count`` documents of ``lang`` for each query
        (rows padded with key -1 and cosine -inf)."""
        graph = self._graphs[lang]
        count = min(count, len(graph))
        n = queries.shape[0]
        if count == 0:
            return np.full((n, 0), -1, dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
        graph.expansion_search = max(self.expansion_search, count)  # type: ignore[misc]
        found = graph.search(np.ascontiguousarray(queries, dtype=np.float32), count, threads=1)
        keys = np.asarray(found.keys, dtype=np.int64).reshape(n, -1)
        sims = (1.0 - np.asarray(found.distances, dtype=np.float32)).reshape(n, -1)
        if isinstance(found, BatchMatches):
            counts = np.asarray(found.counts).reshape(n)
        else:  # one query: usearch returns a single ``Matches``
            counts = np.array([len(found.keys)])
        cols = np.arange(keys.shape[1])[None, :]
        invalid = cols >= counts[:, None]
        keys[invalid] = -1
        sims[invalid] = -np.inf
        return keys, sims

    def neighbours(
        self, queries: F32, langs: Sequence[str] | None, count: int
    ) -> list[list[tuple[str, float]]]:
        """For each query: its top ``count`` documents of its own language and, separately,
        its top ``count`` of all other languages (with ``langs`` None: the top ``count``
        over everything), best first within each group."""
        n = queries.shape[0]
        out: list[list[tuple[str, float]]] = [[] for _ in range(n)]
        if n == 0 or not self._ids:
            return out
        if langs is None:
            results = [self._search(lang, queries, count) for lang in self._graphs]
            groups = [(np.arange(n), results)]
            self._collect(out, groups, count)
            return out
        row_langs = np.array(list(langs), dtype=object)
        for lang in sorted(set(langs)):
            rows = np.flatnonzero(row_langs == lang)
            sub = queries[rows]
            same = [self._search(lang, sub, count)] if lang in self._graphs else []
            other = [self._search(g, sub, count) for g in sorted(self._graphs) if g != lang]
            self._collect(out, [(rows, same), (rows, other)], count)
        return out

    def _collect(
        self,
        out: list[list[tuple[str, float]]],
        groups: Sequence[tuple[npt.NDArray[Any], list[tuple[npt.NDArray[Any], F32]]]],
        count: int,
    ) -> None:
        for rows, results in groups:
            if not results:
                continue
            keys = np.concatenate([k for k, _ in results], axis=1)
            sims = np.concatenate([s for _, s in results], axis=1)
            order = np.argsort(-sims, axis=1, kind="stable")[:, :count]
            for pos, row in enumerate(rows.tolist()):
                for col in order[pos].tolist():
                    key = int(keys[pos, col])
                    if key >= 0:
                        out[row].append((self._ids[key], float(sims[pos, col])))

    # -- persistence ---------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike[str]) -> None:
        """Write the graphs, then the manifest (a crash in between leaves an index that
        ``load`` rejects or ``sync`` completes; the store stays the record)."""
        root = Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        for lang, graph in self._graphs.items():
            tmp = root / (_lang_file(lang) + ".tmp")
            graph.save(str(tmp))
            os.replace(tmp, root / _lang_file(lang))
        manifest = {
            "version": _VERSION,
            "encoder": self.encoder,
            "dim": self.dim,
            "connectivity": self.connectivity,
            "ids": self._ids,
            "langs": self._langs,
        }
        tmp = root / (_MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, root / _MANIFEST)

    @classmethod
    def load(cls, folder: str | os.PathLike[str], encoder: str, dim: int) -> AnnIndex:
        """The index saved in ``folder`` for ``encoder``/``dim``; an empty one when there is
        none, or when what is there was made for another encoder or is inconsistent."""
        root = Path(folder)
        index = cls(encoder, dim)
        try:
            manifest = json.loads((root / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return index
        if (
            manifest.get("version") != _VERSION
            or manifest.get("encoder") != encoder
            or manifest.get("dim") != dim
        ):
            return index
        ids, langs = list(manifest["ids"]), list(manifest["langs"])
        index.connectivity = int(manifest.get("connectivity", index.connectivity))
        graphs: dict[str, Index] = {}
        for lang in sorted(set(langs)):
            path = root / _lang_file(lang)
            if not path.is_file():
                return cls(encoder, dim)
            graph = index._graph(lang)
            graph.load(str(path))
            graphs[lang] = graph
            if len(graph) != sum(1 for x in langs if x == lang):
                return cls(encoder, dim)
        index._graphs = graphs
        index._ids, index._langs = ids, langs
        index._key = {doc: key for key, doc in enumerate(ids)}
        return index


def ann_candidates(
    index: AnnIndex,
    new_ids: Sequence[str],
    new_vecs: F32,
    neighbours: int,
    floor: float,
    langs: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], float]:
    """``candidates.semantic_candidates`` over the index instead of all vectors: the same
    pairs (the index holding every document the brute force would compare with)."""
    found: dict[tuple[str, str], float] = {}
    row_langs = None if langs is None else [langs.get(i, "") for i in new_ids]
    hits = index.neighbours(new_vecs, row_langs, neighbours + 1)
    for a, row in zip(new_ids, hits, strict=True):
        for b, score in row:
            if b == a or score < floor:
                continue
            key = (a, b) if a < b else (b, a)
            found[key] = max(score, found.get(key, -1.0))
    return found


class SemanticSearch:
    """Semantic candidates and neighbour profiles over a store's document vectors: a
    brute-force scan below ``Config.ann_min_documents`` documents, the persisted ANN index
    (brought up to date with the store first) from there on.

    Settings from ``config``: the encoder, ``semantic_neighbours`` and the candidate floor,
    which is on the calibrated scale and taken on the encoder's raw cosines from
    ``engine.semantic_floor``; profiles come back calibrated.
    """

    def __init__(
        self,
        all_ids: Sequence[str],
        all_vecs: F32 | None,
        index: AnnIndex | None,
        langs: Mapping[str, str],
        config: Config,
    ) -> None:
        self.encoder = config.encoder
        self.all_ids = list(all_ids)
        self.all_vecs = all_vecs
        self.index = index
        self.langs = langs
        self.neighbours = config.semantic_neighbours
        self.raw_floor = semantic_floor(config)

    @classmethod
    def for_store(cls, store: Store, config: Config) -> SemanticSearch | None:
        """The search for ``store`` (``None`` when it holds no document vectors)."""
        ids = store.embedding_ids()
        if not ids:
            return None
        langs = store.languages()
        if len(ids) < config.ann_min_documents:
            all_ids, all_vecs = store.embeddings()
            return cls(all_ids, all_vecs, None, langs, config)
        dim = int(store.embeddings(ids[:1])[1].shape[1])
        folder = ann_folder(store.path)
        index = AnnIndex.load(folder, config.encoder, dim)
        if index.sync(ids, store.embeddings, langs):
            index.save(folder)
        return cls(ids, None, index, langs, config)

    def candidates(self, ids: Sequence[str], vecs: F32) -> dict[tuple[str, str], float]:
        if self.index is not None:
            return ann_candidates(
                self.index, ids, vecs, self.neighbours, self.raw_floor, self.langs
            )
        assert self.all_vecs is not None
        return semantic_candidates(
            ids, vecs, self.all_ids, self.all_vecs, self.neighbours, self.raw_floor, self.langs
        )

    def profiles(self, ids: Sequence[str], vecs: F32) -> dict[str, list[tuple[str, float]]]:
        """Each document's ``MARGIN_K + 1`` nearest others, calibrated cosines, best first."""
        count = MARGIN_K + 1
        if self.index is not None:
            hits = self.index.neighbours(vecs, None, count + 1)
            raw = {
                a: [(b, c) for b, c in row if b != a][:count]
                for a, row in zip(ids, hits, strict=True)
            }
        else:
            assert self.all_vecs is not None
            raw = neighbour_profiles(ids, vecs, self.all_ids, self.all_vecs, count)
        return {
            a: [(b, float(calibrate(self.encoder, c))) for b, c in row] for a, row in raw.items()
        }
