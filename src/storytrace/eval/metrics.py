"""Metric definitions shared by the evaluation runners. Pure functions, no I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> PRF:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return cls(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def pairwise_clustering(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """Pairwise precision/recall/F1 over the items of ``gold``.

    Two items are a positive pair when they share a cluster; an item missing from
    ``predicted`` is a singleton. Counted per cluster, so it runs in O(n), not O(n^2).
    """
    items = list(gold)
    pred_of = {i: predicted.get(i, ("singleton", i)) for i in items}

    def pairs(groups: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in groups)

    by_gold: dict[Hashable, int] = defaultdict(int)
    by_pred: dict[Hashable, int] = defaultdict(int)
    by_both: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for i in items:
        by_gold[gold[i]] += 1
        by_pred[pred_of[i]] += 1
        by_both[(gold[i], pred_of[i])] += 1
    tp = pairs(by_both.values())
    return PRF.from_counts(tp, pairs(by_pred.values()) - tp, pairs(by_gold.values()) - tp)


def set_prf(predicted: Iterable[Hashable], gold: Iterable[Hashable]) -> PRF:
    """Precision/recall/F1 of a predicted set against a gold set."""
    p, g = set(predicted), set(gold)
    tp = len(p & g)
    return PRF.from_counts(tp, len(p - g), len(g - p))


def accuracy(predicted: Mapping[str, object], gold: Mapping[str, object]) -> float:
    """Share of gold keys whose predicted value equals the gold value (missing = wrong)."""
    if not gold:
        return 0.0
    return sum(1 for k, v in gold.items() if predicted.get(k) == v) / len(gold)
