"""The ``storytrace`` command as a user runs it: exit codes, one-line errors, summaries."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import DEMO

from storytrace.cli import main


def test_analyze_prints_a_summary_and_writes_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(DEMO / "text", corpus)
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\xfd not text \x00\x00")
    code = main(["analyze", str(corpus), "--out", str(tmp_path / "out"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "skipped" in captured.err and "broken.txt" in captured.err
    assert "Traceback" not in captured.err
    assert "found 2 stories" in captured.out
    assert "report.json" in captured.out and "report.html" in captured.out
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["version"] == 1 and report["errors"][0]["input"].endswith("broken.txt")


def test_nothing_analysable_exits_non_zero_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["analyze", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert "nothing could be analysed" in captured.err and "nope" in captured.err


def test_clean_command_lists_removals(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["clean", str(DEMO / "text/portnewsnow_velamar_strike.txt"), "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    reasons = {r["reason"] for r in data["removed"]}
    assert {"ad marker", "donation appeal", "comments"} <= reasons
    assert "[ad_1]" not in data["text"]


def test_query_finds_where_a_text_appeared(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_run.db_path  # type: ignore[attr-defined]
    excerpt = (DEMO / "text/mps_velamar_port_strike.txt").read_text(encoding="utf-8")
    assert main(["query", excerpt, "--db", str(db), "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    ids = [h["id"] for h in hits]
    assert ids[0] in ("text/mps_velamar_port_strike.txt", "text/portnewsnow_velamar_strike.txt")
    assert "nb-2025-03-15-huelga-velamar" in ids
    assert all("harvik" not in i for i in ids)
    assert hits[0]["passages"]


def test_report_command_rewrites_reports(
    demo_run: object, capsys: pytest.CaptureFixture[str]
) -> None:
    out = demo_run.out_dir  # type: ignore[attr-defined]
    (out / "report.html").unlink()
    assert main(["report", "--out", str(out)]) == 0
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("storytrace")
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("storytrace ")


def test_analyze_says_which_bands_and_rows_it_chose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(DEMO / "text", corpus)
    out = tmp_path / "out"
    code = main(
        [
            "analyze",
            str(corpus),
            "--out",
            str(out),
            "--quiet",
            "--threshold",
            "0.8",
            "--encoder",
            "none",
            "--shingle-size",
            "3",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "LSH 16 bands x 6 rows for Jaccard 0.80" in captured.err
    assert "P[miss a pair at the threshold] 0.008" in captured.err
    report = json.loads((out / "report.json").read_text())
    assert all(m["semantic"] == 0.0 for m in report["matches"])  # no encoder, no embeddings
    assert report["config"]["shingle_size"] == 3 and report["config"]["encoder"] == "none"
