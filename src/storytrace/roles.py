"""Who does what to whom: relation frames in one sentence, and the meaning flips between two.

A translation that keeps every word can still turn "Moscow will back Lukashenko" into
"the Kremlin will be supported by Minsk", or move the opposition leader's exile onto "the
authorities". No parser or NLI model ships offline for all our languages, so frames come
from rules that are easy to check:

- a lexicon of *directed* relations (support, attack, accuse, criticise, defeat, fund,
  threaten, arrest) and of *movement to a place* (fled to, withdrew to, in exile in), in
  English, German, Spanish, French, Russian and Lithuanian;
- mentions: states and their metonyms as one actor (Moscow, the Kremlin, Russia and
  "Russian" are one key; so are Minsk and Belarus), role nouns (the authorities, the
  government, die Regierung, las autoridades, власти), capitalised names (by a
  transliteration-insensitive key) and pronouns resolved to an earlier mention;
- voice: a be-auxiliary before the verb and an agent marker (by, von, por, par) make it
  passive, so the agent is the mention after the marker;
- clause boundaries (punctuation, subordinators, speech verbs, "and" before a new subject)
  keep the agent and patient inside the verb's clause.

Limits: German capitalises every noun, so there a fronted noun ("Laut Quellen finanziert
Berlin ...") can pass for a name; states, role nouns and word order are trusted, not parsed.

``role_flips`` compares the frames of an aligned sentence pair: the same relation with
agent and patient exchanged, or the same movement to the same place by another actor.
Every frame keeps its offsets, so a flip can be shown on the words.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Literal

from storytrace.names import name_key
from storytrace.text import fold

MentionKind = Literal["state", "group", "name", "pronoun"]

# State actors and their metonyms (capital, seat of power, demonym), by folded word stem, in
# en/de/es/fr/ru/lt. A stem matches the start of a word: inflected forms count too.
_STATES: dict[str, tuple[str, ...]] = {
    "russia": (
        "russia",
        "russland",
        "rusia",
        "russie",
        "rusij",
        "rusu",
        "росси",
        "русск",
        "российск",
        "moscow",
        "moskau",
        "moscu",
        "moscou",
        "maskv",
        "москв",
        "kreml",
        "кремл",
    ),
    "belarus": (
        "belarus",
        "weissruss",
        "bielorrus",
        "bielorus",
        "biélorus",
        "baltarus",
        "беларус",
        "белорус",
        "minsk",
        "минск",
    ),
    "ukraine": (
        "ukrain",
        "ucrania",
        "ucranian",
        "украин",
        "kyiv",
        "kiev",
        "kyjiv",
        "kijev",
        "kiew",
        "kiev",
        "киев",
        "києв",
    ),
    "lithuania": (
        "lithuan",
        "litauen",
        "litauisch",
        "lituan",
        "lietuv",
        "литв",
        "литов",
        "vilni",
        "вильн",
    ),
    "poland": (
        "poland",
        "polish",
        "polen",
        "polnisch",
        "polonia",
        "polaco",
        "pologne",
        "polonais",
        "lenkij",
        "польш",
        "польск",
        "warsaw",
        "warschau",
        "varsovia",
        "varsovie",
        "varšuv",
        "варшав",
    ),
    "latvia": ("latvia", "lettland", "letonia", "lettonie", "latvij", "латви", "riga", "рига"),
    "estonia": ("estonia", "estland", "estonie", "estij", "эстони", "tallinn", "таллин"),
    "united_states": (
        "united states",
        "u.s.",
        "usa",
        "america",
        "vereinigte staaten",
        "estados unidos",
        "états-unis",
        "etats-unis",
        "jav",
        "сша",
        "америк",
        "washington",
        "вашингтон",
        "white house",
        "weisses haus",
        "casa blanca",
        "maison blanche",
        "белый дом",
    ),
    "china": (
        "china",
        "chinese",
        "chinesisch",
        "chino",
        "chine",
        "chinois",
        "kinij",
        "китай",
        "китайск",
        "beijing",
        "peking",
        "pekín",
        "pékin",
        "pekin",
        "пекин",
    ),
    "germany": (
        "german",
        "deutschland",
        "deutsch",
        "alemania",
        "alemán",
        "allemagne",
        "allemand",
        "vokietij",
        "германи",
        "немецк",
        "berlin",
        "берлин",
    ),
    "france": (
        "france",
        "french",
        "frankreich",
        "französisch",
        "francia",
        "francés",
        "français",
        "prancūz",
        "франци",
        "французск",
        "paris",
        "parís",
        "париж",
        "elysee",
        "élysée",
        "елисейск",
    ),
    "united_kingdom": (
        "britain",
        "british",
        "united kingdom",
        "großbritannien",
        "grossbritannien",
        "reino unido",
        "royaume-uni",
        "britanij",
        "британи",
        "london",
        "londres",
        "londonas",
        "лондон",
        "downing street",
    ),
    "european_union": (
        "european union",
        "eu",
        "europäische union",
        "unión europea",
        "union européenne",
        "europos sąjung",
        "ес",
        "евросоюз",
        "brussels",
        "brüssel",
        "bruselas",
        "bruxelles",
        "briusel",
        "брюссел",
    ),
    "nato": ("nato", "otan", "нато"),
    "turkey": (
        "turkey",
        "turkish",
        "türkei",
        "turquía",
        "turquie",
        "turkij",
        "турци",
        "ankara",
        "анкар",
    ),
    "iran": ("iran", "irán", "иран", "tehran", "teheran", "teherán", "téhéran", "тегеран"),
    "israel": (
        "israel",
        "israël",
        "izrael",
        "израил",
        "jerusalem",
        "jerusalén",
        "jérusalem",
        "иерусалим",
    ),
    "japan": ("japan", "japón", "japon", "japonij", "япони", "tokyo", "tokio", "токио"),
    "india": ("india", "indien", "l inde", "indij", "инди", "delhi", "дели"),
    "georgia_state": ("tbilisi", "тбилиси"),
    "armenia": (
        "armenia",
        "armenien",
        "arménie",
        "armėnij",
        "армени",
        "yerevan",
        "eriwan",
        "ереван",
    ),
    "kazakhstan": ("kazakh", "kasach", "kazaj", "казах", "astana", "астан"),
}

# Role nouns: collective actors written in lower case, mapped to one key across languages.
_GROUPS: dict[str, str] = {}
for _key, _forms in {
    "authorities": (
        "authorities",
        "officials",
        "government",
        "regime",
        "behörden",
        "regierung",
        "regime",
        "autoridades",
        "gobierno",
        "régimen",
        "autorités",
        "gouvernement",
        "régime",
        "власти",
        "правительство",
        "режим",
        "valdžia",
        "vyriausybė",
        "režimas",
    ),
    "opposition": ("opposition", "oposición", "оппозиция", "opozicija"),
    "police": ("police", "polizei", "policía", "полиция", "policija"),
    "army": (
        "army",
        "military",
        "troops",
        "armee",
        "militär",
        "truppen",
        "ejército",
        "tropas",
        "armée",
        "troupes",
        "армия",
        "войска",
        "kariuomenė",
    ),
    "protesters": (
        "protesters",
        "demonstrators",
        "demonstranten",
        "manifestantes",
        "manifestants",
        "протестующие",
        "демонстранты",
        "protestuotojai",
    ),
    "president": ("president", "präsident", "presidente", "président", "президент", "prezidentas"),
    "leader": (
        "leader",
        "ruler",
        "anführer",
        "machthaber",
        "líder",
        "dirigente",
        "dirigeant",
        "лидер",
        "lyderis",
    ),
    "rebels": ("rebels", "rebellen", "rebeldes", "rebelles", "повстанцы", "sukilėliai"),
}.items():
    for _form in _forms:
        _GROUPS[_form] = _key

_PRONOUNS: dict[str, Literal["thing", "person", "plural", "relative"]] = {
    "it": "thing",
    "its": "thing",
    "he": "person",
    "him": "person",
    "his": "person",
    "she": "person",
    "her": "person",
    "they": "plural",
    "them": "plural",
    "their": "plural",
    "who": "relative",
    "which": "relative",
    "whom": "relative",
    "whose": "relative",
    "qui": "relative",
    "quien": "relative",
    "quienes": "relative",
    "который": "relative",
    "которая": "relative",
    "которое": "relative",
    "которые": "relative",
    "kuris": "relative",
    "kuri": "relative",
    "er": "person",
    "ihn": "person",
    "ihm": "person",
    "él": "person",
    "il": "person",
    "elle": "person",
    "он": "person",
    "она": "person",
    "его": "person",
    "ее": "person",
    "её": "person",
    "jis": "person",
    "ji": "person",
}

# Subordinators and coordinators that open a new clause.
_CLAUSE_WORDS = frozenset(
    [
        "while",
        "whereas",
        "although",
        "though",
        "because",
        "but",
        "if",
        "when",
        "since",
        "unless",
        "until",
        "so",
        "während",
        "obwohl",
        "weil",
        "aber",
        "wenn",
        "dass",
        "denn",
        "sondern",
        "mientras",
        "aunque",
        "porque",
        "pero",
        "si",
        "cuando",
        "sino",
        "tandis",
        "bien",
        "parce",
        "mais",
        "lorsque",
        "quand",
        "puisque",
        "пока",
        "хотя",
        "потому",
        "но",
        "если",
        "когда",
        "а",
        "nors",
        "nes",
        "bet",
        "jei",
        "kai",
        "o",
    ]
)
# Speech verbs open the reported clause: "officials said | Ankara backs the rebels".
_SPEECH = frozenset(
    re.split(
        r"\s+",
        "said says say told reported added claimed stated sagte sagten erklärte erklärten "
        "dijo dijeron afirmó declaró dit déclaré affirmé заявил заявила заявили сказал "
        "сказала сообщил sakė pareiškė teigė",
    )
)
_AND = frozenset({"and", "und", "y", "e", "et", "и", "ir"})
_BE = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "will",
        "wird",
        "wurde",
        "werden",
        "worden",
        "wurden",
        "ist",
        "sind",
        "war",
        "es",
        "son",
        "fue",
        "fueron",
        "será",
        "serán",
        "sido",
        "está",
        "están",
        "est",
        "sont",
        "était",
        "étaient",
        "été",
        "sera",
        "seront",
        "был",
        "была",
        "было",
        "были",
        "будет",
        "будут",
        "является",
        "yra",
        "buvo",
        "bus",
    ]
)
_AGENT_MARKERS = frozenset({"by", "von", "por", "par"})
_TITLE_WORDS = frozenset(
    [
        "president",
        "prime",
        "minister",
        "leader",
        "ruler",
        "counterpart",
        "chancellor",
        "foreign",
        "spokesman",
        "spokeswoman",
        "premier",
        "präsident",
        "kanzler",
        "presidente",
        "président",
        "президент",
        "премьер",
        "prezidentas",
    ]
)

_DIRECTED: dict[str, str] = {
    "support": r"support(?:s|ed|ing)?|back(?:s|ed|ing)?|endors(?:e|es|ed|ing)|unterstütz\w*"
    r"|apoy\w*|respald\w*|soutien\w*|soutenu\w*|souten\w*|appui\w*|поддерж\w*|palaik\w*",
    "attack": r"attack(?:s|ed|ing)?|invad(?:e|es|ed|ing)|angegriffen|greift|griff|angreif\w*"
    r"|atac\w*|attaqu\w*|envahi\w*|атак\w*|напал\w*|напад\w*|puol\w*",
    "accuse": r"accus(?:e|es|ed|ing)|blam(?:e|es|ed|ing)|beschuldig\w*|acus\w*|culp\w*"
    r"|обвин\w*|kaltin\w*",
    "criticise": r"criticis\w*|criticiz\w*|condemn\w*|kritisier\w*|verurteil\w*|critic[aó]\w*"
    r"|conden\w*|critiqu\w*|condamn\w*|критик\w*|осуди\w*|осужд\w*|kritikuo\w*|smerk\w*",
    "defeat": r"defeat(?:s|ed|ing)?|beat(?:s|en)?|besieg\w*|derrot\w*|vainc\w*|vainqu\w*"
    r"|побед\w*|nugalė\w*",
    "fund": r"fund(?:s|ed|ing)|financ(?:e|es|ed|ing)|finanzier\w*|financi[aó]\w*"
    r"|financé\w*|финансир\w*|finansuo\w*",
    "threaten": r"threaten(?:s|ed|ing)?|bedroh\w*|amenaz\w*|menac\w*|угрож\w*|grasin\w*",
    "arrest": r"arrest(?:s|ed|ing)?|detain(?:s|ed|ing)?|verhaft\w*|festgenommen|nimmt"
    r"|arrest[aó]\w*|detien\w*|detuv\w*|arrêt\w*|арестова\w*|задерж\w*|sulaik\w*|areštav\w*",
}
_MOVEMENT = (
    r"(?:withdr[ae]wn?|retreated|fled|flees|fleeing|escaped|moved|relocated|emigrated|"
    r"went(?:\s+into\s+exile)?|gone|left\s+for)\s+(?:to|into|for|in)"
    r"|(?:now\s+)?(?:in|into)\s+exile\s+(?:in|to)|exiled\s+(?:in|to)"
    r"|floh\s+nach|geflohen\s+nach|(?:im|ins)\s+exil\s+(?:in|nach)|zog\s+sich\s+nach"
    r"|huy[óo]\s+a|se\s+retir[óo]\s+a|se\s+traslad[óo]\s+a|(?:en\s+el\s+)?exilio\s+en"
    r"|exiliad[oa]s?\s+en|a\s+fui\s+(?:en|au|à)|en\s+exil\s+(?:en|au|à)|réfugié\w*\s+(?:en|au|à)"
    r"|s['’]est\s+retiré\w*\s+(?:en|au|à)|бежал\w*\s+в|уехал\w*\s+в|эмигрировал\w*\s+в"
    r"|в\s+эмиграции\s+в|pabėgo\s+į|pasitraukė\s+į|emigravo\s+į|tremtyje"
)
_NOT_VERB_AFTER_BACK = frozenset(
    [
        "to",
        "toward",
        "towards",
        "from",
        "into",
        "in",
        "home",
        "down",
        "up",
        "off",
        "out",
        "away",
        "on",
        "at",
    ]
)

_TOKEN = re.compile(r"\w+(?:[-.]\w+)*|[,;:()\"“”«»„]", re.UNICODE)
_DIRECTED_RE = {
    rel: re.compile(rf"^(?:{pattern})$", re.IGNORECASE) for rel, pattern in _DIRECTED.items()
}
_MOVEMENT_RE = re.compile(rf"\b(?:{_MOVEMENT})\b", re.IGNORECASE)
_ANY_TRIGGER = re.compile(
    rf"(?<!\w)(?:{'|'.join(_DIRECTED.values())})(?!\w)|{_MOVEMENT_RE.pattern}", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Mention:
    """An actor named in a sentence: ``key`` is shared by every way of naming it."""

    text: str
    start: int
    end: int
    key: str | None
    kind: MentionKind
    refers_to: str | None = None
    """For a pronoun: the earlier mention it was resolved to."""

    def label(self) -> str:
        return f"{self.text} [{self.refers_to}]" if self.refers_to else self.text


@dataclass(frozen=True, slots=True)
class Frame:
    """``agent`` does ``relation`` to ``patient`` (for movement: the patient is the place)."""

    relation: str
    agent: Mention | None
    patient: Mention | None
    trigger: tuple[int, int]
    passive: bool

    def describe(self) -> str:
        agent = self.agent.label() if self.agent else "?"
        patient = self.patient.label() if self.patient else "?"
        if self.relation == "move":
            return f"{agent} → moved to → {patient}"
        return f"{agent} → {self.relation}s → {patient}"


@dataclass(frozen=True, slots=True)
class Flip:
    """A meaning flip between the frames of two aligned sentences."""

    kind: Literal["roles swapped", "actor changed"]
    before: Frame
    after: Frame

    def note(self) -> str:
        if self.kind == "roles swapped":
            return "roles swapped: who does what to whom changed (meaning flipped)"
        return "a different actor does the same thing (meaning flipped)"


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return fold(self.text)


_STATE_ORDER = {key: n for n, key in enumerate(_STATES)}
_STATE_EXACT = {stem: key for key, stems in _STATES.items() for stem in stems}
_STATE_PREFIX = re.compile(
    "|".join(
        f"(?P<s{n}>{re.escape(stem)})"
        for n, stem in enumerate(
            stem
            for stems in _STATES.values()
            for stem in stems
            if len(stem) >= 4 and " " not in stem
        )
    )
)
_STATE_PREFIX_KEYS = [
    key for key, stems in _STATES.items() for stem in stems if len(stem) >= 4 and " " not in stem
]


@functools.lru_cache(maxsize=1 << 16)
def state_key(word: str) -> str | None:
    """The state a word names or stands for ('Kremlin', 'Moscow', 'Russian' -> 'russia').

    One compiled alternation of every stem (first stem in table order wins, as a loop over
    the table would) and a cache: this runs on every token of every compared sentence."""
    folded = fold(word.rstrip("."))
    exact = _STATE_EXACT.get(folded)
    m = _STATE_PREFIX.match(folded)
    if m is None:
        return exact
    prefix = _STATE_PREFIX_KEYS[int(m.lastgroup[1:])] if m.lastgroup else None
    if exact is None:
        return prefix
    # table order decides between an exact stem and a prefix stem of another state
    return min((exact, prefix), key=_STATE_ORDER.__getitem__) if prefix else exact


def _phrase_states(sentence: str) -> list[tuple[int, int, str]]:
    """Multi-word state names ('United States', 'White House'), as (start, end, key)."""
    out: list[tuple[int, int, str]] = []
    folded = fold(sentence)
    if len(folded) != len(sentence):
        return out
    for key, stems in _STATES.items():
        for stem in stems:
            if " " not in stem and "." not in stem:
                continue
            for m in re.finditer(rf"(?<!\w){re.escape(stem)}(?!\w)", folded):
                out.append((m.start(), m.end(), key))
    return out


def mentions(sentence: str) -> list[Mention]:
    """Actors mentioned in ``sentence``, in order (pronouns resolved where possible)."""
    tokens = [_Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
    phrases = _phrase_states(sentence)
    out: list[Mention] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        phrase = next((p for p in phrases if p[0] == tok.start), None)
        if phrase is not None:
            end = phrase[1]
            out.append(Mention(sentence[tok.start : end], tok.start, end, phrase[2], "state"))
            while i < len(tokens) and tokens[i].start < end:
                i += 1
            continue
        word = tok.lower
        if word in _PRONOUNS:
            out.append(Mention(tok.text, tok.start, tok.end, None, "pronoun"))
        elif word in _GROUPS:
            out.append(Mention(tok.text, tok.start, tok.end, _GROUPS[word], "group"))
        elif (key := state_key(tok.text)) is not None and tok.text[:1].isupper():
            # A demonym before a title and a name ("Belarusian President Alexander
            # Lukashenko") is one mention of that state's leader.
            j = i + 1
            while j < len(tokens) and tokens[j].lower in _TITLE_WORDS:
                j += 1
            while (
                j < len(tokens)
                and _is_name(tokens[j], first=False)
                and state_key(tokens[j].text) is None
            ):
                j += 1
            end = tokens[j - 1].end
            out.append(Mention(sentence[tok.start : end], tok.start, end, key, "state"))
            i = j
            continue
        elif _is_name(tok, first=i == 0):
            j = i + 1
            while j < len(tokens) and _is_name(tokens[j], first=False):
                j += 1
            last = tokens[j - 1]
            end = last.end
            key = name_key(last.text)
            out.append(Mention(sentence[tok.start : end], tok.start, end, key or None, "name"))
            i = j
            continue
        i += 1
    return _resolve_pronouns(out)


def _is_name(tok: _Token, first: bool) -> bool:
    text = tok.text
    if not text[:1].isupper() or not text[:1].isalpha():
        return False
    if first:
        return False
    word = tok.lower
    return word not in _GROUPS and word not in _PRONOUNS and word not in _CLAUSE_WORDS


def _resolve_pronouns(found: list[Mention]) -> list[Mention]:
    """Give each pronoun the key of the nearest earlier mention of a fitting kind."""
    out: list[Mention] = []
    for m in found:
        if m.kind != "pronoun":
            out.append(m)
            continue
        want = _PRONOUNS[fold(m.text)]
        target: Mention | None = None
        for prev in reversed(out):
            if prev.key is None:
                continue
            if (
                want == "relative"
                or (want == "thing" and prev.kind in ("state", "group"))
                or (want == "person" and prev.kind in ("name",))
                or (want == "person" and prev.key in ("president", "leader"))
                or (want == "plural" and prev.kind in ("state", "group"))
            ):
                target = prev
                break
        if want == "relative" and target is not None and (m.start - target.end) > 4:
            target = None  # "who" right after its antecedent ("X, who ...") only
        out.append(
            Mention(
                m.text,
                m.start,
                m.end,
                target.key if target else None,
                "pronoun",
                (target.refers_to or target.text) if target else None,
            )
        )
    return out


def _clauses(sentence: str, tokens: list[_Token], found: list[Mention]) -> list[tuple[int, int]]:
    """Character ranges of the sentence's clauses."""
    starts = {m.start for m in found}
    cuts = [0]
    for idx, tok in enumerate(tokens):
        word = tok.lower
        if (
            tok.text in ',;:()"“”«»„'
            or word in _CLAUSE_WORDS
            or word in _SPEECH
            or _PRONOUNS.get(word) == "relative"
        ):
            cuts.append(tok.start)
        elif word in _AND and idx + 1 < len(tokens):
            nxt = tokens[idx + 1]
            # "and Kyiv backs ..." starts a clause; "and will back him" continues one.
            if nxt.start in starts or nxt.lower in ("the", "die", "der", "el", "la", "le", "les"):
                cuts.append(tok.start)
    cuts.append(len(sentence))
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def frames(sentence: str) -> list[Frame]:
    """Relation frames of one sentence."""
    return list(_frames(sentence))


