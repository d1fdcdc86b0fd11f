"""End to end on the bundled demo corpus: stories, origins, parents, changes, incremental runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DEMO
from tests.inputs import story

from storytrace import engine, pipeline
from storytrace.changes import number_values
from storytrace.config import Config
from storytrace.errors import NothingToAnalyseError
from storytrace.pipeline import analyze
from storytrace.progress import SilentProgress


def _story_of(report: dict[str, Any], member: str) -> dict[str, Any]:
    return next(s for s in report["stories"] if member in s["members"])


def test_demo_finds_each_story_with_all_its_versions(
    demo_run: Any, expected: dict[str, Any]
) -> None:
    report = demo_run.report
    assert len(report["stories"]) == len(expected["stories"])
    for truth in expected["stories"].values():
        story = _story_of(report, truth["original"])
        assert sorted(story["members"]) == sorted(truth["members"])


def test_distractors_stay_out_of_every_story(demo_run: Any, expected: dict[str, Any]) -> None:
    in_story = {m for s in demo_run.report["stories"] for m in s["members"]}
    assert not in_story & set(expected["distractors"])


def test_origins_and_parents_match_the_truth(demo_run: Any, expected: dict[str, Any]) -> None:
    for truth in expected["stories"].values():
        story = _story_of(demo_run.report, truth["original"])
        assert story["origins"] == [truth["original"]]
        parents = {e["child"]: e["parent"] for e in story["edges"]}
        for member, info in truth["members"].items():
            if info["parent"] is None:
                assert member not in parents
                continue
            allowed = {info["parent"]}
            if info["kind"] == "scraper_copy":
                allowed.add(truth["original"])
            assert parents[member] in allowed, (member, parents[member])


def test_edge_relations_follow_the_kind_of_version(demo_run: Any, expected: dict[str, Any]) -> None:
    wanted = {
        "rewrite": "rewrite",
        "pdf_copy": "same_article",
        "scraper_copy": "copy",
        "translation": "translation",
    }
    for truth in expected["stories"].values():
        story = _story_of(demo_run.report, truth["original"])
        relation = {e["child"]: e["relation"] for e in story["edges"]}
        for member, info in truth["members"].items():
            if info["kind"] in wanted:
                assert relation[member] == wanted[info["kind"]], member


def test_planted_changes_are_reported(demo_run: Any, expected: dict[str, Any]) -> None:
    edges = [e for s in demo_run.report["stories"] for e in s["edges"]]
    for change in expected["changes"]:
        edge = next(e for e in edges if e["child"] == change["doc"])
        if change["kind"] == "number":
            old = set(number_values(change["original_text"]))
            new = set(number_values(change["changed_text"]))
            hits = [
                c
                for c in edge["changes"]
                if c["kind"] == "number"
                and old - new <= set(c["before"].split(", "))
                and new - old <= set(c["after"].split(", "))
            ]
        else:
            hits = [
                c
                for c in edge["changes"]
                if c["kind"] == "negation" and change["changed_text"] in c["after"]
            ]
        assert hits, change


def test_credits_are_found_and_used_as_evidence(demo_run: Any, expected: dict[str, Any]) -> None:
    for truth in expected["stories"].values():
        story = _story_of(demo_run.report, truth["original"])
        rewrites = [m for m, i in truth["members"].items() if i["kind"] == "rewrite"]
        for member in rewrites:
            assert story["attributions"][member], member
            edge = next(e for e in story["edges"] if e["child"] == member)
            assert any("credits" in ev for ev in edge["evidence"])


def test_second_run_adds_instead_of_starting_over(tmp_path: Path, expected: dict[str, Any]) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    story_a = expected["stories"]["A"]
    for name in ("web", "text", "feeds"):
        (first / name).mkdir(parents=True)
    shutil.copy(DEMO / story_a["original"], first / story_a["original"])
    shutil.copy(
        DEMO / "text/hotnewsmirror_harvik_dam.txt", first / "text/hotnewsmirror_harvik_dam.txt"
    )
    out = tmp_path / "out"
    r1 = analyze([first], out)
    assert r1.added == 2 and len(r1.report["stories"]) == 1
    shutil.copytree(DEMO, second)
    r2 = analyze([second], out)
    # Ids are relative to each input directory, so the two already-stored files are
    # recognised by id and content and not added again.
    assert r2.added == r2.total - 2
    assert r2.total == sum(1 for _ in DEMO.rglob("*.*") if _.suffix in (".txt", ".html")) + 5
    assert len(r2.report["stories"]) == 2
    r3 = analyze([second], out)
    assert r3.added == 0 and r3.total == r2.total
    assert json.loads(r3.report_json.read_text())["stories"] == r2.report["stories"]


def test_bad_inputs_are_reported_and_the_rest_is_analysed(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(DEMO / "text/mps_velamar_port_strike.txt", corpus / "a.txt")
    shutil.copy(DEMO / "text/portnewsnow_velamar_strike.txt", corpus / "b.txt")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00\x00" * 50)
    (corpus / "empty.txt").write_text("   \n")
    # UTF-8 with a Latin-1 word: no one encoding decodes it all.
    (corpus / "latin.txt").write_bytes("Fähre über Straße ".encode() * 5 + b"caf\xe9")
    (corpus / "feed.jsonl").write_text(
        '{"id": "ok", "text": "A short note about ferries."}\n{broken\n'
    )
    result = analyze([corpus, tmp_path / "missing.txt"], tmp_path / "out")
    reasons = {Path(e.input).name.split(":")[0]: e.reason for e in result.errors}
    assert set(reasons) == {"binary.txt", "empty.txt", "latin.txt", "feed.jsonl", "missing.txt"}
    assert "binary" in reasons["binary.txt"] and "UTF-8" in reasons["latin.txt"]
    assert "no such file" in reasons["missing.txt"]
    report = json.loads(result.report_json.read_text())
    assert len(report["errors"]) == 5
    assert result.total == 3
    assert len(report["stories"]) == 1


def test_nothing_readable_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00" * 64)
    with pytest.raises(NothingToAnalyseError, match=r"bin\.txt"):
        analyze([tmp_path / "bin.txt"], tmp_path / "out")


def test_a_later_run_fingerprints_only_the_new_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index lives in the store: adding documents indexes them, and nothing else."""
    fingerprinted: list[list[str]] = []
    real = engine.fingerprint

    def spy(docs: Any, **kwargs: Any) -> Any:
        fingerprinted.append([d.id for d in docs])
        return real(docs, **kwargs)

    monkeypatch.setattr(engine, "fingerprint", spy)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(DEMO / "text/portnewsnow_velamar_strike.txt", first / "a.txt")
    shutil.copy(DEMO / "text/hotnewsmirror_harvik_dam.txt", first / "b.txt")
    config = Config(encoder="none")
    analyze([first], tmp_path / "out", config)
    assert sorted(i for batch in fingerprinted for i in batch) == ["a.txt", "b.txt"]
    fingerprinted.clear()
    shutil.copy(DEMO / "text/mps_velamar_port_strike.txt", second / "c.txt")
    result = analyze([first, second], tmp_path / "out", config)
    assert [i for batch in fingerprinted for i in batch] == ["c.txt"]
    assert result.added == 1 and result.total == 3
    # the new copy was matched against the documents indexed by the first run
    relations = {(m["a"], m["b"]): m["relation"] for m in result.report["matches"]}
    assert set(relations) == {("a.txt", "c.txt")}
    assert relations[("a.txt", "c.txt")] in ("duplicate", "near_duplicate", "partial_reuse")


