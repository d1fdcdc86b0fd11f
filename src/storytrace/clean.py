"""Plain-text cleaning: keep the story, drop the junk, explain every removal.

HTML extractors decide with the DOM; given plain text (PDF text, exports, scraper dumps)
they keep every paragraph. This stage works on the text alone:

1. PDF page furniture (page numbers, running headers) goes first, so reflow can join a
   paragraph broken by a page boundary;
2. reflow: hard-wrapped lines are joined back into paragraphs and words hyphenated across
   a line break are rejoined (real compounds such as "EU-funded" keep their hyphen);
3. paragraph rules: ad markers, bare URLs, "Related article" and share lines, photo
   captions and credits, copyright notices, donation/subscription appeals (from their
   opening line to the end), reader-comment sections (from their first cue, or the first
   of a run of bylines and timestamps, to the end), a paragraph doubled in place, stray
   fragments;
4. page dumps (a page's visible text, menus and all) keep only their article: a learned
   paragraph score (``paragraph_model``; jusText's rule without weights) picks paragraphs,
   and ``boilerplate.main_block`` keeps the article's own run;
5. lines the document's source repeats across its own documents (``source_repeats``);
6. inline URLs inside kept paragraphs.

The result keeps a run-length map from clean offsets to raw offsets, and every removal as
``(start, end, reason)`` in raw offsets. Pure: no I/O, no global state.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storytrace import cleaning_cues as cues
from storytrace import paragraph_model, source_repeats
from storytrace.boilerplate import (
    classify,
    headline_index,
    looks_like_page_dump,
    main_block,
    prose_like,
)
from storytrace.lang import detect_language, zipf
from storytrace.records import CleanDoc, Document, OffsetRun, Removal, Span
from storytrace.text import decode_spans, split_paragraphs, split_sentences

_TERMINAL = re.compile(r"""[.!?…:;"'”’»)\]]\s*$""")
_HYPHEN_END = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"^(\w+)")


@dataclass(frozen=True, slots=True)
class _Edit:
    """Delete raw ``[start, end)`` (``space=True``: replace it by one space instead)."""

    start: int
    end: int
    reason: str | None
    space: bool = False


@dataclass(frozen=True, slots=True)
class _Para:
    """A logical paragraph: raw span of its first to last character, and its text."""

    start: int
    end: int
    text: str


def clean(doc: Document, repeated: frozenset[str] = frozenset()) -> CleanDoc:
    """Clean ``doc.text``; see the module docstring for what is removed and why.

    ``repeated``: keys (``source_repeats.line_key``) of the lines that the document's own
    source prints in three or more of its documents; paragraphs made only of them go, unless
    they are most of the document.
    """
    raw = doc.text
    html_kept = decode_spans(doc.meta["html_kept"]) if "html_kept" in doc.meta else None
    lang = doc.lang or detect_language(_kept_text(raw, html_kept) if html_kept else raw)
    edits: list[_Edit] = []
    paras, reasons = cut_paragraphs(raw, lang, edits, html_kept)
    html = doc.meta.get("format") == "html"
    if html:  # the extractor has judged these with the DOM; the text rules only add to it
        reasons = [None if r in DOM_JUDGED else r for r in reasons]
    else:
        _mark_boilerplate(paras, reasons, lang)
    if repeated:
        _mark_source_repeats(raw, paras, reasons, repeated)
    kept: list[_Para] = []
    for para, reason in zip(paras, reasons, strict=True):
        if reason is None:
            kept.append(para)
        else:
            edits.append(_Edit(para.start, para.end, reason))
    for para in kept if not html else ():  # a URL printed as a page's text is its text
        for m in cues.INLINE_URL.finditer(raw, para.start, para.end):
            edits.append(_Edit(m.start(), m.end(), "inline url"))
    edits.extend(_whitespace_edits(raw, kept))
    text, runs, removed = _apply(raw, edits)
    sentences = tuple(split_sentences(text))
    paragraphs = tuple(split_paragraphs(text))
    if not doc.lang:
        lang = detect_language(text)
    return CleanDoc(
        id=doc.id,
        text=text,
        removed=removed,
        runs=runs,
        sentences=sentences,
        paragraphs=paragraphs,
        lang=lang,
        raw_length=len(raw),
    )


