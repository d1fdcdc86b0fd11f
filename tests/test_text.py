"""Tests for storytrace.text: content ids, words, folding, sentences and paragraphs."""

from __future__ import annotations

from storytrace.records import Span
from storytrace.text import content_id, fold, split_paragraphs, split_sentences, words


def sentences(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, start, end)]


# --- content_id -------------------------------------------------------------------------


def test_content_id_is_16_hex_chars_and_deterministic() -> None:
    text = "Ferry services to the island of Orsk were suspended on Tuesday."
    cid = content_id(text)
    assert len(cid) == 16
    assert all(c in "0123456789abcdef" for c in cid)
    assert content_id(text) == cid


def test_content_id_stable_under_whitespace_changes() -> None:
    compact = "Ferry services to Orsk were suspended.\n\nA temporary stage will be built."
    loose = (
        "  Ferry  services to\tOrsk were\nsuspended.\r\n\r\n  A temporary stage will be built.  \n"
    )
    assert content_id(compact) == content_id(loose)


def test_content_id_normalises_compatibility_characters() -> None:
    # NFKC: a non-breaking space and a full-width digit equal their plain forms.
    assert content_id("Pier\u00a0No. \uff12") == content_id("Pier No. 2")


def test_content_id_differs_when_words_change() -> None:
    original = "About 2,300 people live on Orsk."
    changed = "About 3,200 people live on Orsk."
    assert content_id(original) != content_id(changed)
    # Whitespace is collapsed, not removed: joining two words changes the id.
    assert content_id("sea wall") != content_id("seawall")


# --- words / fold -----------------------------------------------------------------------


def test_words_lowercases_and_splits_on_non_word_characters() -> None:
    text = "Harbour master Ylva Krenn said: 'Nobody was hurt' - at 06:45, 2,300 islanders."
    assert words(text) == [
        "harbour",
        "master",
        "ylva",
        "krenn",
        "said",
        "nobody",
        "was",
        "hurt",
        "at",
        "06",
        "45",
        "2",
        "300",
        "islanders",
    ]


def test_words_handles_non_latin_scripts() -> None:
    assert words("Паром в Орск ОТМЕНЁН, сказала Ильва Кренн.") == [
        "паром",
        "в",
        "орск",
        "отменён",
        "сказала",
        "ильва",
        "кренн",
    ]
    assert words("Die Fähre fährt nicht über die Förde.") == [
        "die",
        "fähre",
        "fährt",
        "nicht",
        "über",
        "die",
        "förde",
    ]


def test_words_of_punctuation_only_is_empty() -> None:
    assert words(" -- ... !!! ") == []


def test_fold_strips_diacritics_and_case() -> None:
    assert fold("Čichanouskaja") == fold("Cichanouskaja") == "cichanouskaja"
    assert fold("ŠIAULIŲ Ūkis") == "siauliu ukis"
    assert fold("Fähre über Señora") == "fahre uber senora"


def test_fold_keeps_non_latin_letters() -> None:
    # Cyrillic "й" decomposes to "и" + combining breve; the base letter stays.
    assert fold("Йорк") == "иорк"
    assert fold("Москва") == "москва"


# --- split_sentences --------------------------------------------------------------------


def test_split_sentences_basic_english() -> None:
    text = (
        "Ferry services to Orsk were suspended on Tuesday. A storm tore away part of the pier! "
        "Will the island run short of food? Officials said no shortages were expected."
    )
    assert sentences(text) == [
        "Ferry services to Orsk were suspended on Tuesday.",
        "A storm tore away part of the pier!",
        "Will the island run short of food?",
        "Officials said no shortages were expected.",
    ]


def test_split_sentences_spans_are_trimmed_offsets_into_text() -> None:
    text = "  The pier collapsed.   Nobody was hurt.  "
    spans = split_sentences(text)
    first, second = text.index("The"), text.index("Nobody")
    assert spans == [
        Span(first, first + len("The pier collapsed.")),
        Span(second, second + len("Nobody was hurt.")),
    ]
    assert [text[s.start : s.end] for s in spans] == ["The pier collapsed.", "Nobody was hurt."]


