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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storytrace.codec import Row
from storytrace.config import Config
from storytrace.errors import InputError
from storytrace.eval import lexical, pairsets, unrelated, wire
from storytrace.progress import Progress
from storytrace.records import Report

SETS = ("wire", "unrelated", "semeval", "pan13", "lexical")
HALVES = ("dev", "holdout", "all")
WIRE_SHARE = 0.6
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
        firsts: dict[str, Row] = {}
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
    return distinct(sources)


def distinct(sources: Sequence[wire.Source]) -> list[wire.Source]:
    """The prose texts among ``sources``, leaving out any that shares an 8-word run with an
    earlier one (so that no two texts of the pool derive from each other)."""
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


def spare_pages(root: Path) -> list[wire.Source]:
    """WCXB article pages that the unrelated set does not use (their reference text), as
    further "other" texts for the wire set; none if WCXB is absent."""
    if not (root / "wcxb-dev" / "ground-truth").is_dir():
        return []
    pages = wcxb_pages(root)
    used = {p.id for p in unrelated.select_pages(pages, UNRELATED_PAGES)[0]}
    out: list[wire.Source] = []
    for p in pages:
        if p.id in used or not 800 <= len(p.text) <= 12000 or not _english(p.text):
            continue
        src = wire.source_from_text(f"wcxb:{p.id}", p.text)
        body = tuple(  # headings and list stubs out: the prose is what a paper would use
            para for para in src.paragraphs if len(" ".join(para).split()) >= 12
        )
        out.append(wire.Source(src.key, body))
    return out


def halves(src: wire.Source, at_least: int = 16) -> list[wire.Source]:
    """A long text as two texts (its paragraphs before and after the middle sentence), so
    that one real text can serve two papers without their sharing a sentence."""
    if len(src.sentences) < at_least or len(src.paragraphs) < 2:
        return [src]
    count, cut = 0, 0
    while cut < len(src.paragraphs) - 1 and count < len(src.sentences) // 2:
        count += len(src.paragraphs[cut])
        cut += 1
    return [
        wire.Source(f"{src.key}#1", src.paragraphs[:cut], src.title),
        wire.Source(f"{src.key}#2", src.paragraphs[cut:]),
    ]


def _hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def split_pool(
    news: Sequence[wire.Source], extra: Sequence[wire.Source] = ()
) -> tuple[list[wire.Source], list[wire.Source]]:
    """Wire copies and other texts. In a hash order of the keys, the first ``WIRE_SHARE`` of
    the news texts, drawn from those with six or more sentences, are wires; the other news
    texts and ``extra`` (left out where they share text with any news text) are the others,
    long ones cut in two (:func:`halves`), in a hash order of their keys."""
    pool = distinct([*news, *extra])
    news_keys = {s.key for s in news}
    ordered = sorted((s for s in pool if s.key in news_keys), key=lambda s: _hash(s.key))
    want = round(len(ordered) * WIRE_SHARE)
    wires: list[wire.Source] = []
    others: list[wire.Source] = [s for s in pool if s.key not in news_keys]
    for src in ordered:
        if len(wires) < want and len(src.sentences) >= 6:
            wires.append(src)
        else:
            others.append(src)
    split = [h for s in others for h in halves(s)]
    return wires, sorted(split, key=lambda s: _hash(s.key))


def _select(keys: list[str], half: str, limit: int | None) -> list[str]:
    chosen = [k for k in keys if half == "all" or wire.half_of(k) == half]
    return chosen[:limit] if limit is not None else chosen


EMPTY_REPORT = Report("", Config(), "", (), (), (), (), ())
"""The report of an empty half (no document to analyse)."""


def _analysed(
    analyze: Callable[..., Any],
    inputs: list[Path],
    out: Path,
    progress: Progress | None,
    documents: int,
) -> tuple[Report, float]:
    """The report of ``analyze`` on ``inputs`` and the seconds it took; an empty report when
    the half holds no document (a small ``--limit`` or a small data folder)."""
    if not documents:
        return EMPTY_REPORT, 0.0
    t0 = time.perf_counter()
    result = analyze(inputs, out, progress=progress)
    return result.records, round(time.perf_counter() - t0, 1)


