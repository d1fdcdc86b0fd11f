"""Explicit credits in news text: "Nordwire reported", "told AFP", "laut dpa", "сообщает ТАСС".

A credit counts when the credited name is an outlet: one of the corpus's own sources, a
well-known agency or outlet, or a name that says it is one ("news agency X", "X Times").
People and institutions ("the Kremlin said", "Smith said") are not outlets and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from storytrace.records import Attribution, CleanDoc, Span
from storytrace.text import fold

KNOWN_OUTLETS: tuple[str, ...] = (
    "Bloomberg",
    "Reuters",
    "Associated Press",
    "AP",
    "AFP",
    "Agence France-Presse",
    "Interfax",
    "TASS",
    "ТАСС",
    "Интерфакс",
    "РИА Новости",
    "RIA Novosti",
    "Sputnik",
    "BBC",
    "CNN",
    "dpa",
    "DPA",
    "EFE",
    "ANSA",
    "Xinhua",
    "Kyodo",
    "Yonhap",
    "PAP",
    "BNS",
    "ELTA",
    "BelTA",
    "UNIAN",
    "Ukrinform",
    "Kommersant",
    "Коммерсантъ",
    "Vedomosti",
    "Ведомости",
    "RBC",
    "РБК",
    "Meduza",
    "Медуза",
    "Novaya Gazeta",
    "The Moscow Times",
    "The New York Times",
    "New York Times",
    "The Washington Post",
    "Washington Post",
    "The Wall Street Journal",
    "Wall Street Journal",
    "Financial Times",
    "The Guardian",
    "Der Spiegel",
    "Spiegel",
    "Die Zeit",
    "FAZ",
    "Süddeutsche Zeitung",
    "Bild",
    "El País",
    "El Mundo",
    "Le Monde",
    "Le Figaro",
    "DELFI",
    "Delfi",
    "LRT",
    "15min",
    "Politico",
    "Axios",
    "Al Jazeera",
    "NHK",
    "CNBC",
    "Fox News",
    "NBC",
    "CBS",
    "ABC News",
    "Sky News",
    "Deutsche Welle",
    "DW",
    "RFE/RL",
    "Radio Free Europe",
    "Euronews",
    "Nikkei",
    "South China Morning Post",
)

_OUTLET_WORDS = re.compile(
    r"\b(news|agency|times|post|press|wire|daily|gazette|herald|tribune|journal|radio|tv|"
    r"television|telegraph|courier|observer|chronicle|report|zeitung|agentur|rundschau|"
    r"kurier|diario|periódico|agencia|noticias|газета|агентство|новости|žinios|naujienos|"
    r"agentūra)\b",
    re.IGNORECASE,
)

# A candidate outlet name: up to five capitalised words (with "the", "de", "of" inside).
# Words may hold inner dots ("U.S.", "RFE/RL") but never end with one (a sentence's full stop).
_WORD = r"[A-ZÀ-ÖØ-ÞА-ЯЁĀ-Ž0-9](?:[\w&'’/-]|\.(?=\w))*"
_NAME = (
    r"(?P<name>(?:[Tt]he\s+)?(?:" + _WORD + r"|dpa\b)"
    r"(?:\s+(?:of\s+|de\s+|del\s+|la\s+)?" + _WORD + r"){0,4})"
)
_AGENCY_WORD = (
    r"(?:(?:news\s+)?agency|Nachrichtenagentur|Agentur|Zeitung|agencia(?:\s+de\s+noticias)?|"
    r"diario|агентство|издание|газета|naujienų\s+agentūra|agentūra|agence)"
)
_ACRONYM = r"(?:\s*\((?P<acronym>[A-ZА-Я][A-ZА-Я0-9&]{1,7})\))?"
# "Meridane Press Service (MPS)": the acronym is an alias of the outlet.
_ALIAS = re.compile(_NAME + r"\s*\((?P<acronym>[A-ZА-Я][A-ZА-Я0-9&]{1,7})\)")
# Agency datelines: "VELAMAR, Corvania, March 14 (MPS) -", "MOSCOW (Reuters) -".
_DATELINE = re.compile(
    r"^\s*[A-ZÀ-ÖØ-ÞА-ЯЁ][A-ZÀ-ÖØ-ÞА-ЯЁ .'-]{2,40}(?:,\s*[^\n()]{2,40}?)?\s*"
    r"\((?P<outlet>[^()\n]{2,40})\)\s*[-–—]",
    re.MULTILINE,
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cue, re.compile(p, re.UNICODE))
    for cue, p in (
        (
            "reported",
            _NAME
            + _ACRONYM
            + r"\s+(?:has\s+|had\s+)?(?:first\s+|initially\s+|earlier\s+|zuerst\s+|"
            r"primero\s+|впервые\s+)?(?:reported|reports|wrote|writes|cited|cites|"
            r"quoted|quotes|revealed|learned|said|says|berichtete|berichtet|meldete|meldet|"
            r"informó|informa|publicó|reportó|сообщил[аио]?|сообщает|пишет|передает|передаёт|"
            r"pranešė|skelbia|rašo|rapporte|a rapporté)\b",
        ),
        (
            "according to",
            r"(?:according\s+to|citing|reported\s+by|first\s+reported\s+by|"
            r"(?:additional\s+)?reporting\s+by|with\s+reporting\s+from|laut|"
            r"según|segun|по\s+данным|по\s+информации|со\s+ссылкой\s+на|selon|remiantis)\s+"
            r"(?:the\s+|die\s+|der\s+|dem\s+|la\s+|el\s+)?(?:" + _AGENCY_WORD + r"\s+)?" + _NAME,
        ),
        (
            "told",
            r"(?:told|tells|said\s+to|speaking\s+to|in\s+an\s+interview\s+with|sagte\s+(?:der|dem)|"
            r"dijo\s+a|declaró\s+a|заявил[аи]?|рассказал[аи]?|sakė)\s+(?:the\s+|el\s+|la\s+)?"
            + _NAME,
        ),
        (
            "writes",
            r"(?:writes|wrote|reports|reported|berichtete|berichtet|meldet|informó|informa|"
            r"сообщает|сообщило|пишет|pranešė|rašo|rapporte)\s+(?:the\s+|die\s+|der\s+|das\s+|la\s+|el\s+)?"
            r"(?:[A-Z][a-z]+\s+)?(?:" + _AGENCY_WORD + r"\s+)?" + _NAME,
        ),
        ("agency", _AGENCY_WORD + r"\s+" + _NAME),
        ("sources", _NAME + r"\s+sources?\b"),
    )
)


def find_attributions(
    doc: CleanDoc, known_sources: Iterable[str] = (), aliases: dict[str, str] | None = None
) -> tuple[Attribution, ...]:
    """Credits to outlets in ``doc`` with raw spans; ``aliases`` maps acronyms to outlets."""
    outlets = _outlet_lookup(known_sources)
    for alias, outlet in (aliases or {}).items():
        outlets.setdefault(_key(alias), outlet)
    found: list[Attribution] = []
    for cue, pattern in _PATTERNS:
        for m in pattern.finditer(doc.text):
            resolved = _resolve(m.group("name"), outlets, cue, m.group(0))
            if resolved is None:
                continue
            outlet = (aliases or {}).get(_key(resolved), resolved)
            found.append(
                Attribution(outlet=outlet, span=doc.raw_span(Span(m.start(), m.end())), cue=cue)
            )
    # One credit matched by several cues is reported once (the earliest, widest match).
    found.sort(key=lambda a: (a.span.start, -a.span.end))
    kept: list[Attribution] = []
    for credit in found:
        if any(
            fold(k.outlet) == fold(credit.outlet)
            and k.span.start < credit.span.end
            and credit.span.start < k.span.end
            for k in kept
        ):
            continue
        kept.append(credit)
    return tuple(kept)


def find_aliases(texts: Iterable[str], known_sources: Iterable[str] = ()) -> dict[str, str]:
    """Acronym -> outlet, from "Meridane Press Service (MPS)" style mentions in ``texts``."""
    outlets = _outlet_lookup(known_sources)
    aliases: dict[str, str] = {}
    for text in texts:
        for m in _ALIAS.finditer(text):
            outlet = _resolve(m.group("name"), outlets, "alias", m.group(0))
            if outlet is not None and _key(outlet) != _key(m.group("acronym")):
                aliases.setdefault(_key(m.group("acronym")), outlet)
    return aliases


def dateline_outlet(text: str, aliases: dict[str, str] | None = None) -> str | None:
    """The agency named in a dateline at the top of ``text`` ("VELAMAR, March 14 (MPS) -")."""
    m = _DATELINE.search(text[:1500])
    if m is None:
        return None
    outlet = m.group("outlet").strip()
    return (aliases or {}).get(_key(outlet), outlet)


def same_outlet(a: str | None, b: str | None) -> bool:
    """Do two outlet names denote the same outlet ('The Moscow Times' ~ 'moscowtimes.com')?"""
    if not a or not b:
        return False
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return False
    short, long = sorted((ka, kb), key=len)
    # 'Nordwire' ~ 'Nordwire News Agency', but 'AP' is not 'Japan Times'.
    return ka == kb or (len(short) >= 4 and long.startswith(short))


@lru_cache(maxsize=65_536)
def _key(name: str) -> str:
    """An outlet name's comparison key (folded, no article, no domain ending, letters and
    digits only). Cached: every document's lookup keys every known outlet and source."""
    folded = fold(name)
    folded = re.sub(r"^(the|die|der|das|el|la|le)\s+", "", folded)
    folded = re.sub(r"\.(com|org|net|ru|de|es|lt|co\.uk|test|example)$", "", folded)
    return re.sub(r"[^\w]", "", folded)


