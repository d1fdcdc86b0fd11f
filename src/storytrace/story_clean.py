"""The story cleans its members: what one version alone prints, in the form of furniture, is junk.

A cleaner that reads one document at a time needs cues, and junk worded unlike its cues
slips through. Once a story is known there is better evidence: its versions carry the same
article, each wrapped in its own site's furniture. So a paragraph of one version is judged
against the others:

- text that another version of the story shares (most of its word pairs appear there) is
  content, and is never removed here;
- a paragraph that no other version has is junk when it has the *form* of furniture: a
  label (few words, no sentence ending: captions, credits, tags, share bars, running heads,
  bylines with counts and times), a line that addresses the reader or speaks for the
  publisher (an appeal, a pitch: second-person or first-person-plural words outside
  quotes; not in a version whose shared text itself says "you": there it is the article's
  own voice), a link (an address, a domain), or a short line sandwiched between such lines
  (a reader's comment between its byline and its reply button).

A version's first paragraph, when it reads as a headline (a few plain words), stays: a
rewrite retitles its story. A version that shares nothing with the others is left alone
(there is no evidence about it). Every removal names its reason. Pure: paragraphs in,
removals out; :func:`apply` rebuilds a ``CleanDoc`` (and its sentence embeddings) without them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from storytrace.config import StoryCleanConfig
from storytrace.records import CleanDoc, OffsetRun, Removal, Signature, Span
from storytrace.text import split_paragraphs, split_sentences

_DEFAULT = StoryCleanConfig()
"""The thresholds (``Config.story_clean``): a paragraph is *shared* when at least
``shared_pairs`` of its word pairs occur in another version, *echoed* (the story's article,
reworded: where a rewrite's article runs, and whether a version shares anything with the
story at all) from ``echoed_pairs``, either with at least ``min_shared_pairs`` pairs in
common; a *label* (a caption, a credit) has at most ``label_words`` words and no sentence
ending, an *appeal* at most ``address_words`` words addressing the reader, a *link* at most
``link_words``; paragraphs over ``max_furniture_chars`` are never furniture."""

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"""[.!?…]["'”’»)\]]*\s*$""")
# Bounded repeats: a paragraph can be a megabyte of one "word" (no quadratic backtracking).
_LINK = re.compile(
    r"https?://|www\.|\b[\w-]{1,63}\.(?:com|org|net|example|[a-z]{2})/|@\w{2,}"
    r"|[^\s@]{1,64}@[^\s@]{1,255}\.\w+"
)
_DOMAIN = re.compile(r"\b[\w-]{2,63}\.(?:com|org|net|info|news|example|co\.uk|[a-z]{2})\b")
_QUOTED = re.compile(r"""["“„«»”][^"“„«»”]{0,400}["”“»«]""")
# Words that address the reader or speak for the publisher (not the people in the news):
# second person and first person plural, in the languages the product meets most. These
# are a language's pronouns, not cues: no site's wording is listed here. Forms that are also
# common words elsewhere ("du", "te", "my", "u", "we", "mes") are left out.
_ADDRESS = frozenset(
    (
    "you", "your", "yours", "yourself", "us", "our", "ours", "dich", "dir", "dein", "deine",
    "deinen", "euch", "euer", "eure", "unser", "unsere", "unseren", "uns", "vous", "votre",
    "vos", "nous", "notre", "nos", "toi", "tu", "tuo", "tua", "tuoi", "vostro", "vostra", "voi",
    "noi", "nostro", "nostra", "usted", "ustedes", "tú", "tus", "vosotros", "nosotros",
    "nuestro", "nuestra", "nuestros", "você", "vocês", "teu", "nosso", "nossa", "jij", "jou",
    "jouw", "jullie", "uw", "wij", "ons", "onze", "twój", "wy", "wasz", "nasz", "nasza", "вы",
    "вас", "вам", "ваш", "ваша", "ваши", "мы", "нас", "нам", "наш", "наша", "наши", "ты",
    "тебя", "твой", "jūs", "jūsų", "mūsų", "tavo",
    )
)  # fmt: skip
# German's formal "Sie"/"Ihnen"/"Ihr" address the reader only when capitalised mid-sentence.
_FORMAL = re.compile(r"(?<=[a-zäöüß,] )(?:Sie|Ihnen|Ihre?[mnrs]?)\b")


@dataclass(frozen=True, slots=True)
class Member:
    """One version of a story as the story cleaner reads it: its id, language and the texts
    of its cleaned paragraphs."""

    id: str
    lang: str
    paragraphs: tuple[str, ...]


def _pairs(text: str) -> set[tuple[str, str]]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) == 1:
        return {(words[0], "")}
    return set(itertools.pairwise(words))