def run_wire(
    root: Path,
    out: Path,
    half: str,
    limit: int | None,
    analyze: Callable[..., Any],
    progress: Progress | None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Build, analyse and score the wire set's ``half``."""
    wires, others = split_pool(wire_sources(root), spare_pages(root))
    items = wire.build_items(wires, others, wire.SEED if seed is None else seed)
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
    report, seconds = _analysed(
        analyze, [set_dir / "docs.jsonl"], out / "analysis", progress, len(texts)
    )
    scores = wire.score_wire(report, answers, texts).as_dict()
    scores["documents"] = len(texts)
    scores["seconds"] = seconds
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
    seed: int | None = None,
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
    report, seconds = _analysed(analyze, [html_dir], out / "analysis", progress, len(pages))
    scores = unrelated.score_unrelated(report).as_dict()
    scores["left_out_for_shared_text"] = dropped
    scores["seconds"] = seconds
    return scores


def run(
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    sets: tuple[str, ...] = SETS,
    half: str = "dev",
    limit: int | None = None,
    progress: Progress | None = None,
    seed: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Build, analyse and score each of ``sets`` (its ``half``) under ``out/<set>``. With
    several sets, one whose data is missing or unreadable gets an ``error`` entry and the
    others still run. ``seed`` changes the generated sets (wire, lexical; the default is
    each module's ``SEED``): the same data built again by another draw, to check that a
    setting tuned on one draw holds on another."""
    from storytrace.pipeline import analyze

    if half not in HALVES:
        raise InputError(f"--half {half!r}: expected one of {', '.join(HALVES)}")
    root = Path(data)
    results: dict[str, dict[str, Any]] = {}
    for name in sets:
        target = Path(out) / name
        if target.exists():  # a fresh set and store: never add to an earlier run's
            shutil.rmtree(target)
        try:
            results[name] = {
                "half": half,
                **RUNNERS[name](root, target, half, limit, analyze, progress, seed),
            }
        except InputError as exc:
            if len(sets) == 1:
                raise
            results[name] = {"half": half, "error": str(exc)}  # the other sets still run
    return results


def describe(name: str, s: dict[str, Any]) -> str:
    """A few plain lines of one set's scores (the CLI's text output)."""
    if "error" in s:
        return f"{name}: error: {s['error']}"
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
                f"not-derived papers {s['edges_into_not_derived']}; paper -> its wire "
                f"{s['reversed_edges']}; between different wire items {s['cross_item_edges']})",
                f"  wire is an origin of its story  {s['wire_origin_accuracy']:.4f} "
                f"({s['wire_stories']} stories); agency credit found "
                f"{s['credit_recall']:.4f} (false {s['credit_false']})",
                f"  linked to the wire without a direction: derived "
                f"{s['undirected_wire_links_derived']}, not derived "
                f"{s['undirected_wire_links_not_derived']} (neither counted as derived)",
                f"  not derived, sharing a quote with the wire: "
                f"{s['not_derived_sharing_a_quote_found_derived']} of "
                f"{s['not_derived_sharing_a_quote']} found 'derived'",
                f"  derived recall      credited {s['derived_recall_credited']:.4f}  uncredited "
                f"{s['derived_recall_uncredited']:.4f}  undated {s['derived_recall_undated']:.4f}"
                + ("" if s["reuse_mae"] is None else f"  reuse MAE {s['reuse_mae']:.4f}"),
            ]
        )
    if name == "unrelated":
        lines = [
            f"unrelated ({s['half']} half): {s['documents']} pages of different sites, analysed "
            f"in {s['seconds']} s ({s['left_out_for_shared_text']} left out for shared text)",
            f"  derivation edges    {s['derivation_edges']}  (target <= {s['target_edges_at_most']}); "
            f"links without a direction {s['undirected_links']}",
            f"  same-language 'translation' edges  {s['same_language_translations']}  (target 0)",
            f"  stories {s['stories']} (largest {s['largest_story']}), matches {s['matches']}",
        ]
        lines += [
            f"    {e['parent']} -> {e['child']}  {e['relation']}  {e['confidence']}"
            for e in s["examples"]
        ]
        return "\n".join(lines)
    if name in ("semeval", "pan13"):
        lines = [
            f"{name} ({s['half']} half): {s['pairs']} pairs ({s['derived_pairs']} derived, "
            f"{s['independent_pairs']} independent) over {s['documents']} documents, analysed "
            f"in {s['seconds']} s",
        ]
        if s["derived_pairs"]:
            lines.append(
                f"  derived vs not      P {s['derived_precision']:.4f}  R {s['derived_recall']:.4f}  "
                f"F1 {s['derived_f1']:.4f}  (linked either way or without a direction: F1 "
                f"{s['linked_f1']:.4f}; "
                f"{s['found_typed_partially']} found typed partially)"
            )
        if "token_f1" in s:
            lines.append(
                f"  reused tokens       P {s['token_precision']:.4f}  R {s['token_recall']:.4f}  "
                f"F1 {s['token_f1']:.4f}"
            )
            lines.append(
                f"  took >= 10%         {s['took_10pct_pairs']} pairs, recall "
                f"{s['took_10pct_recall']:.4f} (linked {s['took_10pct_linked_recall']:.4f})"
            )
        lines.append(
            f"  false derivations   {s['false_derivations']} of {s['independent_pairs']} "
            f"independent pairs ({s.get('false_derivations_sharing_text', 0)} of them between "
            f"texts sharing >= 10% of their 8-grams); {s['edges']} edges and {s['undirected_links']} links without a "
            f"direction in all, {s['same_language_translations']} "
            f"same-language 'translation'; largest story {s['largest_story']}"
        )
        lines += [
            f"    {group:<34} {g.get('pairs', 0)} pairs, linked {g.get('linked', 0)}"
            for group, g in s["groups"].items()
        ]
        return "\n".join(lines)
    if name == "lexical":
        return "\n".join(
            [
                f"lexical ({s['half']} half; {', '.join(s['languages'])}, languages the default "
                f"encoder lacks): {s['documents']} documents, {s['copy_pairs']} copy pairs, "
                f"analysed in {s['seconds']} s",
                f"  derived (pairs)     P {s['derived_precision']:.4f}  R {s['derived_recall']:.4f}  "
                f"F1 {s['derived_f1']:.4f}  (target >= 0.85; directed recall "
                f"{s['directed_recall']:.4f})",
                f"  stories {s['stories']}, largest {s['largest_story']}, over 10 texts "
                f"{s['stories_over_10']} (target 0); reused tokens F1 {s['token_f1']:.4f}",
            ]
        )
    return f"{name}: {json.dumps(s)}"


SEMEVAL_INDEPENDENT = 2.5  # Overall (1 very similar .. 4 very different): at or above, independent


def _rating_band(overall: float) -> str:
    if overall >= 3.5:
        return "4 very different"
    if overall >= SEMEVAL_INDEPENDENT:
        return "3 somewhat different"
    if overall >= 1.5:
        return "2 somewhat similar (not scored)"
    return "1 very similar (not scored)"


def run_semeval(
    root: Path,
    out: Path,
    half: str,
    limit: int | None,
    analyze: Callable[..., Any],
    progress: Progress | None,
    seed: int | None = None,
) -> dict[str, Any]:
    """SemEval-2022 Task 8 original pairs (augmentations left out: they are translations of
    the originals) in one collection per half; pairs rated >= 2.5 must not be linked."""
    from storytrace.eval.semeval import load_pairs

    folder = root / "semeval2022-task8"
    if not folder.exists():
        raise InputError(f"{folder}: not found (give the eval folder with --data)")
    rows, _ = load_pairs(folder)
    rows = [r for r in rows if not re.search(r"[a-z]", r.pair_id)]
    keep = set(_select(sorted((f"semeval:{r.pair_id}" for r in rows), key=_hash), half, limit))
    texts: dict[str, str] = {}
    pairs: list[pairsets.LabelledPair] = []
    for r in sorted(rows, key=lambda r: r.pair_id):
        if f"semeval:{r.pair_id}" not in keep:
            continue
        a, b = r.pair_id.split("_", 1)
        texts.setdefault(f"se{a}", r.text1)
        texts.setdefault(f"se{b}", r.text2)
        label = pairsets.INDEPENDENT if r.overall >= SEMEVAL_INDEPENDENT else pairsets.UNSCORED
        pairs.append(pairsets.LabelledPair(f"se{a}", f"se{b}", label, _rating_band(r.overall)))
    return _run_pairs(out, texts, pairs, analyze, progress, spans=False)  # no reused spans


def _run_pairs(
    out: Path,
    texts: dict[str, str],
    pairs: list[pairsets.LabelledPair],
    analyze: Callable[..., Any],
    progress: Progress | None,
    spans: bool,
) -> dict[str, Any]:
    set_dir = out / "set"
    set_dir.mkdir(parents=True, exist_ok=True)
    with (set_dir / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for doc_id, text in sorted(texts.items()):
            fh.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    (set_dir / "answers.json").write_text(
        json.dumps([p.as_json() for p in pairs], indent=1), encoding="utf-8"
    )
    report, seconds = _analysed(
        analyze, [set_dir / "docs.jsonl"], out / "analysis", progress, len(texts)
    )
    scores = pairsets.score_pairs(report, pairs, texts, tokens_scored=spans)
    scores["documents"] = len(texts)
    scores["seconds"] = seconds
    return scores


PAN13_FOLDER = "pan13/pan13-text-alignment-training-corpus-2013-01-21"
PAN13_PER_SUBCORPUS = 25


def run_pan13(
    root: Path,
    out: Path,
    half: str,
    limit: int | None,
    analyze: Callable[..., Any],
    progress: Progress | None,
    seed: int | None = None,
) -> dict[str, Any]:
    """PAN13 pairs, ``PAN13_PER_SUBCORPUS`` (or ``limit``) of each sub-corpus per half in a
    hash order: 02-05 derivations source -> suspicious with their cases' spans, 01 not."""
    from storytrace.eval.pan13 import SUBCORPORA, pair_name, parse_annotations, read_text

    base = root / PAN13_FOLDER
    if not base.is_dir():
        raise InputError(f"{base}: not found (give the eval folder with --data)")
    per = limit if limit is not None else PAN13_PER_SUBCORPUS
    texts: dict[str, str] = {}
    pairs: list[pairsets.LabelledPair] = []

    def doc_id(kind: str, name: str) -> str:
        return "p" + _hash(f"{kind}/{name}")[:11]

    for sub in SUBCORPORA:
        listing = base / sub / "pairs"
        if not listing.is_file():
            raise InputError(f"{listing}: missing (expected the PAN13 training corpus)")
        names = [ln.split() for ln in listing.read_text(encoding="utf-8").splitlines()]
        chosen = _select(
            sorted((f"pan13:{s} {r}" for s, r in (n for n in names if len(n) == 2)), key=_hash),
            half,
            per,
        )
        for key in chosen:
            susp, src = key.removeprefix("pan13:").split()
            xml = base / sub / pair_name(susp, src)
            try:
                cases = parse_annotations(xml.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{xml}: cannot read the truth ({exc})") from exc
            child, parent = doc_id("susp", susp), doc_id("src", src)
            texts.setdefault(child, read_text(base / "susp" / susp))
            texts.setdefault(parent, read_text(base / "src" / src))
            label = pairsets.INDEPENDENT if sub.startswith("01") else pairsets.DERIVED
            spans = tuple((c.susp_offset, c.susp_end) for c in cases)
            pairs.append(pairsets.LabelledPair(parent, child, label, sub, spans))
    return _run_pairs(out, texts, pairs, analyze, progress, spans=True)


LEXICAL_BASES = 60  # per language, both halves together


def vocabulary(lang: str, n: int = 5000) -> lexical.Vocabulary:
    """The ``n`` most frequent words of ``lang`` in ``wordfreq``, with their frequencies."""
    import wordfreq

    words = tuple(w for w in wordfreq.top_n_list(lang, n) if any(ch.isalpha() for ch in w))
    return lexical.Vocabulary(lang, words, tuple(wordfreq.word_frequency(w, lang) for w in words))


def run_lexical(
    root: Path,
    out: Path,
    half: str,
    limit: int | None,
    analyze: Callable[..., Any],
    progress: Progress | None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Generated Lithuanian and Urdu texts (no ``root`` data needed) with copies."""
    docs = lexical.build(
        [vocabulary(lang) for lang in lexical.LANGS],
        LEXICAL_BASES,
        lexical.SEED if seed is None else seed,
    )
    keys = sorted({d.key for d in docs}, key=_hash)
    keep = set(_select(keys, half, limit))
    docs = [d for d in docs if d.key in keep]
    set_dir = out / "set"
    set_dir.mkdir(parents=True, exist_ok=True)
    with (set_dir / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d.record(), ensure_ascii=False) + "\n")
    answers = [d.answer() for d in docs]
    (set_dir / "answers.json").write_text(
        json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    report, seconds = _analysed(
        analyze, [set_dir / "docs.jsonl"], out / "analysis", progress, len(docs)
    )
    scores = lexical.score(report, answers, {d.id: d.text for d in docs})
    scores["languages"] = list(lexical.LANGS)
    scores["seconds"] = seconds
    return scores


RUNNERS: dict[str, Callable[..., dict[str, Any]]] = {
    "wire": run_wire,
    "unrelated": run_unrelated,
    "semeval": run_semeval,
    "pan13": run_pan13,
    "lexical": run_lexical,
}
