"""An edit set for change detection, built at run time from real English news text.

No public set marks what a copy changed, so this one injects known edits. For every story
of WMT21 ru-en, its English human translation (real news prose, read from the data folder
at run time, never stored in the project) is published by an invented outlet; two copies
follow a few hours later:

- an *edited* copy with two edits drawn from: a number changed, a date changed (weekday,
  month, relative day or year), a name replaced by another name, a negation added or
  removed, the roles of an invented "X accuses Y" sentence swapped (that sentence is put in
  the original too), an invented sentence added, a sentence dropped;
- an *unedited control* copy of the original.

``storytrace eval changes`` analyses the documents alone and scores the changes reported on
the edge into each edited copy (a change matches an edit of its kind whose sentence it
touches; every other change is a false flag) and counts the flags on edges between an
original and its control. Stories are split by a hash of their id into ``dev`` (used while
building the rules) and ``holdout`` (looked at once, at the end).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storytrace.codec import Row
from storytrace.errors import InputError
from storytrace.eval.metrics import PRF
from storytrace.records import LineageEdge, Report, Span

SEED = 2121
EDIT_KINDS = ("number", "date", "name", "negation", "role", "added", "dropped")
_OUTLETS = (
    "Northgate Daily", "Riverside Post", "Kestrel Media", "Harbor Ledger", "Meridian Wire",
    "Lakeshore Times", "Copperfield Gazette", "Eastbrook Observer", "Silverline News",
)  # fmt: skip
_SURNAMES = (
    "Lazio", "Brandt", "Osterhout", "Velkova", "Marchetti", "Haldane", "Korvin", "Strand",
    "Abernathy", "Quillon", "Demarco", "Tovey", "Rasmunsen", "Okafor", "Lindqvist",
)  # fmt: skip
_ACTORS = ("Moscow", "Kyiv", "Warsaw", "Minsk", "Berlin", "Beijing", "Washington", "Paris")
_ROLE_TEMPLATES = (
    "{a} accused {b} of breaking the agreement, officials said.",
    "{a} has threatened {b} with new sanctions over the dispute.",
    "Diplomats said {a} criticised {b} for the delay.",
)
_ADDED = (
    "Local residents said they had not been told about the plans in advance.",
    "The regional office did not reply to a request for comment on the matter.",
    "Observers expect a final decision to be announced within the coming weeks.",
    "A spokesperson promised that further details would be published on the website.",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_RELATIVE = ("yesterday", "today", "tomorrow")
_AUX = re.compile(r"\b(is|was|are|were|will|has|have|had|can|could|would|should)\b(?! not)")
_NOT = re.compile(r"\b(is|was|are|were|will|has|have|had|can|could|would|should) not\b")
_PLAIN_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})*|\d+)(?![\w.,]\d)")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-3]\d)\b")
_DATE_WORD = re.compile(rf"\b({'|'.join(_WEEKDAYS + _MONTHS[:4] + _MONTHS[5:] + _RELATIVE)})\b")
_NEXT_TO_MONTH = re.compile(rf"\b(?:{'|'.join(_MONTHS)})\b")
_MID_NAME = re.compile(r"(?<=[a-z,] )([A-Z][a-z]{3,})(?= [a-z])")


@dataclass(frozen=True, slots=True)
class Edit:
    """One injected edit: its kind and the character span it touches in the document that
    shows it (the copy; for a dropped sentence, the original)."""

    kind: str
    doc: str
    start: int
    end: int


@dataclass
class Answers:
    """Who is a copy of whom, and the edits each edited copy carries."""

    edited: dict[str, str] = field(default_factory=dict)  # edited copy -> its original
    control: dict[str, str] = field(default_factory=dict)  # control copy -> its original
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    part: dict[str, str] = field(default_factory=dict)  # copy -> dev | holdout

    def to_json(self) -> Row:
        return {
            "edited": {**self.edited},
            "control": {**self.control},
            "part": {**self.part},
            "edits": {
                k: [[e.kind, e.doc, e.start, e.end] for e in v] for k, v in self.edits.items()
            },
        }


def _part(story: str) -> str:
    return "dev" if hashlib.sha1(story.encode()).digest()[0] % 2 == 0 else "holdout"


def _english_texts(data: Path) -> dict[str, str]:
    """One English human translation per WMT21 story: real news prose, one segment a line."""
    path = data / "docs.jsonl"
    if not path.is_file() and (data / "wmt21-ru-en" / "docs.jsonl").is_file():
        path = data / "wmt21-ru-en" / "docs.jsonl"  # the eval folder above it
    if not path.is_file():
        raise InputError(f"{path}: not found (give the wmt21-ru-en folder with --data)")
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if rec["lang"] == "en" and rec["kind"] == "human_translation":
                    out.setdefault(str(rec["story"]), str(rec["text"]))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{n}: not a WMT21 record ({exc})") from exc
    return out


def _edit_segment(kind: str, seg: str, rng: random.Random) -> str | None:
    """``seg`` with one edit of ``kind`` applied, or None where the segment offers none."""
    if kind == "number":
        found = [
            m
            for m in _PLAIN_NUMBER.finditer(seg)
            if not _YEAR.fullmatch(m.group(1))
            and not _NEXT_TO_MONTH.search(seg[max(0, m.start() - 12) : m.end() + 12])
        ]  # a day of a month is a date, not a count
        if not found:
            return None
        m = rng.choice(found)
        value = int(m.group(1).replace(",", ""))
        new = value + rng.choice((1, 2, 3, 5, 10)) * max(1, 10 ** (len(str(value)) - 1))
        text = f"{new:,}" if "," in m.group(1) else str(new)
        return seg[: m.start(1)] + text + seg[m.end(1) :]
    if kind == "date":
        words = list(_DATE_WORD.finditer(seg))
        if words:
            m = rng.choice(words)
            pool = next(p for p in (_WEEKDAYS, _MONTHS, _RELATIVE) if m.group(1) in p)
            new = rng.choice([w for w in pool if w != m.group(1) and w != "May"])
            return seg[: m.start(1)] + new + seg[m.end(1) :]
        years = list(_YEAR.finditer(seg))
        if not years:
            return None
        m = rng.choice(years)
        return (
            seg[: m.start(1)] + str(int(m.group(1)) + rng.choice((-2, -1, 1, 2))) + seg[m.end(1) :]
        )
    if kind == "name":
        found = [
            m
            for m in _MID_NAME.finditer(seg)
            if m.group(1) not in _WEEKDAYS + _MONTHS and m.group(1).lower() not in seg
        ]
        if not found:
            return None
        m = rng.choice(found)
        return seg[: m.start(1)] + rng.choice(_SURNAMES) + seg[m.end(1) :]
    if kind == "negation":
        negated = _NOT.search(seg)
        if negated:
            return seg[: negated.end(1)] + seg[negated.end(1) + 4 :]
        found = list(_AUX.finditer(seg))
        if not found:
            return None
        m = rng.choice(found)
        return seg[: m.end(1)] + " not" + seg[m.end(1) :]
    return None


@dataclass(frozen=True, slots=True)
class _Story:
    original: list[str]
    copy: list[str]
    edits: list[tuple[str, int]]  # kind, segment index (copy; original for dropped)


def _make_story(segments: list[str], rng: random.Random) -> _Story:
    """The original's segments (with an invented relation sentence where a role swap is
    drawn) and an edited copy with two edits on different segments."""
    original = list(segments)
    structural = ("role", "added", "dropped")
    kinds = rng.sample(EDIT_KINDS, len(EDIT_KINDS))
    # at most one structural edit, applied first, so the indices of the others hold
    first = (
        [k for k in kinds if k in structural][:1]
        if kinds[0] in structural or kinds[1] in structural
        else []
    )
    kinds = first + [k for k in kinds if k not in structural]
    chosen: list[tuple[str, int]] = []
    copy = list(original)
    used: set[int] = {0}  # the headline is left alone
    for kind in kinds:
        if len(chosen) == 2:
            break
        if kind == "role":
            a, b = rng.sample(_ACTORS, 2)
            at = rng.randrange(1, len(original) + 1)
            if at in used or at - 1 in used or any(k in ("added", "dropped") for k, _ in chosen):
                continue
            template = rng.choice(_ROLE_TEMPLATES)
            original.insert(at, template.format(a=a, b=b))
            copy.insert(at, template.format(a=b, b=a))
            used = {u + 1 if u >= at else u for u in used} | {at}
            chosen = [(k, i + 1 if i >= at else i) for k, i in chosen]
            chosen.append(("role", at))
            continue
        free = [i for i in range(1, len(copy)) if i not in used and i - 1 not in used]
        rng.shuffle(free)
        if kind in ("added", "dropped"):
            if not free or any(k in ("added", "dropped", "role") for k, _ in chosen):
                continue  # one structural edit per copy keeps the indices simple
            i = free[0]
            if kind == "added":
                copy.insert(i, rng.choice(_ADDED))
                chosen.append(("added", i))
            else:
                del copy[i]
                chosen.append(("dropped", i))
            used.add(i)
            continue
        for i in free:
            edited = _edit_segment(kind, copy[i], rng)
            if edited is not None and edited != copy[i]:
                copy[i] = edited
                chosen.append((kind, i))
                used.add(i)
                break
    return _Story(original, copy, chosen)


def _spans(segments: Sequence[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for seg in segments:
        out.append((pos, pos + len(seg)))
        pos += len(seg) + 1
    return out


def build(data: str | os.PathLike[str], out: str | os.PathLike[str], seed: int = SEED) -> Path:
    """Write the edit set (``docs.jsonl``) and its answers (``answers.json``) under ``out``."""
    texts = _english_texts(Path(data))
    if not texts:
        raise InputError(f"{data}: no English human translations found")
    rng = random.Random(seed)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    answers = Answers()
    t0 = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)
    records: list[Row] = []
    for n, story in enumerate(sorted(texts)):
        segments = [s for s in texts[story].split("\n") if s.strip()]
        if len(segments) < 4:
            continue
        made = _make_story(segments, rng)
        outlets = rng.sample(_OUTLETS, 3)
        when = t0 + timedelta(days=n)
        ids = {role: f"{story}#{role}" for role in ("original", "edited", "control")}
        bodies = {"original": made.original, "edited": made.copy, "control": made.original}
        for hours, (role, segs) in enumerate(bodies.items()):
            records.append(
                {
                    "id": ids[role],
                    "text": "\n".join(segs) + "\n",
                    "source": outlets[hours],
                    "published": (when + timedelta(hours=3 * hours)).isoformat(),
                }
            )
        answers.edited[ids["edited"]] = ids["original"]
        answers.control[ids["control"]] = ids["original"]
        answers.part[ids["edited"]] = answers.part[ids["control"]] = _part(story)
        copy_spans, orig_spans = _spans(made.copy), _spans(made.original)
        answers.edits[ids["edited"]] = [
            Edit(kind, ids["original"], *orig_spans[i])
            if kind == "dropped"
            else Edit(kind, ids["edited"], *copy_spans[i])
            for kind, i in made.edits
        ]
    rng.shuffle(records)
    with (out_dir / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    (out_dir / "answers.json").write_text(json.dumps(answers.to_json()), encoding="utf-8")
    return out_dir


@dataclass(frozen=True, slots=True)
class ChangeScores:
    """Scores of one part of the edit set."""

    changes: PRF
    by_kind: dict[str, tuple[int, int]]  # kind -> (found, injected)
    control_edges: int
    control_flags: int
    edited_copies: int
    parent_right: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": self.changes.precision,
            "recall": self.changes.recall,
            "f1": self.changes.f1,
            "by_kind": {k: {"found": f, "injected": n} for k, (f, n) in self.by_kind.items()},
            "control_edges": self.control_edges,
            "control_flags": self.control_flags,
            "false_flags_per_control_edge": round(self.control_flags / self.control_edges, 4)
            if self.control_edges
            else 0.0,
            "edited_copies": self.edited_copies,
            "edited_with_right_parent": self.parent_right,
        }


def _overlaps(span: Span | None, edit: Edit) -> bool:
    return span is not None and span.start < edit.end and edit.start < span.end


def score_report(report: Report, answers: Answers, part: str) -> ChangeScores:
    """Changes of the report against the injected edits, on the copies of ``part``."""
    edges: dict[str, list[LineageEdge]] = {}
    for story in report.stories:
        for e in story.edges:
            edges.setdefault(e.child, []).append(e)
            edges.setdefault(e.parent, []).append(e)
    tp = fp = fn = 0
    by_kind: dict[str, list[int]] = {k: [0, 0] for k in EDIT_KINDS}
    right = 0
    for copy, original in answers.edited.items():
        if answers.part[copy] != part:
            continue
        control = next(c for c, o in answers.control.items() if o == original)
        edge = next(
            (e for e in edges.get(copy, []) if e.child == copy and e.parent in (original, control)),
            None,
        )
        gold = answers.edits[copy]
        for g in gold:
            by_kind[g.kind][1] += 1
        if edge is None:
            fn += len(gold)
            fp += sum(len(e.changes) for e in edges.get(copy, []) if e.child == copy)
            continue
        right += 1
        unmatched = list(gold)
        for change in edge.changes:
            hit = None
            for g in unmatched:
                span = change.parent_span if g.kind == "dropped" else change.child_span
                kind_ok = change.kind == g.kind or (g.kind == "date" and change.kind == "number")
                if kind_ok and _overlaps(span, g):
                    hit = g
                    break
            if hit is None:
                fp += 1
            else:
                tp += 1
                by_kind[hit.kind][0] += 1
                unmatched.remove(hit)
        fn += len(unmatched)
    control_edges = control_flags = 0
    for control, original in answers.control.items():
        if answers.part[control] != part:
            continue
        for e in edges.get(control, []):
            if {e.parent, e.child} == {control, original}:
                control_edges += 1
                control_flags += len(e.changes)
    return ChangeScores(
        PRF.from_counts(tp, fp, fn),
        {k: (v[0], v[1]) for k, v in by_kind.items()},
        control_edges,
        control_flags,
        sum(1 for c in answers.edited if answers.part[c] == part),
        right,
    )


def load_answers(folder: str | os.PathLike[str]) -> Answers:
    raw = json.loads((Path(folder) / "answers.json").read_text(encoding="utf-8"))
    return Answers(
        edited=raw["edited"],
        control=raw["control"],
        part=raw["part"],
        edits={k: [Edit(e[0], e[1], e[2], e[3]) for e in v] for k, v in raw["edits"].items()},
    )


def run(
    data: str | os.PathLike[str], out: str | os.PathLike[str], **analyze_kwargs: Any
) -> dict[str, ChangeScores]:
    """Build the edit set under ``out``, analyse it, and score both parts."""
    from storytrace.pipeline import analyze

    out_dir = Path(out)
    built = build(data, out_dir / "set")
    result = analyze([built / "docs.jsonl"], out_dir / "analysis", **analyze_kwargs)
    answers = load_answers(built)
    return {part: score_report(result.records, answers, part) for part in ("dev", "holdout")}
