"""``storytrace eval SET``: score storytrace on an evaluation set.

Every set is one row of ``SETS``: where its data lives, which options it reads, the function
that runs it (its scores, as ``--format json`` prints them) and the text table made of those
scores (``Table``: a header line and row lines, format strings over the scores). Adding a
set is adding a row; nothing else here knows a set by name.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from storytrace.cli._console import DeprecatedAlias, RichProgress, shown

NAME = "eval"
HELP = "score storytrace on a public evaluation set"
DESCRIPTION = (
    "Run storytrace on an evaluation set and print its scores (--format json: the scores "
    "as JSON). The sets are not shipped: --data names the set's folder (default "
    "$STORYTRACE_EVAL/<folder>, $STORYTRACE_EVAL defaulting to ../shared/eval)."
)

Scores = dict[str, Any]
Rows = Callable[[Scores], Iterable[Mapping[str, Any]]]


@dataclass(frozen=True)
class Run:
    """What a set's runner gets: the data folder, the analysis folder and the options."""

    data: str
    target: str
    args: argparse.Namespace
    progress: RichProgress


@dataclass(frozen=True)
class Section:
    """Lines printed once (``rows=None``) or once per row that ``rows`` makes of the scores;
    each line is a format string over the scores, ``data``, ``target`` and the row's keys."""

    lines: tuple[str, ...]
    rows: Rows | None = None


@dataclass(frozen=True)
class EvalSet:
    """One evaluation set: its folder under $STORYTRACE_EVAL, its one-line description,
    the options it reads, its runner and its text table."""

    folder: str
    help: str
    run: Callable[[Run], Scores]
    table: tuple[Section, ...]
    options: frozenset[str] = frozenset()
    failed: Callable[[Scores], bool] = field(default=lambda _s: False)


def _prf(label: str, prefix: str = "") -> str:
    """A "P .. R .. F1 .." line over ``{prefix}precision`` etc."""
    return (
        f"  {label:<19} P {{{prefix}precision:.4f}}  R {{{prefix}recall:.4f}}  "
        f"F1 {{{prefix}f1:.4f}}"
    )


def _items(key: str) -> Rows:
    """One row per entry of the mapping ``scores[key]``: its fields and ``name``."""
    return lambda s: ({"name": name, **values} for name, values in s[key].items())


# -- runners: each returns the scores as --format json prints them --------------------------


def _wmt21(r: Run) -> Scores:
    from storytrace.eval import wmt21

    return wmt21.run(r.data, r.target, progress=r.progress).as_dict()


def _chains(r: Run) -> Scores:
    from storytrace.eval import chains

    return chains.run(r.data, r.target, progress=r.progress).as_dict()


def _changes(r: Run) -> Scores:
    from storytrace.eval import changes

    halves = ("dev", "holdout") if r.args.half == "all" else (r.args.half,)
    scores = {part: s.as_dict() for part, s in changes.run(r.data, r.target).items()}
    return {half: scores[half] for half in halves}


def _change_rows(s: Scores) -> Iterable[Mapping[str, Any]]:
    for half, v in s.items():
        kinds = ", ".join(f"{k} {c['found']}/{c['injected']}" for k, c in v["by_kind"].items())
        yield {**v, "half": half, "kinds": kinds}


def _pan13(r: Run) -> Scores:
    from storytrace.eval import pan13

    det_out = r.args.det_out or os.path.join(r.target, "detections")
    return pan13.run(r.data, det_out, workers=r.args.workers, progress=r.progress).as_dict()


def _pan13_rows(s: Scores) -> Iterable[Mapping[str, Any]]:
    for name, v in [*s["subcorpora"].items(), ("overall", s["overall"])]:
        yield {"name": name, **v}


def _pan13_published(_s: Scores) -> Iterable[Mapping[str, Any]]:
    from storytrace.eval import pan13

    return ({"system": system, "value": value} for system, value in pan13.PUBLISHED.items())


def _semeval(r: Run) -> Scores:
    from storytrace.eval import semeval

    return semeval.run(r.data, r.target, progress=r.progress).as_dict()


def _msrp(r: Run) -> Scores:
    from storytrace.eval import msrp

    return msrp.run(r.data, r.target, progress=r.progress).as_dict()