def _lines(raw: str) -> list[Span]:
    """Spans of every line, without its newline (blank lines included)."""
    spans: list[Span] = []
    pos = 0
    for line in raw.split("\n"):
        spans.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def cut_paragraphs(
    raw: str,
    lang: str,
    edits: list[_Edit] | None = None,
    html_kept: Sequence[tuple[int, int]] | None = None,
) -> tuple[list[_Para], list[str | None]]:
    """Page furniture out, lines reflowed into paragraphs, and each paragraph's rule-based
    removal reason (None: still open). The edits this makes go into ``edits``. (The paragraph
    model's trainer cuts pages with this too, so it learns on the paragraphs ``clean`` sees.)

    ``html_kept``: for an HTML page's visible text, the spans its extractor kept; every other
    line is page furniture the extractor judged by the DOM, and HTML lines are blocks, never
    reflowed."""
    out = edits if edits is not None else []
    lines = _lines(raw)
    if html_kept is not None:
        furniture = _html_furniture(lines, html_kept)
        reason = HTML_FURNITURE
    else:
        furniture = _page_furniture(raw, lines)
        reason = "page header/footer"
    for i in sorted(furniture):
        out.append(_Edit(lines[i].start, lines[i].end, reason))
    wrapped = html_kept is None and _is_hard_wrapped(
        raw, [line for i, line in enumerate(lines) if i not in furniture]
    )
    if wrapped and furniture:
        furniture |= _blanks_around(raw, lines, furniture)
    lines = [line for i, line in enumerate(lines) if i not in furniture]
    paras = _reflow(raw, lines, wrapped, lang, out)
    return paras, _classify(paras)


HTML_FURNITURE = "page furniture (HTML)"
DOM_JUDGED = frozenset({"stray fragment", "comments", "photo caption", "url"})
"""Text rules that an HTML page's extractor answers better from its DOM: what it kept of
these is content (a table's figures, a linked address, a figure's caption in an article;
comments are already out). On the WCXB tune half, articles 0.9368 with every rule, 0.9385
with none, 0.9387 without these four."""


def _html_furniture(lines: list[Span], kept: Sequence[tuple[int, int]]) -> set[int]:
    """Lines of an HTML page's visible text outside every span its extractor kept."""
    starts = [start for start, _ in kept]
    out: set[int] = set()
    for i, line in enumerate(lines):
        if line.end <= line.start:
            continue
        at = bisect.bisect_right(starts, line.start) - 1
        if at < 0 or kept[at][1] < line.end:
            out.add(i)
    return out


def _kept_text(raw: str, kept: Sequence[tuple[int, int]]) -> str:
    return "\n".join(raw[start:end] for start, end in kept)


def _page_furniture(raw: str, lines: list[Span]) -> set[int]:
    """Lines that are page furniture of a PDF rendering, found by structure: page numbers;
    and, in text that is paged (page numbers, form feeds) or hard-wrapped, running heads and
    feet: a short line whose pattern (digits normalised) recurs down the document at
    intervals of a page (``_PAGE_GAP`` lines or more), a line next to a form feed, or a
    "publication | date" line once the text is known to be paged.

    Removed before reflow, so a paragraph broken by a page boundary joins up again."""
    texts = [raw[s.start : s.end].strip() for s in lines]
    numbers = {i for i, t in enumerate(texts) if t and cues.PAGE_NUMBER.match(t)}
    paged = bool(numbers) or "\f" in raw
    if not paged and not _is_hard_wrapped(raw, lines):
        return set()
    # Running heads are short next to the body's lines: a full-width line is text.
    lengths = sorted(len(t) for t in texts if t)
    body_width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    limit = min(100, int(0.85 * body_width)) if body_width >= 40 else 100
    where: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        if t and len(t) <= limit:
            where.setdefault(re.sub(r"\d+", "#", t), []).append(i)
    # Each pattern's smallest gap between occurrences, once per pattern (per line it was
    # quadratic: 10,000 "Page N" lines took 5 s).
    spread_out = {
        key: len(at) >= 2 and min(b - a for a, b in itertools.pairwise(at)) >= _PAGE_GAP
        for key, at in where.items()
    }
    out = set(numbers)
    for i, t in enumerate(texts):
        if not t or len(t) > 100:
            continue
        key = re.sub(r"\d+", "#", t) if len(t) <= limit else None
        at = where.get(key, []) if key is not None else []
        spread = key is not None and spread_out.get(key, False)
        if spread and (len(at) >= 3 or not _TERMINAL.search(t)):
            out.add(i)
            continue
        if not paged or _TERMINAL.search(t):
            continue
        line = raw[lines[i].start : lines[i].end]
        after_feed = line.lstrip(" \t").startswith("\f") or (
            i > 0 and raw[lines[i - 1].start : lines[i - 1].end].rstrip(" \t").endswith("\f")
        )
        if len(at) >= 2 or after_feed or cues.DATED_HEADER.match(t):
            out.add(i)
    return out


