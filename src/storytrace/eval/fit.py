"""Small, honest model fitting for the evaluation runners: a seeded split into a training
and a held-out half, a ridge-regularised linear combination fitted on the training half
only (its penalty and its output calibration learnt from cross-validation inside that
half), a decision threshold chosen on the training half only, and Pearson's r. Pure numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from storytrace.codec import Row

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
    fold = fold_labels(len(y), groups, folds, seed)
    scores = {r: pearson(out_of_fold(x, y, names, r, fold), y) for r in ridges}
    best = max(ridges, key=lambda r: (scores[r], -r))
    return best, scores


def fold_labels(
    n: int, groups: Sequence[str] | None = None, folds: int = 5, seed: int = SEED
) -> npt.NDArray[np.int64]:
    """The cross-validation fold of each of ``n`` rows: seeded, a ``groups`` label on one side."""
    labels = list(groups) if groups is not None else [str(i) for i in range(n)]
    if len(labels) != n:
        raise ValueError(f"{n} rows but {len(labels)} groups")
    fold_of = {g: k % folds for k, g in enumerate(_shuffled_groups(labels, seed))}
    return np.array([fold_of[g] for g in labels], dtype=np.int64)


def out_of_fold(
    x: F64, y: F64, names: Sequence[str], ridge: float, fold: npt.NDArray[np.int64]
) -> F64:
    """Each row's prediction by the ridge model fitted on the other folds."""
    predicted = np.zeros(len(y), dtype=np.float64)
    for k in np.unique(fold).tolist():
        inside, outside = fold != k, fold == k
        if inside.any():
            predicted[outside] = fit_linear(x[inside], y[inside], names, ridge).predict(x[outside])
    return predicted


@dataclass(frozen=True, slots=True)
class Curve:
    """A monotone calibration of a linear model's output: a polynomial (highest power
    first) applied to the input clipped to ``[low, high]``, the stretch where it rises.

    Ratings live on a bounded scale; a linear combination does not, and its extremes
    overshoot (a pair every signal calls identical cannot be rated more than "very
    similar"). The curve bends them back onto the scale without ever reversing an order."""

    coefficients: tuple[float, ...]
    low: float
    high: float

    def __call__(self, x: npt.ArrayLike) -> F64:
        clipped = np.clip(np.asarray(x, dtype=np.float64), self.low, self.high)
        out: F64 = np.polyval(np.asarray(self.coefficients), clipped)
        return out

    def as_dict(self) -> Row:
        return {
            "coefficients": [round(c, 6) for c in self.coefficients],
            "low": round(self.low, 4) if np.isfinite(self.low) else None,
            "high": round(self.high, 4) if np.isfinite(self.high) else None,
        }


IDENTITY = Curve((1.0, 0.0), -np.inf, np.inf)


def fit_curve(predicted: F64, y: F64, degree: int = 3, grid: int = 400) -> Curve:
    """Least-squares polynomial of ``y`` on ``predicted`` (out-of-fold predictions: on
    fitted ones the curve would learn the model's own optimism), clipped to its rising
    stretch on the observed range (of the runs where the slope stays positive, the one
    that climbs most).
    The identity when there are too few points or nothing rises."""
    if len(predicted) <= degree + 1 or np.ptp(predicted) == 0:
        return IDENTITY
    coefficients = np.polyfit(predicted, y, degree)
    xs = np.linspace(float(predicted.min()), float(predicted.max()), grid)
    values = np.polyval(coefficients, xs)
    rising = np.polyval(np.polyder(coefficients), xs) > 0
    best: tuple[float, int, int] = (0.0, 0, 0)
    start = 0
    for i in range(1, grid + 1):  # runs of rising grid points; keep the one that rises most
        if i == grid or rising[i] != rising[start]:
            if rising[start] and values[i - 1] - values[start] > best[0]:
                best = (float(values[i - 1] - values[start]), start, i - 1)
            start = i
    if best[0] <= 0:
        return IDENTITY
    return Curve(tuple(float(c) for c in coefficients), float(xs[best[1]]), float(xs[best[2]]))


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