def _derivation(r: Run) -> Scores:
    from storytrace.eval import derivation

    a = r.args
    sets = derivation.SETS if a.subset == "all" else (a.subset,)
    if a.out is None:
        with tempfile.TemporaryDirectory(prefix="storytrace-derivation-") as tmp:
            return derivation.run(r.data, tmp, sets, a.half, a.limit, r.progress, a.seed)
    return derivation.run(r.data, a.out, sets, a.half, a.limit, r.progress, a.seed)


def _derivation_rows(s: Scores) -> Iterable[Mapping[str, Any]]:
    from storytrace.eval import derivation

    return ({"text": derivation.describe(name, v)} for name, v in s.items())


def _cleaning(r: Run) -> Scores:
    from storytrace.eval import cleaning

    return {name: score.as_dict() for name, score in cleaning.run(r.data).items()}


def _cleaning_rows(s: Scores) -> Iterable[Mapping[str, Any]]:
    from storytrace.eval import cleaning

    for name, v in s.items():
        published = "".join(
            f"\n  {'':<10} {tool:<28} F1 {f1:.3f} (published)"
            for tool, f1 in cleaning.PUBLISHED[name].items()
        )
        yield {"name": name, **v, "published": published}


def _wcxb(r: Run) -> Scores:
    from storytrace.eval import wcxb

    workers = r.args.workers or min(4, os.cpu_count() or 1)
    total = len(wcxb.load_pages(r.data))
    results: Scores = {}
    for name in wcxb.SYSTEMS:
        with r.progress.task(f"WCXB: {name}", total) as task:
            found = wcxb.run(
                r.data, [name], progress=lambda _n, _c: task.advance(), workers=workers
            )
        results.update(
            {n: {g: s.as_dict() for g, s in groups.items()} for n, groups in found.items()}
        )
    return results


def _wcxb_rows(s: Scores) -> Iterable[Mapping[str, Any]]:
    for group in s[next(iter(s))]:
        for name, groups in s.items():
            yield {"group": group, "name": name, **groups[group]}


def _junk(r: Run) -> Scores:
    from storytrace.eval import junk

    results = junk.run(r.data)
    return {fam: {m: s.as_dict() for m, s in modes.items()} for fam, modes in results.items()}


def _junk_rows(s: Scores) -> Iterable[Mapping[str, Any]]:
    for family, modes in s.items():
        for mode, v in modes.items():
            kinds = ", ".join(f"{k} {x:.2f}" for k, x in sorted(v["recall_by_kind"].items()))
            yield {"family": family, "mode": mode, **v, "kinds": kinds}


_STORIES = "{documents} documents, {stories} stories found"

