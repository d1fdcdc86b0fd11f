"""Wire copy and the newspaper stories written from it: a derivation set built unlike
``storytrace.eval.chains``, after the METER corpus (a news agency's copy and the next
morning's papers, each paper labelled wholly, partially or not derived).

The wire copies and every other sentence are real news text handed in by the caller (the
runner reads them from ``../shared/eval`` at run time; nothing is stored in the project).
From each wire copy this module writes several newspaper stories printed the same morning,
each with a label and the character spans of the paper that hold reused wire text:

- **wholly derived**: most of the wire, cut (20-60% of its sentences dropped, later ones
  more often, as papers cut from the bottom), regrouped into short paragraphs and partly
  reordered, re-quoted ("said" -> "told reporters"), lightly edited (the day name becomes
  "yesterday", British spelling, single quotes, contractions, a relative clause cut), under
  a new lead sentence of the paper's own and a byline;
- **partially derived**: 20-50% of the sentences from the wire (edited the same way), the
  rest "other reporting": real sentences of another text on another topic whose proper names
  are replaced by the wire's names, so the paper reads as the same event;
- **not derived**: written without the wire: the same kind of other text with the wire's
  names, and a lead of the paper's own naming the wire's people and places. It shares names
  and topic words with the wire, never its wording. (Two human translations of one WMT21
  story would share the event but not independence: both derive from one source; so the
  independent story is built from an unrelated real text by putting the event's names in.)

Some derived papers credit the agency, some do not; a quarter of the papers are undated; the
wire is always dated, the papers next morning within two hours of each other (siblings).
Ids are content-free hashes, so nothing in a document's id or source tells its label.

The scorer reads a ``Report`` (``codec.report_from_plain`` reads a report.json) and gives
derived-vs-not F1 over (wire, paper)
pairs, three-way wholly/partially/not macro-F1, reused-token F1 and parent accuracy.
Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from storytrace.codec import Row
from storytrace.eval.metrics import PRF
from storytrace.records import LineageEdge, Report, Story

SEED = 1998  # METER's year
LABELS = ("wholly", "partially", "not")

AGENCIES = (
    "Allied Press Service",
    "Continental Newswire",
    "Northern Press Agency",
    "Transmarine News Agency",
)
PAPERS = (
    "The Morning Courier",
    "Daily Clarion",
    "The Weekday Mirror",
    "The Sentinel-Express",
    "Evening Lantern",
    "The National Tribune",
    "Daily Beacon",
    "The Morning Star-Ledger",
    "Commonwealth Gazette",
    "The Daily Register",
)
_FIRST = ("Helen", "Mark", "Priya", "Tom", "Aisha", "James", "Sarah", "Owen", "Ruth", "Ken")
_LAST = ("Holloway", "Brennan", "Okafor", "Whitfield", "Castell", "Mercer", "Dunmore", "Lyle")
_CREDITS = (
    "{a} reported the details earlier.",
    "The news was first reported by {a}.",
    "Additional reporting by {a}.",
    "Details were given to {a} yesterday.",
)
_LEADS = (
    "Questions were mounting last night over the events involving {x}.",
    "{x} was at the centre of attention yesterday as details emerged from {y}.",
    "There was growing reaction yesterday to the news concerning {x} and {y}.",
    "Attention turned to {x} last night.",
    "The latest developments involving {x} and {y} were being closely watched last night.",
)
_REQUOTE = ("told reporters", "explained", "insisted", "added", "commented")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_CONTRACTIONS = (
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("did not", "didn't"),
    ("is not", "isn't"),
    ("was not", "wasn't"),
    ("will not", "won't"),
    ("cannot", "can't"),
    ("it is", "it's"),
)
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "lt", "col", "prof", "inc", "jr",
    "sr", "no", "vs", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g",
    "i.e", "co", "corp", "ltd", "mt", "ft",
))  # fmt: skip
_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|[A-Z]\.))*\b")
_TOKEN = re.compile(r"\w+")
_QUOTE = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{10,200}?)[,.!?]?[\"\u201d]")


@dataclass(frozen=True, slots=True)
class Source:
    """A real text: its key (where it came from), an optional title and its paragraphs,
    each a tuple of sentences."""

    key: str
    paragraphs: tuple[tuple[str, ...], ...]
    title: str | None = None

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]


@dataclass(frozen=True, slots=True)
class Paper:
    """A generated newspaper story and its answer."""

    id: str
    label: str  # wholly | partially | not
    text: str
    source: str
    published: str | None
    spans: tuple[tuple[int, int, str], ...]  # reused wire text in ``text``: start, end, kind
    credited: bool
    reuse: float  # share of the paper's word tokens inside ``spans``
    shared_quote: bool = False  # a not-derived story quoting what the wire quotes

    def answer(self) -> Row:
        return {
            "id": self.id,
            "label": self.label,
            "spans": [list(s) for s in self.spans],
            "credited": self.credited,
            "dated": self.published is not None,
            "reuse": round(self.reuse, 4),
            "shared_quote": self.shared_quote,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class WireItem:
    """A wire copy, its agency and the papers written the next morning."""

    key: str
    id: str
    agency: str
    text: str
    published: str
    papers: tuple[Paper, ...] = field(default=())

    def records(self) -> list[Row]:
        """The documents as JSONL records (no answers in them)."""
        out: list[Row] = [
            {"id": self.id, "source": self.agency, "published": self.published, "text": self.text}
        ]
        for p in self.papers:
            rec: Row = {"id": p.id, "source": p.source, "text": p.text}
            if p.published is not None:
                rec["published"] = p.published
            out.append(rec)
        return out

    def answer(self) -> Row:
        return {
            "key": self.key,
            "wire": self.id,
            "agency": self.agency,
            "papers": [p.answer() for p in self.papers],
        }


# --- text helpers -------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph: a cut after . ! ? (and closing quotes) followed by space
    and a capital, digit or opening quote, except after a known abbreviation or an initial."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        nxt = text[m.end() : m.end() + 2]
        if not nxt or not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"“‘'("):
            continue
        before = text[start : m.start()].rsplit(None, 1)
        word = before[-1].lower().strip("\"“‘'(") if before else ""
        if text[m.start()] == "." and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        out.append(text[start : m.start() + len(m.group(0).rstrip())].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def source_from_text(key: str, text: str, title: str | None = None) -> Source:
    """A :class:`Source` from plain text: one paragraph per non-empty line."""
    paragraphs = tuple(
        tuple(split_sentences(line.strip())) for line in text.splitlines() if line.strip()
    )
    return Source(key, tuple(p for p in paragraphs if p), title)


def tokens(text: str) -> list[tuple[int, int]]:
    """Word tokens (``\\w+``) as character spans."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def word_ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _TOKEN.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def shares_text(a: str, b: str, n: int = 8) -> bool:
    """Whether two texts share any word ``n``-gram (then one may derive from the other, and
    they must not both stand in a set as unrelated texts)."""
    return bool(word_ngrams(a, n) & word_ngrams(b, n))


