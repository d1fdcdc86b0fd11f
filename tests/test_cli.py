"""The ``storytrace`` command as a user runs it: exit codes, one-line errors, summaries."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
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
    code = main(["analyze", str(corpus), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0
    assert "skipped" in captured.err and "broken.txt" in captured.err
    assert "Traceback" not in captured.err
    assert "Analysed 6 documents (6 new this run, 1 input skipped); found 2 stories." in (
        captured.out
    )
    assert "Story 1 · 3 versions" in captured.out
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


def test_clean_command_on_an_html_page_audits_the_extractor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = next((DEMO / "web").glob("*.html"))
    assert main(["clean", str(page), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    import storytrace

    # The printed text is what storytrace.extract returns; what the extractor dropped is
    # listed with its text and reason.
    assert data["text"] == storytrace.extract(page.read_text(encoding="utf-8"))
    dropped = [r for r in data["removed"] if r["reason"] == "page furniture (HTML)"]
    assert dropped and all(r["text"].strip() for r in dropped)
    assert all(r["text"] not in data["text"] for r in dropped if len(r["text"]) > 40)


def test_query_finds_where_a_text_appeared(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_run.db_path  # type: ignore[attr-defined]
    excerpt = (DEMO / "text/mps_velamar_port_strike.txt").read_text(encoding="utf-8")
    assert main(["query", "--text", excerpt, "--db", str(db), "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    ids = [h["id"] for h in hits]
    assert ids[0] in ("text/mps_velamar_port_strike.txt", "text/portnewsnow_velamar_strike.txt")
    assert "nb-2025-03-15-huelga-velamar" in ids
    assert all("harvik" not in i for i in ids)
    assert hits[0]["passages"]
    # A file is read as analyze reads it: a stored HTML page finds itself.
    page = DEMO / "web/nordwire_harvik_dam.html"
    assert main(["query", str(page), "--db", str(db), "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["id"] == "web/nordwire_harvik_dam.html" and hits[0]["relation"] == "duplicate"
    # A mistyped path is an error (exit 1, one line), not a query for the path's words.
    assert main(["query", str(tmp_path / "typo.html"), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "typo.html: no such file (to look up the words themselves, add --text)" in err
    assert "Traceback" not in err


def test_report_command_rewrites_reports(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a copy: the shared demo store's report.json is what other tests compare with
    out = tmp_path / "out"
    shutil.copytree(demo_run.out_dir, out)  # type: ignore[attr-defined]
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


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shingle-size", "0"], "shingle_size must be between 1 and 64, not 0"),
        (["--threshold", "2"], "must be between 0 and 1 (exclusive), not 2"),
        (["--threshold", "1.5"], "must be between 0 and 1 (exclusive), not 1.5"),
        (["--threshold", "nan"], "lsh_threshold must be a number"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--workers", "100000"], "--workers must be at most 512"),  # 100,000 forks
        (["--max-chars", "99999999999999999999999"], "--max-chars must be at most"),  # overflow
    ],
)
def test_bad_settings_are_one_line_and_leave_the_store_untouched(
    demo_run: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "out"
    shutil.copytree(Path(demo_run.db_path).parent, out)  # type: ignore[attr-defined]
    before = _snapshot(out)
    code = main(["analyze", str(DEMO / "text"), "--out", str(out), "--quiet", *args])
    err = capsys.readouterr().err
    assert code == 1 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert _snapshot(out) == before
    # ... and the store still takes a run with its own settings (nothing was saved).
    assert main(["analyze", str(DEMO / "text"), "--out", str(out), "--quiet"]) == 0


def test_an_out_that_cannot_be_a_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    cases = [(a_file, "is a file, not a folder"), (a_file / "sub", "is a file, not a folder")]
    unwritable = tmp_path / "locked"
    unwritable.mkdir()
    unwritable.chmod(0o500)
    if os.access(unwritable, os.W_OK):  # root passes every permission check ...
        cases.append((Path("/sys/storytrace-test-out"), "cannot create the folder"))
    else:
        cases.append((unwritable / "out", "not writable (permission denied)"))
    try:
        for out, message in cases:
            code = main(["analyze", str(DEMO / "text"), "--out", str(out), "--quiet"])
            err = capsys.readouterr().err
            assert code == 1 and message in err, (out, err)
            assert [line for line in err.splitlines() if "error" in line] == [
                line for line in err.splitlines() if message in line
            ]
            assert "Traceback" not in err
    finally:
        unwritable.chmod(0o700)
    assert a_file.read_text() == "not a folder"


def test_terminal_escape_sequences_in_ids_are_not_printed_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    text = (DEMO / "text/mps_velamar_port_strike.txt").read_text(encoding="utf-8")
    records = [
        {"id": "evil\x1b]0;pwned\x07-\x1b[2J\u202e", "text": text, "source": "src\x9b31m"},
        {"id": "copy", "text": text + " One more line."},
    ]
    (corpus / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    (corpus / "bad\x1b[31m.bin").write_bytes(b"\x00\x01")  # a file name with an escape
    code = main(["analyze", str(corpus), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\x9b" not in stream and "\u202e" not in stream
    assert "evil\\x1b]0;pwned\\x07-\\x1b[2J\\u202e" in captured.out
    assert "bad\\x1b[31m.bin" in captured.err  # the skipped file, named visibly


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--db", "x", "--port", "70000"], "a port is at most 65535"),
        (["query", "text", "--db", "x", "--top", "0"], "must be at least 1, not 0"),
        (["query", "text", "--db", "x", "--top", "ten"], "not a whole number"),
    ],
)
def test_out_of_range_numbers_are_refused_by_the_parser(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and "Traceback" not in err


@pytest.mark.slow
def test_analyze_reads_what_news_crawls_and_archives_are(tmp_path: Path) -> None:
    """Issue 20's target, as a new user runs it: a folder holding a gzipped WARC crawl of 20
    pages, a gzipped JSONL dump, Windows-1251 and Latin-1 texts, a Windows-1251 HTML page
    that declares its charset, and a PDF. Every document is read, each WARC page with its
    URL, the Cyrillic title decoded, and no input is skipped."""
    import gzip

    from tests.inputs import crawl, pdf_article, warc_bytes

    corpus = tmp_path / "inputs"
    corpus.mkdir()
    records, expected = crawl(20)
    pages_only = [
        r
        for r in records
        if r.type in ("warcinfo", "request", "metadata")
        or (r.type == "response" and (r.uri or "").endswith("/story"))
    ]
    (corpus / "crawl.warc.gz").write_bytes(warc_bytes(pages_only, gzipped=True))
    dump = "".join(
        json.dumps({"id": f"wire-{n}", "text": f"Wire copy {n}: the Orsk pier reopens. " * 3})
        + "\n"
        for n in range(3)
    )
    (corpus / "wire.jsonl.gz").write_bytes(gzip.compress(dump.encode()))
    russian = (
        "Паромное сообщение с островом Орск прекращено во вторник после шторма, который "
        "повредил единственный пассажирский причал острова. На острове живут около 2300 "
        "человек, которые зависят от парома в доставке продуктов и лекарств."
    )
    french = (
        "Le service de traversier entre Tallmere et l'île d'Orsk a été suspendu mardi après "
        "qu'une tempête a endommagé le seul quai réservé aux passagers. Environ 2 300 "
        "personnes vivent à Orsk, qui dépend du traversier pour la nourriture."
    )
    (corpus / "ru.txt").write_bytes(russian.encode("cp1251"))
    (corpus / "fr.txt").write_bytes(french.encode("latin-1"))
    title = "Шторм разрушил причал на острове Орск"
    (corpus / "ru.html").write_bytes(
        (
            '<html><head><meta charset="windows-1251"><title>' + title + "</title></head>"
            "<body><article><h1>" + title + "</h1><p>" + russian + "</p><p>"
            "Транспортное управление обещает построить временный причал за десять дней, "
            "а до тех пор почту и лекарства будет доставлять рыболовное судно.</p>"
            "</article></body></html>"
        ).encode("cp1251")
    )
    (corpus / "print.pdf").write_bytes(
        pdf_article(
            "Orsk pier to be rebuilt",
            [
                "The transport office said on Friday that the pier on Orsk will be rebuilt "
                "with steel piles before the winter storms begin.",
                "Work is due to start next month and will cost about four million, paid from "
                "the regional harbour fund, the office said in a statement.",
            ],
            columns=2,
        )
    )
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "storytrace.cli",
            "analyze",
            str(corpus),
            "--out",
            str(out),
            "--encoder",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "skipped" not in result.stderr, result.stderr
    assert "Analysed 27 documents (27 new this run, 0 inputs skipped)" in result.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["errors"] == []
    docs = {d["id"]: d for d in report["documents"]}
    for page in expected:
        doc = docs[f"crawl.warc.gz#{page['url']}"]
        assert doc["url"] == page["url"]
        assert doc["title"] == page["title"]
    assert docs["crawl.warc.gz#https://news1.example.test/2025/03/005/story"]["title"] == (
        "Паром на остров Орск отменён (5)"
    )
    assert docs["ru.html"]["title"] == title
    assert {"wire-0", "wire-1", "wire-2", "ru.txt", "fr.txt", "print.pdf"} <= docs.keys()
    with sqlite3.connect(out / "storytrace.db") as conn:
        texts = dict(conn.execute("SELECT id, text FROM documents"))
    assert texts["ru.txt"] == russian and texts["fr.txt"] == french
    assert "steel piles" in texts["print.pdf"]


def test_the_readme_the_help_and_the_errors_name_the_same_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from storytrace.ingest import FORMATS_SENTENCE
    from storytrace.ingest.formats import COMPRESSION_SUFFIXES, FORMAT_SUFFIXES

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    inputs = readme.split("\nInputs: ", 1)[1].split("\n\n", 1)[0]
    for suffix in [*FORMAT_SUFFIXES, *COMPRESSION_SUFFIXES]:
        assert f"`{suffix}`" in inputs, suffix
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    assert " ".join(FORMATS_SENTENCE.split()) in " ".join(capsys.readouterr().out.split())
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "ok.txt").write_text("The Orsk ferry runs again on Monday, officials said.")
    assert (
        main(
            [
                "analyze",
                str(tmp_path),
                "--out",
                str(tmp_path / "out"),
                "--encoder",
                "none",
                "--quiet",
            ]
        )
        == 0
    )
    err = " ".join(capsys.readouterr().err.split())
    assert f"unsupported file type '.docx' (storytrace reads {FORMATS_SENTENCE})" in err


def test_a_damaged_store_is_one_line_for_every_command(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store whose pages were damaged after its header (a bad disk, a copy cut short) gave
    sqlite3's "database disk image is malformed" as a traceback."""
    out = tmp_path / "out"
    shutil.copytree(Path(demo_run.db_path).parent, out)  # type: ignore[attr-defined]
    db = out / "storytrace.db"
    data = bytearray(db.read_bytes())
    for i in range(8192, len(data), 13):  # every page but the first (the schema's)
        data[i] ^= 0x5A
    db.write_bytes(bytes(data))
    for argv in (
        ["analyze", str(DEMO / "text"), "--out", str(out), "--quiet"],
        ["report", "--out", str(out)],
        ["query", "--text", "harbour ferry", "--db", str(out)],
    ):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert "malformed" in err and "Traceback" not in err, err
        assert "is damaged" in err or "is not a usable storytrace store" in err, err
        assert len(err.strip().splitlines()) <= 2, err  # analyze prints its LSH line first