SETS: dict[str, EvalSet] = {
    "wmt21": EvalSet(
        folder="wmt21-ru-en",
        help="WMT21 ru-en versions: stories, parents, roots, segment alignment",
        run=_wmt21,
        table=(
            Section(
                (
                    f"WMT21 ru-en ({{data}}): {_STORIES}",
                    _prf("stories (pairwise)"),
                    "  parent accuracy     {parent_accuracy:.4f}",
                    "  root accuracy       {root_accuracy:.4f}",
                    _prf("segment alignment", "seg_align_"),
                )
            ),
        ),
        options=frozenset({"out"}),
    ),
    "chains": EvalSet(
        folder="wmt21-ru-en",
        help="multi-hop chains built from WMT21 ru-en (storytrace.eval.chains)",
        run=_chains,
        table=(
            Section(
                (
                    f"Chains built from {{data}} (set and answers in {{target}}/set): {_STORIES}",
                    _prf("stories (pairwise)", "story_"),
                    "  parent accuracy     {parent_accuracy:.4f}",
                    "  origin accuracy     {origin_accuracy:.4f}",
                    _prf("junk removal", "junk_"),
                )
            ),
        ),
        options=frozenset({"out"}),
    ),
    "changes": EvalSet(
        folder="wmt21-ru-en",
        help="injected edits in copies of real news text (storytrace.eval.changes)",
        run=_changes,
        table=(
            Section(
                (
                    "Edit set ({half}) built from {data} (set and answers in {target}/set): "
                    "{edited_copies} edited copies, {edited_with_right_parent} with the right "
                    "parent",
                    _prf("changes"),
                    "  found by kind       {kinds}",
                    "  control edges       {control_edges}, false flags {control_flags} "
                    "({false_flags_per_control_edge:.2f} per edge)",
                ),
                _change_rows,
            ),
        ),
        options=frozenset({"out", "half"}),
    ),
    "pan13": EvalSet(
        folder="pan13/pan13-text-alignment-training-corpus-2013-01-21",
        help="PAN13 text alignment (plagdet)",
        run=_pan13,
        table=(
            Section(
                (
                    "PAN13 text alignment ({data}): {pairs} pairs aligned in {align_seconds:.1f} "
                    "s; detections in {det_out}",
                )
            ),
            Section(
                (
                    "  {name:<28} plagdet {plagdet:.4f}  P {precision:.4f}  R {recall:.4f}  "
                    "gran {granularity:.4f}  ({cases} cases, {detections} detections)",
                ),
                _pan13_rows,
            ),
            Section(("  {blank:<28} plagdet {value:.3f} {system} (published)",), _pan13_published),
        ),
        options=frozenset({"out", "det_out", "workers"}),
    ),
    "semeval": EvalSet(
        folder="semeval2022-task8",
        help="SemEval-2022 Task 8 news similarity (Pearson r)",
        run=_semeval,
        table=(
            Section(
                (
                    "SemEval-2022 Task 8 ({data}): {pairs} pairs ({duplicate_ids} repeated ids "
                    "folded); fitted on {train}, scored on the held-out {held_out}",
                    "  Pearson r (Overall, held-out half)  {pearson:.4f}",
                    "    before the output calibration     {pearson_linear:.4f}",
                    "  best single signal ({baseline_feature}), held-out  {baseline_pearson:.4f}",
                    "  Pearson r on the training half      {pearson_train:.4f}",
                    "  task winner on the official test set: 0.818 (another sample)",
                )
            ),
        ),
        options=frozenset({"out"}),
    ),
    "msrp": EvalSet(
        folder="msrp",
        help="MSRP paraphrase accuracy and F1",
        run=_msrp,
        table=(
            Section(
                (
                    "MSRP ({data}): {pairs} pairs; model and threshold chosen on {train}, "
                    "scored on the held-out {held_out}",
                    "  accuracy {accuracy:.4f}  F1 {f1:.4f}  (held-out half)",
                    "  cosine only: accuracy {cosine_only_accuracy:.4f}  F1 "
                    "{cosine_only_f1:.4f};  all-positive F1 {all_positive_f1:.4f}",
                )
            ),
        ),
        options=frozenset({"out"}),
    ),
    "derivation": EvalSet(
        folder="",
        help="derivation sets built unlike chains (docs/derivation-sets.md)",
        run=_derivation,
        table=(Section(("{text}",), _derivation_rows),),
        options=frozenset({"out", "subset", "half", "limit", "seed"}),
        failed=lambda s: any("error" in v for v in s.values()),
    ),
    "cleaning": EvalSet(
        folder="scrapinghub",
        help="article extraction (Scrapinghub benchmark)",
        run=_cleaning,
        table=(
            Section(
                ("Article extraction, Scrapinghub benchmark ({data}): token 4-gram shingle F1",)
            ),
            Section(
                (
                    "  {name:<10} storytrace  P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}  "
                    "({pages} pages){published}",
                ),
                _cleaning_rows,
            ),
        ),
    ),
    "wcxb": EvalSet(
        folder="wcxb-dev",
        help="main text of real pages (WCXB development split) next to trafilatura",
        run=_wcxb,
        table=(
            Section(
                (
                    "Web content extraction benchmark, WCXB development split ({data}): "
                    "bag-of-words F1 per page, macro-averaged; with/without: snippets found; "
                    "date: publication day right (tune: the half settings were chosen on; "
                    "held_out: the other)",
                )
            ),
            Section(
                (
                    "  {group:<22} {name:<20} F1 {f1:.4f}  P {precision:.4f}  R {recall:.4f}  "
                    "with {with:.3f}  without {without:.3f}  date {date_accuracy:.3f}  "
                    "({pages} pages)",
                ),
                _wcxb_rows,
            ),
        ),
        options=frozenset({"workers"}),
    ),
    "junk": EvalSet(
        folder="wmt21-ru-en",
        help="junk worded apart from the cue lists, around WMT21 text (storytrace.eval.junk)",
        run=_junk,
        table=(
            Section(
                (
                    "Junk worded apart from the cue lists, around WMT21 news text ({data}): "
                    "non-space characters of labelled junk removed; dev: the wordings looked at "
                    "while building, held_out: the others",
                )
            ),
            Section(
                (
                    "  {family:<9} {mode:<9} junk P {junk_precision:.4f}  R {junk_recall:.4f}  "
                    "F1 {junk_f1:.4f}  content removed {content_removed:.2%}  hyphens rejoined "
                    "{hyphen_rejoined:.2%}  ({documents} documents)",
                    "  {blank:<19} recall by kind: {kinds}",
                ),
                _junk_rows,
            ),
        ),
    ),
}

