"""Reliability: bad input, crashes and concurrent use lose nothing.

A run killed with SIGKILL at random points leaves a consistent store and the next run resumes
to the same result as an uninterrupted one; readers work while a writer runs; a second writer
gets a clear message; every bad input gets a clear error or a sensible result.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DEMO

from storytrace.ingest import read_inputs
from storytrace.records import Document

KILLS = 20
_RUN = (
    "import sys; from storytrace.pipeline import analyze; "
    "analyze([sys.argv[1]], sys.argv[2], batch_size=3, workers=1)"
)


def _corpus(root: Path) -> Path:
    """The demo corpus plus 30 edited copies of its documents (2% of words replaced)."""
    shutil.copytree(DEMO, root / "in")
    rng = random.Random(7)
    texts = [r.text for r in read_inputs([DEMO]) if isinstance(r, Document)]
    lines = []
    for i in range(30):
        tokens = rng.choice(texts).split()
        for _ in range(max(1, len(tokens) // 50)):
            tokens[rng.randrange(len(tokens))] = rng.choice(
                ["harbour", "council", "river", "Tuesday"]
            )
        lines.append(
            json.dumps({"id": f"copy-{i:02d}", "text": " ".join(tokens)}, ensure_ascii=False)
        )
    (root / "in" / "feeds" / "copies.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return root / "in"


def _run(corpus: Path, out: Path, kill_after: float | None = None) -> bool:
    """Run analyze in a child process; SIGKILL it after ``kill_after`` s. True if it finished."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", _RUN, str(corpus), str(out)], env=env)
    if kill_after is None:
        assert proc.wait(timeout=300) == 0
        return True
    try:
        proc.wait(timeout=kill_after)
        return proc.returncode == 0
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return False


