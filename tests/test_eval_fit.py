"""storytrace.eval.fit: seeded halves, ridge fit, threshold choice, Pearson."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.eval.fit import (
    accuracy_f1,
    best_threshold,
    choose_ridge,
    fit_linear,
    halves,
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
