"""Tests for storytrace.executors.spark: the session adapter and its settings."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the Spark executor needs the 'spark' extra")

import pyarrow as pa
import pyarrow.compute as pc

from storytrace.errors import SparkUnavailableError
from storytrace.executors import spark as spark_executor
from storytrace.executors.spark import SparkExecutor, java_problem, session_conf

pytestmark = pytest.mark.spark


def test_local_masters_get_one_shuffle_partition_pair_per_core() -> None:
    conf = session_conf("local[2]")
    assert conf["spark.sql.shuffle.partitions"] == "4"
    assert conf["spark.default.parallelism"] == "2"
    assert conf["spark.pyspark.python"] == sys.executable
    assert session_conf("local")["spark.default.parallelism"] == "1"


def test_cluster_masters_keep_the_clusters_partitioning() -> None:
    conf = session_conf("spark://head:7077")
    assert "spark.sql.shuffle.partitions" not in conf
    assert "spark.default.parallelism" not in conf
    assert conf["spark.sql.execution.arrow.maxRecordsPerBatch"] == "512"


def test_missing_java_is_reported_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent-java")
    problem = java_problem()
    assert problem is not None and "Java 17" in problem


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert "Java 11" in (java_problem() or "")


def test_unavailable_spark_raises_before_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_executor, "spark_problem", lambda: "no Java runtime found")
    with pytest.raises(SparkUnavailableError, match="no Java"):
        _ = SparkExecutor("local[1]").session


def test_map_arrow_runs_a_function_on_every_partition_of_a_borrowed_session(spark: Any) -> None:
    def double(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # Nested, so that it travels to the workers by value (tests/ is no package there).
        for batch in batches:
            twice = pc.multiply(batch.column("id"), 2)
            yield pa.RecordBatch.from_pydict({"id": batch.column("id"), "twice": twice})

    executor = SparkExecutor(session=spark)
    df = spark.range(0, 1000, numPartitions=3)
    schema = pa.schema([("id", pa.int64()), ("twice", pa.int64())])
    rows = executor.map_arrow(df, double, schema).collect()
    assert sorted((r["id"], r["twice"]) for r in rows) == [(i, 2 * i) for i in range(1000)]
    assert executor.cores >= 1
    executor.close()  # a borrowed session is left running
    assert spark.range(3).count() == 3