def _essence(report: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on interruptions (scores rounded against float noise)."""
    return {
        "documents": sorted(
            (
                d["id"],
                d["doc_id"],
                tuple(
                    map(tuple, (sorted((r["start"], r["end"], r["reason"]) for r in d["removed"])))
                ),
            )
            for d in report["documents"]
        ),
        "stories": sorted(
            (
                s["id"],
                tuple(s["members"]),
                tuple(s["origins"]),
                tuple(sorted((e["parent"], e["child"], e["relation"]) for e in s["edges"])),
            )
            for s in report["stories"]
        ),
        "matches": sorted(
            (m["a"], m["b"], m["relation"], round(m["jaccard"], 2)) for m in report["matches"]
        ),
    }


@pytest.mark.slow
def test_random_sigkills_leave_a_consistent_store_that_resumes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    start = time.monotonic()
    _run(corpus, tmp_path / "clean")
    full = time.monotonic() - start
    reference = json.loads((tmp_path / "clean" / "report.json").read_text())

    rng = random.Random(20261123)
    out = tmp_path / "killed"
    kills = attempts = 0
    while kills < KILLS:
        attempts += 1
        # A resumed run does only what is left (stories too: only those not yet traced), so
        # many finish before a kill drawn over a whole run's time; still, kills must land.
        assert attempts <= 6 * KILLS, "runs keep finishing before the kill"
        finished = _run(corpus, out, kill_after=rng.uniform(0.3, full))
        kills += not finished
        db = out / "storytrace.db"
        if db.exists():
            conn = sqlite3.connect(db)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            states = dict(
                conn.execute("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall()
            )
            assert set(states) <= {"new", "indexed", "matched"}
            # Every indexed or matched document has its cleaning, signature and bands.
            missing = conn.execute(
                "SELECT COUNT(*) FROM documents d WHERE d.state != 'new' AND "
                "(NOT EXISTS (SELECT 1 FROM clean c WHERE c.id = d.id) OR "
                "NOT EXISTS (SELECT 1 FROM signatures s WHERE s.id = d.id) OR "
                "NOT EXISTS (SELECT 1 FROM bands b WHERE b.id = d.id))"
            ).fetchone()[0]
            assert missing == 0
            conn.close()
        if finished:  # the work is done: start a new sequence of interrupted runs
            assert _essence(json.loads((out / "report.json").read_text())) == _essence(reference)
            shutil.rmtree(out)
    _run(corpus, out)
    resumed = json.loads((out / "report.json").read_text())
    assert _essence(resumed) == _essence(reference)


# --- a corpus of bad inputs: each gets a clear error or a sensible result ----------------------

ARTICLE = (
    "The harbour authority of Velamar said on Tuesday that the ferry to Orsk would resume "
    "service next week after repairs to the pier. About 300 passengers a day use the route. "
)

# name -> (bytes, expected: "error:<words in the reason>" or "ok")
BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "binary.txt": (bytes(range(256)) * 8, "error:binary"),
    "empty.txt": (b"", "error:empty"),
    "whitespace.txt": (b"  \n\t \n", "error:empty"),
    "cp1251.txt": (
        "Правительство одобрило закон о лесах. ".encode("cp1251") * 5,
        "ok",
    ),
    "latin1.txt": (
        "Le ministre a approuvé la loi forestière. ".encode("latin-1") * 5,
        "ok",
    ),
    "mixed-encodings.txt": (
        "Die Fähre über die Straße fährt wieder. ".encode() * 5 + "café".encode("latin-1"),
        "error:undecodable bytes: not UTF-8",
    ),
    "utf16-bom.txt": (ARTICLE.encode("utf-16"), "ok"),
    "utf8-bom.txt": (b"\xef\xbb\xbf" + ARTICLE.encode(), "ok"),
    "mojibake.txt": (("Ã¼ber die Ã„nderung wurde am Dienstag abgestimmt. " * 5).encode(), "ok"),
    "huge.txt": (ARTICLE.encode() * 40_000, "error:too large"),
    "long-line.txt": (b"x" * 1_000_000 + b"\n" + ARTICLE.encode(), "ok"),
    "malformed.html": (b"<html><body><div><p>" + ARTICLE.encode() + b"<p><script>alert(1)", "ok"),
    "truncated.jsonl.gz": (b"\x1f\x8b\x08\x00\x00\x00", "error:damaged gzip data"),
    "rtl.txt": (
        ("أعلنت سلطة الميناء يوم الثلاثاء أن العبارة ستستأنف الخدمة الأسبوع المقبل. " * 4).encode(),
        "ok",
    ),
    "cjk.txt": (("港口管理局周二表示，渡轮将在维修后于下周恢复服务。" * 6).encode(), "ok"),
    "zero-width.txt": (
        ("The\u200b harbour\u200d said\x07 the\u202e ferry\x0b would resume. " * 6).encode(),
        "ok",
    ),
}
BAD_JSONL = "\n".join(
    [
        json.dumps({"id": "good", "text": ARTICLE}),
        json.dumps({"id": "wrong-type", "text": 5}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "dup", "text": ARTICLE + " One."}),
        json.dumps({"id": "dup", "text": ARTICLE + " Two."}),
        json.dumps(
            {"id": "future", "text": ARTICLE + " Three.", "published": "2999-01-01T00:00:00Z"}
        ),
        json.dumps({"id": "bad-date", "text": ARTICLE + " Four.", "published": "yesterday"}),
    ]
)


@pytest.mark.slow
def test_bad_inputs_are_explained_and_the_rest_completes(tmp_path: Path) -> None:
    from storytrace.pipeline import analyze

    corpus = tmp_path / "bad"
    corpus.mkdir()
    for name, (data, _) in BAD_INPUTS.items():
        (corpus / name).write_bytes(data)
    (corpus / "feed.jsonl").write_text(BAD_JSONL, encoding="utf-8")
    result = analyze([corpus, tmp_path / "missing"], tmp_path / "out", max_chars=1_500_000)
    errors = {Path(e.input).name: e.reason for e in result.errors}
    analysed = {d["id"]: d for d in result.report["documents"]}
    for name, (_, expected) in BAD_INPUTS.items():
        if expected == "ok":
            assert name in analysed, (name, errors.get(name))
        else:
            assert expected.removeprefix("error:") in errors[name], (name, errors.get(name))
    assert "no such file" in errors["missing"]
    assert "'text' is int" in errors["feed.jsonl:2"]
    assert "invalid JSON" in errors["feed.jsonl:3"]
    assert "expected a JSON object" in errors["feed.jsonl:4"]
    assert "duplicate id 'dup'" in errors["feed.jsonl:6"]
    assert {"good", "dup", "future", "bad-date"} <= analysed.keys()
    assert analysed["future"]["published"] is None  # not trusted as evidence
    assert "<script>alert" not in result.report_html.read_text(encoding="utf-8")
    assert analysed["cjk.txt"]["lang"] == "zh" and analysed["rtl.txt"]["lang"] == "ar"


# --- concurrency: readers alongside the writer, and a second writer ---------------------------


@pytest.mark.slow
def test_reader_in_another_process_while_analyze_writes(tmp_path: Path) -> None:
    from storytrace.errors import StoreBusyError
    from storytrace.store import Store

    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    writer = subprocess.Popen([sys.executable, "-c", _RUN, str(corpus), str(out)], env=env)
    seen: list[int] = []
    busy = 0
    try:
        while writer.poll() is None:
            db = out / "storytrace.db"
            if db.exists():
                try:
                    with Store(db) as reader:
                        seen.append(reader.count_documents())
                except Exception as exc:  # pragma: no cover - the failure this test exists for
                    pytest.fail(f"reader failed while the writer was running: {exc!r}")
                try:
                    Store(db, writer=True).close()
                except StoreBusyError as exc:
                    assert "another storytrace process" in str(exc)
                    busy += 1
                else:  # only possible once the writer has finished its work
                    assert (out / "report.json").exists()
            time.sleep(0.2)
    finally:
        writer.wait(timeout=300)
    assert writer.returncode == 0
    assert seen and max(seen) == 44
    assert busy > 0


@pytest.mark.slow
def test_a_second_analyze_gets_a_clear_message(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen([sys.executable, "-c", _RUN, str(corpus), str(out)], env=env)
    try:
        while not (out / "storytrace.db").exists() and first.poll() is None:
            time.sleep(0.05)
        exe = Path(sys.executable).with_name("storytrace")
        second = subprocess.run(
            [str(exe), "analyze", str(corpus), "--out", str(out), "--quiet"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    finally:
        first.wait(timeout=300)
    if second.returncode == 0:  # the first run had already finished: nothing to race
        pytest.skip("the first run finished before the second started")
    assert second.returncode == 1
    assert "another storytrace process is writing" in second.stderr
    assert "Traceback" not in second.stderr


@pytest.mark.slow
def test_serve_reads_while_analyze_writes(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from storytrace.pipeline import analyze
    from storytrace.web.app import create_app

    out = tmp_path / "out"
    analyze([DEMO / "web"], out)  # a first, small store for the app to open
    corpus = _corpus(tmp_path)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    statuses: list[int] = []
    stories: set[int] = set()
    with TestClient(create_app(out), base_url="http://127.0.0.1") as client:
        writer = subprocess.Popen([sys.executable, "-c", _RUN, str(corpus), str(out)], env=env)
        try:
            while writer.poll() is None:
                response = client.get("/")
                statuses.append(response.status_code)
                stories.add(response.text.count("/story/story-"))
                time.sleep(0.1)
        finally:
            writer.wait(timeout=300)
        final = client.get("/").text.count("/story/story-")
    assert writer.returncode == 0
    assert statuses and set(statuses) == {200}
    assert final >= 2  # the app shows what the writer added, without a restart


# --- a killed run with worker processes: nothing left behind, the next run resumes ------------

_WORDS = [
    "".join(chr(ord("a") + (i * 7 + k * 3) % 26) for k in range(3 + i % 6)) + str(i % 10)
    for i in range(1500)
]


def _pooled_corpus(root: Path, n_base: int = 60, copies: int = 3) -> Path:
    """Enough documents (240) for ``analyze`` to index them in worker processes: articles of
    invented words, each with three edited copies (a story per article)."""
    rng = random.Random(25)
    folder = root / "pooled"
    folder.mkdir()
    lines = []
    for i in range(n_base):
        words = [rng.choice(_WORDS) for _ in range(160)]
        text = ". ".join(" ".join(words[j : j + 16]) for j in range(0, 160, 16)) + "."
        lines.append({"id": f"art-{i:03d}", "text": text})
        for c in range(copies):
            edited = text.split()
            for _ in range(3):
                edited[rng.randrange(len(edited))] = rng.choice(_WORDS)
            lines.append({"id": f"art-{i:03d}-copy{c}", "text": " ".join(edited)})
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    return folder


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc: children, their children, ...)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _analyze_cli(corpus: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "storytrace.cli",
        "analyze",
        str(corpus),
        "--out",
        str(out),
        "--workers",
        "2",
        "--encoder",
        "none",
        "--quiet",
    ]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_run_killed_with_workers_leaves_no_process_no_lock_and_resumes(tmp_path: Path) -> None:
    from storytrace.store import Store

    corpus = _pooled_corpus(tmp_path)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    reference_out = tmp_path / "clean"
    subprocess.run(_analyze_cli(corpus, reference_out), env=env, check=True, timeout=300)
    reference = json.loads((reference_out / "report.json").read_text())
    assert len(reference["documents"]) == 240 and len(reference["stories"]) == 60

    out = tmp_path / "killed"
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen(
            _analyze_cli(corpus, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        workers: set[int] = set()
        deadline = time.monotonic() + 120
        while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
            workers = _descendants(proc.pid)
            time.sleep(0.02)
        assert len(workers) >= 2, f"no worker processes seen before the {sig.name}"
        proc.send_signal(sig)
        # A script reading the run's output gets its end: no worker keeps the pipes open.
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode != 0, sig.name
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)], f"workers outlived the {sig.name}"
        Store(out / "storytrace.db", writer=True).close()  # the lock went with the run

    subprocess.run(_analyze_cli(corpus, out), env=env, check=True, timeout=300)
    assert _essence(json.loads((out / "report.json").read_text())) == _essence(reference)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_worker_killed_under_analyze_is_one_line_and_the_run_resumes(tmp_path: Path) -> None:
    """The system may kill one worker (the out-of-memory killer): the run stops with one line
    (it was a ``BrokenProcessPool`` traceback), leaves no worker, and the next run resumes to
    the uninterrupted result."""
    corpus = _pooled_corpus(tmp_path)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    reference_out = tmp_path / "clean"
    subprocess.run(_analyze_cli(corpus, reference_out), env=env, check=True, timeout=300)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        _analyze_cli(corpus, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        workers = _descendants(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "no worker processes seen"
    os.kill(max(workers), signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    message = stderr.decode(errors="replace")
    assert proc.returncode == 1 and "Traceback" not in message, message
    assert "a worker process died" in message and "run again to resume" in message
    assert not [p for p in workers if _alive(p)]
    subprocess.run(_analyze_cli(corpus, out), env=env, check=True, timeout=300)
    reference = json.loads((reference_out / "report.json").read_text())
    assert _essence(json.loads((out / "report.json").read_text())) == _essence(reference)