def test_split_sentences_keeps_month_abbreviation_with_day() -> None:
    text = "The pier was closed on Aug. 9 after the storm. It reopened a week later."
    assert sentences(text) == [
        "The pier was closed on Aug. 9 after the storm.",
        "It reopened a week later.",
    ]


def test_split_sentences_keeps_us_and_titles_together() -> None:
    text = (
        "The U.S. Coast Guard sent a cutter to Orsk. Dr. Weber, a marine engineer, "
        "inspected the pier. She later flew to St. Petersburg for a conference."
    )
    assert sentences(text) == [
        "The U.S. Coast Guard sent a cutter to Orsk.",
        "Dr. Weber, a marine engineer, inspected the pier.",
        "She later flew to St. Petersburg for a conference.",
    ]


def test_split_sentences_keeps_initials_together() -> None:
    text = "The report was written by J. K. Holm. It runs to 40 pages."
    assert sentences(text) == ["The report was written by J. K. Holm.", "It runs to 40 pages."]


def test_split_sentences_does_not_break_before_lowercase_or_digit() -> None:
    text = "The vessel, approx. ten metres long, sank. 14 crew were rescued by the coast guard."
    # "approx." is followed by a lower-case word; "sank." by a digit (no break by design).
    assert sentences(text) == [text]


def test_split_sentences_quotes_after_period_stay_with_sentence() -> None:
    text = (
        '"Nobody was hurt." The harbour master said the damage was severe. '
        "She added: \u201cWe will rebuild it.\u201d Work starts in April. "
        "\u00abNo habrá retrasos.\u00bb El puerto sigue cerrado."
    )
    assert sentences(text) == [
        '"Nobody was hurt."',
        "The harbour master said the damage was severe.",
        "She added: \u201cWe will rebuild it.\u201d",
        "Work starts in April.",
        "\u00abNo habrá retrasos.\u00bb",
        "El puerto sigue cerrado.",
    ]


def test_split_sentences_breaks_before_opening_quote() -> None:
    text = 'The ferry will not sail. "We need divers first," Krenn said.'
    assert sentences(text) == ["The ferry will not sail.", '"We need divers first," Krenn said.']


def test_split_sentences_line_ends_are_boundaries() -> None:
    text = (
        "Orsk ferry suspended after storm\n"
        "By Halvard Stenn\n"
        "\n"
        "The pier was damaged overnight. divers will inspect it\n"
        "Repairs start in April."
    )
    assert sentences(text) == [
        "Orsk ferry suspended after storm",
        "By Halvard Stenn",
        "The pier was damaged overnight. divers will inspect it",
        "Repairs start in April.",
    ]


def test_split_sentences_german() -> None:
    text = (
        "Die Fähre nach Orsk fährt vorerst nicht. Ein Sturm hat den Anleger beschädigt! "
        "Laut Dr. Krenn bzw. dem Hafenamt dauert die Reparatur ca. zehn Tage. "
        "Herr Stenn sagte, z. B. Medikamente würden per Boot geliefert."
    )
    assert sentences(text) == [
        "Die Fähre nach Orsk fährt vorerst nicht.",
        "Ein Sturm hat den Anleger beschädigt!",
        "Laut Dr. Krenn bzw. dem Hafenamt dauert die Reparatur ca. zehn Tage.",
        "Herr Stenn sagte, z. B. Medikamente würden per Boot geliefert.",
    ]


def test_split_sentences_spanish() -> None:
    text = (
        "¿Qué pasará con los vecinos de Orsk? El Sr. García no respondió. "
        "¡La huelga sigue! Los EE. UU. enviaron ayuda, según la Sra. Ruiz."
    )
    assert sentences(text) == [
        "¿Qué pasará con los vecinos de Orsk?",
        "El Sr. García no respondió.",
        "¡La huelga sigue!",
        "Los EE. UU. enviaron ayuda, según la Sra. Ruiz.",
    ]


