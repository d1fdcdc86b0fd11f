"""What a derived version changed: numbers, dates, names, quotes, negations, swapped roles,
added or dropped text.

Rules over aligned sentence pairs (no NLI model is available offline). A fact-checker must be
able to trust a flag, so facts are compared only between sentences that correspond with
confidence (pair score >= ``Config.changes.confident``, not merely gap-filled next to an aligned
neighbour); names and same-language negations only where a word diff shows the replacement
in place; role flips carry their own evidence (the same relation with the same actors
exchanged). Numbers are compared by value (with scales: "1.5 thousand" = "1,500"), dates as
years, day numbers, weekdays, months and relative days, names through a
transliteration-insensitive key (Tsikhanouskaya and Cichanouskaja are one name). Every
change points at both sentences (or one, for added and dropped passages) and says in a short
note what changed.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from storytrace.align import SentencePair
from storytrace.config import ChangesConfig
from storytrace.lang import translation_pair
from storytrace.names import name_key
from storytrace.records import Alignment, Change, ChangeKind, CleanDoc, Document, Span
from storytrace.roles import role_flips
from storytrace.text import words

_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?(?![\w])|(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])"
)
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


_SCALES = {
    "thousand": 1e3, "thousands": 1e3, "tausend": 1e3, "mil": 1e3, "mille": 1e3,
    "тысяч": 1e3, "тысячи": 1e3, "тысяча": 1e3, "тыс": 1e3, "tūkst": 1e3,
    "million": 1e6, "millions": 1e6, "mn": 1e6, "millionen": 1e6, "millones": 1e6,
    "millón": 1e6, "млн": 1e6, "миллион": 1e6, "миллиона": 1e6, "миллионов": 1e6, "mln": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "milliarde": 1e9, "milliarden": 1e9,
    "млрд": 1e9, "миллиард": 1e9, "миллиарда": 1e9, "миллиардов": 1e9, "mlrd": 1e9,
    "trillion": 1e12, "трлн": 1e12,
}  # fmt: skip
_SCALE_AFTER = re.compile(r"\s?([^\W\d_]+)")


def number_mentions(text: str) -> list[tuple[str, int, int]]:
    """Numbers in ``text`` as (normalised value, start, end): '1,240', '1.240' and '1 240' ->
    '1240'; '4,5' -> '4.5'; a scale word after it multiplies ('1.5 thousand' -> '1500')."""
    out: list[tuple[str, int, int]] = []
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
        if value.startswith("."):
            value = "0" + value
        end = m.end()
        scale = _SCALE_AFTER.match(text, end)
        if scale and scale.group(1).lower().rstrip(".") in _SCALES:
            amount = float(value) * _SCALES[scale.group(1).lower().rstrip(".")]
            value = str(int(amount)) if amount == int(amount) else repr(amount)
            end = scale.end()
        out.append((value, m.start(), end))
    return out


def number_values(text: str) -> Counter[str]:
    """Numbers in ``text`` normalised (see :func:`number_mentions`), counted."""
    return Counter(v for v, _, _ in number_mentions(text))


# Calendar words, each mapped to one key across languages: a weekday, a month, a day
# relative to the publication ("yesterday"). Closed classes, not tuned lists.
_CALENDAR: dict[str, str] = {}
for _key, _forms in {
    "monday": "monday montag lunes lundi понедельник pirmadien",
    "tuesday": "tuesday dienstag martes mardi вторник antradien",
    "wednesday": "wednesday mittwoch miércoles mercredi среду среда trečiadien",
    "thursday": "thursday donnerstag jueves jeudi четверг ketvirtadien",
    "friday": "friday freitag viernes vendredi пятницу пятница penktadien",
    "saturday": "saturday samstag sábado samedi субботу суббота šeštadien",
    "sunday": "sunday sonntag domingo dimanche воскресенье sekmadien",
    "january": "january januar enero janvier января январь январе sausio",
    "february": "february februar febrero février февраля февраль феврале vasario",
    "march": "march märz marzo mars марта март марте kovo",
    "april": "april abril avril апреля апрель апреле balandžio",
    "may": "may mai mayo мая май мае gegužės",
    "june": "june juni junio juin июня июнь июне birželio",
    "july": "july juli julio juillet июля июль июле liepos",
    "august": "august agosto août августа август августе rugpjūčio",
    "september": "september septiembre septembre сентября сентябрь сентябре rugsėjo",
    "october": "october oktober octubre octobre октября октябрь октябре spalio",
    "november": "november noviembre novembre ноября ноябрь ноябре lapkričio",
    "december": "december dezember diciembre décembre декабря декабрь декабре gruodžio",
    "yesterday": "yesterday gestern ayer вчера vakar",
    "today": "today heute hoy aujourd'hui сегодня šiandien",
    "tomorrow": "tomorrow demain завтра rytoj",
}.items():
    for _form in _forms.split():
        _CALENDAR[_form] = _key
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_CALENDAR_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def calendar_mentions(text: str) -> list[tuple[str, int, int]]:
    """Weekdays, months and relative days in ``text`` as (key, start, end). Capitalised month
    names only in English ('May' the month, not 'may' the verb)."""
    out: list[tuple[str, int, int]] = []
    for m in _CALENDAR_WORD.finditer(text):
        word = m.group(0)
        key = _CALENDAR.get(word.lower())
        if key is None:
            continue
        if key in ("may", "march") and word.islower():
            continue
        out.append((key, m.start(), m.end()))
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


_DEFAULT = ChangesConfig()
"""``confident``: the pair score from which two sentences correspond closely enough to
compare their facts (a sentence aligned loosely, a split or a neighbour, may carry other
facts, not changed ones); ``short``: a replaced name or a negated verb is a few words, not
a rewritten clause."""
_DIFF_TOKEN = re.compile(r"\w+(?:['’]\w+)*")


def _is_negator(token: str) -> bool:
    low = token.lower()
    return low in _NEGATIONS or low.endswith(("n't", "n’t"))


def passage_changes(
    before: str,
    after: str,
    p_span: Span,
    c_span: Span,
    translation: bool,
    lexical: float = 1.0,
    score: float = 1.0,
    filled: bool = False,
    known_names: frozenset[str] = frozenset(),
    settings: ChangesConfig = _DEFAULT,
) -> list[Change]:
    """Changes between aligned sentences of the parent (``before``) and the child (``after``).

    Facts (numbers, dates, quotes, negation) are compared only where the two sentences
    correspond with confidence (``score`` >= ``settings.confident`` and not gap-filled); names and
    same-language negations only where a word diff shows the replacement in place (a name
    swapped for another name, a verb with a negator added or removed), so a loose paraphrase
    never reads as a change. ``known_names`` (lower case) are words the documents write
    capitalised inside sentences, so a name may be recognised at a sentence start. Role flips carry their own evidence: the same relation with
    the same actors in exchanged roles.
    """
    changes: list[Change] = []
    confident = score >= settings.confident and not filled
    if confident:
        changes.extend(_number_and_date_changes(before, after, p_span, c_span))
    tokens_b = [(m.group(0), m.start(), m.end()) for m in _DIFF_TOKEN.finditer(before)]
    tokens_a = [(m.group(0), m.start(), m.end()) for m in _DIFF_TOKEN.finditer(after)]
    opcodes = (
        difflib.SequenceMatcher(
            None, [t[0].lower() for t in tokens_b], [t[0].lower() for t in tokens_a], False
        ).get_opcodes()
        if not translation and not filled
        else []
    )
    if not translation and confident:
        qb, qa = _QUOTE.findall(before), _QUOTE.findall(after)
        for quote in qb:
            if quote in qa or not qa:
                continue
            closest = max(qa, key=lambda q: _overlap(quote, q))
            if 0.3 <= _overlap(quote, closest) < 0.9:
                changes.append(Change("quote", p_span, c_span, quote, closest, "quotation altered"))
    if not translation and not filled and lexical >= 0.5:
        changes.extend(
            _name_changes(
                before,
                after,
                tokens_b,
                tokens_a,
                opcodes,
                p_span,
                c_span,
                known_names,
                settings.short,
            )
        )
    for flip in role_flips(before, after):
        changes.append(
            Change(
                "role", p_span, c_span, flip.before.describe(), flip.after.describe(), flip.note()
            )
        )
    if negation_count(before) % 2 != negation_count(after) % 2:
        negated = (
            _negated_in_place(before, after, tokens_b, tokens_a, opcodes)
            if not translation
            else ((before, after) if confident else None)
        )
        if negated is not None:
            changes.append(
                Change(
                    "negation",
                    p_span,
                    c_span,
                    negated[0],
                    negated[1],
                    "negation added or removed: meaning may be flipped",
                )
            )
    return changes


def _number_and_date_changes(before: str, after: str, p_span: Span, c_span: Span) -> list[Change]:
    """Numbers (with their scales) and calendar words that differ between the two sentences."""
    out: list[Change] = []
    mentions_b, mentions_a = number_mentions(before), number_mentions(after)
    nb = Counter(v for v, _, _ in mentions_b)
    na = Counter(v for v, _, _ in mentions_a)
    cal_b, cal_a = calendar_mentions(before), calendar_mentions(after)
    if nb != na and nb and na:
        lost = sorted((nb - na).elements())
        new = sorted((na - nb).elements())
        if lost and new:
            day_b = _day_numbers(mentions_b, cal_b)
            day_a = _day_numbers(mentions_a, cal_a)
            dated = all(_YEAR.match(v) for v in lost + new) or (
                set(lost) <= day_b and set(new) <= day_a
            )
            kind: ChangeKind = "date" if dated else "number"
            out.append(
                Change(kind, p_span, c_span, ", ".join(lost), ", ".join(new), f"{kind} changed")
            )
    kb = Counter(k for k, _, _ in cal_b)
    ka = Counter(k for k, _, _ in cal_a)
    lost_days = [k for k in kb if k not in ka]
    new_days = [k for k in ka if k not in kb]
    if lost_days and new_days:
        words_b = [before[s:e] for k, s, e in cal_b if k in lost_days]
        words_a = [after[s:e] for k, s, e in cal_a if k in new_days]
        out.append(
            Change(
                "date",
                p_span,
                c_span,
                ", ".join(words_b),
                ", ".join(words_a),
                f"date changed: {words_b[0]} became {words_a[0]}",
            )
        )
    return out


def _day_numbers(
    numbers: list[tuple[str, int, int]], calendar: list[tuple[str, int, int]]
) -> set[str]:
    """Numbers written next to a month name ('March 5', '5 March'): days of a date."""
    months = [(s, e) for k, s, e in calendar if k in _MONTHS]
    return {
        v for v, s, e in numbers if any(0 <= s - me <= 2 or 0 <= ms - e <= 4 for ms, me in months)
    }


Token = tuple[str, int, int]


def _name_like(token: str, position: int, text: str, known: frozenset[str]) -> bool:
    """A capitalised word that is not a plain word capitalised by position: not the
    sentence's first word (unless ``known`` as a name), not written in lower case in it."""
    if not token[:1].isupper() or not token[:1].isalpha() or token.isupper():
        return False
    if token.lower() in _CALENDAR:
        return False  # a weekday or a month: compared as a date
    return (position > 0 or token.lower() in known) and re.search(
        rf"(?<!\w){re.escape(token.lower())}(?!\w)", text
    ) is None


