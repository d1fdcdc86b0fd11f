"""Tests for storytrace.neardup: the in-memory near-duplicate engine, texts in, pairs out."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storytrace import neardup
from storytrace.neardup import (
    containment_lsh_threshold,
    near_duplicates,
    sketch,
    verified_pairs,
)

ROOT = Path(__file__).resolve().parents[1]


def _vocab(seed: int = 3, size: int = 4000) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < size:
        out.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))))
    return sorted(out)


VOCAB = _vocab()


def _edit(words: list[str], rng: random.Random, rate: float) -> list[str]:
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 2:
            out.append(rng.choice(VOCAB))
        elif r < rate:
            continue
        else:
            out.append(w)
    return out


def _corpus(seed: int = 1, n_orig: int = 40) -> list[str]:
    """Originals of 150-400 random words, each with 0-3 copies edited at 0-15% of words."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(n_orig):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(150, 400))]
        texts.append(" ".join(words))
        for _ in range(rng.randint(0, 3)):
            texts.append(" ".join(_edit(words, rng, rng.choice([0.0, 0.02, 0.05, 0.1, 0.15]))))
    rng.shuffle(texts)
    return texts


def _exact(texts: list[str], k: int = 5) -> dict[tuple[int, int], tuple[float, float, float]]:
    """Exact Jaccard and containments of every pair, on word tuples (no hashing)."""
    sets = []
    for t in texts:
        w = re.findall(r"\w+", t.lower())
        sets.append(
            {tuple(w[i : i + k]) for i in range(len(w) - k + 1)} if len(w) >= k else {tuple(w)}
        )
    out = {}
    for a, b in itertools.combinations(range(len(texts)), 2):
        inter = len(sets[a] & sets[b])
        out[(a, b)] = (
            inter / len(sets[a] | sets[b]),
            inter / len(sets[a]),
            inter / len(sets[b]),
        )
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return _corpus()


@pytest.fixture(scope="module")
def truth(corpus: list[str]) -> dict[tuple[int, int], tuple[float, float, float]]:
    return _exact(corpus)


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_finds_the_pairs_above_the_threshold_with_exact_scores(
    corpus: list[str], truth: dict[tuple[int, int], tuple[float, float, float]], threshold: float
) -> None:
    result = near_duplicates(corpus, threshold, workers=1)
    expected = {p for p, (j, _, _) in truth.items() if j >= threshold}
    assert len(expected) > 10  # the corpus has pairs on both sides of the threshold
    assert any(j < threshold and j > 0.2 for j, _, _ in truth.values())
    assert result.pairs() == expected  # precision 1 by verification; LSH missed none here
    for a, b, jac, c_ab, c_ba in zip(
        result.a,
        result.b,
        result.jaccard,
        result.containment_ab,
        result.containment_ba,
        strict=True,
    ):
        assert (jac, c_ab, c_ba) == pytest.approx(truth[(int(a), int(b))])
    assert result.candidates >= len(result)
    assert result.params.threshold == threshold and result.params.miss_at_threshold <= 0.01


def test_workers_and_chunking_do_not_change_anything(
    corpus: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one = sketch(corpus, workers=1)
    monkeypatch.setattr(neardup, "_CHUNK_CHARS", 5000)  # many chunks, spread over processes
    two = sketch(corpus, workers=2)
    np.testing.assert_array_equal(one.shingles.hashes, two.shingles.hashes)
    np.testing.assert_array_equal(one.shingles.offsets, two.shingles.offsets)
    np.testing.assert_array_equal(one.minhash, two.minhash)
    assert verified_pairs(one, 0.6).pairs() == verified_pairs(two, 0.6).pairs()


def test_deterministic_across_processes_and_hash_seeds(corpus: list[str], tmp_path: Path) -> None:
    """Same texts and seed, same signatures and pairs, whatever Python's own hash seed."""
    data = tmp_path / "texts.json"
    data.write_text(json.dumps(corpus))
    script = (
        "import json, sys, hashlib\n"
        "from storytrace.neardup import sketch, verified_pairs\n"
        "texts = json.load(open(sys.argv[1]))\n"
        "sk = sketch(texts, seed=7)\n"
        "r = verified_pairs(sk, 0.5)\n"
        "print(hashlib.sha256(sk.minhash.tobytes() + sk.shingles.hashes.tobytes()).hexdigest())\n"
        "print(sorted(r.pairs()))\n"
    )
    outputs = []
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run(
            [sys.executable, "-c", script, str(data)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    sk = sketch(corpus, seed=7)
    digest = hashlib.sha256(sk.minhash.tobytes() + sk.shingles.hashes.tobytes()).hexdigest()
    assert outputs[0].splitlines()[0] == digest
    other = sketch(corpus, seed=8)
    assert not np.array_equal(other.minhash, sk.minhash)  # the seed chooses the hash family


def test_containment_finds_a_text_inside_a_longer_one() -> None:
    rng = random.Random(9)
    inner = [rng.choice(VOCAB) for _ in range(200)]
    outer = [rng.choice(VOCAB) for _ in range(150)] + inner + [rng.choice(VOCAB) for _ in range(40)]
    texts = [" ".join(outer), " ".join(inner), " ".join(rng.choice(VOCAB) for _ in range(300))]
    by_jaccard = near_duplicates(texts, 0.8, workers=1)
    by_containment = near_duplicates(texts, 0.8, measure="containment", workers=1)
    assert by_jaccard.pairs() == set()
    assert by_containment.pairs() == {(0, 1)}
    assert by_containment.containment_ba[0] == pytest.approx(1.0)
    assert by_containment.jaccard[0] == pytest.approx(196 / 386)
    assert by_containment.params.threshold == pytest.approx(containment_lsh_threshold(0.8, 0.5))


def test_containment_lsh_threshold_is_the_lowest_possible_jaccard() -> None:
    # a 50-element set with 40 of them inside a 100-element set: Jaccard 40/110
    assert containment_lsh_threshold(0.8, 0.5) == pytest.approx(40 / 110)
    assert containment_lsh_threshold(1.0, 1.0) == pytest.approx(1.0)


def test_shorter_shingles_catch_heavier_edits() -> None:
    rng = random.Random(12)
    words = [rng.choice(VOCAB) for _ in range(400)]
    edited = list(words)
    for i in range(0, 400, 8):  # one word in eight replaced
        edited[i] = rng.choice(VOCAB)
    texts = [" ".join(words), " ".join(edited)]
    assert near_duplicates(texts, 0.45, workers=1).pairs() == set()
    assert near_duplicates(texts, 0.45, shingle_size=3, workers=1).pairs() == {(0, 1)}


def test_empty_input_and_texts_without_words() -> None:
    assert len(near_duplicates([], 0.8, workers=1)) == 0
    result = near_duplicates(["", "   ", "a real text with some words in it"], 0.8, workers=1)
    assert result.pairs() == {(0, 1)}  # two texts without words are the same (empty) text
