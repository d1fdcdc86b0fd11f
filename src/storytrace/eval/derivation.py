"""``storytrace eval derivation``: derivation sets built independently of the chains set,
run through the real product (``storytrace.pipeline.analyze``, default settings) and scored
on its report.json.

Sets (each split into ``dev`` and ``holdout`` halves by a hash of its item ids, so tuning
reads the dev half and the holdout half is read once, at the end):

- ``wire``: agency wire copy and the newspaper stories written from it
  (:mod:`storytrace.eval.wire`). Wire copies and all other text are real news read at run
  time: the first human English translation of each WMT21 ru-en story and the reference
  article bodies of the Scrapinghub extraction benchmark that are English news (800 to
  12,000 characters). Texts sharing an 8-word run with an earlier one are left out, so no
  two source texts derive from each other. In a hash order of their keys, the first 30% of
  those with six or more sentences are wire copies; the rest feed the "other reporting" and
  the independent stories, each used once.
- ``unrelated``: WCXB article pages, one per site, none sharing a 10-word run of its
  reference text with another (:mod:`storytrace.eval.unrelated`); the raw HTML goes through
  the product's own ingest.

This module is the I/O side: it reads ``../shared/eval`` (or ``--data``), writes the
generated documents and answers under ``out/<set>/set`` and the analysis under
``out/<set>/analysis``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storytrace.errors import InputError
from storytrace.eval import unrelated, wire
from storytrace.progress import Progress

SETS = ("wire", "unrelated")
HALVES = ("dev", "holdout", "all")
WIRE_SHARE = 0.3
UNRELATED_PAGES = 500


def _english(text: str) -> bool:
    """English prose, roughly: mostly ASCII letters and a plain share of "the/and/of/to"."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < 80:
        return False
    ascii_share = sum(1 for w in words if w.isascii()) / len(words)
    common = sum(1 for w in words if w.lower() in ("the", "and", "of", "to", "a", "in")) / len(
        words
    )
    return ascii_share > 0.95 and common > 0.12


def prose(src: wire.Source) -> bool:
    """Running prose, not tables or lists: most paragraphs end a sentence and sentences
    average 12 to 40 words."""
    paras = [" ".join(p) for p in src.paragraphs]
    sents = src.sentences
    if not paras or len(sents) < 4:
        return False
    ended = sum(1 for p in paras if p.rstrip().endswith((".", "!", "?", '"', "”", "’", "'"))) / len(
        paras
    )
    words = sum(len(s.split()) for s in sents) / len(sents)
    return ended >= 0.7 and 12 <= words <= 40


