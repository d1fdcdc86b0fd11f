"""A jusText-style paragraph classifier for pages turned into "all visible text".

Such text (a page's menus, teasers, footers and article, one line each) is what plain-text
rules alone cannot clean: navigation lines are not "junk" by any cue, just short and nearly
free of function words. Following jusText (Pomikálek, 2011), each paragraph is classed by
length and stop-word density (stop words: the language's most frequent words), then short
and borderline paragraphs take the class of their context. It only runs on documents that
look like page dumps (mostly short lines), so clean articles are never touched. The
thresholds are jusText's, with the stop-word densities lowered to 0.25/0.30 for wordfreq's
top-150 lists (measured on the Scrapinghub development set: plain-text F1 0.79 -> 0.80).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from storytrace.lang import zipf
from storytrace.text import words

LENGTH_LOW = 70
LENGTH_HIGH = 200
STOPWORDS_LOW = 0.25
STOPWORDS_HIGH = 0.30
BULLETS = ("•", "·", "|", "›", "»", "◦", "▪", "–", "-", "*")


@lru_cache(maxsize=64)
def stopwords(lang: str) -> frozenset[str]:
    """The language's 150 most frequent words (wordfreq), English when unknown."""
    from wordfreq import top_n_list

    try:
        found = top_n_list(lang if lang != "und" else "en", 150)
    except Exception:  # a language wordfreq lacks
        found = top_n_list("en", 150)
    return frozenset(found or top_n_list("en", 150))


def looks_like_page_dump(paragraphs: Sequence[str]) -> bool:
    """Many paragraphs, most of them short or bulleted, some of them menu items (a bullet, or
    three words at most): a page's visible text, not an article. (A text of one short
    sentence per line, as translation data come, has no menu items.)"""
    if len(paragraphs) < 15:
        return False
    short = sum(1 for p in paragraphs if len(p) < LENGTH_LOW or p.lstrip().startswith(BULLETS))
    menu = sum(1 for p in paragraphs if p.lstrip().startswith(BULLETS) or len(p.split()) <= 3)
    return short / len(paragraphs) >= 0.5 and menu >= 3


def classify(paragraphs: Sequence[str], lang: str) -> list[bool]:
    """True for paragraphs to keep (the article), False for boilerplate.

    jusText needs one long, stopword-rich paragraph to anchor the article; wire stories
    written in short paragraphs have none, so when nothing qualifies the length bar is
    lowered (200, then 120, then 70 characters) before giving up.
    """
    verdicts: list[bool] = []
    for length_high in (LENGTH_HIGH, 120, LENGTH_LOW):
        verdicts = _classify(paragraphs, lang, length_high)
        if sum(len(p) for p, keep in zip(paragraphs, verdicts, strict=True) if keep) >= 200:
            break
    return verdicts


_GLUED = re.compile(r"(?<=[a-z0-9?!’'.)\]])(?=[A-Z](?:[a-z]|\s))")


def is_teaser(text: str) -> bool:
    """A teaser box rendered as text: a Title Case headline glued to its summary with no space
    ("Customers Leave Without Paying At SteakhouseA party of six left ..."), which happens
    when a page's separate headline and summary elements are flattened to one line. The glued
    token must be no known word: "MacBook", "YouTube" and "PlayStation" are names, not glue.
    """
    head = text[:200]
    for m in _GLUED.finditer(head):
        prefix = head[: m.start()].split()
        if len(prefix) < 3:
            continue
        tail = re.match(r"\w*", head[m.end() :])
        token_end = m.end() + (len(tail.group(0)) if tail else 0)
        token = head[m.start() - len(prefix[-1]) : token_end]
        if zipf(re.sub(r"\W", "", token).lower(), "en") >= 1.5:
            continue
        capitalised = sum(1 for w in prefix if w[:1].isupper() or w[:1].isdigit())
        return capitalised / len(prefix) >= 0.6
    return False


def _classify(paragraphs: Sequence[str], lang: str, length_high: int) -> list[bool]:
    stop = stopwords(lang)
    initial: list[str] = []
    for text in paragraphs:
        tokens = words(text)
        density = sum(1 for t in tokens if t in stop) / len(tokens) if tokens else 0.0
        bullet = text.lstrip().startswith(BULLETS) and len(text) < length_high
        if bullet or is_teaser(text):
            initial.append("bad")
        elif len(text) < LENGTH_LOW:
            initial.append("short")
        elif density < STOPWORDS_LOW:
            initial.append("bad")
        elif density >= STOPWORDS_HIGH and len(text) > length_high:
            initial.append("good")
        else:
            initial.append("near")
    final = list(initial)
    for i, cls in enumerate(initial):
        if cls in ("short", "near"):
            prev = _neighbour(initial, i, -1)
            nxt = _neighbour(initial, i, 1)
            if cls == "near":
                final[i] = "good" if "good" in (prev, nxt) else "bad"
            else:
                final[i] = "good" if prev == nxt == "good" else "bad"
    return [c == "good" for c in final]


def _neighbour(classes: Sequence[str], i: int, step: int) -> str:
    """The nearest paragraph class in direction ``step`` that is good or bad (edges are bad)."""
    j = i + step
    while 0 <= j < len(classes):
        if classes[j] in ("good", "bad"):
            return classes[j]
        j += step
    return "bad"


