"""Crash safety of the store and pipeline: a run killed with SIGKILL at random points leaves
a consistent store, and the next run resumes to the same result as an uninterrupted run."""

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
        assert attempts <= 3 * KILLS, "runs keep finishing before the kill"
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
