"""What a derived version changed: numbers, dates, names, quotes, negations, swapped roles,
added or dropped text.

Rules over aligned passages (no NLI model is available offline): each aligned pair is
compared for the facts that matter to a fact-checker. Names are compared through a
transliteration-insensitive key, so Tsikhanouskaya and Cichanouskaja count as one name.
Every change points at both raw spans (or one, for added and dropped passages).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from storytrace.align import SentencePair
from storytrace.names import name_key
from storytrace.records import Alignment, Change, ChangeKind, CleanDoc, Document, Span
from storytrace.roles import role_flips
from storytrace.text import words

_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?(?![\w])|(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])"
)
_NUMBER_SCORE = 0.6
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_QUOTE = re.compile(r"[\"“„«»](.{8,400}?)[\"”“»«]")
_NAME = re.compile(
    r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-ÞА-ЯЁĀ-Ž][\w’'-]{2,}(?:\s+[A-ZÀ-ÖØ-ÞА-ЯЁĀ-Ž][\w’'-]{2,})*"
)
# Sentence negators only: "without"/"ohne"/"sin" often render a word ("driverless" ->
# "sin conductor") rather than negate a clause, so they are left out.
_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "neither",
        "nor",
        "n't",
        "cannot",
        "nobody",
        "nowhere",
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "keines",
        "nie",
        "niemals",
        "weder",
        "nunca",
        "jamás",
        "jamas",
        "ni",
        "ningún",
        "ninguna",
        "ninguno",
        "tampoco",
        "не",
        "нет",
        "ни",
        "никогда",
        "ничего",
        "никто",
        "ne",
        "nė",
        "niekada",
        "nieko",
        "niekas",
        "pas",
        "jamais",
        "aucun",
        "aucune",
        "rien",
    ]
)
# "1,240", "1.240", "1 240", and with decimals "1,240.50" / "1.240,50".
_GROUPED = re.compile(r"(\d{1,3}(?:([,.\u202f\u00a0 ])\d{3})(?:\2\d{3})*)(?:(?!\2)[.,](\d+))?")


def number_values(text: str) -> Counter[str]:
    """Numbers in ``text`` normalised: '1,240' and '1.240' and '1 240' -> '1240'; '4,5' -> '4.5'."""
    out: Counter[str] = Counter()
    for m in _NUMBER.finditer(text):
        token = m.group(0)
        grouped = _GROUPED.fullmatch(token)
        if grouped:
            value = re.sub(r"\D", "", grouped.group(1))
            if grouped.group(3):
                value += "." + grouped.group(3)
        else:
            value = token.replace(",", ".")
        value = value.lstrip("0") or "0"
        out[value] += 1
    return out


_FRENCH_NE_PARTNERS = frozenset(
    {"pas", "jamais", "rien", "aucun", "aucune", "plus", "personne", "guère"}
)


def negation_count(text: str) -> int:
    """Negators in ``text``; French 'ne ... pas' counts once ('ne'/'n'' pair with 'pas')."""
    tokens = words(text)
    count = sum(1 for w in tokens if w in _NEGATIONS)
    if _FRENCH_NE_PARTNERS.intersection(tokens):
        count -= sum(1 for w in tokens if w in _FRENCH_NE_PARTNERS and w in _NEGATIONS)
    return count + len(re.findall(r"n[’']t\b", text))


def names(text: str) -> dict[str, str]:
    """Capitalised names not at a sentence start, by spelling-insensitive key."""
    found: dict[str, str] = {}
    lowered = set(words(text))
    for m in _NAME.finditer(text.strip()):
        if m.start() == 0 or m.group(0).lower() in lowered or m.group(0).isupper():
            continue
        key = name_key(m.group(0))
        if len(key) >= 3:
            found.setdefault(key, m.group(0))
    return found


def passage_changes(
    before: str,
    after: str,
    p_span: Span,
    c_span: Span,
    translation: bool,
    lexical: float = 1.0,
    score: float = 1.0,
) -> list[Change]:
    """Changes between aligned text of the parent (``before``) and the child (``after``).

    Names are compared only where the wording is otherwise close (``lexical`` word overlap
    >= 0.5): in a loose paraphrase a missing name is rephrasing, not a substitution.
    Numbers are compared only where the pair is a close match (``score`` >= 0.6): a
    sentence aligned loosely (a split, a neighbour) may carry other facts, not changed ones.
    """
    changes: list[Change] = []
    nb, na = number_values(before), number_values(after)
    if nb != na and nb and na and score >= _NUMBER_SCORE:
        lost = sorted((nb - na).elements())
        new = sorted((na - nb).elements())
        if lost and new:
            kind: ChangeKind = "date" if all(_YEAR.match(v) for v in lost + new) else "number"
            changes.append(
                Change(kind, p_span, c_span, ", ".join(lost), ", ".join(new), f"{kind} changed")
            )
    if not translation:
        qb, qa = _QUOTE.findall(before), _QUOTE.findall(after)
        for quote in qb:
            if quote in qa or not qa:
                continue
            closest = max(qa, key=lambda q: _overlap(quote, q))
            if 0.3 <= _overlap(quote, closest) < 0.9:
                changes.append(Change("quote", p_span, c_span, quote, closest, "quotation altered"))
    if not translation and lexical >= 0.5:
        names_b, names_a = names(before), names(after)
        lost_names = [names_b[k] for k in names_b.keys() - names_a.keys()]
        new_names = [names_a[k] for k in names_a.keys() - names_b.keys()]
        if lost_names and new_names:
            changes.append(
                Change(
                    "name",
                    p_span,
                    c_span,
                    ", ".join(sorted(lost_names)),
                    ", ".join(sorted(new_names)),
                    "different names",
                )
            )
    for flip in role_flips(before, after):
        changes.append(
            Change(
                "role", p_span, c_span, flip.before.describe(), flip.after.describe(), flip.note()
            )
        )
    if negation_count(before) % 2 != negation_count(after) % 2:
        changes.append(
            Change(
                "negation",
                p_span,
                c_span,
                before,
                after,
                "negation added or removed: meaning may be flipped",
            )
        )
    return changes


def _overlap(a: str, b: str) -> float:
    wa, wb = set(words(a)), set(words(b))
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def find_changes(
    parent: Document,
    child: Document,
    parent_clean: CleanDoc,
    child_clean: CleanDoc,
    pairs: Sequence[SentencePair],
    alignment: Alignment,
) -> tuple[Change, ...]:
    """Every change the child made to the parent: facts compared sentence pair by sentence pair
    (``pairs``: parent sentence ``a`` aligned with child sentence ``b``), and passages of
    either side outside the ``alignment`` as added or dropped."""
    translation = parent_clean.lang != child_clean.lang and "und" not in (
        parent_clean.lang,
        child_clean.lang,
    )
    changes: list[Change] = []
    for pair in pairs:
        p_span = parent_clean.raw_span(parent_clean.sentences[pair.a])
        c_span = child_clean.raw_span(child_clean.sentences[pair.b])
        before = parent.text[p_span.start : p_span.end]
        after = child.text[c_span.start : c_span.end]
        if words(before) == words(after):
            continue
        changes.extend(
            passage_changes(before, after, p_span, c_span, translation, pair.lexical, pair.score)
        )
    changes.extend(_unaligned(child, child_clean, [p.b for p in alignment.passages], "added"))
    changes.extend(_unaligned(parent, parent_clean, [p.a for p in alignment.passages], "dropped"))
    return tuple(changes)


def _unaligned(
    doc: Document, clean: CleanDoc, covered: Sequence[Span], kind: Literal["added", "dropped"]
) -> list[Change]:
    """Runs of sentences of ``doc`` outside every aligned span, as added/dropped changes."""
    out: list[Change] = []
    run: list[Span] = []

    def flush() -> None:
        if run:
            span = Span(run[0].start, run[-1].end)
            text = doc.text[span.start : span.end]
            if kind == "added":
                out.append(Change("added", None, span, "", text, "passage not in the parent"))
            else:
                out.append(Change("dropped", span, None, text, "", "passage not in the child"))
            run.clear()

    for sentence in clean.sentences:
        raw = clean.raw_span(sentence)
        inside = any(c.start <= raw.start and raw.end <= c.end for c in covered)
        if inside:
            flush()
        else:
            run.append(raw)
    flush()
    return out
