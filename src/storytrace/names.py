"""Names across spellings: one key for 'Tsikhanouskaya', 'Cichanouskaja' and 'Ціханоўская'.

Transliteration systems (English, Polish/Lithuanian-style, German) and Cyrillic spell one
person many ways; a fact-checker must see them as one name and see a *different* name as a
change. The key is a consonant skeleton after folding diacritics, transcribing Cyrillic and
collapsing the common transliteration variants.
"""

from __future__ import annotations

import re
from functools import lru_cache

from storytrace.text import fold

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіўїєґ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
            "i",
            "u",
            "i",
            "e",
            "g",
        ],
        strict=True,
    )
)
_TRANSLIT = (
    ("shch", "s"),
    ("sch", "s"),
    ("tsch", "c"),
    ("kh", "h"),
    ("ch", "h"),
    ("sh", "s"),
    ("zh", "z"),
    ("ts", "c"),
    ("tz", "c"),
    ("cz", "c"),
    ("ou", "ov"),
    ("j", "i"),
    ("y", "i"),
    ("w", "v"),
    ("ck", "k"),
    ("q", "k"),
    ("x", "ks"),
)


@lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    """A spelling-insensitive key (a consonant skeleton): diacritics, Cyrillic script and common
    transliteration variants fold together ('Tsikhanouskaya', 'Cichanouskaja' and
    'Ціханоўская' share a key; the Russian form 'Тихановская' differs by one letter, which
    :func:`same_name` tolerates)."""
    text = "".join(_CYRILLIC.get(c, c) for c in fold(name)).replace("_", "")
    text = re.sub(r"[^a-z]", "", text)
    for a, b in _TRANSLIT:
        text = text.replace(a, b)
    text = re.sub(r"(.)\1+", r"\1", text)
    if not text:
        return ""
    return text[0] + re.sub(r"[aeiou]", "", text[1:])


def same_name(a: str, b: str) -> bool:
    """Do two spellings denote the same name? Equal keys, or keys of 4+ letters one edit apart."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    return ka == kb or (min(len(ka), len(kb)) >= 4 and _edit_distance(ka, kb) <= 1)


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[^\W\d_][\w’'-]{3,}", re.UNICODE)


@lru_cache(maxsize=16_384)
def name_keys(sentence: str) -> frozenset[str]:
    """Keys of the capitalised words of ``sentence`` (not its first word): the names it
    mentions, comparable across spellings and scripts. Cached (a pure function of the
    sentence): a version's sentences are keyed again for every edge it is part of."""
    out: set[str] = set()
    text = sentence.strip()
    for m in _CAPITALISED.finditer(text):
        token = m.group(0)
        if token[0].isupper() and not token.isupper():
            key = name_key(token.split("’")[0].split("'")[0])
            if len(key) >= 3:
                out.add(key)
    return frozenset(out)


_NAME_WORD = re.compile(r"\b[^\W\d_][\w-]{3,}", re.UNICODE)
# Languages that do not inflect names: there, one name spelled two ways is a transliteration
# difference, not a case ending (Lithuanian 'Vilnius'/'Vilniaus', Russian 'Путин'/'Путина').
STABLE_NAME_LANGS = frozenset({"en", "fr", "es", "it", "pt", "nl", "de", "sv", "da", "no"})


def transliteration_variants(parent: str, child: str) -> list[tuple[str, str]]:
    """Names the two texts spell differently, as (parent spelling, child spelling).

    A name counts when both texts use it (same key) and the child also spells it in a way
    the parent never does: a version that writes 'Lukashenka' and 'Cichanouskaja' where its
    source wrote 'Lukashenko' and 'Tsikhanouskaya' came through another language (a
    round-trip translation), even if it keeps the source's spelling elsewhere.
    """
    forms_p, forms_c = _forms(parent), _forms(child)
    out: list[tuple[str, str]] = []
    for key in sorted(forms_p.keys() & forms_c.keys()):
        folded_p = {fold(f) for f in forms_p[key]}
        new = sorted(f for f in forms_c[key] if fold(f) not in folded_p)
        if new:
            out.append((sorted(forms_p[key])[0], new[0]))
    return out


def _forms(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in _NAME_WORD.finditer(text):
        token = m.group(0)
        if not token[0].isupper() or token.isupper():
            continue
        key = name_key(token)
        if len(key) >= 4:
            out.setdefault(key, set()).add(token)
    return out