@functools.lru_cache(maxsize=1 << 14)
def _frames(sentence: str) -> tuple[Frame, ...]:
    """Frames of one sentence, cached: a parent's sentence is compared with every child's.
    A sentence without any relation or movement word has none (checked by one regex)."""
    if _ANY_TRIGGER.search(sentence) is None:
        return ()
    tokens = [_Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
    found = mentions(sentence)
    clauses = _clauses(sentence, tokens, found)
    out: list[Frame] = []
    for idx, tok in enumerate(tokens):
        relation = next((r for r, rx in _DIRECTED_RE.items() if rx.match(tok.text)), None)
        if relation is None:
            continue
        if tok.lower.startswith("back") and (
            idx + 1 >= len(tokens) or tokens[idx + 1].lower in _NOT_VERB_AFTER_BACK
        ):
            continue  # "back toward Moscow", "came back"
        frame = _directed_frame(relation, tok, tokens, found, clauses)
        if frame is not None:
            out.append(frame)
    for m in _MOVEMENT_RE.finditer(sentence):
        clause = _clause_of(clauses, m.start())
        before = [x for x in found if clause[0] <= x.start < m.start()]
        after = [x for x in found if m.end() <= x.start < clause[1] and x.kind == "state"]
        mover = _subject(before)
        place = after[0] if after else None
        if place is not None:
            out.append(Frame("move", mover, place, (m.start(), m.end()), False))
    return tuple(out)


def _clause_of(clauses: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next((c for c in clauses if c[0] <= pos < c[1]), (0, pos + 1))


def _subject(before: list[Mention]) -> Mention | None:
    """The clause's subject among the mentions before the verb: the first one."""
    return before[0] if before else None


def _directed_frame(
    relation: str,
    tok: _Token,
    tokens: list[_Token],
    found: list[Mention],
    clauses: list[tuple[int, int]],
) -> Frame | None:
    lo, hi = _clause_of(clauses, tok.start)
    in_clause = [t for t in tokens if lo <= t.start < hi]
    before = [m for m in found if lo <= m.start < tok.start]
    after = [m for m in found if tok.end <= m.start < hi]
    be_before = any(t.lower in _BE for t in in_clause if t.start < tok.start)
    markers = [t for t in in_clause if t.lower in _AGENT_MARKERS]
    if be_before and markers:
        marker = markers[0]
        agent = next((m for m in found if marker.end <= m.start < hi), None)
        patient = next((m for m in before if agent is None or m.start != agent.start), None)
        if agent is not None:
            return Frame(relation, agent, patient, (tok.start, tok.end), True)
    agent = _subject(before)
    patient = after[0] if after else (before[1] if len(before) >= 2 else None)
    if agent is None and patient is None:
        return None
    return Frame(relation, agent, patient, (tok.start, tok.end), False)


def _same(a: Mention | None, b: Mention | None) -> bool:
    return a is not None and b is not None and a.key is not None and a.key == b.key


def role_flips(before: str, after: str) -> list[Flip]:
    """Meaning flips from ``before`` (parent sentence) to ``after`` (its aligned child).

    - roles swapped: the same directed relation with an actor moved from agent to patient
      (or back) while the other side changed ("Moscow backs Minsk" -> "Minsk backs Moscow");
    - actor changed: the same movement to the same place by a different actor.
    """
    flips: list[Flip] = []
    fb_all = _frames(before)
    if not fb_all:
        return flips
    fa_all = _frames(after)
    for fb in fb_all:
        for fa in fa_all:
            if fb.relation != fa.relation:
                continue
            if fb.relation == "move":
                if (
                    _same(fb.patient, fa.patient)
                    and fb.agent is not None
                    and fa.agent is not None
                    and fb.agent.key is not None
                    and fa.agent.key is not None
                    and not _same(fb.agent, fa.agent)
                ):
                    flips.append(Flip("actor changed", fb, fa))
                continue
            agent_became_patient = _same(fb.agent, fa.patient) and not _same(fa.agent, fb.agent)
            patient_became_agent = _same(fb.patient, fa.agent) and not _same(fa.patient, fb.patient)
            if agent_became_patient or patient_became_agent:
                # The same roles elsewhere in the child mean the frame was kept, not swapped.
                kept = any(
                    _same(f.agent, fb.agent) and _same(f.patient, fb.patient)
                    for f in fa_all
                    if f.relation == fb.relation
                )
                if not kept:
                    flips.append(Flip("roles swapped", fb, fa))
    return _dedupe(flips)


def _dedupe(flips: list[Flip]) -> list[Flip]:
    seen: set[tuple[str, tuple[int, int], tuple[int, int]]] = set()
    out: list[Flip] = []
    for f in flips:
        key = (f.kind, f.before.trigger, f.after.trigger)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
