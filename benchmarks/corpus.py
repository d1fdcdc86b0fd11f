"""Synthetic corpora for benchmarks: distinct articles made of common words, plus edited
near-duplicate copies whose pairs are known (the pairs a tool must find).

Word salad is enough for the lexical stages; it is deliberately not a test of rewrites or
translations (the demo corpus and the public evaluation sets cover those).
"""

from __future__ import annotations

import random
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
    rng = random.Random(seed)
    vocab = top_n_list("en", 20000)
    docs: list[Generated] = []
    for i in range(n_docs):
        if docs and rng.random() < copy_share:
            source = rng.choice(docs)
            tokens = source.text.split()
            for _ in range(max(1, len(tokens) // 50)):
                tokens[rng.randrange(len(tokens))] = rng.choice(vocab)
            docs.append(Generated(f"doc{i:07d}", " ".join(tokens), source.id))
            continue
        sentences = []
        remaining = words_per_doc
        while remaining > 0:
            length = min(remaining, rng.randint(12, 28))
            sentence = " ".join(rng.choices(vocab, k=length))
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            remaining -= length
        docs.append(Generated(f"doc{i:07d}", " ".join(sentences), None))
    return docs