def test_stories_traced_in_worker_processes_equal_those_traced_here(
    tmp_path: Path, demo_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo's stories handed to two worker processes (each reading the store itself)
    # give the same stories, lineage, changes and alignments as tracing them in-process.
    monkeypatch.setattr(pipeline, "_PARALLEL_STORIES_MIN", 1)
    parallel = analyze([DEMO], tmp_path / "parallel", workers=2).report
    serial = demo_run.report
    assert len(parallel["stories"]) == len(serial["stories"]) >= 2
    assert parallel["stories"] == serial["stories"]
    assert parallel["alignments"] == serial["alignments"]


def test_story_chunks_balance_pairs_and_keep_every_story_once() -> None:
    groups = [["a"] * n for n in (12, 2, 2, 3, 9, 2, 2, 2, 5, 2)]
    chunks = pipeline._story_chunks(groups, 3)
    assert sorted(i for chunk in chunks for i in chunk) == list(range(len(groups)))
    loads = sorted(sum(len(groups[i]) ** 2 for i in chunk) for chunk in chunks)
    # Largest first, each to the lightest chunk: the 12- and the 9-member stories alone.
    assert loads == [58, 81, 144]
    assert [0] in chunks and [4] in chunks
    assert pipeline._story_chunks(groups[:2], 8) == [[0], [1]]


class _Recording:
    """An executor that runs the local stages and records what ``analyze`` asked of it."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[str] = []
        self.refuse = refuse
        self.inner = pipeline.LocalStages()

    def check_store(self, store: Any) -> None:
        self.calls.append("check_store")
        if self.refuse:
            raise NothingToAnalyseError("this executor takes no store")

    def run(self, inputs: Any, context: Any) -> Any:
        self.calls.append("run")
        return self.inner.run(inputs, context)


def test_any_executor_gets_the_same_bookkeeping(tmp_path: Path, demo_run: Any) -> None:
    """``analyze`` runs an executor's stages once and does the rest itself: stories, lineage,
    changes and reports come out as with the default executor."""
    recording = _Recording()
    result = analyze([DEMO], tmp_path / "out", executor=recording)
    assert recording.calls == ["check_store", "run"]
    assert result.records.stories == demo_run.records.stories
    assert result.records.alignments == demo_run.records.alignments
    refusing = _Recording(refuse=True)
    with pytest.raises(NothingToAnalyseError, match="takes no store"):
        analyze([DEMO], tmp_path / "refused", executor=refusing)
    assert refusing.calls == ["check_store"]


def test_the_spark_executor_uses_only_public_pipeline_and_engine_functions() -> None:
    """spark_pipeline calls the engine and ``pipeline.analyze``: none of pipeline's private
    functions (a second orchestrator drifted from the first when it borrowed them)."""
    import ast

    source = Path(pipeline.__file__).with_name("spark_pipeline.py").read_text(encoding="utf-8")
    borrowed = [
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module == "storytrace.pipeline"
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert "pipeline._" not in source and borrowed == []


class _Tracing(SilentProgress):
    """Records how many stories each run traced (its "Tracing provenance" task's size)."""

    def __init__(self) -> None:
        self.traced: list[int | None] = []

    def task(self, description: str, total: int | None) -> Any:
        if description == "Tracing provenance":
            self.traced.append(total)
        return super().task(description, total)


def _demo_part(tmp_path: Path, name: str, leave_out: list[str]) -> Path:
    """A copy of the demo corpus without the files ``leave_out`` (ids stay the same)."""
    part = tmp_path / name
    shutil.copytree(DEMO, part)
    for rel in leave_out:
        (part / rel).unlink()
    return part


def _lineage(report: dict[str, Any]) -> tuple[Any, ...]:
    return (report["stories"], report["alignments"])


@pytest.mark.parametrize(
    "first",
    [
        # a rewrite and its print copy arrive later: story A grows, a merge through the copy
        ["web/kaelland_herald_harvik_dam.html", "text/kaelland_herald_harvik_dam_print.txt"],
        # every version but the feed's: story B is found when its translation and rewrite come
        ["feeds/feed.jsonl", "text/corvania_today_velamar_strike_print.txt"],
        # the originals last: the copies made stories of their own, which the originals join
        ["web/nordwire_harvik_dam.html", "text/mps_velamar_port_strike.txt"],
    ],
)
def test_documents_added_in_two_runs_give_the_stories_of_one_run(
    tmp_path: Path, demo_run: Any, first: list[str]
) -> None:
    out = tmp_path / "out"
    analyze([_demo_part(tmp_path, "part", first)], out)
    second = analyze([DEMO], out)
    assert second.added == len(first) + (4 if "feeds/feed.jsonl" in first else 0)
    assert _lineage(second.report) == _lineage(demo_run.report)


def test_an_add_traces_only_the_stories_it_touches(tmp_path: Path, demo_run: Any) -> None:
    out = tmp_path / "out"
    lone, copy = "text/corvania_rail_locomotives.txt", "text/kaelland_herald_harvik_dam_print.txt"
    analyze([_demo_part(tmp_path, "part", [lone, copy])], out)
    # A document related to nothing: no story is traced again.
    progress = _Tracing()
    analyze([_demo_part(tmp_path, "with-lone", [copy])], out, progress=progress)
    assert progress.traced == [0]
    # The print copy of story A's rewrite: story A alone is traced again, B is kept as stored.
    progress = _Tracing()
    again = analyze([DEMO], out, progress=progress)
    assert progress.traced == [1]
    assert _lineage(again.report) == _lineage(demo_run.report)


_UNRELATED = (
    "Chess club members gathered in the old observatory on Thursday evening.\n\n"
    "Twelve players entered the winter tournament, which runs until February; the youngest "
    "competitor is nine years old.\n\nOrganisers thanked the bakery on Mill Lane for "
    "donating cakes, and asked visitors to bring warm coats because the dome is unheated."
)


def test_an_outlet_new_to_the_store_retraces_the_stories_that_credit_it(tmp_path: Path) -> None:
    # "Brightwater reported" is a credit only once Brightwater is one of the store's sources:
    # a later document from that outlet, related to nothing, changes the story that names it.
    _, paras = story(7)
    credited = [paras[0] + " The port will reopen on Friday, Brightwater reported.", *paras[1:]]
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    (first / "a.txt").write_text("\n\n".join(credited), encoding="utf-8")
    (first / "b.txt").write_text("\n\n".join(credited[:4]), encoding="utf-8")
    (later / "c.jsonl").write_text(
        json.dumps({"id": "c", "source": "Brightwater", "text": _UNRELATED}) + "\n",
        encoding="utf-8",
    )
    config = Config(encoder="none")
    analyze([first], tmp_path / "two", config)
    progress = _Tracing()
    two = analyze([first, later], tmp_path / "two", config, progress=progress).report
    one = analyze([first, later], tmp_path / "one", config).report
    assert progress.traced == [1]
    assert _lineage(two) == _lineage(one)
    credits = [a["outlet"] for s in one["stories"] for c in s["attributions"].values() for a in c]
    assert "Brightwater" in credits