_PAGE_GAP = 8


def _blanks_around(raw: str, lines: list[Span], furniture: set[int]) -> set[int]:
    """Blank lines in the runs of blank and furniture lines that hold furniture: a page
    break inside a paragraph must not split it (reflow decides, as for any line break)."""
    out: set[int] = set()
    run: list[int] = []
    has_furniture = False
    for i, line in enumerate([*lines, None]):
        blank = line is not None and not raw[line.start : line.end].strip()
        if line is not None and (blank or i in furniture):
            run.append(i)
            has_furniture = has_furniture or i in furniture
            continue
        if has_furniture:
            out.update(j for j in run if j not in furniture)
        run, has_furniture = [], False
    return out


def _is_hard_wrapped(raw: str, lines: list[Span]) -> bool:
    """True for text broken at a fixed width (PDF extracts): most lines run close to one width
    and many of those long lines end mid-sentence. Short lines (comment scores, timestamps,
    captions) neither count for nor against it."""
    texts = [raw[s.start : s.end].strip() for s in lines]
    lengths = sorted(len(t) for t in texts if t)
    if len(lengths) < 4:
        return False
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 130 or width < 30:
        return False
    long_lines = [t for t in texts if len(t) >= 0.75 * width]
    if len(long_lines) < 3 or len(long_lines) < 0.4 * len(lengths):
        return False
    mid_sentence = sum(1 for t in long_lines if not _TERMINAL.search(t))
    return mid_sentence / len(long_lines) >= 0.5


def _reflow(
    raw: str, lines: list[Span], wrapped: bool, lang: str, edits: list[_Edit]
) -> list[_Para]:
    """Group lines into logical paragraphs, adding the join edits to ``edits``."""
    width = max((len(raw[s.start : s.end].strip()) for s in lines), default=0)
    vocab = (
        _vocabulary(raw)
        if any(raw[s.start : s.end].rstrip().endswith("-") for s in lines)
        else set()
    )
    paras: list[_Para] = []
    current: list[Span] = []

    def close() -> None:
        if current:
            start = current[0].start + _lead(raw, current[0])
            end = current[-1].end - _trail(raw, current[-1])
            if end > start:
                paras.append(_Para(start, end, _joined_text(raw, start, end, edits)))
            current.clear()

    apart = False  # a blank line since the current paragraph's last line
    for line in lines:
        text = raw[line.start : line.end]
        if not text.strip():
            # A word hyphenated at the end of a page or column goes on after the gap.
            if current and _HYPHEN_END.search(raw[current[-1].start : current[-1].end].rstrip()):
                apart = True
            else:
                close()
            continue
        joins = bool(current) and (
            _hyphen_joins(raw, current[-1], line)
            if apart
            else _joins(raw, current[-1], line, wrapped, width)
        )
        apart = False
        if joins:
            _join_edit(raw, current[-1], line, vocab, lang, edits)
            current.append(line)
        else:
            close()
            current.append(line)
    close()
    return paras


def _hyphen_joins(raw: str, prev: Span, line: Span) -> bool:
    """Across a blank line, only a word hyphenated at the line end continues."""
    next_text = raw[line.start : line.end].strip()
    return raw[prev.start : prev.end].rstrip().endswith("-") and next_text[:1].islower()