def _outlet_lookup(known_sources: Iterable[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for name in KNOWN_OUTLETS:  # the first spelling listed is the canonical one ("dpa")
        table.setdefault(_key(name), name)
    for source in known_sources:
        if source and len(_key(source)) >= 2:
            table[_key(source)] = source
    return table


def _resolve(raw_name: str, outlets: dict[str, str], cue: str, matched: str) -> str | None:
    """The outlet a captured name denotes: its longest known prefix, else a name that says
    it is an outlet ("Meridane Press Service"), else the name after an agency word."""
    tokens = raw_name.split()
    for n in range(len(tokens), 0, -1):
        spelled = " ".join(tokens[:n])
        key = _key(spelled)
        if key in outlets:
            known = outlets[key]
            return spelled if spelled.lower() == known.lower() else known  # keep "DPA" / "dpa"
    for n in range(len(tokens), 1, -1):
        candidate = " ".join(tokens[:n])
        if _OUTLET_WORDS.search(candidate) and _key(candidate) not in _NOT_OUTLETS:
            return re.sub(r"^(?:[Tt]he|[Tt]he)\s+", "", candidate)
    if cue == "agency" or re.search(_AGENCY_WORD, matched, re.IGNORECASE):
        name = tokens[0] if tokens else ""
        return name if len(name) > 1 else None
    return None


_NOT_OUTLETS = frozenset({"thepress", "pressservice", "newsconference", "pressconference"})


def may_credit(text: str, outlets: Iterable[str]) -> bool:
    """Could ``text`` credit one of ``outlets``, as a known source, in ``find_attributions``
    or ``find_aliases``? Only when an outlet's key occurs in the text's key (its folded word
    characters): a text that names none of them is read the same with or without them."""
    keys = [k for o in outlets if o and len(k := _key(o)) >= 2]
    if not keys:
        return False
    squeezed = re.sub(r"[^\w]", "", fold(text))
    return any(k in squeezed for k in keys)
