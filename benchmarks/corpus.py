"""Synthetic corpora for benchmarks: distinct articles made of common words, plus edited
near-duplicate copies whose pairs are known (the pairs a tool must find).

Word salad is enough for the lexical stages; it is deliberately not a test of rewrites or
translations (the demo corpus and the public evaluation sets cover those).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from wordfreq import top_n_list


@dataclass(frozen=True, slots=True)
class Generated:
    id: str
    text: str
    copy_of: str | None


def generate(
    n_docs: int, copy_share: float = 0.2, seed: int = 7, words_per_doc: int = 520
) -> list[Generated]:
    """``n_docs`` documents; ``copy_share`` of them are copies of an earlier one with ~2% of
    their words replaced."""
    return list(iter_generate(n_docs, copy_share, seed, words_per_doc))


def iter_generate(
    n_docs: int, copy_share: float = 0.2, seed: int = 7, words_per_doc: int = 520
) -> Iterator[Generated]:
    """``generate``'s documents one at a time (the same documents in the same order), for
    writers that stream them to disk; only the texts are kept, as copies draw on them."""
    rng = random.Random(seed)
    vocab = top_n_list("en", 20000)
    texts: list[str] = []
    for i in range(n_docs):
        if texts and rng.random() < copy_share:
            source = rng.randrange(len(texts))
            tokens = texts[source].split()
            for _ in range(max(1, len(tokens) // 50)):
                tokens[rng.randrange(len(tokens))] = rng.choice(vocab)
            text = " ".join(tokens)
            texts.append(text)
            yield Generated(f"doc{i:07d}", text, f"doc{source:07d}")
            continue
        sentences = []
        remaining = words_per_doc
        while remaining > 0:
            length = min(remaining, rng.randint(12, 28))
            sentence = " ".join(rng.choices(vocab, k=length))
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            remaining -= length
        text = " ".join(sentences)
        texts.append(text)
        yield Generated(f"doc{i:07d}", text, None)