def wire_sources(root: Path) -> list[wire.Source]:
    """Real English news texts for the wire set: WMT21 human translations (one per story,
    the first by id; its first segment is the title) and Scrapinghub article bodies."""
    sources: list[wire.Source] = []
    wmt = root / "wmt21-ru-en" / "docs.jsonl"
    scrap = root / "scrapinghub" / "ground-truth.json"
    if not wmt.is_file() and not scrap.is_file():
        raise InputError(
            f"{root}: neither wmt21-ru-en/docs.jsonl nor scrapinghub/ground-truth.json found (give the eval folder with --data)"
        )
    if wmt.is_file():
        firsts: dict[str, dict[str, Any]] = {}
        with wmt.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    if rec.get("kind") != "human_translation":
                        continue
                    story = str(rec["story"])
                    if story not in firsts or str(rec["id"]) < str(firsts[story]["id"]):
                        firsts[story] = rec
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise InputError(f"{wmt}:{n}: not a WMT21 record ({exc})") from exc
        for story, rec in sorted(firsts.items()):
            lines = [s for s in str(rec["text"]).split("\n") if s.strip()]
            if len(lines) < 2:
                continue
            src = wire.source_from_text(f"wmt21:{story}", "\n".join(lines[1:]), title=lines[0])
            sources.append(src)
    if scrap.is_file():
        try:
            truth = json.loads(scrap.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{scrap}: not JSON ({exc})") from exc
        for key, rec in sorted(truth.items()):
            body = str(rec.get("articleBody") or "")
            if 800 <= len(body) <= 12000 and _english(body):
                sources.append(wire.source_from_text(f"scrapinghub:{key[:16]}", body))
    kept: list[wire.Source] = []
    seen: set[tuple[str, ...]] = set()
    for src in sources:
        if not prose(src):
            continue
        grams = wire.word_ngrams(" ".join(src.sentences), 8)
        if grams & seen:
            continue
        seen |= grams
        kept.append(src)
    return kept


def _hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def split_pool(sources: list[wire.Source]) -> tuple[list[wire.Source], list[wire.Source]]:
    """Wire copies and other texts: in a hash order of the keys, the first ``WIRE_SHARE`` of
    all texts, drawn from those with six or more sentences, are wires."""
    ordered = sorted(sources, key=lambda s: _hash(s.key))
    want = round(len(ordered) * WIRE_SHARE)
    wires: list[wire.Source] = []
    others: list[wire.Source] = []
    for src in ordered:
        if len(wires) < want and len(src.sentences) >= 6:
            wires.append(src)
        else:
            others.append(src)
    return wires, others


def _select(keys: list[str], half: str, limit: int | None) -> list[str]:
    chosen = [k for k in keys if half == "all" or wire.half_of(k) == half]
    return chosen[:limit] if limit is not None else chosen


def run_wire(
    root: Path,
    out: Path,
    half: str,
    limit: int | None,
    analyze: Callable[..., Any],
    progress: Progress | None,
) -> dict[str, Any]:
    """Build, analyse and score the wire set's ``half``."""
    wires, others = split_pool(wire_sources(root))
    items = wire.build_items(wires, others)
    keep = set(_select([i.key for i in items], half, limit))
    items = [i for i in items if i.key in keep]
    set_dir = out / "set"
    set_dir.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    with (set_dir / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for item in items:
            for rec in item.records():
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                texts[str(rec["id"])] = str(rec["text"])
    answers = [i.answer() for i in items]
    (set_dir / "answers.json").write_text(
        json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    t0 = time.perf_counter()
    result = analyze([set_dir / "docs.jsonl"], out / "analysis", progress=progress)
    seconds = time.perf_counter() - t0
    scores = wire.score_wire(result.report, answers, texts).as_dict()
    scores["documents"] = len(texts)
    scores["seconds"] = round(seconds, 1)
    return scores


def wcxb_pages(root: Path) -> list[unrelated.Page]:
    """WCXB article pages (id, URL, reference main text)."""
    folder = root / "wcxb-dev" / "ground-truth"
    if not folder.is_dir():
        raise InputError(f"{folder}: not found (give the eval folder with --data)")
    pages: list[unrelated.Page] = []
    for path in sorted(folder.glob("*.json")):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not JSON ({exc})") from exc
        kind = (rec.get("_internal") or {}).get("page_type", {}).get("primary")
        if kind != "article":
            continue
        text = str((rec.get("ground_truth") or {}).get("main_content") or "")
        pages.append(unrelated.Page(path.stem, str(rec.get("url") or ""), text))
    return pages


def run_unrelated(
    root: Path,
    out: Path,
    half: str,
    limit: int | None,
    analyze: Callable[..., Any],
    progress: Progress | None,
) -> dict[str, Any]:
    """Analyse the unrelated pages of ``half`` (their raw HTML) and count what is claimed."""
    pages, dropped = unrelated.select_pages(wcxb_pages(root), UNRELATED_PAGES)
    keep = set(_select([f"wcxb:{p.id}" for p in pages], half, limit))
    pages = [p for p in pages if f"wcxb:{p.id}" in keep]
    html_dir = out / "set" / "pages"
    html_dir.mkdir(parents=True, exist_ok=True)
    for page in pages:
        src = root / "wcxb-dev" / "html" / f"{page.id}.html.gz"
        try:
            html = gzip.decompress(src.read_bytes())
        except (OSError, EOFError) as exc:
            raise InputError(f"{src}: cannot read ({exc})") from exc
        (html_dir / f"{page.id}.html").write_bytes(html)
    t0 = time.perf_counter()
    result = analyze([html_dir], out / "analysis", progress=progress)
    seconds = time.perf_counter() - t0
    scores = unrelated.score_unrelated(result.report).as_dict()
    scores["left_out_for_shared_text"] = dropped
    scores["seconds"] = round(seconds, 1)
    return scores


RUNNERS = {"wire": run_wire, "unrelated": run_unrelated}


def run(
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    sets: tuple[str, ...] = SETS,
    half: str = "dev",
    limit: int | None = None,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    """Build, analyse and score each of ``sets`` (its ``half``) under ``out/<set>``."""
    from storytrace.pipeline import analyze

    if half not in HALVES:
        raise InputError(f"--half {half!r}: expected one of {', '.join(HALVES)}")
    root = Path(data)
    results: dict[str, dict[str, Any]] = {}
    for name in sets:
        target = Path(out) / name
        if (target / "analysis").exists():  # a fresh store: never add to an earlier run's
            shutil.rmtree(target / "analysis")
        results[name] = {
            "half": half,
            **RUNNERS[name](root, target, half, limit, analyze, progress),
        }
    return results


def describe(name: str, s: dict[str, Any]) -> str:
    """A few plain lines of one set's scores (the CLI's text output)."""
    if name == "wire":
        return "\n".join(
            [
                f"wire ({s['half']} half): {s['wires']} wire copies, {s['papers']} papers "
                f"{s['pairs_by_label']}, analysed in {s['seconds']} s",
                f"  derived vs not      P {s['derived_precision']:.4f}  R {s['derived_recall']:.4f}  "
                f"F1 {s['derived_f1']:.4f}  (all 'derived': {s['all_derived_f1']:.4f}; target >= 0.90)",
                f"  three-way macro-F1  {s['three_way_macro_f1']:.4f}  {s['per_label_f1']}  "
                f"(degree from {s['degree_from']}; target >= 0.70)",
                f"  reused tokens       P {s['token_precision']:.4f}  R {s['token_recall']:.4f}  "
                f"F1 {s['token_f1']:.4f}  (target >= 0.75)",
                f"  parent accuracy     {s['parent_accuracy']:.4f}  (sibling as parent "
                f"{s['sibling_parents']}, no parent {s['derived_without_parent']}; edges into "
                f"not-derived papers {s['edges_into_not_derived']})",
                f"  derived recall      credited {s['derived_recall_credited']:.4f}  uncredited "
                f"{s['derived_recall_uncredited']:.4f}  undated {s['derived_recall_undated']:.4f}"
                + ("" if s["reuse_mae"] is None else f"  reuse MAE {s['reuse_mae']:.4f}"),
            ]
        )
    if name == "unrelated":
        lines = [
            f"unrelated ({s['half']} half): {s['documents']} pages of different sites, analysed "
            f"in {s['seconds']} s ({s['left_out_for_shared_text']} left out for shared text)",
            f"  derivation edges    {s['derivation_edges']}  (target <= {s['target_edges_at_most']})",
            f"  same-language 'translation' edges  {s['same_language_translations']}  (target 0)",
            f"  stories {s['stories']} (largest {s['largest_story']}), matches {s['matches']}",
        ]
        lines += [
            f"    {e['parent']} -> {e['child']}  {e['relation']}  {e['confidence']}"
            for e in s["examples"]
        ]
        return "\n".join(lines)
    return f"{name}: {json.dumps(s)}"
