"""Shared fixtures: the bundled demo corpus, its expected answers, and one analysed store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("OMP_NUM_THREADS", "1")

# CI explores the same examples every run (reproducible); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "storytrace" / "demo" / "corpus"
EXPECTED = ROOT / "src" / "storytrace" / "demo" / "expected.json"
SHARED = Path(os.environ.get("STORYTRACE_SHARED", ROOT.parent / "shared"))


_SLOW_GROUPS = ("slow", "spark", "browser")
_SLOW_TESTS: dict[str, str] = {}  # node id -> its slow groups, for the progress lines
_CONFIG: list[pytest.Config] = []


def pytest_configure(config: pytest.Config) -> None:
    _CONFIG[:] = [config]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spark and browser tests are slow too: ``-m "not slow"`` leaves every slow group out."""
    for item in items:
        if any(item.get_closest_marker(name) for name in ("spark", "browser")):
            item.add_marker(pytest.mark.slow)
        groups = [name for name in _SLOW_GROUPS if item.get_closest_marker(name)]
        if groups:
            _SLOW_TESTS[item.nodeid] = ", ".join(groups)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """Name each slow test on its own line as it starts, so a quiet run (``-q``) shows what
    it is waiting for (a Spark session takes up to half a minute to start) instead of
    sitting silent for minutes."""
    groups = _SLOW_TESTS.get(nodeid)
    if not groups or not _CONFIG or _CONFIG[0].option.verbose > 0:
        return
    reporter = _CONFIG[0].pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write(f"{nodeid} ({groups}) ", flush=True)


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def encoder() -> Any:
    """The real multilingual encoder, loaded once per test session."""
    from storytrace.embed import load_encoder

    return load_encoder()


@pytest.fixture
def empty_clean_doc() -> Any:
    """A cleaned document with no text at all (an edge case several stages must survive)."""
    from storytrace.records import CleanDoc

    return CleanDoc(
        id="empty",
        text="",
        removed=(),
        runs=(),
        sentences=(),
        paragraphs=(),
        lang="und",
        raw_length=0,
    )


@pytest.fixture(scope="session")
def save_band_keys() -> Any:
    """``save(store, docs, keys)``: add ``docs`` to ``store`` and save them as indexed with one
    row of LSH band ``keys`` each (placeholder shingles and signatures), for tests of what
    is done with the keys."""
    import numpy as np

    from storytrace.clean import clean
    from storytrace.config import Config
    from storytrace.records import Signature

    def save(store: Any, docs: list[Any], keys: Any) -> None:
        store.add_documents(docs, store.start_run(Config(), ["x"]))
        sigs = [
            Signature(
                id=d.id,
                shingles=np.arange(3, dtype=np.uint64),
                minhash=np.zeros(8, dtype=np.uint32),
                embedding=None,
                sentence_embeddings=None,
            )
            for d in docs
        ]
        store.save_indexed([clean(d) for d in docs], sigs, np.asarray(keys, dtype=np.int64))

    return save


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo corpus analysed once per test session (a real store and real reports)."""
    from storytrace.pipeline import analyze

    out = tmp_path_factory.mktemp("demo-out")
    return analyze([DEMO], out)


@pytest.fixture(scope="session")
def spark() -> Any:
    """One local Spark session (local[2]) for the whole test run; skipped without Spark."""
    pytest.importorskip("pyspark", reason="the Spark tests need the 'spark' extra")
    from storytrace.executors.spark import SparkExecutor, spark_problem

    problem = spark_problem()
    if problem:
        pytest.skip(f"Spark cannot start here: {problem}")
    executor = SparkExecutor("local[2]", driver_memory="1g")
    yield executor.session
    executor.close()
