"""Junk written apart from the cue lists: does the cleaner hold on wording it never saw?

``clean`` was built with cue lists (``cleaning_cues``) and the chains set was built by the
same hands. This generator is written separately, in other wordings and languages (English,
German, French, Spanish, Italian, Dutch, Portuguese, Polish), and wraps real news text (the
English human translations of WMT21 ru-en, read from ../shared at run time, never copied
into the project) in the junk that scraper pages and PDF renditions carry: captions and
credits, running headers and footers with page numbers, mastheads, subscription pitches,
tag lists, source links, share bars, donation appeals and reader comments. Every junk span
is labelled with its kind.

Each story gets four versions: the article as published (no junk), a scraper copy of it, a
PDF rendition of it (hard-wrapped, hyphenated at line ends, with page furniture), and a
second, independent translation with scraper junk (its wording differs: a rewrite). The
wordings of every kind are split in two families: ``dev`` (what the cleaner may be checked
against while it is built) and ``held_out`` (kept unseen until the end); stories are split
the same way by a hash of their id.

Scores: junk precision, recall and F1 over the non-space characters of the labelled junk
that the cleaner removed, per kind recall, the share of real content removed, and how many
words hyphenated at a line end came back whole. Pure generation and scoring; the runner
reads the source texts.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storytrace.errors import InputError
from storytrace.eval.metrics import PRF

FAMILIES = ("dev", "held_out")

_FIRST = ("Marta", "Jonas", "Aline", "Tomasz", "Ines", "Pieter", "Lucia", "Henrik", "Sofia", "Rui")
_LAST = ("Kowalczyk", "Brandt", "Moreau", "Vidal", "Rossi", "de Vries", "Costa", "Lindqvist")
_OUTLETS = (
    "The Coastal Ledger", "Valley Morning Star", "Nordhafen Kurier", "La Voix du Plateau",
    "Diario del Sur", "Gazzetta di Collina", "Het Rivierblad", "Jornal da Serra",
    "Kurier Pomorski", "Highland Evening Post",
)  # fmt: skip
_TOPICS = ("politics", "economy", "energy", "Europe", "elections", "health", "transport", "culture")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "March", "May", "July", "September", "November")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _slug(outlet: str) -> str:
    return re.sub(r"[^a-z]+", "", outlet.lower().replace("the ", "")) + ".example"


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(2019, 2023)}"


# Wordings per kind: functions of (rng, outlet). Even positions are the ``dev`` family, odd
# the ``held_out`` one.
Template = Callable[[random.Random, str], str]

CAPTIONS: tuple[Template, ...] = (
    lambda r, o: (
        f"Residents wait outside the town hall on {r.choice(_DAYS)} morning. Image: {_name(r)} for {o}"
    ),
    lambda r, o: (
        f"Die Bürgermeisterin am {r.choice(_DAYS).lower()}abend vor dem Rathaus. Bild: {_name(r)}"
    ),
    lambda r, o: f"Pictured: the harbour front after the storm. Photograph by {_name(r)}",
    lambda r, o: f"Le ministre lors de sa visite sur le chantier. © {_name(r)} / {o}",
    lambda r, o: f"Supporters gather in the square ahead of the vote (Credit: {_name(r)})",
    lambda r, o: f"La alcaldesa durante la rueda de prensa. Foto cedida por {o}",
    lambda r, o: f"The damaged bridge, seen from the north bank. {_name(r)}/{o.upper()}",
    lambda r, o: (
        f"Il sindaco durante la conferenza stampa di {r.choice(_DAYS).lower()}. Foto: {_name(r)}"
    ),
    lambda r, o: f"Volunteers stack sandbags along the river wall (photo {_name(r)})",
    lambda r, o: f"De burgemeester tijdens het bezoek aan de haven. Beeld: {_name(r)}",
    lambda r, o: f"A view of the closed border crossing, {r.choice(_DAYS)} afternoon - {o} archive",
    lambda r, o: f"Protestujący przed budynkiem sądu. Fot. {_name(r)}",
)
PDF_HEADERS: tuple[Template, ...] = (
    lambda r, o: f"{o.upper()} · {r.choice(_DAYS)}, {_date(r)}",
    lambda r, o: f"{o} — Ausgabe vom {_date(r)}",
    lambda r, o: f"{o} | {_slug(o)}",
    lambda r, o: f"{o.upper()}   Édition du {_date(r)}",
)
PDF_FOOTERS: tuple[Template, ...] = (
    lambda r, o: "Page {n} of {total}",
    lambda r, o: "Seite {n}",
    lambda r, o: f"https://{_slug(o)}/print/{r.randint(10000, 99999)}" + "   {n}/{total}",
    lambda r, o: "— {n} —",
    lambda r, o: f"Printed from {_slug(o)} " + "· p. {n}",
    lambda r, o: "Strona {n} z {total}",
)
PITCHES: tuple[Template, ...] = (
    lambda r, o: (
        "Get the evening briefing in your inbox every weekday. It's free, sign up in one click."
    ),
    lambda r, o: (
        "Nichts mehr verpassen: Unser Newsletter kommt jeden Morgen um sieben. Jetzt eintragen!"
    ),
    lambda r, o: f"Never miss a story from {o}: join 40,000 readers who get our morning digest.",
    lambda r, o: (
        "Recevez chaque soir l'essentiel de l'actualité dans votre boîte mail. Inscrivez-vous gratuitement."
    ),
    lambda r, o: (
        "Want more stories like this one? Our weekly roundup lands every Friday - enter your email below."
    ),
    lambda r, o: "Ricevi ogni mattina le notizie più importanti: iscriviti alla nostra newsletter.",
)
TAGS: tuple[Template, ...] = (
    lambda r, o: "Topics: " + " · ".join(r.sample(_TOPICS, 3)),
    lambda r, o: "Schlagwörter: " + ", ".join(r.sample(_TOPICS, 3)),
    lambda r, o: "Filed under " + " / ".join(r.sample(_TOPICS, 2)),
    lambda r, o: "Mots-clés : " + " ; ".join(r.sample(_TOPICS, 3)),
    lambda r, o: "#" + " #".join(r.sample(_TOPICS, 4)),
    lambda r, o: "Etiquetas: " + ", ".join(r.sample(_TOPICS, 3)),
)
SOURCES: tuple[Template, ...] = (
    lambda r, o: f"This article first appeared on {_slug(o)}",
    lambda r, o: f"Quelle: {o}",
    lambda r, o: f"Continue reading at {_slug(o)}/news/{r.randint(1000, 9999)}",
    lambda r, o: f"Fuente original: https://{_slug(o)}/{r.randint(100, 999)}",
    lambda r, o: f"Read online: https://{_slug(o)}/a/{r.randint(100000, 999999)}",
    lambda r, o: f"Artykuł pochodzi z serwisu {_slug(o)}",
)
SHARE_BARS: tuple[Template, ...] = (
    lambda r, o: "Spread the word: Facebook  X  LinkedIn  Reddit",
    lambda r, o: "Artikel teilen: Facebook | X | Mail",
    lambda r, o: f"{r.randint(2, 900)} shares   Post   Send   Copy link",
    lambda r, o: "Partager sur : Facebook - X - WhatsApp",
    lambda r, o: "Pass it on ↗  Messenger · Telegram · Email",
    lambda r, o: "Udostępnij: Facebook, X, WhatsApp",
)
APPEALS: tuple[Template, ...] = (
    lambda r, o: (
        f"Reporting like this takes time and costs money. If you value {o}, chip in from €2 a month - every reader who gives keeps it free for all."
    ),
    lambda r, o: (
        "Guter Journalismus braucht Menschen, die ihn möglich machen. Helfen Sie mit einem kleinen Betrag - schon 5 Euro zählen."
    ),
    lambda r, o: (
        f"{o} has no billionaire owner and no paywall. We rely on readers like you: give once or monthly, it takes a minute."
    ),
    lambda r, o: (
        "Notre rédaction ne vit que grâce à vous. Faites un don dès 3 euros et défendez une presse libre."
    ),
    lambda r, o: (
        "Our newsroom runs on reader generosity. Could you spare the price of a coffee to keep this reporting going?"
    ),
    lambda r, o: "Sin tu ayuda este periodismo no es posible. Colabora hoy con lo que puedas.",
)
COMMENT_HEADS: tuple[Template, ...] = (
    lambda r, o: f"{r.randint(3, 80)} responses",
    lambda r, o: f"Leserkommentare ({r.randint(3, 80)})",
    lambda r, o: "What readers are saying",
    lambda r, o: f"Réactions ({r.randint(3, 80)})",
)
COMMENT_LINES = (
    "That is exactly what everyone predicted last year, nobody listened.",
    "Wer hätte das gedacht. Typisch.",
    "Source? I'd like to read the full report before I believe any of this.",
    "Encore une fois on nous prend pour des idiots.",
    "Well written, thank you for covering this.",
    "Bravo, finalmente qualcuno ne parla.",
    "lol as if anyone is surprised",
    "My brother lives there and says it is much worse than reported here.",
    "Schon wieder dieselbe Geschichte, jedes Jahr.",
    "Cuándo aprenderán, de verdad.",
    "This comment section is going to be a mess",
    "Great, another tax hike we will all pay for.",
    "Nog steeds geen antwoord op de echte vraag.",
    "I remember when this town still had a proper hospital.",
    "Et personne ne démissionne, évidemment.",
    "Can someone explain what this actually means for pensioners?",
)
COMMENT_META: tuple[Template, ...] = (
    lambda r, o: f"{r.choice(_FIRST).lower()}_{r.randint(1, 99)} · {r.randint(1, 23)} h",
    lambda r, o: f"{r.choice(_FIRST)} {r.choice(_LAST)[0]}. – vor {r.randint(2, 50)} Minuten",
    lambda r, o: f"{r.choice(_FIRST)}{r.randint(10, 99)} replied {r.randint(2, 9)} days back",
    lambda r, o: f"{r.choice(_FIRST)} · il y a {r.randint(2, 9)} heures",
)
COMMENT_ACTIONS: tuple[Template, ...] = (
    lambda r, o: f"Reply · {r.randint(0, 40)} likes",
    lambda r, o: f"Antworten   {r.randint(0, 40)} ↑",
    lambda r, o: f"▲ {r.randint(0, 40)}  ▼ {r.randint(0, 9)}  Report",
    lambda r, o: f"Répondre · {r.randint(0, 40)} j'aime",
)

KINDS = ("caption", "pitch", "tags", "source link", "share bar", "donation appeal", "comments")


def _family(templates: Sequence[Template], family: str) -> list[Template]:
    return list(templates[FAMILIES.index(family) :: 2])


class _Deck:
    """Draws a story's wordings: each kind's templates of the family, shuffled, dealt in turn,
    so that two versions of one story rarely print the same junk (sites differ)."""

    def __init__(self, family: str, rng: random.Random) -> None:
        self.family = family
        self.rng = rng
        self.decks: dict[int, list[object]] = {}

    def draw(self, items: Sequence[object], family_split: bool = True) -> object:
        key = id(items)
        deck = self.decks.get(key)
        if not deck:
            pool = _family(items, self.family) if family_split else list(items)  # type: ignore[arg-type]
            deck = list(pool)
            self.rng.shuffle(deck)
            self.decks[key] = deck
        return deck.pop()

    def text(self, templates: Sequence[Template], outlet: str) -> str:
        template = self.draw(templates)
        return str(template(self.rng, outlet))  # type: ignore[operator]


def _paragraphs(sentences: Sequence[str], rng: random.Random) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(sentences):
        size = rng.choice((1, 2, 2, 3))
        out.append(" ".join(s.strip() for s in sentences[i : i + size] if s.strip()))
        i += size
    return [p for p in out if p]


@dataclass(frozen=True, slots=True)
class Version:
    """One generated document: its text, and the labelled junk spans ``(start, end, kind)``
    in it. ``hyphenated``: words split at a line end (the PDF rendition's)."""

    id: str
    story: str
    role: str
    text: str
    junk: tuple[tuple[int, int, str], ...]
    hyphenated: tuple[str, ...] = ()


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    junk: list[tuple[int, int, str]] = field(default_factory=list)
    pos: int = 0

    def add(self, text: str, kind: str | None = None) -> None:
        if kind is not None:
            self.junk.append((self.pos, self.pos + len(text), kind))
        self.parts.append(text)
        self.pos += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def scraper_page(
    story: str, role: str, paragraphs: Sequence[str], deck: _Deck, rng: random.Random
) -> Version:
    """The article with scraper junk: maybe a caption on top and between paragraphs, a share
    bar, tags and a source link at the edges, a pitch or an appeal after the text, and
    sometimes reader comments to close."""
    outlet = rng.choice(_OUTLETS)

    def pick(templates: Sequence[Template]) -> str:
        return deck.text(templates, outlet)

    b = _Builder()
    blocks: list[tuple[str, str | None]] = []
    if rng.random() < 0.5:
        blocks.append((pick(SHARE_BARS), "share bar"))
    if rng.random() < 0.6:
        blocks.append((pick(CAPTIONS), "caption"))
    middle = rng.randrange(1, max(2, len(paragraphs)))
    for i, para in enumerate(paragraphs):
        if i == middle and rng.random() < 0.5:
            blocks.append((pick(CAPTIONS), "caption"))
        if i == middle + 1 and rng.random() < 0.3:
            blocks.append((pick(PITCHES), "pitch"))
        blocks.append((para, None))
    tail: list[tuple[str, str | None]] = [
        (pick(SOURCES), "source link"),
        (pick(TAGS), "tags"),
        (pick(SHARE_BARS), "share bar"),
        (pick(APPEALS), "donation appeal"),
        (pick(PITCHES), "pitch"),
    ]
    rng.shuffle(tail)
    blocks.extend(tail[: rng.randint(2, 4)])
    if rng.random() < 0.5:
        blocks.append((pick(COMMENT_HEADS), "comments"))
        for _ in range(rng.randint(2, 4)):
            blocks.append((pick(COMMENT_META), "comments"))
            blocks.append((str(deck.draw(COMMENT_LINES, family_split=False)), "comments"))
            blocks.append((pick(COMMENT_ACTIONS), "comments"))
    for i, (text, kind) in enumerate(blocks):
        if i:
            b.add("\n\n" if rng.random() < 0.7 else "\n")
        b.add(text, kind)
    b.add("\n")
    return Version(f"{story}#{role}", story, role, b.text(), tuple(b.junk))


def pdf_rendition(
    story: str, role: str, paragraphs: Sequence[str], deck: _Deck, rng: random.Random
) -> Version:
    """The article as text pulled from a PDF: lines wrapped at a fixed width with words
    hyphenated at line ends, a caption, and on every page a running header (a masthead) and
    a footer with the page number."""
    outlet = rng.choice(_OUTLETS)
    width = rng.randint(68, 92)
    per_page = rng.randint(14, 22)
    header = deck.text(PDF_HEADERS, outlet)
    footer = deck.text(PDF_FOOTERS, outlet)
    body: list[tuple[str, str | None]] = []
    hyphenated: list[str] = []
    for i, para in enumerate(paragraphs):
        if i == 1 and rng.random() < 0.7:
            body.append((deck.text(CAPTIONS, outlet), "caption"))
            body.append(("", None))
        for line in _wrap(para, width, rng, hyphenated):
            body.append((line, None))
        body.append(("", None))
    pages = [body[i : i + per_page] for i in range(0, len(body), per_page)]
    b = _Builder()
    for n, page in enumerate(pages, 1):
        b.add(header, "pdf header")
        b.add("\n\n")
        for line, kind in page:
            b.add(line, kind)
            b.add("\n")
        b.add("\n")
        b.add(footer.format(n=n, total=len(pages)), "pdf footer")
        b.add("\n\f" if n < len(pages) and rng.random() < 0.5 else "\n\n")
    return Version(f"{story}#{role}", story, role, b.text(), tuple(b.junk), tuple(hyphenated))


def _wrap(para: str, width: int, rng: random.Random, hyphenated: list[str]) -> list[str]:
    """``para`` broken into lines of at most ``width`` characters; a long word that would
    overflow is sometimes split with a hyphen (recorded in ``hyphenated``)."""
    lines: list[str] = []
    line = ""
    for word in para.split():
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            room = width - len(line) - 2
            core = re.fullmatch(r"([A-Za-zÀ-ž]{7,})([.,;:]?)", word)
            if core and room >= 3 and rng.random() < 0.6:
                letters = core.group(1)
                cut = min(room, len(letters) - 3)
                if cut >= 3:
                    lines.append(f"{line} {letters[:cut]}-")
                    hyphenated.append(letters)
                    line = letters[cut:] + core.group(2)
                    continue
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def half_of(story: str) -> str:
    return FAMILIES[hashlib.sha1(story.encode("utf-8")).digest()[0] & 1]


def build(
    stories: Iterable[tuple[str, Sequence[str], Sequence[str]]], seed: int = 19
) -> list[Version]:
    """The versions of each ``(story id, translation 1 sentences, translation 2 sentences)``;
    a story's wordings come from the family of its half."""
    out: list[Version] = []
    for story, first, second in stories:
        rng = random.Random(f"{seed}:{story}")
        deck = _Deck(half_of(story), rng)
        paras = _paragraphs(first, rng)
        out.append(Version(f"{story}#published", story, "published", "\n\n".join(paras) + "\n", ()))
        out.append(scraper_page(story, "scraped", paras, deck, rng))
        out.append(pdf_rendition(story, "pdf", paras, deck, rng))
        out.append(scraper_page(story, "rewrite", _paragraphs(second, rng), deck, rng))
    return out


def load_stories(data: str | os.PathLike[str]) -> list[tuple[str, list[str], list[str]]]:
    """Stories of WMT21 ru-en with two English human translations: (id, sentences of each)."""
    path = Path(data) / "docs.jsonl"
    if not path.is_file():
        raise InputError(f"{path}: missing (expected the WMT21 ru-en set there)")
    human: dict[str, list[list[str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("kind") == "human_translation" and record.get("lang") == "en":
                human[str(record["story"])].append(str(record["text"]).split("\n"))
    return [(story, t[0], t[1]) for story, t in sorted(human.items()) if len(t) >= 2]


@dataclass(frozen=True, slots=True)
class JunkScores:
    junk: PRF
    content_removed: float
    recall_by_kind: dict[str, float]
    hyphen_rejoined: float
    documents: int

    def as_dict(self) -> dict[str, object]:
        return {
            "junk_precision": round(self.junk.precision, 4),
            "junk_recall": round(self.junk.recall, 4),
            "junk_f1": round(self.junk.f1, 4),
            "content_removed": round(self.content_removed, 4),
            "recall_by_kind": {k: round(v, 4) for k, v in sorted(self.recall_by_kind.items())},
            "hyphen_rejoined": round(self.hyphen_rejoined, 4),
            "documents": self.documents,
        }


def score(
    versions: Sequence[Version],
    removed: Sequence[Sequence[tuple[int, int]]],
    cleaned: Sequence[str],
) -> JunkScores:
    """Scores of ``removed`` spans (per version, raw offsets) against the labels, counted on
    non-space characters; line-break hyphens are neither junk nor content."""
    tp = fp = fn = 0
    content = content_lost = 0
    kind_total: dict[str, int] = defaultdict(int)
    kind_hit: dict[str, int] = defaultdict(int)
    words = rejoined = 0
    for version, spans, text in zip(versions, removed, cleaned, strict=True):
        label = [""] * len(version.text)
        for start, end, kind in version.junk:
            for i in range(start, end):
                label[i] = kind
        cut = [False] * len(version.text)
        for start, end in spans:
            for i in range(max(0, start), min(end, len(cut))):
                cut[i] = True
        for i, ch in enumerate(version.text):
            if ch.isspace() or (
                ch == "-" and i + 1 < len(version.text) and version.text[i + 1] == "\n"
            ):
                continue
            if label[i]:
                kind_total[label[i]] += 1
                if cut[i]:
                    tp += 1
                    kind_hit[label[i]] += 1
                else:
                    fn += 1
            else:
                content += 1
                if cut[i]:
                    fp += 1
                    content_lost += 1
        found = set(re.findall(r"\w+", text))
        words += len(version.hyphenated)
        rejoined += sum(1 for w in version.hyphenated if w in found)
    return JunkScores(
        junk=PRF.from_counts(tp, fp, fn),
        content_removed=content_lost / content if content else 0.0,
        recall_by_kind={k: kind_hit[k] / n for k, n in kind_total.items() if n},
        hyphen_rejoined=rejoined / words if words else 1.0,
        documents=len(versions),
    )


def run(
    data: str | os.PathLike[str], families: Sequence[str] = FAMILIES
) -> dict[str, dict[str, JunkScores]]:
    """Scores per family (``dev``, ``held_out``) of the per-document cleaner alone
    (``document``) and with the story cleaning its members (``story``; the story is the
    generator's, so this measures the cleaning, not the story finding)."""
    from storytrace.clean import clean
    from storytrace.records import Document
    from storytrace.story_clean import clean_story

    versions = build(load_stories(data))
    out: dict[str, dict[str, JunkScores]] = {}
    for family in families:
        chosen = [v for v in versions if half_of(v.story) == family]
        cleaned = {
            v.id: clean(Document(id=v.id, doc_id=v.id, text=v.text, input=v.id)) for v in chosen
        }
        by_story: dict[str, list[str]] = defaultdict(list)
        for v in chosen:
            by_story[v.story].append(v.id)
        storied = dict(cleaned)
        for ids in by_story.values():
            storied.update(clean_story(ids, cleaned)[0])
        out[family] = {
            mode: score(
                chosen,
                [[(r.start, r.end) for r in docs[v.id].removed] for v in chosen],
                [docs[v.id].text for v in chosen],
            )
            for mode, docs in (("document", cleaned), ("story", storied))
        }
    return out
