"""Synthetic corpora for benchmarks: articles assembled from the demo corpus's sentences,
plus near-duplicate copies with known edits (the pairs a tool must find)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from storytrace.ingest import read_inputs
from storytrace.records import Document
from storytrace.text import split_sentences

DEMO = Path(__file__).resolve().parents[1] / "src" / "storytrace" / "demo" / "corpus"


@dataclass(frozen=True, slots=True)
class Generated:
    id: str
    text: str
    copy_of: str | None


def sentence_pool() -> list[str]:
    pool: list[str] = []
    for record in read_inputs([DEMO]):
        if isinstance(record, Document):
            pool.extend(record.text[s.start : s.end] for s in split_sentences(record.text))
    return [s for s in pool if len(s.split()) >= 6]


def generate(n_docs: int, copy_share: float = 0.2, seed: int = 7) -> list[Generated]:
    """``n_docs`` documents; ``copy_share`` of them are edited copies of an earlier one."""
    rng = random.Random(seed)
    pool = sentence_pool()
    vocab = sorted({w for s in pool for w in s.split()})
    docs: list[Generated] = []
    for i in range(n_docs):
        if docs and rng.random() < copy_share:
            source = rng.choice(docs)
            words = source.text.split()
            for _ in range(max(1, len(words) // 50)):  # ~2% of words replaced
                words[rng.randrange(len(words))] = rng.choice(vocab)
            docs.append(Generated(f"doc{i:07d}", " ".join(words), source.id))
        else:
            sentences = rng.sample(pool, k=min(len(pool), rng.randint(12, 25)))
            # Random words mixed in keep unrelated articles apart even with a small pool.
            text = " ".join(s + " " + " ".join(rng.choices(vocab, k=4)) for s in sentences)
            docs.append(Generated(f"doc{i:07d}", text, None))
    return docs
