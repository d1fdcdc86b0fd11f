"""storytrace.eval.tfidf: TF-IDF cosines of document pairs."""

from __future__ import annotations

import math

import pytest

from storytrace.eval.tfidf import char_ngrams, ngram_analyzer, pair_cosines, words

LEFT = [
    "Engineers reopened the Harvik dam on Friday after six weeks of repairs.",
    "The railway of Corvania bought twelve electric locomotives.",
    "Dock workers in Velamar ended their strike on Monday.",
]
RIGHT = [
    "The Harvik dam is open again, engineers said on Friday.",
    "Dock workers said on Monday that the strike goes on.",
    "Regulators approved an offshore wind farm on Monday.",
]


def test_words_and_char_ngrams() -> None:
    assert words("The Harvik-Dam, 2025!") == ["the", "harvik", "dam", "2025"]
    assert char_ngrams("Dam", 4) == [" dam", "dam "]
    assert char_ngrams("of", 4) == [" of "]  # shorter than n once padded: one term
    assert ngram_analyzer(3)("ab") == [" ab", "ab "]


def test_shared_rare_words_count_more_than_shared_common_words() -> None:
    cos = pair_cosines(LEFT, RIGHT)
    assert len(cos) == 3 and all(0.0 <= c <= 1.0 for c in cos)
    # Pair 0 shares "Harvik", "dam", "engineers"; pair 1 only "the"; pair 2 "on", "Monday".
    assert cos[0] > 0.3 > cos[2] > cos[1]


def test_identical_texts_have_cosine_one_and_disjoint_texts_zero() -> None:
    cos = pair_cosines(["alpha beta gamma", "delta"], ["alpha beta gamma", "epsilon"])
    assert cos[0] == pytest.approx(1.0)
    assert cos[1] == 0.0
    assert pair_cosines([""], ["anything"]) == [0.0]


def test_weights_follow_the_smoothed_idf_and_sublinear_tf() -> None:
    # Two pairs, four texts; "x" is in three texts, "y" in one, "z" in one.
    cos = pair_cosines(["x y", "x"], ["x z", "q"])
    idf_x = math.log(5 / 4) + 1
    idf_y = idf_z = math.log(5 / 2) + 1
    expected = idf_x**2 / (idf_x**2 + idf_y**2)  # both sides have the same norm
    assert idf_y == idf_z and cos[0] == pytest.approx(expected)


def test_char_ngrams_meet_across_inflections_where_words_do_not() -> None:
    left = ["Reparaturen am Harviker Damm", "Windpark genehmigt"]
    right = ["Reparatur des Harvik-Dammes", "Hafenstreik beendet"]
    assert pair_cosines(left, right)[0] < pair_cosines(left, right, ngram_analyzer(4))[0]


def test_sides_must_have_equal_length() -> None:
    with pytest.raises(ValueError):
        pair_cosines(["a"], ["a", "b"])
