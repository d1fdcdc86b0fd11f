"""Multi-hop chains: a benchmark built from WMT21 ru-en, since no public set has them.

For every WMT21 story the set holds six versions with known lineage:

- the Russian original (``orig``), published by an invented Russian outlet;
- two machine translations of it (``mt1``, ``mt2``), by invented English outlets;
- a rewrite of ``mt1`` (``rewrite``): sentences dropped and reordered, words swapped for
  synonyms, and an attribution line crediting ``mt1``'s outlet added;
- a PDF-style rendering of the rewrite (``pdf``): hard-wrapped and hyphenated lines,
  running headers and page numbers;
- a scraper copy of ``mt2`` (``scraped``): ad markers, share lines, a related link, a
  donation appeal and a comment section around the text.

Every version has a publication time except a deterministic ~25% whose time is withheld.
The answers (parent of each version, story, origin, and the character spans of the junk
added to ``pdf`` and ``scraped``) are written apart from the documents. ``storytrace eval
chains`` builds the set, analyses the documents alone and prints story F1, parent
accuracy, origin accuracy and junk-removal F1 (non-space characters of the added junk
that the cleaner removed).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storytrace.codec import Row
from storytrace.errors import InputError
from storytrace.eval.metrics import PRF, accuracy, pairwise_clustering
from storytrace.records import Report

SEED = 20211
ROLES = ("orig", "mt1", "mt2", "rewrite", "pdf", "scraped")
PARENT_ROLE = {"mt1": "orig", "mt2": "orig", "rewrite": "mt1", "pdf": "rewrite", "scraped": "mt2"}
_HOURS = {"orig": 0, "mt1": 3, "mt2": 5, "rewrite": 26, "pdf": 50, "scraped": 9}

_RU_OUTLETS = (
    "Заречный вестник", "Северная правда", "Волжские ведомости", "Уральский курьер",
    "Невский обозреватель", "Сибирская звезда", "Камский листок", "Приокская газета",
)  # fmt: skip
_EN_OUTLETS = (
    "Northgate Daily", "Riverside Post", "Kestrel Media", "Harbor Ledger", "Meridian Wire",
    "Lakeshore Times", "Copperfield Gazette", "Eastbrook Observer", "Silverline News",
    "Pinecrest Chronicle", "Ashford Bulletin", "Westmere Herald", "Bramblewood Record",
    "Granite Coast Journal", "Fairhaven Dispatch", "Oakridge Sentinel",
)  # fmt: skip
_SYNONYMS = {
    "said": "stated", "says": "states", "big": "large", "large": "sizeable", "also": "too",
    "about": "around", "started": "began", "begin": "start", "city": "town", "help": "assist",
    "people": "residents", "show": "demonstrate", "important": "significant", "fast": "quick",
    "told": "informed", "but": "yet", "buy": "purchase", "many": "numerous", "now": "currently",
    "often": "frequently", "need": "require", "use": "employ", "used": "employed",
    "get": "obtain", "got": "obtained", "hard": "difficult", "end": "close", "ended": "closed",
    "whole": "entire", "main": "principal", "near": "close to", "new": "fresh",
}  # fmt: skip
_SCRAPER_TOP = ("[ad_1]", "Share this: Facebook | Twitter | WhatsApp | Email")
_SCRAPER_APPEAL = (
    "Independent news needs you. Please support us with a monthly donation from just $3 - "
    "it takes a minute to set up and keeps our reporting free for everyone."
)


@dataclass(frozen=True, slots=True)
class ChainsScores:
    story: PRF
    parent_accuracy: float
    origin_accuracy: float
    junk: PRF
    documents: int
    stories: int

    def as_dict(self) -> Row:
        return {
            "story_precision": round(self.story.precision, 4),
            "story_recall": round(self.story.recall, 4),
            "story_f1": round(self.story.f1, 4),
            "parent_accuracy": round(self.parent_accuracy, 4),
            "origin_accuracy": round(self.origin_accuracy, 4),
            "junk_precision": round(self.junk.precision, 4),
            "junk_recall": round(self.junk.recall, 4),
            "junk_f1": round(self.junk.f1, 4),
            "documents": self.documents,
            "stories": self.stories,
        }


@dataclass(frozen=True, slots=True)
class Answers:
    parents: dict[str, str]
    stories: dict[str, str]
    origins: dict[str, str]
    junk: dict[str, list[tuple[int, int]]]

    def to_json(self) -> Row:
        return {
            "parents": {**self.parents},
            "stories": {**self.stories},
            "origins": {**self.origins},
            "junk": {k: [list(s) for s in v] for k, v in self.junk.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answers:
        return cls(
            parents=dict(data["parents"]),
            stories=dict(data["stories"]),
            origins=dict(data["origins"]),
            junk={k: [(int(a), int(b)) for a, b in v] for k, v in data["junk"].items()},
        )


def _wmt21_stories(data: Path) -> dict[str, dict[str, Row]]:
    """Versions of each WMT21 story by id: the original and the machine translations."""
    path = data / "docs.jsonl"
    if not path.is_file():
        raise InputError(f"{path}: not found (give the wmt21-ru-en folder with --data)")
    stories: dict[str, dict[str, Row]] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                stories.setdefault(str(rec["story"]), {})[str(rec["id"])] = rec
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{n}: not a WMT21 record ({exc})") from exc
    return stories


def _rewrite(segments: Sequence[str], rng: random.Random, credit: str) -> str:
    """Drop ~20% of the body sentences, swap two neighbours, replace words by synonyms and
    add a line crediting ``credit``."""
    title, body = segments[0], list(segments[1:])
    keep = [s for i, s in enumerate(body) if i == 0 or rng.random() >= 0.2] or body[:1]
    if len(keep) >= 4:
        i = rng.randrange(1, len(keep) - 2)
        keep[i], keep[i + 1] = keep[i + 1], keep[i]

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        new = _SYNONYMS.get(word.lower())
        if new is None or rng.random() >= 0.6:
            return word
        return new.capitalize() if word[0].isupper() else new

    keep = [re.sub(r"[A-Za-z]+", swap, s) for s in keep]
    attribution = f"{credit} first reported the news."
    keep.insert(min(2, len(keep)), attribution)
    return "\n\n".join([title, *keep]) + "\n"


def _pdf(
    text: str, outlet: str, when: str, rng: random.Random
) -> tuple[str, list[tuple[int, int]]]:
    """Hard-wrapped, hyphenated lines with a running header and page numbers (the junk)."""
    width = rng.choice((64, 70, 76))
    lines: list[str] = []
    for para in text.strip().split("\n\n"):
        line = ""
        for word in para.split():
            if line and len(line) + 1 + len(word) > width:
                room = width - len(line) - 2
                if len(word) >= 9 and word.isalpha() and 3 <= room < len(word) - 3:
                    lines.append(f"{line} {word[:room]}-")
                    line = word[room:]
                    continue
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        lines.append("")
    out: list[str] = []
    junk: list[tuple[int, int]] = []
    pos = 0

    def emit(s: str, is_junk: bool) -> None:
        nonlocal pos
        if is_junk:
            junk.append((pos, pos + len(s)))
        out.append(s + "\n")
        pos += len(s) + 1

    page_lines = 40
    pages = [lines[i : i + page_lines] for i in range(0, len(lines), page_lines)]
    for n, page in enumerate(pages, start=1):
        emit(f"{outlet.upper()} | {when}", True)
        emit("", False)
        for s in page:
            emit(s, False)
        emit(f"Page {n} of {len(pages)}", True)
        if n < len(pages):
            out.append("\f")
            pos += 1
    return "".join(out), junk


def _scraped(
    segments: Sequence[str], related_title: str, rng: random.Random
) -> tuple[str, list[tuple[int, int]]]:
    """The translation wrapped in scraper junk, with the junk spans."""
    parts: list[tuple[str, bool]] = [(segments[0], False), (_SCRAPER_TOP[0], True)]
    body = list(segments[1:])
    cut = max(1, len(body) // 2)
    parts += [(s, False) for s in body[:cut]]
    parts += [(f"Related: {related_title}", True), (_SCRAPER_TOP[1], True)]
    parts += [(s, False) for s in body[cut:]]
    parts.append((_SCRAPER_APPEAL, True))
    comments = rng.randint(2, 9)
    parts.append((f"{comments} comments", True))
    parts.append(("Sign in to join the conversation.", True))
    parts.append(
        (f"kestrel_fan{rng.randint(10, 99)} · 2 hours ago\nWhat a story, thanks for sharing!", True)
    )
    text, junk, pos = "", [], 0
    for part, is_junk in parts:
        chunk = part + "\n\n"
        if is_junk:
            junk.append((pos, pos + len(part)))
        text += chunk
        pos += len(chunk)
    return text, junk


def build(data: str | os.PathLike[str], out: str | os.PathLike[str], seed: int = SEED) -> Path:
    """Write ``docs.jsonl`` (the documents) and ``answers.json`` into ``out``."""
    rng = random.Random(seed)
    stories = _wmt21_stories(Path(data))
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)
    titles = {
        sid: next(
            (str(v["text"]).split("\n")[0] for v in vs.values() if v.get("lang") == "en"),
            sid,
        )
        for sid, vs in stories.items()
    }
    parents: dict[str, str] = {}
    story_of: dict[str, str] = {}
    origins: dict[str, str] = {}
    junk: dict[str, list[tuple[int, int]]] = {}
    records: list[Row] = []
    for n, sid in enumerate(sorted(stories)):
        versions = stories[sid]
        orig = next((v for v in versions.values() if v.get("kind") == "original"), None)
        mts = sorted(
            (v for v in versions.values() if v.get("kind") == "machine_translation"),
            key=lambda v: str(v["id"]),
        )
        if orig is None or len(mts) < 2:
            continue
        mt1, mt2 = rng.sample(mts, 2)
        t0 = base + timedelta(days=n * 3, minutes=rng.randrange(0, 600))
        en = rng.sample(_EN_OUTLETS, 5)
        outlets = {
            "orig": rng.choice(_RU_OUTLETS),
            "mt1": en[0],
            "mt2": en[1],
            "rewrite": en[2],
            "pdf": en[2],
            "scraped": en[3],
        }
        mt1_segments = [s for s in str(mt1["text"]).split("\n") if s.strip()]
        mt2_segments = [s for s in str(mt2["text"]).split("\n") if s.strip()]
        rewrite = _rewrite(mt1_segments, rng, outlets["mt1"])
        when = (t0 + timedelta(hours=_HOURS["pdf"])).strftime("%d %B %Y")
        pdf, pdf_junk = _pdf(rewrite, outlets["pdf"], when, rng)
        other = sorted(s for s in stories if s != sid)
        scraped, scraped_junk = _scraped(mt2_segments, titles[rng.choice(other)], rng)
        texts = {
            "orig": "\n\n".join(s for s in str(orig["text"]).split("\n") if s.strip()) + "\n",
            "mt1": "\n\n".join(mt1_segments) + "\n",
            "mt2": "\n\n".join(mt2_segments) + "\n",
            "rewrite": rewrite,
            "pdf": pdf,
            "scraped": scraped,
        }
        ids = {role: f"chain-{n:03d}-{role}" for role in ROLES}
        for role in ROLES:
            doc_id = ids[role]
            published = t0 + timedelta(hours=_HOURS[role], minutes=rng.randrange(0, 50))
            record: Row = {
                "id": doc_id,
                "lang": "ru" if role == "orig" else "en",
                "source": outlets[role],
                "text": texts[role],
            }
            if rng.random() >= 0.25:
                record["published"] = published.isoformat()
            records.append(record)
            story_of[doc_id] = sid
            if role in PARENT_ROLE:
                parents[doc_id] = ids[PARENT_ROLE[role]]
        origins[sid] = ids["orig"]
        junk[ids["pdf"]] = pdf_junk
        junk[ids["scraped"]] = scraped_junk
    rng.shuffle(records)
    with (out_dir / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    answers = Answers(parents, story_of, origins, junk)
    (out_dir / "answers.json").write_text(
        json.dumps(answers.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return out_dir


def _chars(text: str, spans: Sequence[tuple[int, int]]) -> set[int]:
    return {
        i for a, b in spans for i in range(max(0, a), min(b, len(text))) if not text[i].isspace()
    }


def score_report(report: Report, answers: Answers, texts: Mapping[str, str]) -> ChainsScores:
    """Scores of a report (``codec.report_from_plain`` reads a report.json) against the
    answers; ``texts`` are the raw documents (for the junk characters)."""
    predicted = {m: s.id for s in report.stories for m in s.members}
    story = pairwise_clustering(predicted, answers.stories)
    parent_of = {e.child: e.parent for s in report.stories for e in s.edges}
    parent_acc = accuracy(parent_of, answers.parents)
    origins_of = {m: s.origins for s in report.stories for m in s.members}
    hits = sum(1 for doc in answers.origins.values() if origins_of.get(doc) == (doc,))
    origin_acc = hits / len(answers.origins) if answers.origins else 0.0
    removed = {d.id: [(r.start, r.end) for r in d.removed] for d in report.documents}
    tp = fp = fn = 0
    for doc, gold_spans in answers.junk.items():
        text = texts.get(doc, "")
        gold = _chars(text, gold_spans)
        got = _chars(text, removed.get(doc, []))
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    junk = PRF.from_counts(tp, fp, fn)
    return ChainsScores(
        story=story,
        parent_accuracy=parent_acc,
        origin_accuracy=origin_acc,
        junk=junk,
        documents=len(answers.stories),
        stories=len(report.stories),
    )


def load(folder: str | os.PathLike[str]) -> tuple[Answers, dict[str, str]]:
    """The answers and raw texts of a built set."""
    root = Path(folder)
    answers = Answers.from_json(json.loads((root / "answers.json").read_text(encoding="utf-8")))
    texts: dict[str, str] = {}
    with (root / "docs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            texts[str(rec["id"])] = str(rec["text"])
    return answers, texts


def run(
    data: str | os.PathLike[str], out: str | os.PathLike[str], **analyze_kwargs: Any
) -> ChainsScores:
    """Build the set from WMT21 into ``out/set``, analyse its documents and score them."""
    from storytrace.pipeline import analyze

    out_dir = Path(out)
    built = build(data, out_dir / "set")
    answers, texts = load(built)
    result = analyze([built / "docs.jsonl"], out_dir / "analysis", **analyze_kwargs)
    return score_report(result.records, answers, texts)
