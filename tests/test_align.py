"""Tests for storytrace.align: passage alignment in raw offsets."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.align import align, align_sentences, lexical_similarity, rare_name_overlap
from storytrace.clean import clean
from storytrace.config import Config
from storytrace.embed import Encoder
from storytrace.fingerprint import fingerprint
from storytrace.records import Alignment, CleanDoc, Document, Signature
from storytrace.text import content_id, words

CFG = Config()
Corpus = tuple[dict[str, CleanDoc], dict[str, Signature]]

PARAS_EN = [
    "Bridge over the Lenna river closes after cracks found",
    "Inspectors closed the old stone bridge over the Lenna river in Dunmere on Wednesday. "
    "They had found deep cracks in two of its five arches during a routine survey.",
    "Mayor Hella Brandt said the bridge would stay shut to cars and buses for at least two "
    "months. Pedestrians may still cross on a narrow walkway along the northern parapet.",
    "The city has ordered a temporary steel bridge from an army depot in Kessel. "
    "It should arrive by barge within three weeks.",
    "Shopkeepers on the eastern bank fear that the closure will cut their trade in half. "
    "Many of their customers live in the new housing estates across the river.",
    "The bridge was built in 1874 and was last repaired after the flood of 1962.",
]

PARAS_DE = [
    "Brücke über die Lenna nach Rissen gesperrt",
    "Prüfer haben am Mittwoch die alte Steinbrücke über die Lenna in Dunmere gesperrt. "
    "Bei einer Routineprüfung hatten sie tiefe Risse in zwei ihrer fünf Bögen gefunden.",
    "Bürgermeisterin Hella Brandt sagte, die Brücke bleibe für Autos und Busse mindestens zwei "
    "Monate gesperrt. Fußgänger dürfen sie weiterhin auf einem schmalen Steg am nördlichen "
    "Geländer überqueren.",
    "Die Stadt hat eine provisorische Stahlbrücke aus einem Armeedepot in Kessel bestellt. "
    "Sie soll innerhalb von drei Wochen per Lastkahn eintreffen.",
    "Ladenbesitzer am Ostufer fürchten, dass die Sperrung ihren Umsatz halbieren wird. "
    "Viele ihrer Kunden wohnen in den neuen Wohnsiedlungen auf der anderen Flussseite.",
    "Die Brücke wurde 1874 gebaut und zuletzt nach dem Hochwasser von 1962 repariert.",
]

UNRELATED = """Glassblowers of Varn open their workshops to visitors

The glassblowers of the mountain town of Varn will open their workshops to visitors every Sunday this summer.

Guests can watch the masters shape vases and lamps and try blowing a small bowl themselves.