def test_quiet_prints_only_problems_and_counts_are_in_the_right_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "one.txt").write_text("The Orsk ferry runs again on Monday, officials said.")
    (corpus / "empty.txt").write_text("")
    argv = ["analyze", str(corpus), "--out", str(tmp_path / "out"), "--encoder", "none"]
    assert main([*argv, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [line.split(":")[0] for line in captured.err.splitlines()] == [
        f"skipped {corpus / 'empty.txt'}"
    ]
    assert main(["report", "--db", str(tmp_path / "out"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert main([*argv, "--out", str(tmp_path / "again")]) == 0
    out = capsys.readouterr().out
    assert "Analysed 1 document (1 new this run, 1 input skipped); found 0 stories." in out
    assert "1 document belongs to no story." in out


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--threshold", "1.5"], "error[ST102]: lsh_threshold (--threshold) must be between 0"),
        (["--set", "provenance.nope=1"], "error[ST102]: unknown setting 'provenance.nope'"),
        (["--set", "num_perm=many"], "error[ST102]: num_perm must be a whole number, not 'many'"),
        (["--set", "shingle_size"], "error[ST102]: --set 'shingle_size': expected NAME=VALUE"),
        (["--set", "lsh_threshold=0.6", "--threshold", "0.7"], "error[ST102]: --set lsh_threshold"),
        (["--set", "encoder=foo"], "error[ST102]: encoder must be one of use-multilingual"),
    ],
)
def test_a_bad_setting_is_one_line_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    code = main(["analyze", str(DEMO / "text"), "--out", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(line), err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_config_show_lists_every_setting_the_options_and_a_store_hold(
    demo_run: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from storytrace.config import Config

    assert main(["config", "show", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == Config().settings()
    argv = ["config", "show", "--threshold", "0.6", "--set", "sentence_match=0.75"]
    assert main(argv) == 0
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert lines["lsh_threshold"] == "0.6" and lines["sentence_match"] == "0.75"
    assert lines.keys() == Config().settings().keys()
    db = Path(demo_run.db_path)  # type: ignore[attr-defined]
    assert main(["config", "show", "--db", str(db.parent), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == Config().settings()


def test_every_command_has_a_description_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    from storytrace.cli import COMMANDS

    for command in COMMANDS:
        with pytest.raises(SystemExit):
            main([command.NAME, "--help"])
        text = capsys.readouterr().out
        assert command.DESCRIPTION.split()[0] in text
        examples = text.split("examples:", 1)[1].strip().splitlines()
        assert examples and all(line.strip().startswith("storytrace ") for line in examples)


def test_the_store_option_is_db_everywhere_and_the_old_name_still_works(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(demo_run.out_dir, out)  # type: ignore[attr-defined]
    (out / "report.html").unlink()
    assert main(["report", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert (out / "report.html").is_file()
    assert "warning: --out is deprecated here; use --db" in captured.err


def test_eval_tables_come_from_the_declarative_table() -> None:
    from storytrace.cli.evaluate import SETS, render

    scores = {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "parent_accuracy": 0.9,
        "root_accuracy": 1.0,
        "seg_align_precision": 0.99,
        "seg_align_recall": 0.98,
        "seg_align_f1": 0.985,
        "documents": 715,
        "stories": 55,
    }
    lines = render(SETS["wmt21"], scores, data="wmt21[red]", target="t")
    assert lines[0] == "WMT21 ru-en (wmt21\\[red]): 715 documents, 55 stories found"
    assert lines[1] == "  stories (pairwise)  P 1.0000  R 0.5000  F1 0.6667"
    assert lines[-1] == "  segment alignment   P 0.9900  R 0.9800  F1 0.9850"
    junk = {
        "held_out": {
            "with_story": {
                "junk_precision": 0.96,
                "junk_recall": 0.996,
                "junk_f1": 0.977,
                "content_removed": 0.0096,
                "recall_by_kind": {"caption": 1.0, "appeal": 0.5},
                "hyphen_rejoined": 1.0,
                "documents": 3,
            }
        }
    }
    lines = render(SETS["junk"], junk, data="d", target="t")
    assert lines[1].split() == [
        "held_out",
        "with_story",
        "junk",
        "P",
        "0.9600",
        "R",
        "0.9960",
        "F1",
        "0.9770",
        "content",
        "removed",
        "0.96%",
        "hyphens",
        "rejoined",
        "100.00%",
        "(3",
        "documents)",
    ]
    assert lines[2].strip() == "recall by kind: appeal 0.50, caption 1.00"
