"""Synthetic corpora for benchmarks: distinct articles made of common words, plus edited
near-duplicate copies whose pairs are known (the pairs a tool must find).

Word salad is enough for the lexical stages; it is deliberately not a test of rewrites or
translations (the demo corpus and the public evaluation sets cover those).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

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


# --- news-like stories ----------------------------------------------------------------------

_OUTLETS = (
    "Nordwire",
    "Harbour Times",
    "Daily Ledger",
    "Valley Post",
    "Metro Herald",
    "Coastal News",
    "Evening Star",
    "Capital Wire",
    "Riverside Journal",
    "Morning Gazette",
    "Plains Courier",
)
_WIRES = ("Nordwire", "Capital Wire")
_FIRST = ("Anna", "Marek", "Li", "Omar", "Sofia", "James", "Elena", "Pieter", "Aiko", "Tomas")
_LAST = ("Keller", "Novak", "Haddad", "Lindqvist", "Moreau", "Okafor", "Ruiz", "Tanaka", "Brandt")
_ROLES = ("minister", "spokesperson", "chief executive", "mayor", "analyst", "economist", "judge")
_ORGS = (
    "the central bank",
    "the city council",
    "the ministry",
    "the union",
    "the company",
    "the regulator",
    "the court",
    "the university",
    "the hospital",
    "the port authority",
)
_PLACES = ("Lisbon", "Gdansk", "Tampere", "Porto", "Brno", "Aarhus", "Ghent", "Split", "Riga")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SENTENCES = (
    "{person}, the {role} of {org}, said on {day} that {noun} would {verb} by {num} percent.",
    "{org_c} announced plans to {verb} {noun} in {place} after {num} months of talks.",
    '"We will not {verb} the {noun} this year," {person} told reporters in {place}.',
    "The decision affects about {num} thousand {noun_pl} across the region, officials said.",
    "Critics said the move would {verb} {noun} and called for a review by {org}.",
    "{org_c} has faced pressure over {noun} since {day}, when {num} {noun_pl} were reported.",
    "According to figures published on {day}, {noun} rose to {num} million in {place}.",
    "{person} declined to comment on whether {org} would {verb} the {noun}.",
    "The {noun} in {place} is expected to {verb} within {num} weeks, the {role} added.",
    "Residents of {place} said {noun_pl} had been {adj} for {num} days.",
    "Shares of {org} fell {num} percent on {day} after the report on {noun}.",
    "Earlier this year {org} said it would {verb} its {noun} by {num} percent.",
)
_ADJ = ("delayed", "closed", "restricted", "expanded", "reduced", "suspended", "unchanged")


def _news_sentence(rng: random.Random, nouns: list[str], verbs: list[str]) -> str:
    noun = rng.choice(nouns)
    org = rng.choice(_ORGS)
    return rng.choice(_SENTENCES).format(
        person=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        role=rng.choice(_ROLES),
        org=org,
        org_c=org[:1].upper() + org[1:],
        day=rng.choice(_DAYS),
        noun=noun,
        noun_pl=noun + "s",
        verb=rng.choice(verbs),
        num=rng.randint(2, 95),
        place=rng.choice(_PLACES),
        adj=rng.choice(_ADJ),
    )


@dataclass(frozen=True, slots=True)
class NewsDoc:
    id: str
    story: str
    source: str
    published: str
    title: str
    text: str
    parent: str | None


def generate_news(n_docs: int, seed: int = 11) -> list[NewsDoc]:
    """``n_docs`` news-like articles in stories: a wire original, then versions that copy it
    whole or in part, re-order and trim it, change a number, add their own paragraphs and
    a credit ("Nordwire reported"), published later by other outlets; about a third of the
    articles are stories of their own. Sentences come from news templates filled with
    common English nouns and verbs, so lengths, quotes, names, numbers and dates look like
    news (the wording is synthetic: it tests speed and the lexical and semantic stages'
    behaviour on news-shaped text, not the quality figures, which the public sets give)."""
    rng = random.Random(seed)
    vocab = top_n_list("en", 6000)
    nouns = [
        w for w in vocab[300:] if w.isalpha() and len(w) > 4 and not w.endswith(("ly", "ed", "ing"))
    ][:1500]
    verbs = [
        "raise",
        "cut",
        "delay",
        "expand",
        "review",
        "close",
        "open",
        "extend",
        "limit",
        "fund",
        "approve",
        "block",
        "sell",
        "build",
        "replace",
        "reform",
        "protect",
    ]
    out: list[NewsDoc] = []
    story_no = 0
    base = 1_600_000_000
    while len(out) < n_docs:
        story = f"s{story_no:06d}"
        story_no += 1
        size = 1 if rng.random() < 0.35 else min(rng.randint(2, 9), n_docs - len(out))
        paras = [
            " ".join(_news_sentence(rng, nouns, verbs) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(5, 10))
        ]
        t0 = base + story_no * 3600
        wire = rng.choice(_WIRES)
        title = _news_sentence(rng, nouns, verbs).rstrip(".")[:90]
        root = NewsDoc(f"{story}-0", story, wire, _iso(t0), title, "\n\n".join(paras), None)
        out.append(root)
        versions = [root]
        for k in range(1, size):
            parent = rng.choice(versions)
            own = [p for p in parent.text.split("\n\n")]
            keep = max(2, int(len(own) * rng.uniform(0.5, 1.0)))
            own = own[:keep]
            if rng.random() < 0.5 and len(own) > 3:  # move a paragraph
                own.insert(1, own.pop(rng.randrange(2, len(own))))
            if rng.random() < 0.6:  # change a number in one paragraph
                i = rng.randrange(len(own))
                own[i] = re.sub(r"\d+", str(rng.randint(2, 95)), own[i], count=1)
            for _ in range(rng.randint(0, 3)):  # the outlet's own paragraphs
                own.insert(
                    rng.randrange(1, len(own) + 1),
                    " ".join(_news_sentence(rng, nouns, verbs) for _ in range(rng.randint(2, 3))),
                )
            outlet = rng.choice([o for o in _OUTLETS if o != parent.source])
            credit = f"{parent.source} reported on {rng.choice(_DAYS)}."
            own[0] = own[0] + " " + credit
            doc = NewsDoc(
                f"{story}-{k}",
                story,
                outlet,
                _iso(t0 + k * rng.randint(600, 7200)),
                title,
                "\n\n".join(own),
                parent.id,
            )
            out.append(doc)
            versions.append(doc)
    return out[:n_docs]


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()
