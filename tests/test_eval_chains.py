"""The chains benchmark builder and scorer, on a small invented set in the WMT21 format
(the real WMT21 set is read only by ``storytrace eval chains``)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SHARED
from tests.test_eval_wmt21 import STORIES, _write_set

from storytrace.config import Config
from storytrace.eval.chains import PARENT_ROLE, ROLES, build, load, run, score_report
from storytrace.records import LineageEdge, Removal, Report, ReportDocument, Story


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chains")
    _write_set(root / "wmt")
    return build(root / "wmt", root / "set")


def test_build_writes_six_versions_per_story_without_answers(built: Path) -> None:
    records = [json.loads(line) for line in (built / "docs.jsonl").read_text().splitlines()]
    assert len(records) == 6 * len(STORIES)
    for record in records:
        assert set(record) <= {"id", "lang", "source", "text", "published"}
        assert record["text"].strip() and record["source"]
    answers, _ = load(built)
    assert len(answers.origins) == len(STORIES)
    roles = {doc.rsplit("-", 1)[1] for doc in answers.stories}
    assert roles == set(ROLES)
    for child, parent in answers.parents.items():
        assert PARENT_ROLE[child.rsplit("-", 1)[1]] == parent.rsplit("-", 1)[1]


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    again = build(built.parent / "wmt", tmp_path / "again")
    assert (again / "docs.jsonl").read_bytes() == (built / "docs.jsonl").read_bytes()
    assert (again / "answers.json").read_bytes() == (built / "answers.json").read_bytes()


def test_junk_spans_point_at_the_added_junk(built: Path) -> None:
    answers, texts = load(built)
    for doc, spans in answers.junk.items():
        pieces = [texts[doc][a:b] for a, b in spans]
        if doc.endswith("-scraped"):
            assert "[ad_1]" in pieces and any(p.startswith("Related: ") for p in pieces)
            assert any(p.endswith("comments") for p in pieces)
        else:
            assert any(p.startswith("Page 1 of ") for p in pieces)
    rewrites = [t for d, t in texts.items() if d.endswith("-rewrite")]
    assert all("first reported the news." in t for t in rewrites)


def test_rewrite_credits_the_translation_it_rewrites(built: Path) -> None:
    answers, texts = load(built)
    records = {
        json.loads(line)["id"]: json.loads(line)
        for line in (built / "docs.jsonl").read_text().splitlines()
    }
    for doc, parent in answers.parents.items():
        if doc.endswith("-rewrite"):
            assert f"{records[parent]['source']} first reported" in texts[doc]


def test_a_perfect_report_scores_one_and_a_wrong_parent_less(built: Path) -> None:
    answers, texts = load(built)
    stories = []
    for story in sorted(set(answers.stories.values())):
        members = tuple(sorted(d for d, s in answers.stories.items() if s == story))
        edges = tuple(
            LineageEdge(answers.parents[m], m, "copy", 0.9, ())
            for m in members
            if m in answers.parents
        )
        stories.append(Story(story, members, (answers.origins[story],), edges))
    documents = [
        ReportDocument(d, d, d, removed=tuple(Removal(a, b, "junk") for a, b in spans))
        for d, spans in answers.junk.items()
    ]

    def report() -> Report:
        return Report("", Config(), "", tuple(documents), tuple(stories), (), (), ())

    perfect = score_report(report(), answers, texts).as_dict()
    for key in ("story_f1", "parent_accuracy", "origin_accuracy", "junk_f1"):
        assert perfect[key] == 1.0, key
    first = stories[0].edges[0]
    stories[0] = replace(
        stories[0], edges=(replace(first, parent=first.child), *stories[0].edges[1:])
    )
    documents[0] = replace(documents[0], removed=())
    worse = score_report(report(), answers, texts).as_dict()
    assert worse["parent_accuracy"] < 1.0
    assert worse["junk_recall"] < 1.0


def test_run_end_to_end(tmp_path: Path) -> None:
    _write_set(tmp_path / "wmt")
    scores = run(tmp_path / "wmt", tmp_path / "out").as_dict()
    assert scores["documents"] == 6 * len(STORIES)
    assert scores["story_f1"] == 1.0
    assert scores["origin_accuracy"] == 1.0
    assert scores["junk_f1"] >= 0.9
    assert scores["parent_accuracy"] >= 0.8


def _two_runs_and_one(docs: Path, tmp: Path, keep: int) -> tuple[Any, Any]:
    """Analyse the chain set's documents in two runs (every ``keep``-th story's versions,
    and half of the others', first; the rest second) and in one run; their reports."""
    from storytrace.pipeline import analyze

    lines = docs.read_text(encoding="utf-8").splitlines()
    first = [line for n, line in enumerate(lines) if n % keep == 0 or n % 2 == 1]
    rest = [line for line in lines if line not in first]
    (tmp / "first.jsonl").write_text("\n".join(first) + "\n", encoding="utf-8")
    (tmp / "rest.jsonl").write_text("\n".join(rest) + "\n", encoding="utf-8")
    analyze([tmp / "first.jsonl"], tmp / "two")
    two = analyze([tmp / "first.jsonl", tmp / "rest.jsonl"], tmp / "two").report
    one = analyze([tmp / "first.jsonl", tmp / "rest.jsonl"], tmp / "one").report
    return two, one


def _lineage(report: dict[str, Any]) -> tuple[Any, ...]:
    return report["stories"], report["alignments"]


def test_the_chain_set_in_two_runs_gives_the_stories_and_edges_of_one_run(
    built: Path, tmp_path: Path
) -> None:
    two, one = _two_runs_and_one(built / "docs.jsonl", tmp_path, keep=3)
    assert len(one["stories"]) == len(STORIES)
    assert sum(len(s["edges"]) for s in one["stories"]) >= 3 * len(STORIES)
    assert _lineage(two) == _lineage(one)


@pytest.mark.skipif(
    not (SHARED / "eval" / "wmt21-ru-en").is_dir(),
    reason="needs the WMT21 ru-en set in ../shared/eval (or $STORYTRACE_SHARED/eval)",
)
def test_the_held_out_wmt21_chain_set_in_two_runs_gives_the_stories_and_edges_of_one_run(
    tmp_path: Path,
) -> None:
    # The held-out half of the real set's stories (by WMT21 story id), 8 of them: 48 versions.
    built = build(SHARED / "eval" / "wmt21-ru-en", tmp_path / "set")
    answers, _ = load(built)
    chosen = sorted(set(answers.stories.values()))[1::2][:8]
    keep = {
        line
        for line in (built / "docs.jsonl").read_text(encoding="utf-8").splitlines()
        if answers.stories[json.loads(line)["id"]] in chosen
    }
    (tmp_path / "held-out.jsonl").write_text("\n".join(sorted(keep)) + "\n", encoding="utf-8")
    two, one = _two_runs_and_one(tmp_path / "held-out.jsonl", tmp_path, keep=4)
    assert len(one["stories"]) >= 6
    assert _lineage(two) == _lineage(one)
