"""Fit the learned paragraph score (``storytrace.paragraph_model``) on the Scrapinghub pages.

    python benchmarks/train_paragraph_model.py [--data ../shared/eval/scrapinghub] [--seed 13]

Paragraphs are cut exactly as ``clean`` cuts a page dump; a paragraph's label is whether
its words belong to the page's article (half or more of its word 4-grams, or for short
lines the whole line, found in the article text). Two-fold cross-validation by page (a
fixed seed) fits on one half and scores the other with the whole cleaning path (shingle F1
as ``storytrace eval cleaning`` computes it), then the other way round; the final weights
are fitted on all pages and printed as the ``WEIGHTS`` line for ``paragraph_model.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from storytrace import clean as cleaning
from storytrace import paragraph_model
from storytrace.boilerplate import looks_like_page_dump
from storytrace.eval.cleaning import load_truth, shingle_score, shingles
from storytrace.lang import detect_language
from storytrace.records import Document
from storytrace.text import content_id

_TOKEN_SPLIT = str.split


def page_paragraphs(raw: str) -> tuple[list[str], str]:
    """The open paragraphs ``clean`` would classify on this page, and its language."""
    lang = detect_language(raw)
    paras, reasons = cleaning.cut_paragraphs(raw, lang)
    return [p.text.strip() for p, r in zip(paras, reasons, strict=True) if r is None], lang


def label(paragraph: str, truth: str, truth_shingles: set[tuple[str, ...]]) -> float:
    own = shingles(paragraph)
    if not own:
        return 1.0 if " ".join(paragraph.split()) in truth else 0.0
    found = sum(1 for s in own if s in truth_shingles)
    return 1.0 if found / len(own) >= 0.5 else 0.0


def dataset(root: Path, keys: list[str], truth: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for key in keys:
        raw = (root / "plaintext" / "txt" / f"{key}.txt").read_text(
            encoding="utf-8", errors="replace"
        )
        texts, lang = page_paragraphs(raw)
        if not looks_like_page_dump(texts):
            continue
        normalised = " ".join(truth[key].split())
        grams = set(shingles(truth[key]))
        xs.append(paragraph_model.features(texts, lang))
        ys.append(np.array([label(t, normalised, grams) for t in texts]))
    return np.vstack(xs), np.concatenate(ys)


def page_f1(root: Path, keys: list[str], truth: dict[str, str], weights: np.ndarray) -> float:
    paragraph_model.WEIGHTS = weights
    pairs = []
    for key in keys:
        raw = (root / "plaintext" / "txt" / f"{key}.txt").read_text(
            encoding="utf-8", errors="replace"
        )
        doc = Document(id=key, doc_id=content_id(raw), text=raw, input=key)
        pairs.append((truth[key], cleaning.clean(doc).text))
    return shingle_score(pairs).f1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/eval/scrapinghub")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--l2", type=float, default=0.1)
    parser.add_argument("--threshold", type=float, default=paragraph_model.THRESHOLD)
    args = parser.parse_args(argv)
    paragraph_model.THRESHOLD = args.threshold
    root = Path(args.data)
    truth = load_truth(root)
    keys = [k for k in sorted(truth) if (root / "plaintext" / "txt" / f"{k}.txt").is_file()]
    rng = random.Random(args.seed)
    shuffled = keys[:]
    rng.shuffle(shuffled)
    halves = [sorted(shuffled[: len(keys) // 2]), sorted(shuffled[len(keys) // 2 :])]
    saved = paragraph_model.WEIGHTS.copy()
    scores = []
    for fold in (0, 1):
        x, y = dataset(root, halves[fold], truth)
        w = paragraph_model.fit(x, y, l2=args.l2)
        held_out = page_f1(root, halves[1 - fold], truth, w)
        rule = page_f1(root, halves[1 - fold], truth, np.zeros_like(w))
        scores.append(
            {"fit_on": fold, "held_out_f1": round(held_out, 4), "rule_f1": round(rule, 4)}
        )
    x, y = dataset(root, keys, truth)
    weights = paragraph_model.fit(x, y, l2=args.l2)
    everything = page_f1(root, keys, truth, weights)
    paragraph_model.WEIGHTS = saved
    print(json.dumps({"folds": scores, "all_pages_f1": round(everything, 4)}))
    print("WEIGHTS = np.array(")
    print("    [" + ", ".join(f"{v:.4f}" for v in weights) + "],")
    print("    dtype=np.float64,")
    print(")  # " + ", ".join(paragraph_model.FEATURES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