def _joins(raw: str, prev: Span, line: Span, wrapped: bool, width: int) -> bool:
    """Does ``line`` continue the paragraph that ``prev`` ends?"""
    prev_text = raw[prev.start : prev.end].strip()
    next_text = raw[line.start : line.end].strip()
    if cues.URL_LINE.match(next_text) or cues.URL_LINE.match(prev_text):
        return False
    if (
        prev_text == next_text
        or cues.CREDIT_PIPE.match(prev_text)
        or cues.CREDIT_PIPE.match(next_text)
    ):
        return False  # a repeated line or a credit line is never the continuation of a sentence
    starts_lower = next_text[:1].islower()
    if prev_text.endswith("-") and starts_lower:
        return True
    if any(cue.match(t) for t in (prev_text, next_text) for cue in _ONE_LINE_CUES):
        return False  # "Related article: ..." is a line of its own, never the next sentence's
    if wrapped:
        ends_sentence = bool(_TERMINAL.search(prev_text))
        if not ends_sentence and len(prev_text) < 0.6 * width and next_text[:1].isupper():
            return False  # a short line that ends no sentence: a heading, a label, a credit
        return not (ends_sentence and len(prev_text) < 0.8 * width)
    return starts_lower and not _TERMINAL.search(prev_text)


_ONE_LINE_CUES = (cues.RELATED, cues.AD_MARKER, cues.SHARE_LINE, cues.PHOTO_CREDIT)


def _join_edit(
    raw: str, prev: Span, line: Span, vocab: set[str], lang: str, edits: list[_Edit]
) -> None:
    """Edits that join ``prev`` and ``line``: drop a line-break hyphen or turn the break into a space."""
    trail = prev.end - _trail(raw, prev)
    lead = line.start + _lead(raw, line)
    prev_text = raw[prev.start : trail]
    hyphen = _HYPHEN_END.search(prev_text)
    right = _WORD_START.match(raw[lead : line.end])
    if hyphen and right:
        left_word, right_word = hyphen.group(1), right.group(1)
        if _keeps_hyphen(left_word, right_word, vocab, lang):
            edits.append(_Edit(trail, lead, None))  # "EU-\nfunded" -> "EU-funded"
        else:
            edits.append(_Edit(trail - 1, lead, "line-break hyphen"))
        return
    # Replace the line break (and the spaces around it) by one space.
    edits.append(_Edit(trail, trail + 1, None, space=True))
    if lead > trail + 1:
        edits.append(_Edit(trail + 1, lead, None))


def _keeps_hyphen(left: str, right: str, vocab: set[str], lang: str) -> bool:
    """Is ``left-right`` a real compound rather than a word split at a line end?

    The document's own vocabulary decides first (the compound or the joined word used
    elsewhere in it); then word frequencies of the language: "long-term" is far more
    common than "longterm", "reported" far more than "re-ported"; for words the language
    does not know (names), whether both halves stand as words of their own.
    """
    joined, compound = (left + right).lower(), f"{left}-{right}".lower()
    if compound in vocab:
        return True
    if joined in vocab:
        return False
    if any(c.isdigit() for c in left) or (len(left) > 1 and left.isupper()):
        return True
    whole, hyphenated = zipf(joined, lang), zipf(compound, lang)
    # (wordfreq scores a hyphenated form by its parts: a rare one says little.)
    if whole or hyphenated >= _KNOWN_COMPOUND:
        return hyphenated - whole > 1.0
    # Neither form is a known word (a name): two halves that are words or names of their
    # own ("Franco-German", "Baden-Baden") keep the hyphen; a fragment ("Komsomols-kaya")
    # was a word split at the line end.
    return bool(right[:1].isupper() and left[:1].isupper()) or (
        zipf(left.lower(), lang) >= 3.0 and zipf(right.lower(), lang) >= 3.0
    )


_KNOWN_COMPOUND = 2.0  # Zipf frequency: about once in ten million words


def _vocabulary(raw: str) -> set[str]:
    """Lower-cased words and hyphenated compounds used in the text (outside line ends)."""
    return {m.group(0).lower() for m in re.finditer(r"\w+(?:-\w+)*", raw)}


