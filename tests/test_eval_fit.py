"""storytrace.eval.fit: seeded halves, ridge fit, threshold choice, Pearson."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.eval.fit import (
    IDENTITY,
    accuracy_f1,
    best_threshold,
    choose_ridge,
    fit_curve,
    fit_linear,
    fold_labels,
    halves,
    out_of_fold,
    pearson,
)


def test_halves_are_disjoint_seeded_and_order_independent() -> None:
    keys = [f"k{i}" for i in range(11)]
    train, test = halves(keys)
    assert sorted(train + test) == list(range(11))
    assert len(train) == 5 and len(test) == 6
    assert halves(keys) == (train, test)
    shuffled = list(reversed(keys))
    tr2, _ = halves(shuffled)
    assert sorted(shuffled[i] for i in tr2) == sorted(keys[i] for i in train)
    assert halves(keys, seed=1) != (train, test)


def test_halves_keep_a_group_on_one_side() -> None:
    keys = [f"p{i}" for i in range(40)]
    groups = [f"g{i // 3}" for i in range(40)]  # 14 groups of up to 3 versions
    train, test = halves(keys, groups=groups)
    assert sorted(train + test) == list(range(40))
    assert not {groups[i] for i in train} & {groups[i] for i in test}
    assert len({groups[i] for i in train}) == 7
    # One group per key is the plain split.
    assert halves(keys, groups=keys) == halves(keys)
    with pytest.raises(ValueError):
        halves(keys, groups=groups[:-1])


def test_choose_ridge_prefers_a_strong_penalty_for_noise_and_a_weak_one_for_signal() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 30))
    names = [f"f{j}" for j in range(30)]
    signal = x[:, 0] * 2.0 + x[:, 1]
    ridge, scores = choose_ridge(x, signal, names)
    assert set(scores) >= {0.3, 100.0} and ridge == 0.3
    assert scores[0.3] > 0.99
    noisy = signal + rng.normal(scale=6.0, size=60)
    ridge_noisy, noisy_scores = choose_ridge(x, noisy, names)
    assert ridge_noisy > 1.0  # 30 features, 60 rows: shrinking beats fitting the noise
    assert noisy_scores[ridge_noisy] == max(noisy_scores.values())


def test_pearson() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) == 0.0
    assert pearson([1], [2]) == 0.0


def test_fit_linear_recovers_a_linear_target() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)) * [1.0, 5.0, 0.1] + [0.0, 3.0, -1.0]
    y = 2.0 * x[:, 0] - 0.5 * x[:, 1] + 4.0
    model = fit_linear(x, y, ("a", "b", "c"), ridge=1e-6)
    np.testing.assert_allclose(model.predict(x), y, atol=1e-4)
    assert set(model.as_dict()) == {"a", "b", "c", "intercept"}
    constant = fit_linear(np.ones((5, 1)), np.arange(5.0), ("k",))
    assert np.all(np.isfinite(constant.predict(np.ones((2, 1)))))


def test_best_threshold_and_accuracy_f1() -> None:
    scores = np.array([0.1, 0.2, 0.6, 0.7, 0.9])
    labels = np.array([False, False, True, True, True])
    cut = best_threshold(scores, labels)
    assert 0.2 < cut < 0.6
    acc, f1 = accuracy_f1(scores >= cut, labels)
    assert acc == 1.0 and f1 == 1.0
    acc, f1 = accuracy_f1(np.ones(5, dtype=bool), labels)
    assert acc == pytest.approx(0.6) and f1 == pytest.approx(0.75)
    assert best_threshold(np.array([]), np.array([], dtype=bool)) == 0.0


def test_fold_labels_are_seeded_balanced_and_keep_groups_together() -> None:
    groups = [f"g{i // 3}" for i in range(30)]  # ten groups of three rows
    fold = fold_labels(30, groups, folds=5)
    assert fold.tolist() == fold_labels(30, groups, folds=5).tolist()
    for g in set(groups):
        assert len({fold[i] for i in range(30) if groups[i] == g}) == 1
    assert np.bincount(fold).tolist() == [6] * 5
    with pytest.raises(ValueError, match="30 rows but 2 groups"):
        fold_labels(30, ["a", "b"])


def test_out_of_fold_predictions_never_see_their_own_row() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 2))
    y = x @ np.array([2.0, -1.0])
    y[7] = 100.0  # an outlier: an in-fold fit would be pulled towards it
    fold = fold_labels(40, folds=4)
    predicted = out_of_fold(x, y, ["a", "b"], 0.01, fold)
    inside = fold != fold[7]
    own = fit_linear(x[inside], y[inside], ["a", "b"], 0.01).predict(x[7:8])[0]
    assert predicted[7] == pytest.approx(own)
    assert abs(predicted[7] - 100.0) > 50  # it could not have learnt the outlier


def test_fit_curve_bends_an_overshooting_score_back_onto_the_scale() -> None:
    """A score that runs past both ends of a 1-4 scale: the curve saturates at the ends,
    never reverses an order, and lifts Pearson's r."""
    rng = np.random.default_rng(5)
    score = rng.uniform(-1.0, 6.0, size=400)
    rating = np.clip(score, 1.0, 4.0) + rng.normal(scale=0.2, size=400)
    curve = fit_curve(score, rating)
    assert curve is not IDENTITY
    assert -1.0 <= curve.low < 1.5 and 3.5 < curve.high <= 6.0
    grid = np.linspace(-3.0, 8.0, 500)
    assert np.all(np.diff(curve(grid)) >= -1e-12)  # monotone, beyond the range too
    assert pearson(curve(score), rating) > pearson(score, rating) + 0.02
    data = curve.as_dict()
    assert len(data["coefficients"]) == 4 and data["low"] == round(curve.low, 4)


def test_fit_curve_falls_back_to_the_identity() -> None:
    x = np.arange(10, dtype=np.float64)
    assert fit_curve(x[:4], x[:4]) is IDENTITY  # too few points for a cubic
    assert fit_curve(np.ones(10), x) is IDENTITY  # no spread
    assert fit_curve(x, -x) is IDENTITY  # nothing rises
    assert IDENTITY(np.array([-5.0, 7.0])).tolist() == [-5.0, 7.0]
    assert IDENTITY.as_dict() == {"coefficients": [1.0, 0.0], "low": None, "high": None}
