"""Tests for storytrace.spark_pipeline: Spark gives what the local executor gives.

Compared on the demo corpus (default encoder, so semantic candidates, profiles and weak
links are exercised): the whole report.json but its time stamp, i.e. documents (ids, content
hashes, languages, removals), stories (members, origins, lineage edges with relations,
confidences, evidence and changes), matches (pairs, relations, every score, how found),
alignments and errors; scores to 1e-4 (embeddings of batches of different sizes differ in
the last float bits), everything else exactly. And on ~1,500 generated documents (lexical
engine, Parquet input for Spark, JSONL for the local executor): every match with its scores
and the story membership.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the Spark executor needs the 'spark' extra")

import pyarrow as pa
import pyarrow.parquet as pq
from tests.conftest import DEMO, ROOT

from storytrace import pipeline
from storytrace.config import Config
from storytrace.errors import NothingToAnalyseError, StoreError
from storytrace.executors.spark import SparkExecutor
from storytrace.ingest import MAX_CHARS
from storytrace.spark_pipeline import OUTPUTS, analyze_spark, is_parquet_input, run_spark
from storytrace.store import DB_NAME, Store
from storytrace.stories import build_stories

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate

LEXICAL = Config(encoder="none")


def _close(a: Any, b: Any, path: str = "") -> None:
    """Equal, floats to 1e-4."""
    if isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-4), path
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


@pytest.fixture(scope="module")
def spark_demo(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return analyze_spark([DEMO], tmp_path_factory.mktemp("spark-demo"), session=spark)


def test_demo_report_equals_the_local_executors(spark_demo: Any, demo_run: Any) -> None:
    spark_report = {k: v for k, v in spark_demo.report.items() if k != "generated"}
    local_report = {k: v for k, v in demo_run.report.items() if k != "generated"}
    assert spark_report["stories"] and spark_report["matches"]
    assert {m["found_by"] for m in spark_report["matches"]} >= {"semantic"}
    _close(spark_report, local_report)
    on_disk = json.loads(spark_demo.report_json.read_text(encoding="utf-8"))
    assert on_disk["stories"] == spark_demo.report["stories"]


def test_demo_outputs_are_parquet_that_pyarrow_reads(spark_demo: Any) -> None:
    root = spark_demo.out_dir / "parquet"
    for name in OUTPUTS:
        assert (root / name).is_dir(), name
    docs = pq.read_table(root / "documents")
    assert docs.num_rows == spark_demo.total
    stories = pq.read_table(root / "stories").to_pylist()
    members = {s["story"] for s in stories}
    assert len(members) == len(spark_demo.report["stories"])


def test_a_spark_run_refuses_a_store_that_holds_documents(spark: Any, demo_run: Any) -> None:
    with pytest.raises(StoreError, match="new store"):
        analyze_spark([DEMO], demo_run.out_dir, session=spark)


def test_nothing_to_analyse_is_an_error_with_the_reasons(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("   ", encoding="utf-8")
    with pytest.raises(NothingToAnalyseError, match="empty document"):
        analyze_spark([tmp_path / "empty.txt"], tmp_path / "out", session=spark)


def test_parquet_inputs_are_recognised(tmp_path: Path) -> None:
    (tmp_path / "set").mkdir()
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "set" / "part-0.parquet")
    assert is_parquet_input("s3a://bucket/news/")
    assert is_parquet_input(str(tmp_path / "set"))
    assert is_parquet_input("crawl.parquet")
    assert not is_parquet_input(str(DEMO))


def test_a_corrupt_file_and_mixed_schemas_in_a_parquet_folder_cost_only_that_file(
    spark: Any, tmp_path: Path
) -> None:
    """One Spark read of the folder failed on the first unreadable file ("FAILED_READ_FILE")
    and stopped the run; now each bad file is an error and the rest is analysed."""
    folder = tmp_path / "set"
    folder.mkdir()
    ferry = (
        "The harbour authority of Velamar said on Tuesday that the ferry to Orsk would resume "
        "service next week after repairs to the pier. About 300 passengers a day use the route."
    )
    chess = (
        "The Brindle chess club opened its winter season on Thursday with a simultaneous "
        "exhibition. Twenty players faced the club champion, who won seventeen games."
    )
    pq.write_table(
        pa.table({"id": ["f1", "f2"], "text": [ferry, ferry + " More soon."]}),
        folder / "part-0.parquet",
    )
    pq.write_table(  # another schema: more columns, a publication time as a number
        pa.table({"id": ["c1"], "text": [chess], "source": ["brindle"], "published": [20250101]}),
        folder / "part-1.parquet",
    )
    (folder / "part-2.parquet").write_bytes(b"PAR1 not parquet at all")
    whole = (folder / "part-0.parquet").read_bytes()
    (folder / "part-3.parquet").write_bytes(whole[: len(whole) // 2])  # cut short
    result = analyze_spark([folder], tmp_path / "out", LEXICAL, session=spark)
    assert sorted(d["id"] for d in result.report["documents"]) == ["c1", "f1", "f2"]
    errors = {Path(e.input).name: e.reason for e in result.errors}
    assert set(errors) == {"part-2.parquet", "part-3.parquet"}
    assert all("not a readable Parquet file" in r for r in errors.values())
    assert [s["members"] for s in result.report["stories"]] == [["f1", "f2"]]


def _local_reference(jsonl: Path, folder: Path) -> tuple[list[Any], list[list[str]]]:
    """The local executor's matches (with found_by) and stories for ``jsonl``."""
    from storytrace.executors import LocalExecutor
    from storytrace.progress import SilentProgress

    quiet = SilentProgress()
    with Store(folder / DB_NAME, writer=True) as store, LocalExecutor(2) as executor:
        run = store.start_run(LEXICAL, [str(jsonl)])
        pipeline._ingest(store, run, [jsonl], quiet, MAX_CHARS)
        pipeline._index(store, LEXICAL, None, executor, quiet, 256)
        pipeline._match(store, LEXICAL, quiet, 256)
        matches = store.matches()
        return matches, build_stories(store.document_ids(), matches)