# option dest -> (flags, argparse keywords); each says which sets read it
_OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "subset": (
        ("--subset",),
        {
            "choices": ("wire", "unrelated", "semeval", "pan13", "lexical", "all"),
            "default": "all",
            "help": "which derivation set (default: all)",
        },
    ),
    "half": (
        ("--half",),
        {
            "choices": ("dev", "holdout", "all"),
            "default": "dev",
            "help": "which half (tune on dev; read holdout once, at the end; default dev)",
        },
    ),
    "limit": (
        ("--limit",),
        {"type": int, "default": None, "help": "at most this many items per set"},
    ),
    "seed": (
        ("--seed",),
        {
            "type": int,
            "default": None,
            "help": "another draw of the generated sets (wire, lexical)",
        },
    ),
    "out": (
        ("--out",),
        {"default": None, "help": "where the analysis goes (default: eval-out/<set>)"},
    ),
    "det_out": (
        ("--det-out",),
        {"default": None, "help": "where the detection XML goes (default: <out>/detections)"},
    ),
    "workers": (
        ("--workers",),
        {"type": int, "default": None, "help": "processes (default: up to 4)"},
    ),
}


def _epilog() -> str:
    width = max(len(name) for name in SETS)
    sets = "\n".join(f"  {name:<{width}}  {s.help}" for name, s in SETS.items())
    return (
        f"sets:\n{sets}\n\nexamples:\n"
        "  storytrace eval wmt21 --data ../shared/eval/wmt21-ru-en\n"
        "  storytrace eval changes --data ../shared/eval --half all --format json\n"
        "  storytrace eval derivation --data ../shared/eval --subset wire --limit 20"
    )


EXAMPLES = _epilog()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", choices=tuple(SETS), help="which evaluation set (listed below)")
    p.add_argument(
        "--data", default=None, help="the set's folder (default: $STORYTRACE_EVAL/<folder>)"
    )
    for dest, (flags, kwargs) in _OPTIONS.items():
        readers = [name for name, s in SETS.items() if dest in s.options]
        help_text = f"{', '.join(readers)}: {kwargs['help']}"
        p.add_argument(*flags, dest=dest, **{**kwargs, "help": help_text})
    p.add_argument(
        "--set", dest="subset", action=DeprecatedAlias, instead="--subset", help=argparse.SUPPRESS
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    spec = SETS[args.set]
    data = args.data or os.path.join(
        os.environ.get("STORYTRACE_EVAL", "../shared/eval"), spec.folder
    )
    target = args.out or os.path.join("eval-out", args.set)
    progress = RichProgress(err, enabled=not args.quiet and args.format == "text")
    scores = spec.run(Run(data, target, args, progress))
    if args.format == "json":
        print(json.dumps(scores))
    else:
        for line in render(spec, scores, data=data, target=target):
            out.print(line, highlight=False)
    return 1 if spec.failed(scores) else 0


def render(spec: EvalSet, scores: Scores, *, data: str, target: str) -> list[str]:
    """The text table of ``scores``: each section's lines, once or per row; strings from the
    scores and the paths are made safe to print."""
    lines: list[str] = []
    base = {**scores, "data": data, "target": target, "blank": ""}
    for section in spec.table:
        rows: Iterable[Mapping[str, Any]] = section.rows(scores) if section.rows else [{}]
        for row in rows:
            context = {
                k: shown(v, multiline=True) if isinstance(v, str) else v
                for k, v in {**base, **row}.items()
            }
            lines.extend(line.format_map(context) for line in section.lines)
    return lines
