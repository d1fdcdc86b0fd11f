"""A learned paragraph score for page dumps: jusText's features, weighed by logistic regression.

jusText decides with two fixed cuts (length, stop-word density) and a context rule. The same
signals, and a few more that news pages make obvious (bullets, Title Case teasers glued to
their summary, timestamps, sentence punctuation, position), weigh differently from page to
page layout; a logistic regression over them, with each paragraph's neighbours as context,
learns how much. The weights are plain numbers in this module (``WEIGHTS``), fitted by
``python benchmarks/train_paragraph_model.py`` on the Scrapinghub plain-text pages (the
development set we have; it prints cross-validated scores on held-out halves, and the
numbers it was fitted with are recorded below). No I/O here: features in, probabilities out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from storytrace.boilerplate import (
    BULLETS,
    SENTENCE_END,
    TIMESTAMP,
    headline_index,
    is_teaser,
    stopwords,
)
from storytrace.text import words

F64 = npt.NDArray[np.float64]

_SENTENCE_MARK = re.compile(r"[.!?…](?:\s|$)")
_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"\s[|»›·•/]\s")

FEATURES = (
    "bias",
    "log_chars",
    "log_words",
    "stop_density",
    "title_case",
    "ends_sentence",
    "sentence_marks",
    "bullet",
    "digits",
    "teaser",
    "timestamp",
    "separators",
    "position",
    "prev_log_chars",
    "prev_stop_density",
    "next_log_chars",
    "next_stop_density",
    "window_log_chars",
    "window_stop_density",
    "window_ends_sentence",
    "window_bullet",
    "stop_x_chars",
    "after_headline",
    "title_words",
    "window_title_words",
    "first",
    "char_position",
    "upper_share",
    "ends_colon",
)


def _own(text: str, stop: frozenset[str]) -> list[float]:
    stripped = text.strip()
    tokens = words(stripped)
    n = len(tokens)
    raw_words = stripped.split()
    density = sum(1 for t in tokens if t in stop) / n if n else 0.0
    title = sum(1 for w in raw_words if w[:1].isupper()) / len(raw_words) if raw_words else 0.0
    digits = len(_DIGIT.findall(stripped)) / len(stripped) if stripped else 0.0
    return [
        float(len(stripped)),  # log1p taken over the whole column
        float(n),
        density,
        title,
        1.0 if SENTENCE_END.search(stripped) else 0.0,
        min(5.0, 100.0 * len(_SENTENCE_MARK.findall(stripped)) / max(len(stripped), 1)),
        1.0 if stripped.startswith(BULLETS) else 0.0,
        digits,
        1.0 if is_teaser(stripped) else 0.0,
        1.0 if TIMESTAMP.match(stripped) else 0.0,
        1.0 if _SEPARATORS.search(stripped) else 0.0,
    ]


def features(paragraphs: Sequence[str], lang: str, window: int = 3) -> F64:
    """One row of ``FEATURES`` per paragraph (its own signals, its neighbours', its window's)."""
    stop = stopwords(lang)
    own = np.array([_own(p, stop) for p in paragraphs], dtype=np.float64).reshape(-1, 11)
    own[:, :2] = np.log1p(own[:, :2])
    n = len(paragraphs)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    out[:, 0] = 1.0
    out[:, 1:12] = own
    out[:, 12] = np.arange(n) / max(n - 1, 1)
    log_chars, density, ends = own[:, 0], own[:, 2], own[:, 4]
    out[1:, 13], out[1:, 14] = log_chars[:-1], density[:-1]
    out[:-1, 15], out[:-1, 16] = log_chars[1:], density[1:]
    bullets = own[:, 6]
    out[:, 17] = _window_mean(log_chars, window)
    out[:, 18] = _window_mean(density, window)
    out[:, 19] = _window_mean(ends, window)
    out[:, 20] = _window_mean(bullets, window)
    out[:, 21] = density * log_chars
    head = headline_index(paragraphs)
    if head is not None:
        out[head + 1 :, 22] = 1.0
    # Share of the page title's content words a paragraph uses: an article talks about what
    # its title says; menus and teasers for other stories do not.
    title = {t for t in words(paragraphs[0]) if t not in stop and len(t) > 2}
    if title:
        shared = np.array(
            [len(title & set(words(p))) / len(title) for p in paragraphs], dtype=np.float64
        )
        shared[0] = 0.0
        out[:, 23] = shared
        out[:, 24] = _window_mean(shared, window)
    out[0, 25] = 1.0
    out[:, 27] = [_upper_share(p) for p in paragraphs]
    out[:, 28] = [1.0 if p.rstrip().endswith(":") else 0.0 for p in paragraphs]
    lengths = np.expm1(log_chars)
    out[:, 26] = np.cumsum(lengths) / max(float(lengths.sum()), 1.0)
    return out


def _upper_share(text: str) -> float:
    """Share of the cased letters that are upper case (menus and labels shout)."""
    lower, upper = text.lower(), text.upper()
    if not (len(lower) == len(text) == len(upper)):  # a few letters change length when cased
        letters = [c for c in text if c.isalpha()]
        return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    is_upper = chars != np.frombuffer(lower.encode("utf-32-le"), dtype=np.uint32)
    is_lower = chars != np.frombuffer(upper.encode("utf-32-le"), dtype=np.uint32)
    total = int(is_upper.sum() + is_lower.sum())
    return float(is_upper.sum()) / total if total else 0.0


def _window_mean(values: F64, window: int) -> F64:
    """Mean of ``values[i - window : i + window + 1]`` for every ``i`` (clipped at the ends)."""
    n = len(values)
    sums = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - window), np.minimum(n, idx + window + 1)
    return np.asarray((sums[hi] - sums[lo]) / (hi - lo), dtype=np.float64)


def probabilities(paragraphs: Sequence[str], lang: str, weights: F64 | None = None) -> F64:
    """The probability that each paragraph belongs to the article."""
    w = WEIGHTS if weights is None else weights
    z = features(paragraphs, lang) @ w
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))), dtype=np.float64)


def fit(x: F64, y: F64, l2: float = 1.0, iterations: int = 50) -> F64:
    """Logistic regression by Newton's method (IRLS) with an L2 penalty (bias unpenalised)."""
    w = np.zeros(x.shape[1], dtype=np.float64)
    penalty = np.full(x.shape[1], l2, dtype=np.float64)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w


# Fitted by ``python benchmarks/train_paragraph_model.py`` (L2 0.1, seed 13) on the 181
# Scrapinghub plain-text pages. Two-fold cross-validation by page, shingle F1 on the held-out
# half with the whole cleaning path: 0.906 and 0.895 (jusText's rule on the same halves:
# 0.893 and 0.868); fitted on all pages, 0.900.
WEIGHTS = np.array(
    [
        -4.5972,
        -0.4536,
        0.6461,
        -1.1509,
        -0.1777,
        1.0122,
        -0.0786,
        -0.3284,
        1.5457,
        -2.5709,
        -3.8887,
        -1.4753,
        -0.7270,
        0.0997,
        0.3642,
        0.1031,
        0.5439,
        0.7974,
        -2.3337,
        3.2511,
        -1.7194,
        0.3978,
        2.1701,
        0.3959,
        -2.8185,
        -0.5454,
        -0.5501,
        -0.5473,
        1.7822,
    ],
    dtype=np.float64,
)
THRESHOLD = 0.5