def names(sentences: Iterable[str]) -> list[str]:
    """Proper names of a text, most frequent first: runs of capitalised words inside a
    sentence, after a lower-case word or a comma (calendar words excluded)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for sentence in sentences:
        for m in _NAME.finditer(sentence):
            before = sentence[: m.start()].rstrip()
            if not before or not (before[-1].islower() or before[-1] in ",;("):
                continue  # a sentence (or list item, or quote) opens with it: not a name
            name = m.group(0)
            if name in _DAYS or name in _MONTHS:
                continue
            counts[name] += 1
            first.setdefault(name, len(first))
    return sorted(counts, key=lambda n: (-counts[n], first[n]))


def inject_names(sentences: Sequence[str], target: Sequence[str]) -> list[str]:
    """Replace the proper names of ``sentences`` by ``target`` names, rank for rank (the
    most frequent name of one becomes the most frequent of the other), so another text reads
    as being about the same people and places without sharing any wording."""
    own = names(sentences)
    if not own or not target:
        return list(sentences)
    mapping = {name: target[i % len(target)] for i, name in enumerate(own)}
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True)) + r")\b"
    )
    return [pattern.sub(lambda m: mapping[m.group(0)], s) for s in sentences]


@dataclass(frozen=True, slots=True)
class Style:
    """A paper's house style: British spelling and single quotes, or not."""

    british: bool
    single_quotes: bool


