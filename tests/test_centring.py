"""Per-language centring: translations meet across the language offset, unrelated texts of
one language stop looking alike."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.centring import SHRINK, centre, centred_pair_cosines, language_means


def _corpus(seed: int = 0) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Forty stories told in German and in Turkish (pairs 0-39: translations), then twenty
    pairs of unrelated German articles; every vector carries a strong language direction."""
    rng = np.random.default_rng(seed)
    dim = 32
    offset = {"de": rng.normal(size=dim) * 3.0, "tr": rng.normal(size=dim) * 3.0}
    rows, langs, related = [], [], []
    for _ in range(40):
        story = rng.normal(size=dim)
        rows += [story + offset["de"] + rng.normal(size=dim) * 0.3]
        rows += [story + offset["tr"] + rng.normal(size=dim) * 0.3]
        langs += ["de", "tr"]
        related.append(True)
    for _ in range(20):
        rows += [rng.normal(size=dim) + offset["de"], rng.normal(size=dim) + offset["de"]]
        langs += ["de", "de"]
        related.append(False)
    vecs = np.array(rows)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs, langs, np.array(related)


def test_centring_ranks_translations_above_unrelated_same_language_pairs() -> None:
    vecs, langs, related = _corpus()
    raw = np.sum(vecs[0::2] * vecs[1::2], axis=1)
    centred = centred_pair_cosines(vecs, langs)
    # raw: the shared German direction makes unrelated German pairs look closer than
    # translations; centred: every translation is above every unrelated pair
    assert raw[~related].mean() > raw[related].mean()
    assert centred[related].min() > centred[~related].max()
    assert centred[related].mean() > 0.8 and abs(centred[~related].mean()) < 0.2


def test_centred_vectors_are_unit_length_and_means_are_per_language() -> None:
    vecs, langs, _ = _corpus(1)
    means = language_means(vecs, langs)
    assert set(means) == {"de", "tr"}
    out = centre(vecs, langs, means)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    de_rows = vecs[np.array(langs) == "de"]
    plain_mean = de_rows.mean(axis=0)
    # shrunk towards the corpus mean, by SHRINK documents out of len(de_rows) + SHRINK
    weight = SHRINK / (len(de_rows) + SHRINK)
    expected = (1 - weight) * plain_mean + weight * vecs.mean(axis=0)
    np.testing.assert_allclose(means["de"], expected, atol=1e-6)


def test_a_language_seen_once_is_not_centred_onto_itself() -> None:
    vecs, langs, _ = _corpus(2)
    lone = np.ones((1, vecs.shape[1])) / np.sqrt(vecs.shape[1])
    all_vecs = np.vstack([vecs, lone])
    all_langs = [*langs, "sw"]
    out = centre(all_vecs, all_langs, language_means(all_vecs, all_langs))
    assert np.linalg.norm(out[-1]) == pytest.approx(1.0, abs=1e-5)
    # a language without a mean at all is centred on the mean of the known ones
    unknown = centre(lone, ["xx"], language_means(vecs, langs))
    assert np.isfinite(unknown).all() and np.linalg.norm(unknown) == pytest.approx(1.0, abs=1e-5)


def test_a_row_equal_to_its_mean_stays_zero_not_nan() -> None:
    vec = np.array([[0.6, 0.8]])
    out = centre(vec, ["de"], {"de": np.array([0.6, 0.8], dtype=np.float32)})
    assert out.tolist() == [[0.0, 0.0]]


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="3 vectors for 2 languages"):
        language_means(np.zeros((3, 4)), ["de", "tr"])
    with pytest.raises(ValueError, match="3 vectors for 2 languages"):
        centre(np.zeros((3, 4)), ["de", "tr"], {})
    with pytest.raises(ValueError, match="even number"):
        centred_pair_cosines(np.ones((3, 4)), ["de", "tr", "de"])
    assert language_means(np.zeros((0, 4)), []) == {}