def test_generated_corpus_matches_and_stories_equal_the_local_executors(
    spark: Any, tmp_path: Path
) -> None:
    docs = generate(1500, words_per_doc=160, seed=3)
    jsonl = tmp_path / "corpus.jsonl"
    jsonl.write_text("\n".join(json.dumps({"id": d.id, "text": d.text}) for d in docs))
    rows = [{"id": d.id, "text": d.text} for d in docs]
    rows.append({"id": "bad", "text": None})  # rejected, with its row
    rows.append({"id": docs[0].id, "text": docs[0].text})  # the same record twice: skipped
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "corpus.parquet", row_group_size=400)
    local_matches, local_stories = _local_reference(jsonl, tmp_path / "local")

    run = run_spark(
        SparkExecutor(session=spark),
        [tmp_path / "corpus.parquet"],
        str(tmp_path / "spark"),
        LEXICAL,
    )
    assert run.documents == len(docs)
    assert [(e.input.rsplit(":", 1)[1], e.reason) for e in run.errors] == [
        ("1501", "no 'text' field")
    ]
    got = pq.read_table(tmp_path / "spark" / "matches").to_pylist()
    spark_matches = sorted(
        (
            r["a"],
            r["b"],
            r["relation"],
            r["jaccard"],
            r["containment_ab"],
            r["containment_ba"],
            r["semantic"],
            r["coverage_ab"],
            r["coverage_ba"],
            tuple(r["evidence"]),
            r["found_by"],
        )
        for r in got
    )
    want = sorted(
        (
            m.a,
            m.b,
            m.relation,
            m.jaccard,
            m.containment_ab,
            m.containment_ba,
            m.semantic,
            m.coverage_ab,
            m.coverage_ba,
            m.evidence,
            m.found_by,
        )
        for m in local_matches
    )
    assert spark_matches == want
    assert sum(1 for m in want if m[2] in ("duplicate", "near_duplicate")) > 200
    members: dict[str, list[str]] = {}
    for r in pq.read_table(tmp_path / "spark" / "stories").to_pylist():
        members.setdefault(r["story"], []).append(r["id"])
    assert sorted(sorted(g) for g in members.values()) == local_stories
    assert run.stories == len(local_stories) > 100


def test_cli_sends_analyze_to_spark_with_its_options(
    monkeypatch: pytest.MonkeyPatch, demo_run: Any, tmp_path: Path
) -> None:
    from storytrace import cli, spark_pipeline

    seen: dict[str, Any] = {}

    def fake(inputs: Any, out: Any, config: Config, **options: Any) -> Any:
        seen.update(options, inputs=inputs, out=out, config=config)
        return demo_run

    monkeypatch.setattr(spark_pipeline, "analyze_spark", fake)
    argv = ["analyze", str(DEMO), "--out", str(tmp_path), "--executor", "spark", "--quiet"]
    options = ["--master", "spark://head:7077", "--encoder", "none", "--device", "cuda"]
    conf = ["--spark-conf", "spark.executor.memory=4g", "--spark-conf", "spark.task.cpus = 2"]
    assert cli.main([*argv, *options, *conf, "--parquet-out", "s3a://b/run1"]) == 0
    assert seen["master"] == "spark://head:7077"
    assert seen["conf"] == {"spark.executor.memory": "4g", "spark.task.cpus": "2"}
    assert seen["device"] == "cuda" and seen["parquet_out"] == "s3a://b/run1"
    assert seen["config"] == Config(encoder="none")
    assert cli.main([*argv, "--spark-conf", "nonsense"]) == 1


@pytest.mark.seeds
def test_the_seeds_give_spark_the_local_stories_and_edges(spark: Any, tmp_path: Path) -> None:
    """Five real documents leave some Spark partitions empty (no semantic candidate there):
    the run still completes and gives the local executor's story and edges."""
    from tests.test_seeds import SEEDS

    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    remote = analyze_spark([SEEDS], tmp_path / "spark", session=spark).report
    local = pipeline.analyze([SEEDS], tmp_path / "local").report

    def shape(report: dict[str, Any]) -> list[Any]:
        return [
            (
                s["members"],
                s["origins"],
                sorted((e["parent"], e["child"], e["relation"]) for e in s["edges"]),
            )
            for s in report["stories"]
        ]

    assert shape(remote) == shape(local)
    assert len(remote["stories"]) == 1 and len(remote["stories"][0]["edges"]) == 4