def _joined_text(raw: str, start: int, end: int, edits: list[_Edit]) -> str:
    """The paragraph's text with its join edits applied (for the rules to read)."""
    inner = sorted((e for e in edits if start <= e.start < end), key=lambda e: e.start)
    out: list[str] = []
    pos = start
    for edit in inner:
        out.append(raw[pos : edit.start])
        if edit.space:
            out.append(" ")
        pos = edit.end
    out.append(raw[pos:end])
    return "".join(out)


def _lead(raw: str, span: Span) -> int:
    text = raw[span.start : span.end]
    return len(text) - len(text.lstrip())


def _trail(raw: str, span: Span) -> int:
    text = raw[span.start : span.end]
    return len(text) - len(text.rstrip())


def _classify(paras: list[_Para]) -> list[str | None]:
    """The removal reason for each paragraph, or None to keep it."""
    reasons: list[str | None] = [_paragraph_reason(p.text) for p in paras]
    for i in range(1, len(paras)):
        # A short line right above a credit line is the photo's caption.
        if reasons[i] != "photo credit" or reasons[i - 1] is not None:
            continue
        prev = paras[i - 1].text
        credit_only = not cues.CREDIT_PIPE.match(paras[i].text.strip())
        if credit_only and len(prev) < 250 and len(split_sentences(prev)) <= 2:
            reasons[i - 1] = "photo caption"
    body = [i for i, r in enumerate(reasons) if r is None]
    first_body = body[0] if body else 0
    cut = _comments_cut(paras, first_body)
    if cut is not None:
        for i in range(cut, len(paras)):
            reasons[i] = "comments"
    appeal = _appeal_start(paras, reasons, first_body)
    if appeal is not None:
        for i in range(appeal, len(paras)):
            if reasons[i] is None or reasons[i] == "donation appeal":
                reasons[i] = "donation appeal"
    # A paragraph repeated right after itself is a doubled caption or a rendering glitch;
    # repeats further apart (a recipe's recurring step, a refrain in a list) are content.
    previous = ""
    for i, para in enumerate(paras):
        key = " ".join(para.text.split()).lower()
        if reasons[i] is None and key == previous and len(key) > 20:
            reasons[i] = "repeated paragraph"
        previous = key
    return reasons


_MIN_KEPT_CHARS = 200


def _mark_boilerplate(paras: list[_Para], reasons: list[str | None], lang: str) -> None:
    """In a page dump, mark what the jusText-style classifier rejects as boilerplate."""
    open_ = [i for i, r in enumerate(reasons) if r is None]
    texts = [paras[i].text.strip() for i in open_]
    if not looks_like_page_dump(texts):
        return
    verdicts = main_block(
        texts,
        _article_paragraphs(texts, lang),
        headline=headline_index(texts),
        prose=prose_like(texts, lang),
    )
    kept = sum(len(t) for t, keep in zip(texts, verdicts, strict=True) if keep)
    if kept < _MIN_KEPT_CHARS:
        # Keeping (almost) nothing means the classifier found no article in this text (a
        # list of short segments, one per line, looks like navigation to it): keep it all
        # rather than lose the document.
        return
    for i, keep in zip(open_, verdicts, strict=True):
        if not keep:
            reasons[i] = "boilerplate"


def _mark_source_repeats(
    raw: str, paras: list[_Para], reasons: list[str | None], repeated: frozenset[str]
) -> None:
    """Mark paragraphs whose every line is one the source repeats across its documents,
    unless together they are most of the document's remaining text (then it is a copy of an
    article the source ran before, and they are its content)."""
    hits: list[int] = []
    for i, (para, reason) in enumerate(zip(paras, reasons, strict=True)):
        if reason is not None:
            continue
        lines = raw[para.start : para.end].splitlines()
        keys = [k for k in (source_repeats.line_key(line) for line in lines) if k is not None]
        if keys and all(k in repeated for k in keys):
            hits.append(i)
    open_chars = sum(len(p.text) for p, r in zip(paras, reasons, strict=True) if r is None)
    if not hits or sum(len(paras[i].text) for i in hits) > source_repeats.MAX_SHARE * open_chars:
        return
    for i in hits:
        reasons[i] = "repeated on this source"


