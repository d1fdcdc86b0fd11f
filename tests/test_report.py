"""report.json keeps its contract; report.html is self-contained and escapes document text."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storytrace.config import Config
from storytrace.pipeline import analyze
from storytrace.records import (
    AlignedSentence,
    Alignment,
    Change,
    LineageEdge,
    Passage,
    Removal,
    Report,
    ReportDocument,
    Span,
    Story,
    UndirectedLink,
)
from storytrace.report.graph import layers
from storytrace.report.html_report import render_html
from storytrace.report.json_report import dumps_report


def _edge(parent: str, child: str, **kw: Any) -> LineageEdge:
    fields: dict[str, Any] = {"relation": "copy", "confidence": 0.5, "evidence": (), **kw}
    return LineageEdge(parent, child, **fields)


def _doc(doc: str, **kw: Any) -> ReportDocument:
    return ReportDocument(id=doc, doc_id=doc, input=doc, **kw)


def _report(documents: tuple[ReportDocument, ...], stories: tuple[Story, ...] = ()) -> Report:
    return Report("", Config(), "", documents, stories, (), (), ())


def test_report_json_has_the_contract_shape(demo_run: Any) -> None:
    report = json.loads(demo_run.report_json.read_text(encoding="utf-8"))
    assert report["version"] == 1
    for key in ("documents", "stories", "matches", "errors"):
        assert isinstance(report[key], list)
    doc = report["documents"][0]
    assert {"id", "doc_id", "source", "url", "published", "lang", "title", "removed"} <= doc.keys()
    story = report["stories"][0]
    assert {"id", "members", "origins", "edges"} <= story.keys()
    edge = story["edges"][0]
    assert {"parent", "child", "relation", "confidence", "evidence", "changes"} <= edge.keys()
    assert edge["relation"] in {"copy", "rewrite", "translation", "partial_reuse", "same_article"}
    assert 0.0 <= edge["confidence"] <= 1.0
    match = report["matches"][0]
    assert {
        "a",
        "b",
        "relation",
        "jaccard",
        "containment_ab",
        "containment_ba",
        "semantic",
    } <= match.keys()
    ids = {d["id"] for d in report["documents"]}
    assert all(m in ids for s in report["stories"] for m in s["members"])


def test_report_json_is_the_report_one_record_a_line(demo_run: Any) -> None:
    text = demo_run.report_json.read_text(encoding="utf-8")
    # 'generated' is the time of the last write: test_cli's 'storytrace report' rewrites
    # this store's reports, a second or more after the run.
    written = {k: v for k, v in json.loads(text).items() if k != "generated"}
    assert written == {k: v for k, v in demo_run.report.items() if k != "generated"}
    lines = text.splitlines()
    per_key = [len(v) + 2 if isinstance(v, list) and v else 1 for v in demo_run.report.values()]
    assert len(lines) == 2 + sum(per_key)
    for doc in demo_run.report["documents"]:
        assert any(json.loads(line.rstrip(",")) == doc for line in lines if line.startswith("  {"))


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(
            st.none(),
            st.integers(),
            st.text(),
            st.lists(st.dictionaries(st.text(max_size=3), st.text(max_size=8)), max_size=3),
        ),
        max_size=5,
    )
)
@settings(max_examples=60, deadline=None)
def test_dumps_report_is_json_of_any_report(report: dict[str, Any]) -> None:
    assert json.loads(dumps_report(report)) == report


def test_removals_point_into_the_raw_text(demo_run: Any) -> None:
    report = demo_run.report
    doc = next(d for d in report["documents"] if d["id"] == "text/hotnewsmirror_harvik_dam.txt")
    raw = (demo_run.out_dir.parent / "x").exists() or None  # noqa: F841 - documents only carry offsets
    reasons = [r["reason"] for r in doc["removed"]]
    assert "ad marker" in reasons and "comments" in reasons
    assert all(0 <= r["start"] < r["end"] for r in doc["removed"])


def test_html_report_is_self_contained_and_shows_the_story(demo_run: Any) -> None:
    page = demo_run.report_html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<svg" in page and "derivation graph" in page
    assert "class='removed'" in page and "title='removed: ad marker'" in page
    assert "class='k-translation'" in page and "class='k-edited'" in page
    assert "<mark>" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "<link" not in page and "src=" not in page


def test_document_text_is_escaped(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    evil = (
        "<script>alert('x')</script> The harbour ferry will run twice a day from May, the port said. "
        * 3
    )
    (corpus / "a.txt").write_text(
        evil + "\nMore about the ferry schedule and its new timetable for summer."
    )
    (corpus / "b.txt").write_text(
        evil + "\nMore about the ferry schedule and its new timetable for summer!"
    )
    result = analyze([corpus], tmp_path / "out")
    page = result.report_html.read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_layers_put_origins_on_top() -> None:
    edges = [_edge("a", "b"), _edge("b", "c"), _edge("a", "d")]
    assert layers(["a", "b", "c", "d"], edges, ["a"]) == [["a"], ["b", "d"], ["c"]]


def test_render_html_without_stories() -> None:
    page = render_html(_report(()), {})
    assert "No story" in page


def test_a_summary_passage_is_coloured_and_in_the_legend() -> None:
    from storytrace.report.html_report import CSS, side_by_side

    parent = "The river flooded the town. Residents left their homes. The council will meet."
    child = "Flood: residents left, council to meet."
    passage = Passage(Span(0, len(parent)), Span(0, len(child)), "summary", 0.4)
    alignment = Alignment("p", "c", (passage,), 1.0, 1.0)
    html = side_by_side(
        "s1", alignment, {"p": parent, "c": child}, {"p": _doc("p"), "c": _doc("c")}
    )
    assert html.count("class='k-summary'") == 2
    assert "<mark>" not in html  # a summary's rewording is not marked word by word
    assert ".k-summary{" in CSS


def _markup_by_every_mark(text: str, marks: list[tuple[int, int, dict[str, str]]]) -> str:
    """The plain definition of ``markup``: each piece between boundaries, wrapped in every mark
    that covers it (widest outermost). Quadratic; the reference for small inputs."""
    import html
    import itertools

    bounds = {0, len(text)}
    for s, e, _ in marks:
        bounds.update((max(0, min(s, len(text))), max(0, min(e, len(text)))))
    out = []
    for s, e in itertools.pairwise(sorted(bounds)):
        piece = html.escape(text[s:e], quote=True)
        covering = sorted(
            (m for m in marks if m[0] <= s and e <= m[1]), key=lambda m: -(m[1] - m[0])
        )
        for _, _, attrs in reversed(covering):
            tag = attrs.get("tag", "span")
            attr_text = "".join(
                f" {k}='{html.escape(v, quote=True)}'" for k, v in attrs.items() if k != "tag"
            )
            piece = f"<{tag}{attr_text}>{piece}</{tag}>"
        out.append(piece)
    return "".join(out)


@settings(deadline=None)  # a shared 2-core machine: timing is not what this checks
@given(
    text=st.text(alphabet="ab <&'\n", max_size=40),
    raw=st.lists(
        st.tuples(
            st.integers(-3, 45), st.integers(-3, 45), st.sampled_from(["removed", "k-edited"])
        ),
        max_size=12,
    ),
)
def test_markup_wraps_each_piece_in_exactly_the_marks_that_cover_it(
    text: str, raw: list[tuple[int, int, str]]
) -> None:
    from storytrace.report.html_report import markup

    marks = [
        (s, e, {"tag": "mark"} if i % 3 == 2 else {"class": cls, "title": f"<{i}>"})
        for i, (s, e, cls) in enumerate(raw)
    ]
    assert markup(text, marks) == _markup_by_every_mark(text, marks)


def test_a_document_with_80000_removed_lines_renders_in_linear_time() -> None:
    """2 MB of text, 80,000 removed junk lines: matching every piece against every removal
    took ~10^10 steps (the report never finished); the sweep takes about a second."""
    import time

    line, junk = "The harbour ferry runs at seven.\n", "Advertisement\n"
    text = (junk + line) * 40_000 + (junk * 40_000)
    removed, at = [], 0
    for k in range(80_000):
        removed.append(Removal(at, at + len(junk) - 1, "ad marker"))
        at += len(junk) + (len(line) if k < 40_000 else 0)
    assert len(text) > 2_000_000 and text[removed[-1].start :].startswith("Advert")
    report = _report((_doc("big", removed=tuple(removed)),))
    start = time.monotonic()
    page = render_html(report, {"big": text})
    assert time.monotonic() - start < 10
    assert page.count("title='removed: ad marker'") == 80_000


def test_a_long_edited_passage_is_diffed_in_near_linear_time() -> None:
    """A 300,000-word passage with 40 words changed: the word diff (quadratic in the worst
    case) goes sentence by sentence first and marks exactly the changed words."""
    import random
    import time

    from storytrace.report.html_report import _word_diff

    rng = random.Random(3)
    vocab = ["the", "harbour", "ferry", "council", "pier", "said", "on", "to", "and"] + [
        f"w{i}" for i in range(3000)
    ]
    words = [rng.choice(vocab) + ("." if i % 15 == 14 else "") for i in range(300_000)]
    edited = list(words)
    changed = sorted(rng.sample(range(0, 300_000, 15), 40))  # one word in 40 sentences
    for i in changed:
        edited[i] = "CHANGED"
    a, b = " ".join(words), " ".join(edited)
    start = time.monotonic()
    diffs = list(_word_diff(a, b))
    assert time.monotonic() - start < 10
    assert [b[y0:y1] for _, _, y0, y1 in diffs] == ["CHANGED"] * 40
    assert [a[x0:x1] for x0, x1, _, _ in diffs] == [words[i] for i in changed]


def test_the_graph_draws_arrows_only_where_the_direction_is_known() -> None:
    """A directed edge has an arrow head; twin copies of unknown order a dashed line with
    none; a pair that shares text with no direction a dotted line between the two."""
    from storytrace.report.graph import render_dag

    docs = {m: _doc(m, lang="en") for m in ("w", "p", "q", "r")}
    edges = [
        _edge("w", "p", relation="rewrite", confidence=0.9, reuse=0.8),
        _edge("p", "q", relation="copy", confidence=0.5, directed=False),
    ]
    links = [UndirectedLink("w", "r", 0.2, 0.4, ())]
    svg = render_dag(["w", "p", "q", "r"], edges, ["w", "r"], docs, links)
    assert svg.count("marker-end=") == 1
    assert "stroke-dasharray='5 4'" in svg and "p ~ q" in svg
    assert "class='undirected'" in svg and "20% / 40% shared, direction unknown" in svg
    assert "rewrite 80% 0.90" in svg


def test_a_twin_edge_is_not_written_as_an_arrow(tmp_path: Path) -> None:
    """Two copies of one text whose order is unknown: the edge summary says so."""
    from storytrace.report.html_report import render_html

    edge = _edge("a", "b", relation="same_article", reuse=1.0, degree="wholly", directed=False)
    story = Story("story-1", ("a", "b"), ("a",), (edge,))
    report = _report((_doc("a", lang="en"), _doc("b", lang="en")), (story,))
    page = render_html(report, {"a": "Same text here.", "b": "Same text here."})
    assert "<b>a</b> ~ (order unknown) <b>b</b>" in page
    assert "<b>a</b> → <b>b</b>" not in page


# --- compare_rows: the sentence-by-sentence view of one edge -------------------------------------

_P = "Storm shuts Dunmere harbour.\nTavern said 1,240 metres were damaged.\nBoats moved to Kessel.\nRepairs start Monday.\n"
_C = "Storm shuts Dunmere harbour.\nTavern said 1,420 metres were damaged.\nRepairs start on Monday.\nA ferry runs hourly.\n"


def _span(text: str, sentence: str) -> Span:
    start = text.index(sentence)
    return Span(start, start + len(sentence))


def _compare_fixture(
    directed: bool,
) -> tuple[LineageEdge, Alignment, dict[str, str], dict[str, ReportDocument]]:
    pairs = [
        ("Storm shuts Dunmere harbour.", "Storm shuts Dunmere harbour."),
        ("Tavern said 1,240 metres were damaged.", "Tavern said 1,420 metres were damaged."),
        ("Repairs start Monday.", "Repairs start on Monday."),
    ]
    sentences = tuple(AlignedSentence(_span(_P, a), _span(_C, b), 0.9) for a, b in pairs)
    alignment = Alignment("p", "c", (), 0.8, 0.8, sentences)
    changes = (
        Change(
            "number",
            _span(_P, pairs[1][0]),
            _span(_C, pairs[1][1]),
            "1240",
            "1420",
            "number changed",
        ),
        Change("dropped", _span(_P, "Boats moved to Kessel."), None, "", ""),
        Change("added", None, _span(_C, "A ferry runs hourly."), "", ""),
    )
    edge = _edge("p", "c", directed=directed, reuse=0.8, degree="wholly", changes=changes)
    docs = {
        "p": _doc(
            "p",
            source="Harbor Ledger",
            published=datetime(2024, 3, 3, 8, 0),
            lang="en",
        ),
        "c": _doc("c", source="Riverside Post", lang="en"),
    }
    return edge, alignment, {"p": _P, "c": _C}, docs


def test_compare_rows_pairs_changes_and_unmatched_in_place() -> None:
    from storytrace.report.html_report import compare_rows

    edge, alignment, texts, docs = _compare_fixture(directed=True)
    html = compare_rows(alignment, edge, texts, docs)
    rows = html.split("<tr")[2:]  # after the header row
    kinds = [r.split("'", 2)[1] for r in rows]
    assert kinds == ["row-pair", "row-pair", "row-dropped", "row-pair", "row-added"]
    assert "Kessel" in rows[2] and "ferry" in rows[4]
    assert (
        "title='number changed'>1,240</mark>" in rows[1]
        and "title='number changed'>1,420</mark>" in rows[1]
    )
    assert "class='wd'>on</span>" in rows[3]  # a copy's other edits: a plain word diff
    assert "class='wd'" not in rows[0]
    assert "Harbor Ledger: Storm shuts Dunmere harbour. → Riverside Post" in html
    assert "time unknown" in html and "80% of the child taken" in html


def test_compare_rows_says_when_the_order_is_unknown() -> None:
    from storytrace.report.html_report import compare_rows

    edge, alignment, texts, docs = _compare_fixture(directed=False)
    html = compare_rows(alignment, edge, texts, docs)
    assert "order unknown" in html and "→" not in html.split("</p>")[0]


def test_a_large_store_gets_a_limited_html_report_that_says_so(demo_run: Any) -> None:
    from storytrace.store import Store

    with Store(demo_run.db_path) as store:
        texts = {d.id: d.text for d in store.documents()}
    report = demo_run.records
    whole = render_html(report, texts)
    some = render_html(report, texts, max_stories=1, max_documents=3, max_matches=2)
    assert "This page shows" not in whole and whole.count("<section class='story' id=") == 2
    assert some.count("<section class='story' id=") == 1
    assert "This page shows 1 of 2 stories" in some and "This page shows 3 of 14 documents" in some
    assert "This page shows 2 of " in some and "report.json" in some
    assert f"id='{report.stories[0].id}'" in some  # the largest story is the one shown


def test_streamed_report_json_is_the_report_built_in_memory(demo_run: Any, tmp_path: Path) -> None:
    from storytrace import codec
    from storytrace.report.json_report import build_report, dumps_report, write_report_json
    from storytrace.store import Store

    with Store(demo_run.db_path) as store:
        write_report_json(store, tmp_path / "report.json")
        built = codec.report_to_plain(build_report(store))
    streamed = (tmp_path / "report.json").read_text(encoding="utf-8")
    built["generated"] = json.loads(streamed)["generated"]
    assert streamed == dumps_report(built)  # the same text, record for record
    assert len(built["stories"]) == 2 and len(built["documents"]) == 14
