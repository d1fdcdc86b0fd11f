"""Selection and scoring of the unrelated-pages set, on invented pages and hand-made
reports."""

from __future__ import annotations

from tests.reports import as_report

from storytrace.eval.unrelated import Page, score_unrelated, select_pages


def test_select_one_page_per_site_and_none_sharing_text() -> None:
    shared = "the quick brown fox jumps over the lazy dog near the river bank today"
    pages = [
        Page("01", "https://a.example/x", "a page about tides and harbours in winter"),
        Page("02", "https://a.example/y", "another page of the same site about gardens"),
        Page("03", "https://b.example/z", f"a page on foxes: {shared}"),
        Page("04", "https://c.example/w", f"a copy: {shared}"),
        Page("05", "https://d.example/v", "bread recipes with rye and spelt flour"),
    ]
    picked, dropped = select_pages(pages, size=10)
    ids = {p.id for p in picked}
    assert len(ids & {"01", "02"}) == 1 and "02" not in ids  # the first page of a site
    assert len(ids & {"03", "04"}) == 1 and dropped == 1
    assert "05" in ids
    assert select_pages(pages, size=2)[0] == picked[:2]
    assert select_pages(pages, size=10) == (picked, dropped)  # deterministic


def test_score_counts_edges_and_same_language_translations() -> None:
    report = {
        "documents": [
            {"id": "a", "lang": "en"},
            {"id": "b", "lang": "en"},
            {"id": "c", "lang": "de"},
            {"id": "d", "lang": "en"},
        ],
        "stories": [
            {
                "members": ["a", "b", "c"],
                "edges": [
                    {"parent": "a", "child": "b", "relation": "translation", "confidence": 0.9},
                    {"parent": "a", "child": "c", "relation": "translation", "confidence": 0.8},
                ],
            },
            {"members": ["d"], "edges": [], "undirected": [{"a": "d", "b": "a"}]},
        ],
        "matches": [{"a": "a", "b": "b"}],
    }
    s = score_unrelated(as_report(report)).as_dict()
    assert s["derivation_edges"] == 2 and s["same_language_translations"] == 1
    assert s["undirected_links"] == 1
    assert s["stories"] == 2 and s["largest_story"] == 3 and s["matches"] == 1
    assert [e["child"] for e in s["examples"]] == ["b", "c"]
    assert score_unrelated(as_report({})).as_dict()["derivation_edges"] == 0
