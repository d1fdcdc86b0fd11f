"""Plain-text cleaning speed (documents/second) against jusText on the same texts, same run.

Both read the same plain-text pages: storytrace through ``clean`` (the path the pipeline
takes for plain text), jusText with each line as a ``<p>`` paragraph and the stop list of
the page's language (how it is used on text without markup). Where the Scrapinghub truth is
available, the shingle F1 of each is printed next to its speed.

    python benchmarks/cleaning.py [--data ../shared/eval/scrapinghub] [--rounds 3] [--format json]

Without the data, the texts are page dumps generated from the demo corpus (menus, the
article, comments), so the speed comparison runs anywhere.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import justext

from storytrace.clean import clean
from storytrace.eval.cleaning import load_truth, shingle_score
from storytrace.lang import detect_language
from storytrace.records import Document
from storytrace.text import content_id

_JUSTEXT_LANGS = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "lt": "Lithuanian",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
}


def storytrace_clean(text: str) -> str:
    return clean(Document(id="b", doc_id=content_id(text), text=text, input="bench")).text


def justext_clean(text: str) -> str:
    lang = _JUSTEXT_LANGS.get(detect_language(text), "English")
    markup = (
        "<html><body>"
        + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
        + "</body></html>"
    )
    paragraphs = justext.justext(markup.encode("utf-8"), justext.get_stoplist(lang))
    return "\n".join(str(p.text) for p in paragraphs if not p.is_boilerplate)


def generated_pages(n: int, seed: int = 7) -> list[str]:
    """Page dumps from the demo corpus: menu lines, the article, a comment thread."""
    corpus = Path(__file__).resolve().parent.parent / "src" / "storytrace" / "demo" / "corpus"
    articles = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.txt"))]
    rng = random.Random(seed)
    menu = ["Home", "World", "Politics", "Business", "Sport", "Culture", "Weather", "Video"]
    pages = []
    for i in range(n):
        lines = [f"• {m}" for m in rng.sample(menu, 6)]
        lines += articles[i % len(articles)].splitlines()
        lines += ["3 comments", "Sign in to comment.", "reader42 · 2 hours ago", "Great story."]
        pages.append("\n".join(lines))
    return pages


def timed(fn: Callable[[str], str], texts: list[str], rounds: int) -> tuple[float, list[str]]:
    outputs: list[str] = []
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        outputs = [fn(t) for t in texts]
        best = min(best, time.perf_counter() - start)
    return len(texts) / best, outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/eval/scrapinghub")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    folder = Path(args.data) / "plaintext" / "txt"
    truth: dict[str, str] = {}
    if folder.is_dir():
        truth = load_truth(args.data)
        keys = [k for k in sorted(truth) if (folder / f"{k}.txt").is_file()]
        texts = [(folder / f"{k}.txt").read_text(encoding="utf-8", errors="replace") for k in keys]
        source = f"Scrapinghub plain text ({len(texts)} pages)"
    else:
        keys, texts = [], generated_pages(180)
        source = f"generated page dumps ({len(texts)}; {folder} not found)"
    storytrace_clean(texts[0])  # load the language model once, outside the timing
    ours, ours_out = timed(storytrace_clean, texts, args.rounds)
    theirs, theirs_out = timed(justext_clean, texts, args.rounds)
    result: dict[str, Any] = {
        "texts": source,
        "storytrace_docs_per_s": round(ours, 1),
        "justext_docs_per_s": round(theirs, 1),
        "ratio_vs_justext": round(ours / theirs, 2),
    }
    if keys:
        result["storytrace_f1"] = round(
            shingle_score(zip([truth[k] for k in keys], ours_out, strict=True)).f1, 4
        )
        result["justext_f1"] = round(
            shingle_score(zip([truth[k] for k in keys], theirs_out, strict=True)).f1, 4
        )
    if args.format == "json":
        print(json.dumps(result))
        return 0
    print(f"Plain-text cleaning on {source}, best of {args.rounds} rounds, one process:")
    print(f"  storytrace  {result['storytrace_docs_per_s']:>8.1f} docs/s", end="")
    print(f"   F1 {result['storytrace_f1']:.3f}" if "storytrace_f1" in result else "")
    print(f"  jusText     {result['justext_docs_per_s']:>8.1f} docs/s", end="")
    print(f"   F1 {result['justext_f1']:.3f}" if "justext_f1" in result else "")
    print(f"  ratio (storytrace / jusText): {result['ratio_vs_justext']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