def _addresses_reader(text: str, pronouns: frozenset[str] = _ADDRESS) -> bool:
    """Whether ``text``, outside quotes, uses one of ``pronouns`` (or German's formal "Sie")."""
    outside = _QUOTED.sub(" ", text)
    # All-capital words are names and acronyms ("US", "WE Charity"), not pronouns.
    words = [w.lower() for w in _WORD.findall(outside) if not (len(w) > 1 and w.isupper())]
    return any(w in pronouns for w in words) or bool(_FORMAL.search(outside))


_SECOND_PERSON = frozenset(
    (
    "you", "your", "yours", "yourself", "dich", "dir", "dein", "deine", "deinen", "euch",
    "euer", "eure", "vous", "votre", "vos", "toi", "tu", "tuo", "tua", "tuoi", "vostro",
    "vostra", "voi", "usted", "ustedes", "tú", "tus", "vosotros", "você", "vocês", "teu",
    "jij", "jou", "jouw", "jullie", "uw", "twój", "wy", "wasz", "вы", "вас", "вам", "ваш",
    "ваша", "ваши", "ты", "тебя", "твой", "jūs", "jūsų", "tavo",
    )
)  # fmt: skip
"""The second-person part of ``_ADDRESS``: the words by which a text speaks to its reader
(first person plural is also how people in the news speak of themselves)."""


def furniture_form(text: str, settings: StoryCleanConfig = _DEFAULT) -> str | None:
    """The kind of furniture ``text`` is shaped as (None: it reads as prose)."""
    stripped = text.strip()
    if len(stripped) > settings.max_furniture_chars:
        return None
    words = _WORD.findall(stripped)
    n = len(words)
    if n == 0:
        return "stray fragment"
    if n <= settings.link_words and (_LINK.search(stripped) or _DOMAIN.search(stripped)):
        return "link"
    if n <= settings.label_words and not _SENTENCE_END.search(stripped):
        return "label"
    if n <= settings.address_words and _addresses_reader(stripped):
        return "appeal to the reader"
    return None


_HEAD_SEPARATORS = re.compile(r"[|·•/#;→↗▲▼]|\s[-–—]\s|:\s*$")
_INNER_SENTENCE = re.compile(r"[.!?]\s+\S")


def _headline(text: str, lang: str) -> bool:
    """A title or subheading, not a label: four to twenty plain words, some of them the
    language's common words, with no separators, brackets, links or inner sentence break
    (a caption is a sentence and then its credit)."""
    from storytrace.boilerplate import stopwords

    words = _WORD.findall(text)
    stop = stopwords(lang)
    _, colon, tail = text.partition(": ")
    if colon and not any(w.lower() in stop for w in _WORD.findall(tail)):
        return False  # "Share: Facebook X Mail" labels; "Sources: Russia shocked by..." titles
    return (
        4 <= len(words) <= 20
        and not _HEAD_SEPARATORS.search(text)
        and not re.search(r"[()\[\]]", text)
        and not _INNER_SENTENCE.search(text.strip())
        and not _LINK.search(text)
        and not _DOMAIN.search(text)
        and sum(1 for w in words if w.isdigit()) <= 2
        and any(w.lower() in stop for w in words)
    )


def story_removals(
    members: Sequence[Member], settings: StoryCleanConfig = _DEFAULT
) -> dict[str, list[tuple[int, str]]]:
    """For each member, the indexes of its paragraphs that are junk by the story's
    evidence, with the reason (``"unique to this version: <form>"``)."""
    pair_sets = [
        set().union(*(_pairs(p) for p in m.paragraphs)) if m.paragraphs else set() for m in members
    ]
    out: dict[str, list[tuple[int, str]]] = {}
    for k, member in enumerate(members):
        others = [pair_sets[j] for j in range(len(members)) if j != k]
        if not others:
            continue
        overlap = []
        for para in member.paragraphs:
            pairs = _pairs(para)
            overlap.append(max(len(pairs & o) / len(pairs) for o in others) if pairs else 0.0)
        # A few words in common are no evidence (two sites print "Reply · 3 likes" alike):
        # shared content has at least ``min_shared_pairs`` word pairs in common.
        least = settings.min_shared_pairs
        common = [x * len(_pairs(p)) for x, p in zip(overlap, member.paragraphs, strict=True)]
        shared = [
            x >= settings.shared_pairs and c >= least for x, c in zip(overlap, common, strict=True)
        ]
        echoed = [
            x >= settings.echoed_pairs and c >= least for x, c in zip(overlap, common, strict=True)
        ]
        if not any(echoed):
            continue  # nothing in common with the story: no evidence about this version
        forms = [furniture_form(p, settings) for p in member.paragraphs]
        speaks = (
            _addresses_reader(p, _SECOND_PERSON)
            for p, e in zip(member.paragraphs, echoed, strict=True)
            if e
        )
        if any(speaks):
            # The article itself speaks to its reader ("you can ..."): a unique line that
            # does so is in the article's own voice, so second person is no evidence of
            # furniture in this version (it would cut a service piece's own advice).
            forms = [None if f == "appeal to the reader" else f for f in forms]
        last_shared = max(i for i, e in enumerate(echoed) if e)
        junk: dict[int, str] = {}
        for i, (para, is_shared, form) in enumerate(
            zip(member.paragraphs, shared, forms, strict=True)
        ):
            if is_shared or form is None:
                continue
            if form == "label" and i < last_shared and _headline(para, member.lang):
                continue  # a title or subheading of this version's own
            junk[i] = form
        # Past the last shared paragraph (the article's end), a short unique line between
        # two junk lines is part of that furniture: a reader's comment between its byline
        # and its reply button.
        for i, para in enumerate(member.paragraphs):
            if i <= last_shared or i in junk or not 0 < i < len(member.paragraphs) - 1:
                continue
            if (
                i - 1 in junk
                and i + 1 in junk
                and len(_WORD.findall(para)) <= settings.sandwich_words
            ):
                junk[i] = "between furniture"
        if junk:
            out[member.id] = [(i, f"unique to this version: {junk[i]}") for i in sorted(junk)]
    return out


