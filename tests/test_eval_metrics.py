"""Metric definitions: checked on hand-computed cases."""

from __future__ import annotations

import itertools

import pytest

from storytrace.eval.metrics import PRF, accuracy, pairwise_clustering, set_prf


def _brute_force(pred: dict[str, str], gold: dict[str, str]) -> PRF:
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        g = gold[a] == gold[b]
        p = a in pred and b in pred and pred[a] == pred[b]
        tp += g and p
        fp += p and not g
        fn += g and not p
    return PRF.from_counts(tp, fp, fn)


def test_gold_against_itself_is_perfect() -> None:
    gold = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3"}
    assert pairwise_clustering(gold, gold) == PRF(1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    "pred",
    [
        {"a": "x", "b": "x", "c": "x", "d": "x", "e": "x"},  # everything merged
        {"a": "x", "b": "y", "c": "z"},  # missing items are singletons
        {"a": "x", "b": "x", "c": "y", "d": "x", "e": "y"},
    ],
)
def test_pairwise_clustering_equals_the_pair_definition(pred: dict[str, str]) -> None:
    gold = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3"}
    got, want = pairwise_clustering(pred, gold), _brute_force(pred, gold)
    assert (got.precision, got.recall, got.f1) == pytest.approx(
        (want.precision, want.recall, want.f1)
    )


def test_merging_two_stories_costs_precision_not_recall() -> None:
    gold = {"a": "1", "b": "1", "c": "2", "d": "2"}
    result = pairwise_clustering({k: "x" for k in gold}, gold)
    assert result.recall == 1.0 and result.precision == pytest.approx(2 / 6)


def test_set_prf_and_accuracy() -> None:
    result = set_prf({1, 2, 3}, {2, 3, 4, 5})
    assert (result.precision, result.recall, result.f1) == pytest.approx((2 / 3, 2 / 4, 4 / 7))
    assert set_prf(set(), set()) == PRF(0.0, 0.0, 0.0)
    assert accuracy({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == pytest.approx(1 / 3)