def _article_paragraphs(texts: list[str], lang: str) -> list[bool]:
    """Which paragraphs of a page dump read as the article: the learned paragraph score
    (``paragraph_model``) where it has weights, jusText's rule otherwise."""
    if not paragraph_model.WEIGHTS.any():
        return classify(texts, lang)
    probs = paragraph_model.probabilities(texts, lang)
    return [bool(p >= paragraph_model.THRESHOLD) for p in probs]


def _paragraph_reason(text: str) -> str | None:
    stripped = text.strip()
    if cues.AD_MARKER.match(stripped):
        return "ad marker"
    if cues.URL_LINE.match(stripped):
        return "url"
    without = cues.INLINE_URL.sub(" ", stripped)
    if without != stripped and len(without.split()) <= 4:
        return "url"  # "Read online: https://..." - the label goes with its address
    if cues.RELATED.match(stripped) and len(stripped) < 250:
        return "related link"
    if cues.SHARE_LINE.match(stripped):
        return "share line"
    if (
        cues.CREDIT_PIPE.match(stripped)
        or cues.PHOTO_CREDIT.match(stripped)
        or (len(stripped) < 80 and cues.CREDIT_ONLY.match(stripped))
    ):
        return "photo credit"
    if len(stripped) < 400 and cues.CAPTION_CREDIT.search(stripped):
        return "photo caption"
    if len(stripped) < 700 and cues.COPYRIGHT.search(stripped):
        return "copyright notice"
    if cues.STRAY.match(stripped):
        return "stray fragment"
    return None


def _comments_cut(paras: list[_Para], first_body: int) -> int | None:
    """Index of the paragraph where a reader-comment section starts, if there is one: a
    comments heading, or the first of two comment blocks (a byline next to a timestamp)."""
    texts = [p.text.strip() for p in paras]
    # A thread of timestamped comments closes a page: look for one only in the second half
    # of the text (by characters), where it cannot be a list of dated teasers above the story.
    half = _half_way([(k, len(texts[k])) for k in range(first_body, len(texts))], len(texts))
    times = [i for i in range(half, len(texts)) if cues.COMMENT_TIME.match(texts[i])]
    for i in range(first_body + 2, len(paras)):
        if cues.COMMENTS_START.match(texts[i]):
            return i
        if _comment_block(texts, i) and any(
            _comment_block(texts, j) for j in range(i + 2, min(len(texts), i + 12))
        ):
            return i
        if i in times and _timestamp_run(times, i):
            # The comment's author line(s) sit just above its timestamp.
            start = i
            while start - 1 > first_body + 1 and start > i - 2 and len(texts[start - 1]) <= 40:
                start -= 1
            return start
    return None


def _timestamp_run(times: list[int], i: int, count: int = 3, reach: int = 12) -> bool:
    """Do ``count`` timestamp-only paragraphs follow one another from ``i``, each within
    ``reach`` paragraphs of the last? (A comment thread; an article has no such lines.)"""
    run, last = 1, i
    for j in times:
        if j <= i:
            continue
        if j - last > reach:
            break
        run, last = run + 1, j
        if run >= count:
            return True
    return False


def _comment_block(texts: list[str], i: int) -> bool:
    """Is paragraph ``i`` a comment byline with a timestamp right after it (or a timestamp
    with the byline right after it)?"""
    if i + 1 >= len(texts):
        return False
    a, b = texts[i], texts[i + 1]
    return bool(
        (cues.COMMENT_BYLINE.match(a) and cues.COMMENT_TIME.match(b))
        or (cues.COMMENT_TIME.match(a) and len(b) <= 60 and cues.COMMENT_BYLINE.match(b))
    )


def _half_way(sized: list[tuple[int, int]], default: int) -> int:
    """The index, among ``(index, length)`` pairs in order, at which half of their total
    length is reached (``default`` when there are none)."""
    total = sum(n for _, n in sized)
    seen = 0
    for index, n in sized:
        seen += n
        if seen >= total / 2:
            return index
    return default


