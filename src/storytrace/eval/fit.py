"""Small, honest model fitting for the evaluation runners: a seeded split into a training
and a held-out half, a ridge-regularised linear combination fitted on the training half
only, a decision threshold chosen on the training half only, and Pearson's r. Pure numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
SEED = 20220708
"""Fixed seed of the train/held-out split (reruns split the same way)."""


def halves(
    keys: Sequence[str], seed: int = SEED, groups: Sequence[str] | None = None
) -> tuple[list[int], list[int]]:
    """Indices of a training half and a held-out half, by a seeded shuffle of the sorted
    distinct keys (the split depends on the keys, not on the order of the file).

    ``groups`` (one per key) keeps items of a group on one side: versions of one item
    (a pair and its machine-translated copies, rated once) must not be learnt on one side
    and scored on the other. The halves then hold half of the groups each.
    """
    labels = list(groups) if groups is not None else list(keys)
    if len(labels) != len(keys):
        raise ValueError(f"{len(keys)} keys but {len(labels)} groups")
    shuffled = _shuffled_groups(labels, seed)
    first = set(shuffled[: len(shuffled) // 2])
    train = [i for i in range(len(keys)) if labels[i] in first]
    test = [i for i in range(len(keys)) if labels[i] not in first]
    return train, test


def _shuffled_groups(labels: Sequence[str], seed: int) -> list[str]:
    """The distinct labels, sorted, then in a seeded random order: the same for any order
    of the rows."""
    distinct = sorted(set(labels))
    perm = np.random.default_rng(seed).permutation(len(distinct))
    return [distinct[p] for p in perm.tolist()]


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Pearson's correlation coefficient (0.0 when either side is constant)."""
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.size < 2 or a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


@dataclass(frozen=True, slots=True)
class LinearModel:
    """``intercept + (x - mean) / scale @ weights``, fitted by ridge least squares."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float

    def predict(self, x: F64) -> F64:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        out: F64 = z @ np.asarray(self.weights) + self.intercept
        return out

    def as_dict(self) -> dict[str, float]:
        """Weights per feature (on standardised features) and the intercept."""
        out = {n: round(w, 4) for n, w in zip(self.names, self.weights, strict=True)}
        out["intercept"] = round(self.intercept, 4)
        return out


def fit_linear(x: F64, y: F64, names: Sequence[str], ridge: float = 1.0) -> LinearModel:
    """Ridge regression of ``y`` on standardised ``x`` (the intercept is not penalised)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    centred = y - y.mean()
    gram = z.T @ z + ridge * np.eye(z.shape[1])
    weights = np.linalg.solve(gram, z.T @ centred)
    return LinearModel(
        tuple(names),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in weights),
        float(y.mean()),
    )


RIDGES = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def choose_ridge(
    x: F64,
    y: F64,
    names: Sequence[str],
    groups: Sequence[str] | None = None,
    folds: int = 5,
    ridges: Sequence[float] = RIDGES,
    seed: int = SEED,
) -> tuple[float, dict[float, float]]:
    """The ridge penalty with the best cross-validated Pearson r on these rows (the training
    half: the held-out half is never seen), and every candidate's r. Folds are seeded and
    keep a ``groups`` label on one side, like ``halves``."""
    labels = list(groups) if groups is not None else [str(i) for i in range(len(y))]
    fold_of = {g: k % folds for k, g in enumerate(_shuffled_groups(labels, seed))}
    fold = np.array([fold_of[g] for g in labels])
    scores: dict[float, float] = {}
    for ridge in ridges:
        predicted = np.zeros(len(y), dtype=np.float64)
        for k in range(folds):
            inside, outside = fold != k, fold == k
            if not outside.any() or not inside.any():
                continue
            model = fit_linear(x[inside], y[inside], names, ridge)
            predicted[outside] = model.predict(x[outside])
        scores[ridge] = pearson(predicted, y)
    best = max(ridges, key=lambda r: (scores[r], -r))
    return best, scores


def best_threshold(scores: F64, labels: npt.NDArray[np.bool_]) -> float:
    """The threshold (``score >= t`` predicts positive) with the highest accuracy on these
    scores, ties to the lower threshold; midpoints between consecutive distinct scores."""
    values = np.unique(scores)
    if values.size == 0:
        return 0.0
    cuts = np.concatenate([[values[0] - 1.0], (values[1:] + values[:-1]) / 2.0])
    best, best_acc = float(cuts[0]), -1.0
    for cut in cuts.tolist():
        acc = float(np.mean((scores >= cut) == labels))
        if acc > best_acc:
            best, best_acc = cut, acc
    return best


def accuracy_f1(
    predicted: npt.NDArray[np.bool_], labels: npt.NDArray[np.bool_]
) -> tuple[float, float]:
    """Accuracy and F1 of the positive class."""
    tp = int(np.sum(predicted & labels))
    fp = int(np.sum(predicted & ~labels))
    fn = int(np.sum(~predicted & labels))
    acc = float(np.mean(predicted == labels)) if labels.size else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return acc, f1
