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
import os
import signal
import subprocess
import sys
import time
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

pytestmark = pytest.mark.spark

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


def _bad_dataset(folder: Path) -> None:
    """A dataset partitioned by ``lang=`` folders holding every kind of bad file beside good
    ones: not Parquet, cut short, an intact footer over damaged data pages, another schema,
    a named pipe, Spark's hidden files."""
    ferry = (
        "The harbour authority of Velamar said on Tuesday that the ferry to Orsk would resume "
        "service next week after repairs to the pier. About 300 passengers a day use the route."
    )
    chess = (
        "The Brindle chess club opened its winter season on Thursday with a simultaneous "
        "exhibition. Twenty players faced the club champion, who won seventeen games."
    )
    bees = (
        "Die Imker im Harrowtal melden eine Rekordernte. Warme Nächte und eine lange Blüte der "
        "Linden hielten die Völker bis Ende August beschäftigt."
    )
    en, de = folder / "lang=en", folder / "lang=de"
    en.mkdir(parents=True)
    de.mkdir()
    pq.write_table(
        pa.table({"id": ["f1", "f2"], "text": [ferry, ferry + " More soon."]}),
        en / "part-0.parquet",
    )
    pq.write_table(  # another schema: more columns, a publication time as a number
        pa.table({"id": ["c1"], "text": [chess], "source": ["brindle"], "published": [20250101]}),
        en / "part-1.parquet",
    )
    (en / "part-2.parquet").write_bytes(b"PAR1 not parquet at all")
    whole = (en / "part-0.parquet").read_bytes()
    (en / "part-3.parquet").write_bytes(whole[: len(whole) // 2])  # cut short
    pq.write_table(pa.table({"id": ["d1"], "text": [bees]}), de / "part-4.parquet")
    # Damaged data pages under an intact footer: only reading the data finds it.
    big = pa.table({"id": [f"x{i}" for i in range(50)], "text": [chess * 40] * 50})
    pq.write_table(big, de / "part-5.parquet", compression="none", use_dictionary=False)
    data = bytearray((de / "part-5.parquet").read_bytes())
    for i in range(200, len(data) // 2, 7):
        data[i] = (data[i] * 31 + 7) % 256
    (de / "part-5.parquet").write_bytes(bytes(data))
    assert pq.read_schema(de / "part-5.parquet").names == ["id", "text"]
    (folder / "_SUCCESS").write_bytes(b"")
    (en / ".DS_Store").write_bytes(b"\x00\x01")


@pytest.mark.parametrize("given", ["folder", "url"])
def test_bad_files_in_a_partitioned_parquet_dataset_cost_only_themselves(
    spark: Any, tmp_path: Path, given: str
) -> None:
    """One Spark read of the dataset failed on its first unreadable file
    ("FAILED_READ_FILE") and stopped the run, for a local folder (footers now checked first)
    and a URL (read whole, never checked) alike; a file with damaged data pages stopped even
    the checked folder. Now each bad file is one error naming it and the rest is analysed,
    with the partition column (``lang``) of every file read."""
    folder = tmp_path / "set"
    _bad_dataset(folder)
    if given == "folder":
        os.mkfifo(folder / "lang=de" / "part-6.parquet")  # never opened: it would block
    source = str(folder) if given == "folder" else folder.as_uri()
    missing = str(tmp_path / "missing") if given == "folder" else (tmp_path / "missing").as_uri()
    missing += "/" if given == "url" else ".parquet"
    result = analyze_spark([source, missing], tmp_path / "out", LEXICAL, session=spark)
    documents = {d["id"]: d for d in result.report["documents"]}
    assert sorted(documents) == ["c1", "d1", "f1", "f2"]
    assert documents["d1"]["lang"] == "de" and documents["f1"]["lang"] == "en"
    errors = {Path(e.input).name: e.reason for e in result.errors}
    bad = {"part-2.parquet", "part-3.parquet", "part-5.parquet"}
    assert errors.pop("missing" if given == "url" else "missing.parquet").startswith(
        "cannot list (" if given == "url" else "no such file or directory"
    )
    assert set(errors) == (bad | {"part-6.parquet"} if given == "folder" else bad)
    assert all("not a readable Parquet file (" in errors[name] for name in bad), errors
    assert all("\n" not in reason and len(reason) < 400 for reason in errors.values())
    if given == "folder":
        assert errors["part-6.parquet"] == "not a regular file (named pipe)"
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


def _spark_cli(corpus: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "storytrace.cli",
        "analyze",
        str(corpus),
        "--out",
        str(out),
        "--executor",
        "spark",
        "--master",
        "local[2]",
        "--encoder",
        "none",
        "--quiet",
    ]


def _stored_documents(db: Path) -> int:
    """Documents in a store another process is writing (0 while it does not exist yet)."""
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_spark_run_leaves_no_process_no_lock_and_resumes(
    spark: Any, tmp_path: Path
) -> None:
    """``analyze --executor spark`` interrupted (Ctrl-C) while its JVM starts, killed with
    SIGKILL while Spark works, and with SIGTERM while it fills the store: its JVM and Python
    workers end with it (the JVM interrupted at start lived on for good, and py4j printed a
    traceback), the store lock is free, and the same command again gives the uninterrupted
    result (the local executor's: the Spark run equals it, see above)."""
    from tests.test_reliability import _alive, _descendants, _essence

    reference = pipeline.analyze([DEMO], tmp_path / "local", LEXICAL, workers=1)
    out = tmp_path / "killed"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    kills = (
        (signal.SIGINT, "jvm starting"),  # Ctrl-C while the session starts
        (signal.SIGKILL, "spark works"),
        (signal.SIGTERM, "store filling"),
    )
    for sig, when in kills:
        proc = subprocess.Popen(
            _spark_cli(DEMO, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        seen: set[int] = set()
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            seen |= _descendants(proc.pid)
            jvm = any(b"java" in _cmdline(p) for p in seen)
            if when == "jvm starting" and jvm:
                time.sleep(1)
                break
            if when == "spark works" and jvm and len(seen) >= 2:
                time.sleep(3)  # into the stages
                break
            if when == "store filling" and _stored_documents(out / DB_NAME):
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the run ended before the {sig.name}"
        seen |= _descendants(proc.pid)
        assert any(b"java" in _cmdline(p) for p in seen), "no Spark JVM seen"
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)  # no descendant keeps the pipes open
        assert proc.returncode != 0
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-2000:]
        if sig == signal.SIGINT:
            assert proc.returncode == 130 and b"interrupted" in stderr
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [p for p in seen if _alive(p)]
        for pid in left:  # never leave a JVM behind a failed test
            os.kill(pid, signal.SIGKILL)
        assert not left, f"Spark processes outlived the {sig.name}"
        Store(out / DB_NAME, writer=True).close()  # the lock went with the run
    subprocess.run(_spark_cli(DEMO, out), env=env, check=True, timeout=600, capture_output=True)
    resumed = json.loads((out / "report.json").read_text())
    assert _essence(resumed) == _essence(reference.report)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_multi_hop_chains_give_spark_the_local_stories_and_edges(
    spark: Any, tmp_path: Path
) -> None:
    """The chains set (an original, two translations, a rewrite of one, its PDF rendering,
    a scraper copy of the other; built here from invented stories in the WMT21 format), with
    the default encoder: Spark's stories, origins and edges are the local executor's."""
    from tests.test_eval_wmt21 import _write_set

    from storytrace.eval.chains import build

    _write_set(tmp_path / "wmt")
    docs = build(tmp_path / "wmt", tmp_path / "set") / "docs.jsonl"
    remote = analyze_spark([docs], tmp_path / "spark", session=spark).records
    local = pipeline.analyze([docs], tmp_path / "local").records

    def shape(report: Any) -> list[Any]:
        return sorted(
            (
                s.members,
                s.origins,
                sorted((e.parent, e.child, e.relation, e.directed) for e in s.edges),
            )
            for s in report.stories
        )

    assert shape(remote) == shape(local)
    assert sum(len(s.edges) for s in local.stories) >= 3 * len(local.stories) > 0


def test_languages_the_encoder_lacks_get_no_vectors_on_spark_either(
    spark: Any, tmp_path: Path
) -> None:
    """Lithuanian and Urdu texts (invented vocabularies; USE has neither language) are matched
    on lexical evidence alone by both executors: Spark embedding them anyway grouped
    unrelated texts of one script into one story."""
    from tests.test_eval_lexical import LT, UR

    from storytrace.eval.lexical import build

    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(json.dumps(d.record(), ensure_ascii=False) + "\n" for d in build([LT, UR], 6)),
        encoding="utf-8",
    )
    remote = analyze_spark([docs], tmp_path / "spark", session=spark).records
    local = pipeline.analyze([docs], tmp_path / "local").records
    assert sorted(s.members for s in remote.stories) == sorted(s.members for s in local.stories)
    with Store(tmp_path / "spark" / DB_NAME) as a, Store(tmp_path / "local" / DB_NAME) as b:
        assert a.embedding_ids() == b.embedding_ids()
        assert len(a.embedding_ids()) < len(a.document_ids()) // 2  # most are lt or ur