def edit_sentence(sentence: str, rng: random.Random, style: Style) -> tuple[str, bool]:
    """A lightly edited copy of a wire sentence, and whether anything changed."""
    s = sentence
    if rng.random() < 0.7:
        s = re.sub(r"\b(said|says)\b", lambda _: rng.choice(_REQUOTE), s, count=1)
    if rng.random() < 0.6:
        s = re.sub(r"\b(?:on|On) (?:" + "|".join(_DAYS) + r")\b", "yesterday", s)
    if rng.random() < 0.3:
        for long, short in _CONTRACTIONS:
            s = re.sub(rf"\b{long}\b", short, s)
    if rng.random() < 0.3:
        s = re.sub(r", (?:which|who) [^,;.]+(?=[,;.])", "", s, count=1)
    if style.british:
        s = re.sub(r"\b(\w{3,})iz(e|ed|es|ing|ation)\b", r"\1is\2", s)
        s = re.sub(
            r"(?<=\d)%|\bpercent\b", lambda m: " per cent" if m.group(0) == "%" else "per cent", s
        )
    if style.single_quotes:
        s = s.replace("“", "‘").replace("”", "’").replace('"', "'")
    return s, s != sentence


def _weighted_drop(n: int, k: int, rng: random.Random) -> set[int]:
    """``k`` of ``range(n)`` without replacement, later positions more likely (papers cut
    from the bottom): Efraimidis-Spirakis keys with weight ``i + 1``."""
    keys = sorted(((rng.random() ** (1.0 / (i + 1)), i) for i in range(n)), reverse=True)
    return {i for _, i in keys[:k]}


def _hash_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def half_of(key: str) -> str:
    """``dev`` or ``holdout``, from a hash of an item's key (stable across runs and sets)."""
    return (
        "dev" if int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0 else "holdout"
    )


