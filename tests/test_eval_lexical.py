"""The generated lexical set (languages the default encoder lacks): its copies and spans,
and the scorer on hand-made reports. The vocabularies here are invented."""

from __future__ import annotations

import re
from typing import Any

from tests.reports import as_report

from storytrace.eval.lexical import Vocabulary, build, score

LT = Vocabulary(
    "lt",
    tuple(f"žodis{i}" for i in range(300)),
    tuple(1.0 / (i + 1) for i in range(300)),
)
UR = Vocabulary(
    "ur", tuple(f"لفظ{i}" for i in range(300)), tuple(1.0 / (i + 1) for i in range(300))
)


def test_build_copies_and_spans() -> None:
    docs = build([LT, UR], bases=12)
    by_id = {d.id: d for d in docs}
    kinds = {d.kind for d in docs}
    assert kinds == {"base", "copy", "partial"}
    assert sum(1 for d in docs if d.kind == "base") == 24
    for d in docs:
        assert d.text.endswith("\n") and ("۔" in d.text) == (d.lang == "ur")
        if d.kind == "base":
            assert d.base is None and not d.spans and d.published is not None
            continue
        base = by_id[str(d.base)]
        assert base.key == d.key and base.lang == d.lang
        if d.published is not None:
            assert d.published > str(base.published)
        base_words = set(re.findall(r"\w+", base.text))
        for a, b in d.spans:
            words = re.findall(r"\w+", d.text[a:b])
            assert sum(w in base_words for w in words) >= len(words) - 1  # one word may change
        reused = sum(b - a for a, b in d.spans) / len(d.text)
        assert reused > 0.6 if d.kind == "copy" else 0.15 < reused < 0.75
    assert [d.answer() for d in build([LT, UR], bases=12)] == [d.answer() for d in docs]


def test_score_pairs_stories_and_tokens() -> None:
    answers: list[dict[str, Any]] = [
        {"id": "b1", "base": None, "spans": []},
        {"id": "c1", "base": "b1", "spans": [[0, 9]]},
        {"id": "b2", "base": None, "spans": []},
        {"id": "c2", "base": "b2", "spans": [[0, 3]]},
    ] + [{"id": f"z{i}", "base": None, "spans": []} for i in range(10)]
    texts = {"c1": "aaa bbb ccc", "c2": "ddd eee"}
    report = {
        "stories": [
            {"members": ["b1", "c1"], "edges": [{"parent": "b1", "child": "c1"}]},
            {
                "members": ["c2", "b2"] + [f"z{i}" for i in range(10)],
                "edges": [{"parent": "c2", "child": "b2"}, {"parent": "z0", "child": "z1"}],
            },
        ],
        "alignments": [{"parent": "b1", "child": "c1", "passages": [{"child": [0, 3]}]}],
    }
    s = score(as_report(report), answers, texts)
    assert s["copy_pairs"] == 2 and s["derived_recall"] == 1.0
    report["stories"][0]["edges"] = []  # the copy linked without a direction: still found
    report["stories"][0]["undirected"] = [{"a": "c1", "b": "b1"}]
    assert score(as_report(report), answers, texts)["derived_recall"] == 1.0
    assert (
        score(as_report(report), answers, texts)["directed_recall"] == 0.0
    )  # c2 -> b2 is reversed
    report["stories"][0]["edges"] = [{"parent": "b1", "child": "c1"}]
    del report["stories"][0]["undirected"]
    assert s["derived_precision"] == round(2 / 3, 4) and s["directed_recall"] == 0.5
    assert s["largest_story"] == 12 and s["stories_over_10"] == 1
    assert s["token_precision"] == 1.0 and s["token_recall"] == 0.25
