"""Cue patterns for the junk that sites wrap around news text, per language.

Kept apart from ``clean`` so the rules read as data: each pattern names one kind of junk,
and ``clean`` records that name as the reason for every removal it makes.
Languages covered: English, German, Spanish, Russian, Lithuanian, French.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE | re.UNICODE

AD_MARKER = re.compile(
    r"^\s*[\[(]?\s*(ad_?\d+|advertisement|advertising|anzeige|werbung|publicidad|anuncio|"
    r"реклама|reklama|publicité)\s*[\])]?"
    # "Advertisement - Page continues below", "Story continues below advertisement"
    r"(\s*[-–—:|]?\s*(page|story|article|text|content)\s+continues\s+(below|after)\b.{0,20})?\s*$"
    r"|^\s*(page|story|article)\s+continues\s+(below|after)(\s+(this\s+)?(ad|advertisement))?\s*$",
    _I,
)

URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", _I)
INLINE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'”»]+[^\s<>\"'”».,;:!?)\]]", _I)

RELATED = re.compile(
    r"^\s*(related( articles?| stories| story| content| reading)?|read (more|also|next)|"
    r"see also|also read|more on this|recommended|lesen sie (auch|mehr)|mehr zum thema|"
    r"auch interessant|lea también|lee también|leer más|te puede interesar|"
    r"читайте (также|еще|тоже)|по теме|taip pat skaitykite|skaitykite taip pat|susiję|"
    r"à lire aussi|lire aussi)\b\s*[:\-–—|»>]",
    _I,
)

SHARE_LINE = re.compile(
    r"^\s*((share|print|tweet|email|e-mail|copy link|facebook|twitter|x|whatsapp|telegram|"
    r"linkedin|teilen|drucken|compartir|imprimir|поделиться|печать|dalintis|spausdinti)"
    r"(\s+(this|on|via|article|story|artikel|en|on facebook|on twitter))*[\s|/·•,:]*){1,8}$",
    _I,
)

# "Vladimir Putin | SPUTNIK / KREMLIN / POOL / VIA AP" style credit lines.
CREDIT_PIPE = re.compile(r"^[^|]{0,250}\|\s*[A-Z0-9][A-Z0-9 /.&()'’-]{2,}\s*\)?\s*$")
# A caption ending "... Firstname Lastname / AGENCY" (photographer / agency).
CAPTION_CREDIT = re.compile(
    r"[.!?]\s+\(?(?:Photo:?\s*)?[A-ZÀ-ÖØ-ÞА-ЯĀ-Ž][\w'’.-]+(?:\s+[A-ZÀ-ÖØ-ÞА-ЯĀ-Ž][\w'’.-]+){0,3}"
    r"\s*/\s*[A-ZА-Я][\w&.-]*(?:\s*/\s*[A-Za-zА-Я][\w&.-]*)*\)?\s*$"
)
# A line that is only a credit: "Lena Varg / Nordwire", "Photo: Ines Farrow / Corvania Today".
CREDIT_ONLY = re.compile(
    r"^\s*\(?(?:(?:photo|foto|image|bild|фото)\s*:?\s*)?[A-ZÀ-ÖØ-ÞА-ЯĀ-Ž][\w'’.-]+"
    r"(?:\s+[A-ZÀ-ÖØ-ÞА-ЯĀ-Ž][\w'’.-]+){0,3}\s*/\s*[A-ZА-Я][\w&.-]*"
    r"(?:\s+[A-Z][\w&.-]*){0,3}(?:\s*/\s*[A-Za-zА-Я][\w&.-]*)*\)?\s*$",
    re.IGNORECASE,
)
PHOTO_CREDIT = re.compile(
    r"^\s*\(?(photo|photos|foto|fotos|image|picture|bild|фото|nuotr\.?|nuotrauka)\s*"
    r"(by|credit|:|©|/)\s*.{2,80}$",
    _I,
)

COPYRIGHT = re.compile(
    r"(©|\(c\)\s*\d{4}|\bcopyright\s*(©|\(c\)|\d{4}|notice\b)|all rights reserved|alle rechte vorbehalten|"
    r"todos los derechos reservados|все права защищены|visos teisės saugomos|"
    r"tous droits réservés|strictly (forbidden|prohibited)|"
    r"(reproduc\w*|redistribut\w*|republish\w*|distribut\w*|copy\w*) .{0,80}without .{0,40}"
    r"(consent|permission|authori[sz]ation)|"
    r"without .{0,40}(consent|permission).{0,120}(reproduc|distribut|republish|cite)|"
    r"must (cite|credit) .{0,60} as the source|"
    r"nachdruck .{0,40}(nur|verboten)|prohibida (su|la) reproducción|"
    r"перепечатка .{0,60}(запрещена|только)|draudžiama .{0,80}(skelbti|platinti|naudoti))",
    _I,
)

# The first line of a reader-comment section: everything from it to the end is comments.
COMMENTS_START = re.compile(
    r"^\s*(\d+\s+(comments?|kommentare?|comentarios?|commentaires?|комментари\w*|"
    r"коммент\w*|komentar\w*)|(comments|kommentare|comentarios|commentaires|комментарии|"
    r"komentarai)\s*(\(\d+\))?|(leave|add|post|show|view)\s+(a\s+)?comments?|"
    r"join the (discussion|conversation)|"
    r".{0,40}(to (leave|post|write) (a )?comments?|um zu kommentieren|para comentar|"
    r"чтобы (оставить|написать) комментари).{0,60}(sign in|log ?in|register|anmelden|"
    r"registr|войти|авториз|зарегистр).{0,20})\s*[.:!]?\s*$",
    _I,
)
# A reader comment's byline ("4. jsmith says:", "Anna Berg wrote:") and its timestamp line
# ("November 19, 2019 at 7:02 am", "19.11.2019, 07:02", "2 hours ago"): two such blocks in
# a row open a comment section even without a "Comments" heading.
COMMENT_BYLINE = re.compile(
    r"^\s*(?:\d{1,4}[.)]\s+)?\S.{0,60}?\s(?:says|said|wrote|writes|replied|schreibt|schrieb|"
    r"dice|escribe|escribió|écrit|a écrit|пишет|написал\w*|ответил\w*|rašo|parašė)\s*:?\s*$",
    _I,
)
COMMENT_TIME = re.compile(
    r"^\s*(?:[^\W\d_]{3,12}\.?\s+\d{1,2},?\s+\d{4}(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?"
    r"|\d{1,2}\.?\s+[^\W\d_]{3,12}\.?\s+\d{4},?\s+(?:um\s+|a las\s+|в\s+)?\d{1,2}:\d{2}"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d+\s+(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago"
    r"(?:\s+at\s+\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?"
    r"|vor\s+\d+\s+(?:minuten|stunden|tagen|wochen)|hace\s+\d+\s+(?:minutos|horas|días|dias)"
    r"|\d+\s+(?:минут\w*|час\w*|дн\w*|дня)\s+назад|prieš\s+\d+\s+\w+)\s*$",
    _I,
)

# Opening lines of a donation or subscription appeal: from one of these to the end of the
# article (or the comments) is the appeal.
APPEAL_START = re.compile(
    r"^\s*(a message from\b.{0,60}|dear (readers?|friends)\b.{0,40}|"
    r"support (our|independent|quality) journalism.{0,80}|"
    r"liebe leserinnen( und leser)?\b.{0,40}|liebe leser\b.{0,40}|"
    r"(queridos|estimados) lectores\b.{0,40}|querido lector\b.{0,40}|"
    r"(дорогие|уважаемые) читатели\b.{0,40}|mieli skaitytojai\b.{0,40}|"
    r"chers lecteurs\b.{0,40})\s*[:,.!]?(\s|$)",
    _I,
)
APPEAL = re.compile(
    r"(\bdonat\w+|\bsupport (us|our|the|independent)\b|\bcontribution|\bcontribute\b|"
    r"\bsubscrib\w+|\bbecome a (member|subscriber|supporter)|\bremind me later\b|"
    r"quality journalism|independent journalism|help us (get|keep|continue)|"
    r"\bunterstützen sie\b|\bspende\w*|\babonn\w+|\bjetzt (abonnieren|unterstützen)|"
    r"\bapóyanos\b|\bdona(r|ción|ciones)\b|\bsuscr[ií]\w+|"
    r"\bподдержи(те)?\b|\bпожертвова\w+|\bподпи(ска|шитесь)|\bparemk\w+|\bprenumer\w+)",
    _I,
)

# Appeals addressed to the reader; enough on their own to mark a closing paragraph as an
# appeal even without an opening line ("support the bill" or "41,000 subscribers" are news).
STRONG_APPEAL = re.compile(
    r"(\bsupport (us|our (work|journalism|newsroom|reporting))\b|\bdonate\b|\bmake a donation|"
    r"\bby subscribing\b|\bsubscribe (now|today|to)\b|\bbecome a (member|subscriber|supporter)|"
    r"\bremind me later\b|\bhelp us (get|keep|continue|stay)|quality journalism|independent journalism|"
    r"\bunterstützen sie uns\b|\bjetzt (spenden|abonnieren|unterstützen)|\bapóyanos\b|"
    r"\bhaz una donación|\bsuscríbete\b|\bподдержите (нас|наш)|\bоформите подписку|"
    r"\bparemkite mus\b|\bsoutenez-nous\b)",
    _I,
)

STRAY = re.compile(r"^\s*[\W\d_]{0,6}\s*$", re.UNICODE)


# Page furniture of PDF text: "Page 2 of 5", "Seite 2 von 5", "Страница 2 из 5", "- 3 -".
PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|seite|p[áa]gina|страница|стр\.?|puslapis|psl\.?|p\.)\s*\d{1,4}"
    r"(?:\s*(?:of|von|de|из|iš|/)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4}\s*/\s*\d{1,4})\s*$",
    _I,
)
# A running header naming the publication and a date: "NORTHGATE DAILY | 12 March 2021".
_DATE = (
    r"(?:\d{1,2}\.?\s+[^\W\d_]{3,12}\.?\s+\d{4}|[^\W\d_]{3,12}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})"
)
DATED_HEADER = re.compile(
    rf"^\s*(?:[^|\n]{{2,80}}\s+[|·•–—-]\s+{_DATE}|{_DATE}\s+[|·•–—-]\s+[^|\n]{{2,80}})\s*$"
)