# A comment's timestamp line ("2 days ago at 07:50 am", "November 19, 2019 at 7:02 am").
TIMESTAMP = re.compile(
    r"^(?:\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago"
    r"|[^\W\d_]{3,9}\.?\s+\d{1,2},?\s+\d{4})(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?$",
    re.IGNORECASE,
)
_HEADLINE_REACH = 1500  # characters of bylines, dates and buttons between headline and text


def headline_index(texts: Sequence[str]) -> int | None:
    """Where the page repeats its title as the article's headline: a page dump opens with the
    document title ("Headline | Site name"); the paragraph that repeats its headline part
    (not the first) is where the article starts."""
    if not texts:
        return None
    parts = [p.strip() for p in re.split(r"\s+[|–—:-]\s+|\s+::\s+", texts[0]) if p.strip()]
    parts = [p for p in parts if len(p.split()) >= 3]
    if not parts:
        return None
    headline = max(parts, key=len).casefold()
    for i in range(1, len(texts)):
        text = texts[i].strip().casefold()
        if text and (
            text == headline or (text.startswith(headline) and len(text) < 2 * len(headline))
        ):
            return i
    return None


_MERGE_RATIO = 2  # runs join when the text between them is at most half the smaller run
_GROW_GAP = 1  # non-prose paragraphs the block may grow across
SENTENCE_END = re.compile(r"""[.!?…]["'”’»)]*\s*$""")


def prose_like(paragraphs: Sequence[str], lang: str) -> list[bool]:
    """Paragraphs written as sentences: not a bullet, at least 20 characters, ending like a
    sentence or dense with stopwords. Short article paragraphs (wire copy, quotes) pass; menu
    items, teasers in bullets and buttons do not."""
    stop = stopwords(lang)
    out: list[bool] = []
    for text in paragraphs:
        stripped = text.strip()
        tokens = words(stripped)
        if stripped.startswith(BULLETS) or len(stripped) < 20 or len(tokens) < 4:
            out.append(False)
            continue
        density = sum(1 for t in tokens if t in stop) / len(tokens)
        ends = bool(SENTENCE_END.search(stripped))
        out.append((ends and density >= 0.15) or (density >= STOPWORDS_HIGH and len(tokens) >= 8))
    return out


def main_block(
    texts: Sequence[str],
    keep: Sequence[bool],
    max_gap: int = 8,
    headline: int | None = None,
    prose: Sequence[bool] | None = None,
) -> list[bool]:
    """Only the article's own run of kept paragraphs: kept paragraphs joined into runs across
    at most ``max_gap`` rejected ones, and the run with the most kept text wins; a run that
    starts soon after the page's ``headline`` (see :func:`headline_index`) counts triple.

    jusText keeps every prose-like paragraph on the page; a page's sidebar teasers, related
    stories and footers are prose too, but an article is one contiguous run.
    """
    runs: list[tuple[int, int, int]] = []  # (kept chars, first, last)
    start: int | None = None
    last = -1
    chars = 0
    for i, k in enumerate(keep):
        if not k:
            continue
        if start is not None and i - last - 1 <= max_gap:
            chars += len(texts[i])
        else:
            if start is not None:
                runs.append((chars, start, last))
            start, chars = i, len(texts[i])
        last = i
    if start is not None:
        runs.append((chars, start, last))
    if not runs:
        return list(keep)
    # An article broken up by lists and subheadings is several runs with little between them:
    # neighbouring runs join when the text between them is short next to the smaller run.
    merged = [runs[0]]
    for run in runs[1:]:
        prev = merged[-1]
        between = sum(len(t) for t in texts[prev[2] + 1 : run[1]])
        if between * _MERGE_RATIO <= min(prev[0], run[0]):
            merged[-1] = (prev[0] + run[0], prev[1], run[2])
        else:
            merged.append(run)
    runs = merged

    def weight(run: tuple[int, int, int]) -> tuple[float, int]:
        chars, first, last = run
        after_headline = (
            headline is not None
            and headline < first
            and sum(len(t) for t in texts[headline + 1 : first]) <= _HEADLINE_REACH
        )
        # Three or more timestamp lines inside a run make it a comment thread.
        thread = sum(1 for t in texts[first : last + 1] if TIMESTAMP.match(t.strip())) >= 3
        return (chars * (3 if after_headline else 1) / (4 if thread else 1), -first)

    _, first, end = max(runs, key=weight)
    if prose is None:
        return [k and first <= i <= end for i, k in enumerate(keep)]
    # Grow the block over prose paragraphs that jusText's context rule left out (short wire
    # paragraphs between bulleted teasers), across at most ``_GROW_GAP`` non-prose paragraphs at a time.
    gap = 0
    for i in range(end + 1, len(texts)):
        if prose[i]:
            end, gap = i, 0
        else:
            gap += 1
            if gap > _GROW_GAP:
                break
    gap = 0
    for i in range(first - 1, -1, -1):
        if headline is not None and i <= headline:
            break
        if prose[i]:
            first, gap = i, 0
        else:
            gap += 1
            if gap > _GROW_GAP:
                break
    return [(k or prose[i]) and first <= i <= end for i, k in enumerate(keep)]
