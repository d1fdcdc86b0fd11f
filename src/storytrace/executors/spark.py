"""Run the pure stages on Apache Spark: a session adapter, nothing more.

``SparkExecutor`` starts (or borrows) a Spark session with the settings the pipeline needs:
the workers use this interpreter (``PYSPARK_PYTHON``; they would otherwise start the system
Python, which has no storytrace), Arrow batches of a bounded size (a batch of documents with
sentence vectors is ~50 KB a document), and, on a local master, as many shuffle partitions as
cores (Spark's default of 200 makes hundreds of empty tasks on a laptop). Anything else comes
from the caller's ``conf`` (a cluster's GPUs, memory, event logs) or the cluster's defaults.

The stage wiring lives in ``storytrace.spark_pipeline``; stories' connected components in
``storytrace.spark_stories``. Needs the ``spark`` extra and Java 17.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from storytrace.errors import SparkUnavailableError

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

T = TypeVar("T")

DEFAULT_MASTER = "local[2]"
ARROW_BATCH_ROWS = 512
"""Rows per Arrow batch handed to a stage function: bounded memory for documents that carry
sentence vectors, and enough documents per call for the vectorised stages."""


def java_problem() -> str | None:
    """Why Spark cannot start here (no Java, or one older than 17), or ``None`` when it can."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        return "no Java runtime found (Spark needs Java 17: install it or set JAVA_HOME)"
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        return f"cannot run {java}: {exc}"
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return f"cannot tell the version of {java}"
    major = int(found.group(1))
    if major == 1 and found.group(2):  # "1.8.0" is Java 8
        major = int(found.group(2))
    if major < 17:
        return f"Java {major} found at {java}; Spark 4 needs Java 17 or later"
    return None


def spark_problem() -> str | None:
    """Why the Spark executor cannot run here, or ``None`` when it can."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"the Spark executor needs the 'spark' extra: pip install 'storytrace[spark]' ({exc.name} is missing)"
    return java_problem()


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark ``StructType`` of an Arrow schema (the records' schemas are kept in Arrow)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


class SparkExecutor:
    """A Spark session for the pipeline; ``master`` is ``local[N]`` or a cluster's URL.

    Pass ``session`` to run on a session the caller owns (a notebook's, or a test's shared
    one): it is used as it is and never stopped here. Otherwise the session is started on first
    use and stopped by ``close``. ``conf`` entries are passed to the builder unchanged.
    """

    def __init__(
        self,
        master: str | None = DEFAULT_MASTER,
        *,
        conf: Mapping[str, str] | None = None,
        driver_memory: str = "2g",
        app_name: str = "storytrace",
        session: SparkSession | None = None,
    ) -> None:
        self.master = master
        self.conf = dict(conf or {})
        self.driver_memory = driver_memory
        self.app_name = app_name
        self._session = session
        self._owned = False

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            self._session = self._start()
            self._owned = True
        return self._session

    def _start(self) -> SparkSession:
        problem = spark_problem()
        if problem:
            raise SparkUnavailableError(problem)
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        builder = SparkSession.builder.appName(self.app_name)
        if self.master:
            builder = builder.master(self.master)
        settings = session_conf(self.master, self.driver_memory)
        settings.update(self.conf)
        for key, value in settings.items():
            builder = builder.config(key, value)
        logging.getLogger().addFilter(_not_py4j_interrupt)  # before the first call to the JVM
        session = _with_jvm_bound_to_this_process(builder.getOrCreate)
        session.sparkContext.setLogLevel("ERROR")
        return session

    @property
    def cores(self) -> int:
        """Task slots the session offers (its default parallelism)."""
        return max(1, int(self.session.sparkContext.defaultParallelism))

    def map_arrow(self, df: DataFrame, fn: Any, schema: pa.Schema) -> DataFrame:
        """``fn`` (Arrow batches in, Arrow batches of ``schema`` out) over every partition."""
        return df.mapInArrow(fn, spark_schema(schema))

    def close(self) -> None:
        if self._session is not None and self._owned:
            self._session.stop()
        self._session = None
        self._owned = False

    def __enter__(self) -> SparkExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_LAUNCH = threading.Lock()


def _with_jvm_bound_to_this_process(start: Callable[[], T]) -> T:
    """``start()`` (which may launch Spark's JVM), with the JVM made to end with this process.

    The JVM leaves by itself when its stdin (a pipe from this process) closes, but only once
    its gateway is up: a driver interrupted while the JVM starts (Ctrl-C during session start)
    left a JVM that lived on for good. So the JVM is forked by the spawner thread (which lives
    as long as this process) and asks the kernel for SIGTERM when that thread dies
    (``PR_SET_PDEATHSIG``; the JVM then runs Spark's shutdown hooks). pyspark offers no hook
    for this (it sets its own ``preexec_fn``), so its ``Popen`` is wrapped while ``start`` runs.
    """
    from pyspark import java_gateway

    from storytrace.executors.local import _prctl_death_signal, _spawner

    original = vars(java_gateway)["Popen"]

    def popen(*args: Any, **kwargs: Any) -> Any:
        theirs = kwargs.get("preexec_fn")

        def preexec() -> None:
            if theirs is not None:
                theirs()  # pyspark's: the JVM ignores SIGINT (the driver decides)
            _prctl_death_signal(signal.SIGTERM)

        kwargs["preexec_fn"] = preexec
        return original(*args, **kwargs)

    def launch() -> T:
        with _LAUNCH:
            vars(java_gateway)["Popen"] = popen
            try:
                return start()
            finally:
                vars(java_gateway)["Popen"] = original

    return _spawner.call(launch)


def _not_py4j_interrupt(record: logging.LogRecord) -> bool:
    """py4j logs Ctrl-C during a call to the JVM on the root logger, with a traceback; the
    CLI reports the interrupt itself (one line), so that record is dropped."""
    return not str(record.msg).startswith("KeyboardInterrupt while sending command")


def session_conf(master: str | None, driver_memory: str = "2g") -> dict[str, str]:
    """The settings storytrace starts a session with (callers' ``conf`` overrides them)."""
    conf = {
        "spark.driver.memory": driver_memory,
        "spark.pyspark.python": sys.executable,
        "spark.executorEnv.OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    local = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master or "")
    if local:
        cores = local.group(1)
        if cores is None:
            n = 1
        elif cores == "*":
            n = os.cpu_count() or 1
        else:
            n = int(cores)
        conf["spark.sql.shuffle.partitions"] = str(max(2, 2 * n))
        conf["spark.default.parallelism"] = str(max(1, n))
        conf["spark.ui.enabled"] = "false"
    return conf