def members_of(cleaned: Mapping[str, CleanDoc], ids: Sequence[str]) -> list[Member]:
    return [
        Member(
            i,
            cleaned[i].lang,
            tuple(cleaned[i].text[p.start : p.end] for p in cleaned[i].paragraphs),
        )
        for i in ids
    ]


def apply(
    doc: CleanDoc, drop: Sequence[tuple[int, str]], sig: Signature | None = None
) -> tuple[CleanDoc, Signature | None]:
    """``doc`` without the paragraphs ``drop`` names (index, reason), each listed as a
    removal in raw offsets; ``sig``'s sentence embeddings follow the sentences kept."""
    if not drop:
        return doc, sig
    reasons = dict(drop)
    cut: list[Span] = []
    removals = list(doc.removed)
    for i, para in enumerate(doc.paragraphs):
        if i in reasons:
            end = (
                para.end + 1
                if para.end < len(doc.text) and doc.text[para.end] == "\n"
                else para.end
            )
            cut.append(Span(para.start, end))
            raw = doc.raw_span(para)
            removals.append(Removal(raw.start, raw.end, reasons[i]))
    pieces: list[str] = []
    runs: list[OffsetRun] = []
    pos = 0
    new_pos = 0
    for span in [*cut, Span(len(doc.text), len(doc.text))]:
        if span.start > pos:
            pieces.append(doc.text[pos : span.start])
            for run in doc.runs:
                lo, hi = max(run.clean, pos), min(run.clean + run.length, span.start)
                if hi > lo:
                    runs.append(OffsetRun(new_pos + lo - pos, run.raw + lo - run.clean, hi - lo))
            new_pos += span.start - pos
        pos = span.end
    text = "".join(pieces).rstrip("\n")
    kept_sentences = [
        j for j, s in enumerate(doc.sentences) if not any(c.start <= s.start < c.end for c in cut)
    ]
    cleaned = replace(
        doc,
        text=text,
        removed=tuple(sorted(removals, key=lambda r: (r.start, r.end))),
        runs=tuple(runs),
        sentences=tuple(split_sentences(text)),
        paragraphs=tuple(split_paragraphs(text)),
    )
    if sig is not None and sig.sentence_embeddings is not None:
        if len(kept_sentences) == len(cleaned.sentences) and len(doc.sentences) == len(
            sig.sentence_embeddings
        ):
            sig = replace(
                sig, sentence_embeddings=np.asarray(sig.sentence_embeddings)[kept_sentences]
            )
        else:  # sentences did not split as before: leave the document as it was
            return doc, sig
    return cleaned, sig


def clean_story(
    ids: Sequence[str],
    cleaned: Mapping[str, CleanDoc],
    sigs: Mapping[str, Signature] | None = None,
    settings: StoryCleanConfig = _DEFAULT,
) -> tuple[dict[str, CleanDoc], dict[str, Signature], dict[str, list[Removal]]]:
    """The members ``ids`` of one story cleaned by each other: their clean docs and
    signatures (the same objects where nothing was removed), and the removals added."""
    drops = story_removals(members_of(cleaned, ids), settings)
    docs = {i: cleaned[i] for i in ids}
    signatures = {i: sigs[i] for i in ids if i in sigs} if sigs else {}
    added: dict[str, list[Removal]] = {}
    for doc_id, drop in drops.items():
        before = set(docs[doc_id].removed)
        doc, sig = apply(docs[doc_id], drop, signatures.get(doc_id))
        docs[doc_id] = doc
        if sig is not None:
            signatures[doc_id] = sig
        new = [r for r in doc.removed if r not in before]
        if new:
            added[doc_id] = new
    return docs, signatures, added