def _name_changes(
    before: str,
    after: str,
    tokens_b: list[Token],
    tokens_a: list[Token],
    opcodes: Sequence[tuple[str, int, int, int, int]],
    p_span: Span,
    c_span: Span,
    known: frozenset[str],
    short: int,
) -> list[Change]:
    """Names replaced in place: a word diff's replacement of a name by a different name
    (each side at most ``short`` words)."""
    keys_b = {name_key(t) for t, *_ in tokens_b if t[:1].isupper()}
    keys_a = {name_key(t) for t, *_ in tokens_a if t[:1].isupper()}
    out: list[Change] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace" or i2 - i1 > short or j2 - j1 > short:
            continue
        old = [t for k, t in enumerate(tokens_b[i1:i2], i1) if _name_like(t[0], k, before, known)]
        new = [t for k, t in enumerate(tokens_a[j1:j2], j1) if _name_like(t[0], k, after, known)]
        if not old or not new:
            continue
        if any(name_key(t[0]) in keys_a for t in old) or any(name_key(t[0]) in keys_b for t in new):
            continue  # a respelling or a reordering, not another name
        old_text = before[old[0][1] : old[-1][2]]
        new_text = after[new[0][1] : new[-1][2]]
        if difflib.SequenceMatcher(None, old_text.lower(), new_text.lower()).ratio() >= 0.7:
            continue  # an inflection or a spelling ('Politics' -> 'Political'), not a swap
        out.append(
            Change(
                "name",
                p_span,
                c_span,
                old_text,
                new_text,
                f"different names: {old_text} became {new_text}",
            )
        )
    return out