The town hopes the open days will draw tourists away from the crowded lakeside resorts.
"""


def _join(paras: list[str]) -> str:
    return "\n\n".join(paras) + "\n"


def _edited_paras() -> list[str]:
    paras = list(PARAS_EN)
    paras[3] = (
        paras[3].replace("three weeks", "five weeks").replace("an army depot", "a navy depot")
    )
    return paras


def _reordered_with_junk() -> str:
    p = PARAS_EN
    return _join(
        [
            "Share on Facebook | Tweet | Email",
            p[0],
            p[1],
            p[2],
            "ADVERTISEMENT",
            p[5],
            "Related: Dunmere council approves new bus lanes",
            p[3],
            p[4],
            "© 2024 Dunmere Evening Courier. All rights reserved.",
        ]
    )


TEXTS = {
    "en": _join(PARAS_EN),
    "copy": _reordered_with_junk(),
    "edited": _join(_edited_paras()),
    "de": _join(PARAS_DE),
    "other": UNRELATED,
    "partial": _join(PARAS_EN[:3]),
}


@pytest.fixture(scope="module")
def corpus(encoder: Encoder) -> Corpus:
    docs = {
        i: clean(Document(id=i, doc_id=content_id(t), text=t, input="test"))
        for i, t in TEXTS.items()
    }
    sigs = fingerprint(list(docs.values()), shingle_size=5, num_perm=64, seed=1, encoder=encoder)
    return docs, {s.id: s for s in sigs}


def _align(corpus: Corpus, a: str, b: str) -> Alignment:
    docs, sigs = corpus
    return align(docs[a], docs[b], sigs[a], sigs[b], CFG.sentence_match)


def _check_spans(alignment: Alignment) -> None:
    raw_a, raw_b = TEXTS[alignment.a], TEXTS[alignment.b]
    for p in alignment.passages:
        assert 0 <= p.a.start < p.a.end <= len(raw_a)
        assert 0 <= p.b.start < p.b.end <= len(raw_b)
        # spans are trimmed to text: they start and end on non-space characters
        for raw, span in ((raw_a, p.a), (raw_b, p.b)):
            assert not raw[span.start].isspace()
            assert not raw[span.end - 1].isspace()


def _covered_sentences(doc: CleanDoc, spans: list[tuple[int, int]]) -> int:
    n = 0
    for s in doc.sentences:
        raw = doc.raw_span(s)
        if any(a <= raw.start and raw.end <= b for a, b in spans):
            n += 1
    return n


# --- copies ---------------------------------------------------------------------------------


def test_copy_is_verbatim_and_fully_covered(corpus: Corpus) -> None:
    docs, _ = corpus
    al = _align(corpus, "en", "copy")
    assert (al.a, al.b) == ("en", "copy")
    assert al.passages
    assert {p.kind for p in al.passages} == {"verbatim"}
    assert al.coverage_a == pytest.approx(1.0)
    assert al.coverage_b == pytest.approx(1.0)
    assert all(p.score == pytest.approx(1.0) for p in al.passages)
    _check_spans(al)
    # every sentence of both documents lies inside some passage
    assert _covered_sentences(docs["en"], [(p.a.start, p.a.end) for p in al.passages]) == len(
        docs["en"].sentences
    )
    assert _covered_sentences(docs["copy"], [(p.b.start, p.b.end) for p in al.passages]) == len(
        docs["copy"].sentences
    )


def test_copy_passages_point_at_identical_raw_text(corpus: Corpus) -> None:
    """The copy moved a paragraph and wrapped junk around: three passages, same text each."""
    al = _align(corpus, "en", "copy")
    raw_a, raw_b = TEXTS["en"], TEXTS["copy"]
    assert len(al.passages) == 3
    for p in al.passages:
        assert raw_a[p.a.start : p.a.end] == raw_b[p.b.start : p.b.end]
    first, moved, rest = al.passages
    assert raw_b[first.b.start : first.b.end].startswith(PARAS_EN[0])
    assert raw_a[first.a.start : first.a.end].endswith(PARAS_EN[2])
    assert raw_a[moved.a.start : moved.a.end] == PARAS_EN[5]
    assert raw_b[rest.b.start : rest.b.end] == PARAS_EN[3] + "\n\n" + PARAS_EN[4]
    # passages come in the copy's order; junk is never inside a passage
    assert first.b.end < moved.b.start < rest.b.start
    for p in al.passages:
        chunk = raw_b[p.b.start : p.b.end]
        assert "ADVERTISEMENT" not in chunk and "Related:" not in chunk


def test_self_alignment_is_one_verbatim_passage(corpus: Corpus) -> None:
    al = _align(corpus, "en", "en")
    assert len(al.passages) == 1
    p = al.passages[0]
    assert p.kind == "verbatim"
    assert p.a == p.b
    assert TEXTS["en"][p.a.start : p.a.end] == TEXTS["en"].strip()


# --- edits ----------------------------------------------------------------------------------


def test_edited_copy_is_edited(corpus: Corpus) -> None:
    al = _align(corpus, "en", "edited")
    kinds = [p.kind for p in al.passages]
    assert "edited" in kinds
    assert "paraphrase" not in kinds and "translation" not in kinds
    assert al.coverage_a == pytest.approx(1.0) and al.coverage_b == pytest.approx(1.0)
    _check_spans(al)
    # the changed sentence lies inside an edited passage, on both sides
    changed_b = TEXTS["edited"].index("It should arrive by barge within five weeks.")
    changed_a = TEXTS["en"].index("It should arrive by barge within three weeks.")
    edited = [p for p in al.passages if p.kind == "edited"]
    assert any(
        p.b.start <= changed_b < p.b.end and p.a.start <= changed_a < p.a.end for p in edited
    )
    assert all(0.5 <= p.score <= 1.0 for p in edited)


def test_sentence_pairs_of_edited_copy(corpus: Corpus) -> None:
    docs, sigs = corpus
    pairs = align_sentences(docs["en"], docs["edited"], sigs["en"], sigs["edited"], 0.7)
    assert [(p.a, p.b) for p in pairs] == [(i, i) for i in range(len(docs["en"].sentences))]
    lexical = [p.lexical for p in pairs]
    edited_index = (
        docs["edited"]
        .sentence_texts()
        .index("The city has ordered a temporary steel bridge from a navy depot in Kessel.")
    )
    assert lexical[edited_index] < 1.0
    assert lexical[edited_index] >= 0.5
    assert sum(1 for v in lexical if v < 1.0) == 2  # only the two edited sentences


# --- translations, partial reuse, unrelated -------------------------------------------------


def test_translation_passages(corpus: Corpus) -> None:
    docs, _ = corpus
    assert (docs["en"].lang, docs["de"].lang) == ("en", "de")
    al = _align(corpus, "en", "de")
    assert al.passages
    assert {p.kind for p in al.passages} == {"translation"}
    assert al.coverage_a > 0.7 and al.coverage_b > 0.7
    _check_spans(al)
    # the translation keeps the order: one passage spanning both texts, sentence by sentence
    assert len(al.passages) == 1
    p = al.passages[0]
    assert TEXTS["en"][p.a.start : p.a.end] == TEXTS["en"].strip()
    assert TEXTS["de"][p.b.start : p.b.end] == TEXTS["de"].strip()
    _, sigs = corpus
    pairs = align_sentences(docs["en"], docs["de"], sigs["en"], sigs["de"], CFG.sentence_match)
    assert [(s.a, s.b) for s in pairs] == [(i, i) for i in range(len(docs["en"].sentences))]
    # scores are cosines of translations: high but below a copy's 1.0
    assert all(0.5 < p.score < 1.0 for p in al.passages)


def test_partial_copy_covers_only_its_part(corpus: Corpus) -> None:
    al = _align(corpus, "en", "partial")
    assert al.coverage_b == pytest.approx(1.0)
    assert 0.2 < al.coverage_a < 0.8
    assert len(al.passages) == 1
    p = al.passages[0]
    assert p.kind == "verbatim"
    assert TEXTS["en"][p.a.start : p.a.end] == TEXTS["partial"].strip()
    assert p.a.end < len(TEXTS["en"].strip())


def test_unrelated_documents_have_no_passages(corpus: Corpus) -> None:
    al = _align(corpus, "en", "other")
    assert al.passages == ()
    assert al.coverage_a == 0.0 and al.coverage_b == 0.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("en", "copy"),
        ("en", "edited"),
        ("en", "de"),
        ("en", "other"),
        ("copy", "de"),
        ("partial", "en"),
        ("other", "de"),
    ],
)
def test_coverage_values_in_unit_interval(corpus: Corpus, a: str, b: str) -> None:
    al = _align(corpus, a, b)
    assert 0.0 <= al.coverage_a <= 1.0
    assert 0.0 <= al.coverage_b <= 1.0
    for p in al.passages:
        assert p.kind in ("verbatim", "edited", "paraphrase", "translation")
        assert -1.0 <= p.score <= 1.0 + 1e-6


def test_align_empty_document(corpus: Corpus, empty_clean_doc: CleanDoc) -> None:
    docs, sigs = corpus
    empty = empty_clean_doc
    empty_sig = Signature(
        id="empty", shingles=np.zeros(1, np.uint64), minhash=np.zeros(64, np.uint32)
    )
    al = align(docs["en"], empty, sigs["en"], empty_sig, 0.7)
    assert al.passages == () and al.coverage_a == 0.0 and al.coverage_b == 0.0


def test_lexical_similarity_is_word_set_jaccard(corpus: Corpus) -> None:
    docs, _ = corpus
    sims = lexical_similarity(docs["en"], docs["edited"])
    n = len(docs["en"].sentences)
    assert sims.shape == (n, len(docs["edited"].sentences))
    a_text = docs["en"].sentence_texts()[0]
    b_text = docs["edited"].sentence_texts()[0]
    wa, wb = set(words(a_text)), set(words(b_text))
    assert sims[0, 0] == pytest.approx(len(wa & wb) / len(wa | wb))
    assert np.all((sims >= 0) & (sims <= 1))


def _doc_with(sentences: list[str]) -> CleanDoc:
    text = " ".join(sentences)
    return clean(Document(id=content_id(text), doc_id=content_id(text), text=text, input="t"))


def _sig(doc: CleanDoc, vectors: list[list[float]]) -> Signature:
    rows = np.asarray(vectors, dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    assert len(doc.sentences) == len(rows)
    return Signature(
        id=doc.id,
        shingles=np.zeros(1, dtype=np.uint64),
        minhash=np.zeros(4, dtype=np.uint32),
        embedding=None,
        sentence_embeddings=rows,
    )


PARENT_SENTENCES = [
    "Ferries to Holm stopped on Monday.",
    "The harbour master blamed the storm and promised news by noon.",
    "Tourists waited in the terminal for hours.",
    "The last boat left at dusk.",
]
CHILD_SENTENCES = [
    "On Monday the ferries to Holm were halted.",
    "The port chief pointed to the storm.",
    "He promised an update around midday.",
    "Travellers spent hours in the hall.",
    "At nightfall the final ferry departed.",
]


def _basis(i: int, n: int = 8) -> list[float]:
    return [1.0 if k == i else 0.0 for k in range(n)]


def _mix(i: int, j: int, cos: float, n: int = 8) -> list[float]:
    """A unit vector with cosine ``cos`` to basis ``i`` and the rest along basis ``j``."""
    rest = float(np.sqrt(1.0 - cos * cos))
    return [cos if k == i else rest if k == j else 0.0 for k in range(n)]


def test_a_sentence_split_in_two_is_aligned_with_its_source() -> None:
    """Child sentences 1 and 2 translate parent sentence 1; the second half alone scores
    only 0.45, which the gap rule accepts next to its aligned neighbour."""
    parent, child = _doc_with(PARENT_SENTENCES), _doc_with(CHILD_SENTENCES)
    p_sig = _sig(parent, [_basis(k) for k in range(4)])
    c_sig = _sig(
        child, [_mix(0, 5, 0.9), _mix(1, 5, 0.9), _mix(1, 6, 0.45), _mix(2, 7, 0.9), _basis(3)]
    )
    pairs = {(p.a, p.b) for p in align_sentences(parent, child, p_sig, c_sig, 0.7)}
    assert pairs == {(0, 0), (1, 1), (1, 2), (2, 3), (3, 4)}


def test_a_weak_match_far_from_the_aligned_order_stays_unaligned() -> None:
    """Child sentence 2 resembles parent sentence 3 at 0.45, but its neighbours align with
    parent sentences 1 and 2: that would break the order, so it is left out."""
    parent, child = _doc_with(PARENT_SENTENCES), _doc_with(CHILD_SENTENCES)
    p_sig = _sig(parent, [_basis(k) for k in range(4)])
    c_sig = _sig(
        child, [_mix(0, 5, 0.9), _mix(1, 5, 0.9), _mix(3, 6, 0.45), _mix(2, 7, 0.9), _basis(3)]
    )
    pairs = {(p.a, p.b) for p in align_sentences(parent, child, p_sig, c_sig, 0.7)}
    assert pairs == {(0, 0), (1, 1), (2, 3), (3, 4)}


def test_a_shared_rare_name_lifts_a_weak_mutual_match() -> None:
    """At cosine 0.5 a mutual best partner is below the floor; sharing a name that is rare
    in both documents (Solberg) lifts it over."""
    parent = _doc_with(["Talks began in Oslo.", "Envoy Marit Solberg left for Bergen."])
    named = _doc_with(["Rain fell all day.", "The mediator Solberg departed early."])
    anonymous = _doc_with(["Rain fell all day.", "The mediator departed early."])
    p_sig = _sig(parent, [_basis(0), _basis(1)])
    weak = [_mix(0, 5, 0.3), _mix(1, 6, 0.5)]
    with_name = align_sentences(parent, named, p_sig, _sig(named, weak), 0.7)
    without = align_sentences(parent, anonymous, p_sig, _sig(anonymous, weak), 0.7)
    assert [(p.a, p.b) for p in with_name] == [(1, 1)]
    assert without == []
    assert rare_name_overlap(parent, named)[1, 1] == 1.0
    assert rare_name_overlap(parent, anonymous).sum() == 0.0


# --- summaries ------------------------------------------------------------------------------

BRIEF = _join(
    [
        "News in brief",
        "The glassblowers of Varn will open their workshops to visitors every Sunday this summer.",
        "Dunmere shut its old bridge over the Lenna after inspectors found cracks. "
        "Shopkeepers on the eastern bank fear the closure will halve their trade.",
        "The weather stays dry and mild until the weekend.",
    ]
)


def test_a_summary_paragraph_is_one_summary_passage_over_the_whole_parent(
    encoder: Encoder,
) -> None:
    docs = [
        clean(Document(id=i, doc_id=content_id(t), text=t, input="test"))
        for i, t in (("en", TEXTS["en"]), ("brief", BRIEF))
    ]
    sigs = fingerprint(docs, shingle_size=5, num_perm=64, seed=1, encoder=encoder)
    al = align(docs[0], docs[1], sigs[0], sigs[1], CFG.sentence_match)
    summaries = [p for p in al.passages if p.kind == "summary"]
    assert len(summaries) == 1
    p = summaries[0]
    assert BRIEF[p.b.start : p.b.end].startswith("Dunmere shut its old bridge")
    assert BRIEF[p.b.start : p.b.end].endswith("halve their trade.")
    raw = TEXTS["en"]
    assert raw[p.a.start : p.a.end].startswith(PARAS_EN[0])
    assert raw[p.a.start : p.a.end].rstrip().endswith(PARAS_EN[-1])
    # the summary replaces the sentence passages inside it
    assert not any(
        q is not p and q.b.start >= p.b.start and q.b.end <= p.b.end for q in al.passages
    )
