"""TF-IDF cosine of document pairs, for the similarity evaluations' lexical signals.

Two articles about one event share rare words (names, places, numbers written out) far more
than two articles on one topic; weighting shared terms by their rarity in the collection
says how much the overlap means, which plain Jaccard cannot. Term weights follow the usual
recipe: sublinear term frequency ``1 + ln(tf)``, smoothed inverse document frequency
``ln((1 + n) / (1 + df)) + 1`` over every text given (both sides of every pair; no labels
are read), each vector scaled to unit length, so the cosine is a dot product in [0, 1].

Terms come from an analyser: ``words`` (lower-cased ``\\w+`` runs), ``char_ngrams`` (n-grams
inside space-padded words: they meet across inflections, compounds and scripts without word
boundaries) or a caller's function (names, for instance). Pure Python; no I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial

Analyzer = Callable[[str], Iterable[str]]
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return _WORD.findall(text.lower())


def char_ngrams(text: str, n: int = 4) -> list[str]:
    """Character ``n``-grams of each lower-cased word padded with one space each side (a
    padded word shorter than ``n`` is one term)."""
    out: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        if len(padded) <= n:
            out.append(padded)
        else:
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


def pair_cosines(
    left: Sequence[str], right: Sequence[str], analyzer: Analyzer = words
) -> list[float]:
    """TF-IDF cosine of ``left[i]`` with ``right[i]`` for every i; document frequencies are
    counted over all texts of both sides."""
    if len(left) != len(right):
        raise ValueError(f"{len(left)} left texts against {len(right)} right texts")
    counts = [Counter(analyzer(t)) for t in (*left, *right)]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(counts)
    idf = {term: math.log((1 + n) / (1 + k)) + 1.0 for term, k in df.items()}
    vectors = [_unit(c, idf) for c in counts]
    half = len(left)
    return [_dot(vectors[i], vectors[half + i]) for i in range(half)]


def _unit(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {t: (1.0 + math.log(k)) * idf[t] for t, k in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return min(1.0, sum(w * b[t] for t, w in a.items() if t in b))


def ngram_analyzer(n: int) -> Analyzer:
    """A character ``n``-gram analyser."""
    return partial(char_ngrams, n=n)