def _negated_in_place(
    before: str,
    after: str,
    tokens_b: list[Token],
    tokens_a: list[Token],
    opcodes: Sequence[tuple[str, int, int, int, int]],
) -> tuple[str, str] | None:
    """The words around a negator added or removed in place ('will intervene' -> 'will not
    intervene', 'can' -> 'cannot'): a diff step whose two sides differ only by negators."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        side_b = [t[0] for t in tokens_b[i1:i2]]
        side_a = [t[0] for t in tokens_a[j1:j2]]
        neg_b = sum(_is_negator(t) for t in side_b)
        neg_a = sum(_is_negator(t) for t in side_a)
        if neg_b == neg_a:
            continue
        rest_b = [t for t in side_b if not _is_negator(t)]
        rest_a = [t for t in side_a if not _is_negator(t)]
        if len(rest_b) > 1 or len(rest_a) > 1:
            continue
        lo_b, hi_b = max(0, i1 - 1), min(len(tokens_b), i2 + 1)
        lo_a, hi_a = max(0, j1 - 1), min(len(tokens_a), j2 + 1)
        if hi_b <= lo_b or hi_a <= lo_a:
            continue
        return (
            before[tokens_b[lo_b][1] : tokens_b[hi_b - 1][2]],
            after[tokens_a[lo_a][1] : tokens_a[hi_a - 1][2]],
        )
    return None


_INNER_CAPITAL = re.compile(r"(?<=[\w,;:)] )[^\W\d_a-zа-я][\w'’-]+")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[^\W\d_A-ZА-Я][\w'’-]*")


def document_names(*texts: str) -> frozenset[str]:
    """Words (lower case) written capitalised inside a sentence and never in lower case:
    the documents' names, recognisable also where a sentence starts with one."""
    caps = {m.group(0).lower() for t in texts for m in _INNER_CAPITAL.finditer(t)}
    lower = {m.group(0) for t in texts for m in _LOWER_WORD.finditer(t)}
    return frozenset(caps - lower)


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
    settings: ChangesConfig = _DEFAULT,
) -> tuple[Change, ...]:
    """Every change the child made to the parent: facts compared sentence pair by sentence pair
    (``pairs``: parent sentence ``a`` aligned with child sentence ``b``), and passages of
    either side outside the ``alignment`` as added or dropped."""
    translation = translation_pair(parent_clean.lang, child_clean.lang)
    changes: list[Change] = []
    known = document_names(parent.text, child.text) if pairs else frozenset()
    for pair in pairs:
        p_span = parent_clean.raw_span(parent_clean.sentences[pair.a])
        c_span = child_clean.raw_span(child_clean.sentences[pair.b])
        before = parent.text[p_span.start : p_span.end]
        after = child.text[c_span.start : c_span.end]
        if words(before) == words(after):
            continue
        changes.extend(
            passage_changes(
                before,
                after,
                p_span,
                c_span,
                translation,
                pair.lexical,
                pair.score,
                filled=pair.filled,
                known_names=known,
                settings=settings,
            )
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