class _Writer:
    """Assembles a paper paragraph by paragraph and records the reused spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[tuple[int, int, str]] = []

    def paragraph(self, sentences: Sequence[tuple[str, str | None]]) -> None:
        """Add a paragraph of ``(sentence, kind)``; kind ``None`` = not from the wire."""
        if self.parts:
            self.parts.append("\n\n")
            self.pos += 2
        for j, (sentence, kind) in enumerate(sentences):
            if j:
                self.parts.append(" ")
                self.pos += 1
            if kind is not None:
                self.spans.append((self.pos, self.pos + len(sentence), kind))
            self.parts.append(sentence)
            self.pos += len(sentence)

    def text(self) -> str:
        return "".join(self.parts) + "\n"


def _reuse_share(text: str, spans: Sequence[tuple[int, int, str]]) -> float:
    toks = tokens(text)
    if not toks:
        return 0.0
    inside = sum(1 for a, _ in toks if any(s <= a < e for s, e, _ in spans))
    return inside / len(toks)


def _lead(wire_names: Sequence[str], rng: random.Random) -> str:
    x = wire_names[0] if wire_names else "the authorities"
    y = wire_names[1] if len(wire_names) > 1 else "officials"
    return rng.choice(_LEADS).format(x=x, y=y)


def _byline(rng: random.Random) -> str:
    return f"By {rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _edited(
    sentences: Sequence[str], rng: random.Random, style: Style
) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for s in sentences:
        new, changed = edit_sentence(s, rng, style)
        out.append((new, "edited" if changed else "verbatim"))
    return out


def _in_paragraphs(
    items: Sequence[tuple[str, str | None]], rng: random.Random
) -> list[list[tuple[str, str | None]]]:
    """Short newspaper paragraphs of one or two sentences."""
    paras: list[list[tuple[str, str | None]]] = []
    i = 0
    while i < len(items):
        size = 1 if rng.random() < 0.6 else 2
        paras.append(list(items[i : i + size]))
        i += size
    return paras


def wholly(
    wire: Source, rng: random.Random, style: Style, credit: str | None
) -> tuple[list[list[tuple[str, str | None]]], str]:
    """Paragraphs of a wholly derived paper (new lead, cut, reordered, edited wire)."""
    sents = wire.sentences
    drop = _weighted_drop(
        len(sents), min(len(sents) - 2, round(len(sents) * rng.uniform(0.2, 0.6))), rng
    )
    kept = [s for i, s in enumerate(sents) if i not in drop]
    paras = _in_paragraphs(_edited(kept, rng, style), rng)
    if len(paras) >= 3 and rng.random() < 0.8:  # move one paragraph (never the first)
        para = paras.pop(rng.randrange(1, len(paras)))
        paras.insert(rng.randrange(1, len(paras) + 1), para)
    if len(paras) >= 4 and rng.random() < 0.4:
        i, j = rng.sample(range(1, len(paras)), 2)
        paras[i], paras[j] = paras[j], paras[i]
    wire_names = names(sents)
    paras.insert(0, [(_lead(wire_names, rng), None)])
    if credit is not None:
        line = rng.choice(_CREDITS).format(a=credit)
        if line.startswith("Additional"):
            paras.append([(line, None)])
        else:
            paras.insert(rng.randrange(2, len(paras) + 1), [(line, None)])
    return paras, "wholly"


def partially(
    wire: Source, other: Source, rng: random.Random, style: Style, credit: str | None
) -> tuple[list[list[tuple[str, str | None]]], str]:
    """Paragraphs of a partially derived paper: 20-50% of the sentences from the wire, the
    rest the paper's "other reporting" (another real text, the wire's names put in)."""
    sents = wire.sentences
    others = inject_names(other.sentences, names(sents))
    share = rng.uniform(0.2, 0.5)
    w = max(1, min(len(sents) - 1, rng.randint(2, max(2, min(6, len(sents) // 2)))))
    m = round(w * (1 - share) / share)
    if m > len(others):  # a short other text: fewer wire sentences, to keep the share
        m = len(others)
        w = max(1, min(w, round(m * share / (1 - share))))
    start = rng.randrange(0, len(sents) - w + 1)
    taken = _edited(sents[start : start + w], rng, style)
    own = _in_paragraphs([(s, None) for s in others[:m]], rng)
    blocks = _in_paragraphs(taken, rng)
    for block in blocks:  # never before the paper's own lead
        own.insert(rng.randrange(1, len(own) + 1), block)
    if credit is not None:
        own.insert(rng.randrange(1, len(own) + 1), [(rng.choice(_CREDITS).format(a=credit), None)])
    return own, "partially"


def quotes(sentences: Iterable[str]) -> list[str]:
    """Direct quotes of 4 to 15 words in ``sentences`` (what a speaker said in quote marks)."""
    out: list[str] = []
    for sentence in sentences:
        for m in _QUOTE.finditer(sentence):
            words = m.group(1).split()
            if 4 <= len(words) <= 15:
                out.append(m.group(1).strip())
    return out


def not_derived(
    wire: Source, other: Source, rng: random.Random
) -> tuple[list[list[tuple[str, str | None]]], bool]:
    """Paragraphs of a story on the same event written without the wire, and whether it
    shares a direct quote with the wire: as papers that were at the same press conference
    do (METER counts such stories as not derived), in 40% of those whose wire has one."""
    sents = wire.sentences
    wire_names = names(sents)
    k = max(4, min(14, round(len(sents) * rng.uniform(0.6, 1.0))))
    own = inject_names(other.sentences[:k], wire_names)
    paras = _in_paragraphs([(s, None) for s in own], rng)
    said = quotes(sents)
    shared = bool(said) and rng.random() < 0.4
    if shared:
        speaker = wire_names[0] if wire_names else "A spokesman"
        line = f"{speaker} told a press conference: \u201c{rng.choice(said)}\u201d"
        paras.insert(rng.randrange(1, len(paras) + 1), [(line, None)])
    paras.insert(0, [(_lead(wire_names, rng), None)])
    return paras, shared


def _labels(rng: random.Random) -> list[str]:
    """The papers of one wire item: at least one wholly and one partially derived; a story
    written without the wire in most items; one or two more of either derived kind."""
    labels = ["wholly", "partially"]
    if rng.random() < 0.75:
        labels.append("not")
    labels += rng.choices(("wholly", "partially"), weights=(2, 3), k=rng.randint(0, 2))
    rng.shuffle(labels)
    return labels


def wire_text(wire: Source) -> str:
    """The wire copy as a document: its title line, then one paragraph per line pair."""
    body = "\n\n".join(" ".join(p) for p in wire.paragraphs)
    return (f"{wire.title}\n\n{body}" if wire.title else body) + "\n"


def build_items(
    wires: Sequence[Source], others: Sequence[Source], seed: int = SEED
) -> list[WireItem]:
    """Wire items with their papers. Each "other" text is used by one paper at most, so no
    two papers share text except through their wire. Items whose wire has fewer than four
    sentences are skipped; generation stops when the other texts run out."""
    rng = random.Random(seed)
    pool = list(others)
    base = datetime(1999, 3, 1, tzinfo=UTC)
    items: list[WireItem] = []
    for n, wire in enumerate(wires):
        if len(wire.sentences) < 4:
            continue
        labels = _labels(rng)
        need = sum(1 for x in labels if x != "wholly")
        if need > len(pool):
            break
        agency = rng.choice(AGENCIES)
        t0 = base + timedelta(days=n, hours=rng.randint(9, 19), minutes=rng.randrange(60))
        morning = datetime(t0.year, t0.month, t0.day, 5, tzinfo=UTC) + timedelta(days=1)
        outlets = rng.sample(PAPERS, len(labels))
        wire_id = _hash_id("wire", wire.key, str(seed))
        papers: list[Paper] = []
        for j, (label, outlet) in enumerate(zip(labels, outlets, strict=True)):
            style = Style(british=rng.random() < 0.7, single_quotes=rng.random() < 0.5)
            credit = agency if label != "not" and rng.random() < 0.5 else None
            shared_quote = False
            if label == "wholly":
                paras, _ = wholly(wire, rng, style, credit)
            elif label == "partially":
                paras, _ = partially(wire, pool.pop(0), rng, style, credit)
            else:
                paras, shared_quote = not_derived(wire, pool.pop(0), rng)
            writer = _Writer()
            writer.paragraph([(_byline(rng), None)])
            for para in paras:
                writer.paragraph(para)
            text = writer.text()
            when = morning + timedelta(minutes=rng.randrange(120))
            papers.append(
                Paper(
                    id=_hash_id("paper", wire.key, str(j), str(seed)),
                    label=label,
                    text=text,
                    source=outlet,
                    published=None if rng.random() < 0.25 else when.isoformat(),
                    spans=tuple(writer.spans),
                    credited=credit is not None,
                    shared_quote=shared_quote,
                    reuse=_reuse_share(text, writer.spans),
                )
            )
        items.append(
            WireItem(wire.key, wire_id, agency, wire_text(wire), t0.isoformat(), tuple(papers))
        )
    return items


# --- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WireScores:
    derived: PRF
    all_derived_f1: float
    macro_f1: float
    per_label_f1: dict[str, float]
    tokens: PRF
    parent_accuracy: float
    sibling_parents: int
    no_parent: int
    edges_into_not_derived: int
    reversed_edges: int  # a paper made the parent of its own wire copy
    cross_item_edges: int  # edges between documents of different wire items (false)
    quote_papers: int  # not-derived papers sharing a direct quote with the wire
    quote_linked: int  # ... of them found "derived"
    credit_recall: float  # credited papers whose story attributions name the agency
    credit_false: int  # uncredited papers with an attribution to the agency
    wire_origin: float  # stories holding a wire and its derived papers: wire among origins
    wire_stories: int
    undirected_derived: int  # derived papers linked to their wire without a direction
    undirected_not: int  # not-derived papers linked to the wire without a direction
    reuse_mae: float | None
    recall_credited: float
    recall_uncredited: float
    recall_undated: float
    degree_from: str
    wires: int
    papers: int
    pairs_by_label: dict[str, int]

    def as_dict(self) -> Row:
        return {
            "derived_precision": round(self.derived.precision, 4),
            "derived_recall": round(self.derived.recall, 4),
            "derived_f1": round(self.derived.f1, 4),
            "all_derived_f1": round(self.all_derived_f1, 4),
            "three_way_macro_f1": round(self.macro_f1, 4),
            "per_label_f1": {k: round(v, 4) for k, v in self.per_label_f1.items()},
            "token_precision": round(self.tokens.precision, 4),
            "token_recall": round(self.tokens.recall, 4),
            "token_f1": round(self.tokens.f1, 4),
            "parent_accuracy": round(self.parent_accuracy, 4),
            "sibling_parents": self.sibling_parents,
            "derived_without_parent": self.no_parent,
            "edges_into_not_derived": self.edges_into_not_derived,
            "reversed_edges": self.reversed_edges,
            "cross_item_edges": self.cross_item_edges,
            "not_derived_sharing_a_quote": self.quote_papers,
            "not_derived_sharing_a_quote_found_derived": self.quote_linked,
            "credit_recall": round(self.credit_recall, 4),
            "credit_false": self.credit_false,
            "wire_origin_accuracy": round(self.wire_origin, 4),
            "wire_stories": self.wire_stories,
            "undirected_wire_links_derived": self.undirected_derived,
            "undirected_wire_links_not_derived": self.undirected_not,
            "reuse_mae": None if self.reuse_mae is None else round(self.reuse_mae, 4),
            "derived_recall_credited": round(self.recall_credited, 4),
            "derived_recall_uncredited": round(self.recall_uncredited, 4),
            "derived_recall_undated": round(self.recall_undated, 4),
            "degree_from": self.degree_from,
            "wires": self.wires,
            "papers": self.papers,
            "pairs_by_label": {**self.pairs_by_label},
        }


def edges_by_child(report: Report) -> dict[str, list[LineageEdge]]:
    out: dict[str, list[LineageEdge]] = {}
    for story in report.stories:
        for edge in story.edges:
            out.setdefault(edge.child, []).append(edge)
    return out


def undirected_links(report: Report) -> set[frozenset[str]]:
    """Pairs the report links without a direction (a story's ``undirected`` entries: text
    shared, nothing telling who took it from whom)."""
    return {frozenset((u.a, u.b)) for story in report.stories for u in story.undirected}


def aligned_child_spans(report: Report) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Per (parent, child) alignment, the child's (start, end) in aligned passages."""
    out: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for al in report.alignments:
        out.setdefault((al.a, al.b), []).extend((p.b.start, p.b.end) for p in al.passages)
    return out