def _appeal_start(paras: list[_Para], reasons: list[str | None], first_body: int) -> int | None:
    """Where a closing donation/subscription appeal begins (it runs to the end)."""
    end = next((i for i, r in enumerate(reasons) if r == "comments"), len(paras))
    body = [i for i in range(first_body, end) if reasons[i] is None]
    if len(body) < 3:
        return None
    # The appeal closes the article: it starts in the second half of the body's text (by
    # characters, so a page dump's many short menu lines do not count as body).
    tail_from = _half_way([(i, len(paras[i].text)) for i in body], body[-1])
    for i in range(tail_from, end):
        text = paras[i].text.strip()
        if reasons[i] is not None:
            continue
        if cues.APPEAL_START.match(text):
            block = " ".join(paras[j].text for j in range(i, end))
            if cues.APPEAL.search(block):
                return i
    # Without an opening line: appeal paragraphs (and short lines among them, such as
    # "Thank you!") closing the article.
    start = end
    for i in reversed(range(tail_from, end)):
        if reasons[i] is not None and reasons[i] != "donation appeal":
            continue
        text = paras[i].text
        if cues.STRONG_APPEAL.search(text) and len(text) < 400:
            start = i
        elif len(text) < 60 and i - 1 >= tail_from and cues.STRONG_APPEAL.search(paras[i - 1].text):
            continue
        else:
            break
    return start if start < end else None


def _whitespace_edits(raw: str, kept: list[_Para]) -> list[_Edit]:
    """Delete whitespace so kept paragraphs are separated by exactly one newline."""
    edits: list[_Edit] = []
    pos = 0
    for i, para in enumerate(kept):
        if para.start > pos:
            newline = raw.find("\n", pos, para.start) if i > 0 else -1
            if newline < 0:
                edits.append(_Edit(pos, para.start, None))
            else:
                edits.append(_Edit(pos, newline, None))
                edits.append(_Edit(newline + 1, para.start, None))
        pos = para.end
    if pos < len(raw):
        edits.append(_Edit(pos, len(raw), None))
    return edits


def _apply(raw: str, edits: list[_Edit]) -> tuple[str, tuple[OffsetRun, ...], tuple[Removal, ...]]:
    """Apply the edits (deletions win over spaces); return clean text, runs and removals.

    Works on intervals, not characters, so a 50 MB document costs as much as its edits.
    """
    deleted = _union((e.start, e.end) for e in edits if not e.space and e.end > e.start)
    spaces = sorted(e.start for e in edits if e.space)
    out: list[str] = []
    runs: list[OffsetRun] = []
    clean_pos = 0
    pos = 0
    space_i = 0
    for gap_start, gap_end in [*deleted, (len(raw), len(raw))]:
        if gap_start > pos:
            piece = raw[pos:gap_start]
            while space_i < len(spaces) and spaces[space_i] < gap_start:
                at = spaces[space_i] - pos
                if 0 <= at < len(piece):
                    piece = piece[:at] + " " + piece[at + 1 :]
                space_i += 1
            out.append(piece)
            runs.append(OffsetRun(clean_pos, pos, len(piece)))
            clean_pos += len(piece)
        pos = max(pos, gap_end)
    return "".join(out), tuple(runs), _removal_spans(raw, edits)


def _union(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, merged (overlapping or touching) intervals."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _removal_spans(raw: str, edits: list[_Edit]) -> tuple[Removal, ...]:
    """Removed spans with their reasons: where edits overlap the later one's reason wins;
    neighbouring spans of one reason separated only by whitespace merge into one."""
    reasoned = [
        (e.start, e.end, e.reason, order)
        for order, e in enumerate(edits)
        if e.reason and e.end > e.start
    ]
    events = sorted({p for start, end, _, _ in reasoned for p in (start, end)})
    starts: dict[int, list[tuple[int, str]]] = {}
    ends: dict[int, list[int]] = {}
    for start, end, reason, order in reasoned:
        starts.setdefault(start, []).append((order, reason))
        ends.setdefault(end, []).append(order)
    active: dict[int, str] = {}
    painted: list[tuple[int, int, str]] = []
    for left, right in itertools.pairwise(events):
        for order in ends.get(left, []):
            active.pop(order, None)
        for order, reason in starts.get(left, []):
            active[order] = reason
        if active:
            painted.append((left, right, active[max(active)]))
    removals: list[Removal] = []
    for start, end, reason in painted:
        if removals and removals[-1].reason == reason and not raw[removals[-1].end : start].strip():
            removals[-1] = Removal(removals[-1].start, end, reason)
        else:
            removals.append(Removal(start, end, reason))
    return tuple(removals)
