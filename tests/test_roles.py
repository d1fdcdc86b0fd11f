"""Tests for storytrace.roles: mentions, relation frames and meaning flips, on invented
sentences in several languages."""

from __future__ import annotations

import pytest

from storytrace.roles import frames, mentions, role_flips, state_key


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("Kremlin", "russia"),
        ("Moscow", "russia"),
        ("Russian", "russia"),
        ("Москвы", "russia"),
        ("Minsk", "belarus"),
        ("Baltarusijos", "belarus"),
        ("Weißrussland", "belarus"),
        ("Vilnius", "lithuania"),
        ("Kiew", "ukraine"),
        ("Putin", None),
        ("Monday", None),
        ("Independent", None),  # not a prefix of a state name
    ],
)
def test_state_key_folds_metonyms_and_inflections(word: str, key: str | None) -> None:
    assert state_key(word) == key


def test_mentions_resolve_pronouns_to_fitting_antecedents() -> None:
    found = mentions("Although Warsaw distrusts Orlova, it will fund her campaign.")
    by_text = {m.text: m for m in found}
    assert by_text["Warsaw"].key == "poland"
    assert by_text["it"].key == "poland" and by_text["it"].refers_to == "Warsaw"
    assert by_text["her"].key == by_text["Orlova"].key and by_text["her"].refers_to == "Orlova"


def test_multiword_states_and_role_nouns() -> None:
    found = mentions("Later the White House said the authorities in Riga had asked for help.")
    keys = [m.key for m in found]
    assert keys[:3] == ["united_states", "authorities", "latvia"]


def test_active_and_passive_frames_agree() -> None:
    active = frames("Officials said Ankara backs the rebels in the north.")
    passive = frames("Officials said the rebels in the north are backed by Ankara.")
    assert [(f.relation, f.agent and f.agent.key, f.patient and f.patient.key) for f in active] == [
        ("support", "turkey", "rebels")
    ]
    assert [
        (f.relation, f.agent and f.agent.key, f.patient and f.patient.key) for f in passive
    ] == [("support", "turkey", "rebels")]
    assert passive[0].passive and not active[0].passive


def test_back_as_adverb_is_not_support() -> None:
    assert frames("The envoy flew back to Vilnius on Tuesday.") == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # English: active to a passive that names the other side as the supporter.
        (
            "Although Warsaw distrusts Orlova, it will back her until the vote.",
            "Therefore Warsaw will be supported by Orlova until the vote.",
        ),
        # German: Berlin funds Paris -> Paris funds Berlin.
        ("Berlin finanziert Paris seit Jahren.", "Paris finanziert Berlin seit Jahren."),
        # Spanish.
        ("Madrid dijo que Kiev apoya a Varsovia.", "Madrid dijo que Varsovia apoya a Kiev."),
        # Russian, subject-verb-object.
        ("Россия поддерживает Беларусь.", "Беларусь поддерживает Россию."),
        # French passive.
        ("Paris soutient Kiev.", "Paris est soutenu par Kiev."),
    ],
)
def test_swapped_roles_are_flagged(before: str, after: str) -> None:
    flips = role_flips(before, after)
    assert [f.kind for f in flips] == ["roles swapped"], (frames(before), frames(after))
    assert "meaning flipped" in flips[0].note()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Ankara backs the rebels.", "The rebels are backed by Ankara."),
        ("Berlin unterstützt Paris.", "Paris wird von Berlin unterstützt."),
        ("Madrid apoya a Lisboa.", "Madrid respalda a Lisboa con firmeza."),
        ("Россия поддерживает Беларусь.", "Россия по-прежнему поддерживает Беларусь."),
        ("The weather was mild in Riga.", "Riga had mild weather."),
    ],
)
def test_faithful_paraphrases_are_not_flips(before: str, after: str) -> None:
    assert role_flips(before, after) == []


def test_a_different_actor_moving_to_the_same_place() -> None:
    before = "The activist Marta Orlova, who is now in exile in Latvia, says she won."
    after = "After the vote, under pressure from M. Orlova, the authorities fled to Latvia."
    flips = role_flips(before, after)
    assert [f.kind for f in flips] == ["actor changed"]
    assert flips[0].before.agent is not None and flips[0].before.agent.refers_to == "Marta Orlova"
    assert flips[0].after.agent is not None and flips[0].after.agent.key == "authorities"


def test_the_same_actor_moving_is_no_flip() -> None:
    before = "The activist Marta Orlova, who is now in exile in Latvia, says she won."
    after = "Marta Orlova fled to Latvia after the vote."
    assert role_flips(before, after) == []


def test_frames_carry_offsets_of_their_trigger() -> None:
    sentence = "In the end Kyiv accused Minsk of lying."
    (frame,) = frames(sentence)
    assert frame.relation == "accuse"
    assert sentence[frame.trigger[0] : frame.trigger[1]] == "accused"
    assert frame.describe() == "Kyiv → accuses → Minsk"