def path_edge(
    by_child: Mapping[str, Sequence[LineageEdge]], ancestor: str, doc: str
) -> LineageEdge | None:
    """The edge into ``doc`` on a path of parent edges from ``ancestor`` (the direct edge when
    there is one), or None when ``ancestor`` is not an ancestor of ``doc``."""
    edges = by_child.get(doc, [])
    for edge in edges:
        if edge.parent == ancestor:
            return edge
    for edge in edges:
        seen = {doc}
        stack = [edge.parent]
        while stack:
            node = stack.pop()
            if node == ancestor:
                return edge
            if node in seen:
                continue
            seen.add(node)
            stack.extend(e.parent for e in by_child.get(node, []))
    return None


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, dict[str, float]]:
    per: dict[str, float] = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        per[label] = PRF.from_counts(tp, fp, fn).f1
    return sum(per.values()) / len(per), per


def token_set(text: str, spans: Iterable[Sequence[int]]) -> set[int]:
    """Start offsets of the tokens of ``text`` whose first character lies in a span."""
    ranges = [(int(s[0]), int(s[1])) for s in spans]
    return {a for a, _ in tokens(text) if any(s <= a < e for s, e in ranges)}


def score_wire(
    report: Report, answers: Sequence[Mapping[str, Any]], texts: Mapping[str, str]
) -> WireScores:
    """Scores of a report against the answers of :func:`build_items` (``WireItem.answer()``
    dicts); ``texts`` are the papers' texts by id."""
    by_child = edges_by_child(report)
    undirected = undirected_links(report)
    no_direction = [0, 0]  # not derived, derived: linked to the wire without a direction
    aligned = aligned_child_spans(report)
    has_degree = any(by_child.values())
    gold_d: list[bool] = []
    pred_d: list[bool] = []
    gold3: list[str] = []
    pred3: list[str] = []
    tok_tp = tok_fp = tok_fn = 0
    parent_hits = parent_total = siblings = no_parent = into_not = 0
    quote_papers = quote_linked = 0
    reuse_err: list[float] = []
    found: dict[str, list[bool]] = {"credited": [], "uncredited": [], "undated": []}
    counts: Counter[str] = Counter()
    papers = 0
    for item in answers:
        wire = str(item["wire"])
        sibling_ids = {str(p["id"]) for p in item["papers"]}
        for paper in item["papers"]:
            pid, label = str(paper["id"]), str(paper["label"])
            papers += 1
            counts[label] += 1
            edge = path_edge(by_child, wire, pid)
            derived = edge is not None
            if not derived and frozenset((wire, pid)) in undirected:
                no_direction[label != "not"] += 1
            gold_d.append(label != "not")
            pred_d.append(derived)
            gold3.append(label)
            pred3.append(edge.degree if edge is not None else "not")
            text = texts.get(pid, "")
            gold_tokens = token_set(text, paper["spans"])
            got_tokens = token_set(text, aligned.get((wire, pid), []))
            tok_tp += len(gold_tokens & got_tokens)
            tok_fp += len(got_tokens - gold_tokens)
            tok_fn += len(gold_tokens - got_tokens)
            incoming = by_child.get(pid, [])
            if label == "not":
                into_not += len(incoming)
                if paper.get("shared_quote"):
                    quote_papers += 1
                    quote_linked += derived
                continue
            parent_total += 1
            if incoming:
                best = max(incoming, key=lambda e: e.confidence)
                if best.parent == wire:
                    parent_hits += 1
                elif best.parent in sibling_ids:
                    siblings += 1
            else:
                no_parent += 1
            direct = next((e for e in incoming if e.parent == wire), None)
            if direct is not None:
                reuse_err.append(abs(direct.reuse - float(paper["reuse"])))
            found["credited" if paper["credited"] else "uncredited"].append(derived)
            if not paper["dated"]:
                found["undated"].append(derived)
    credits: dict[str, set[str]] = {}
    story_of: dict[str, Story] = {}
    for each in report.stories:
        for doc, named_by in each.attributions.items():
            credits.setdefault(doc, set()).update(a.outlet.lower() for a in named_by)
        for member in each.members:
            story_of[member] = each
    credit_hits = credit_total = credit_false = origin_hits = origin_total = 0
    for item in answers:
        agency = str(item.get("agency", "")).lower()
        for paper in item["papers"]:
            named = agency in credits.get(str(paper["id"]), set())
            if paper["credited"]:
                credit_total += 1
                credit_hits += named
            else:
                credit_false += named
        story = story_of.get(str(item["wire"]))
        derived_ids = {str(p["id"]) for p in item["papers"] if p["label"] != "not"}
        if story is not None and derived_ids & set(story.members):
            origin_total += 1
            origin_hits += str(item["wire"]) in story.origins
    item_of = {str(i["wire"]): n for n, i in enumerate(answers)}
    item_of.update({str(p["id"]): n for n, i in enumerate(answers) for p in i["papers"]})
    wire_ids = {str(i["wire"]) for i in answers}
    all_edges = [e for es in by_child.values() for e in es]
    reversed_edges = sum(
        1 for e in all_edges if e.child in wire_ids and item_of.get(e.parent) == item_of[e.child]
    )
    cross = sum(
        1
        for e in all_edges
        if e.parent in item_of and e.child in item_of and item_of[e.parent] != item_of[e.child]
    )
    tp = sum(1 for g, p in zip(gold_d, pred_d, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold_d, pred_d, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold_d, pred_d, strict=True) if g and not p)
    n_pos = sum(gold_d)
    macro, per = _macro_f1(gold3, pred3)

    def rate(xs: list[bool]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    return WireScores(
        derived=PRF.from_counts(tp, fp, fn),
        all_derived_f1=PRF.from_counts(n_pos, len(gold_d) - n_pos, 0).f1,
        macro_f1=macro,
        per_label_f1=per,
        tokens=PRF.from_counts(tok_tp, tok_fp, tok_fn),
        parent_accuracy=parent_hits / parent_total if parent_total else 0.0,
        sibling_parents=siblings,
        no_parent=no_parent,
        edges_into_not_derived=into_not,
        reversed_edges=reversed_edges,
        cross_item_edges=cross,
        quote_papers=quote_papers,
        quote_linked=quote_linked,
        credit_recall=credit_hits / credit_total if credit_total else 0.0,
        credit_false=credit_false,
        wire_origin=origin_hits / origin_total if origin_total else 0.0,
        wire_stories=origin_total,
        undirected_derived=no_direction[1],
        undirected_not=no_direction[0],
        reuse_mae=sum(reuse_err) / len(reuse_err) if reuse_err else None,
        recall_credited=rate(found["credited"]),
        recall_uncredited=rate(found["uncredited"]),
        recall_undated=rate(found["undated"]),
        degree_from="degree field" if has_degree else "relation (partial_reuse = partially)",
        wires=len(answers),
        papers=papers,
        pairs_by_label=dict(sorted(counts.items())),
    )