def test_split_sentences_russian() -> None:
    text = (
        "Паромное сообщение с островом Орск приостановлено. "
        "Как сообщил проф. Кренн, ремонт займёт около десяти дней. "
        "Власти г. Таллмер обещают доставлять лекарства на лодке."
    )
    assert sentences(text) == [
        "Паромное сообщение с островом Орск приостановлено.",
        "Как сообщил проф. Кренн, ремонт займёт около десяти дней.",
        "Власти г. Таллмер обещают доставлять лекарства на лодке.",
    ]


def test_split_sentences_ellipsis_and_repeated_punctuation() -> None:
    text = "The pier is gone… Nobody saw it coming!? Divers arrive tomorrow."
    assert sentences(text) == [
        "The pier is gone…",
        "Nobody saw it coming!?",
        "Divers arrive tomorrow.",
    ]


def test_split_sentences_respects_start_and_end() -> None:
    text = "Skip this. The pier fell. Keep that too. Not this one."
    start = text.index("The pier")
    end = text.index(" Not this")
    spans = split_sentences(text, start, end)
    assert [text[s.start : s.end] for s in spans] == ["The pier fell.", "Keep that too."]
    assert all(start <= s.start and s.end <= end for s in spans)


def test_split_sentences_drops_pieces_without_letters_or_digits() -> None:
    text = "The pier fell.\n***\n- - -\nNobody was hurt."
    assert sentences(text) == ["The pier fell.", "Nobody was hurt."]
    assert split_sentences("   \n\n  ") == []


def test_split_sentences_sentence_ending_in_no() -> None:
    # "no" is not an abbreviation: "No. 5" is kept together by the digit rule anyway.
    text = "Asked whether the ministry would step in, Krenn said no. The union struck anyway."
    assert sentences(text) == [
        "Asked whether the ministry would step in, Krenn said no.",
        "The union struck anyway.",
    ]
    text = "The ferry No. 5 was damaged. Pier No. 2 is closed."
    assert sentences(text) == ["The ferry No. 5 was damaged.", "Pier No. 2 is closed."]


def test_split_sentences_german_ordinal_date() -> None:
    text = "Die Regierung beschloss am 12. März einen Plan. Die Arbeiten beginnen im Juni."
    assert sentences(text) == [
        "Die Regierung beschloss am 12. März einen Plan.",
        "Die Arbeiten beginnen im Juni.",
    ]
    # A year or a number before a sentence end still ends the sentence.
    text = "Der Anleger wurde 1961 gebaut. Die Zahl der Boote stieg auf 12. Danach sank sie."
    assert sentences(text) == [
        "Der Anleger wurde 1961 gebaut.",
        "Die Zahl der Boote stieg auf 12.",
        "Danach sank sie.",
    ]


# --- split_paragraphs -------------------------------------------------------------------


def test_split_paragraphs_one_per_line_trimmed_blank_lines_skipped() -> None:
    text = "Orsk ferry suspended\n  The pier was damaged.  \n\n\nRepairs start in April.\n"
    spans = split_paragraphs(text)
    assert [text[s.start : s.end] for s in spans] == [
        "Orsk ferry suspended",
        "The pier was damaged.",
        "Repairs start in April.",
    ]
    assert spans[1] == Span(text.index("The pier"), text.index("damaged.") + len("damaged."))


def test_split_paragraphs_keeps_sentences_of_a_line_together() -> None:
    text = "First sentence. Second sentence.\nNext paragraph."
    assert [text[s.start : s.end] for s in split_paragraphs(text)] == [
        "First sentence. Second sentence.",
        "Next paragraph.",
    ]


def test_split_paragraphs_empty_and_symbol_only() -> None:
    assert split_paragraphs("") == []
    assert split_paragraphs("\n\n---\n") == []
