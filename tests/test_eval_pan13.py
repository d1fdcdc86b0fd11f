"""The PAN13 plagdet scorer on hand-made cases with known answers, and the runner on a tiny
invented corpus in the PAN layout (the real corpus is read only by ``storytrace eval pan13``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tests.conftest import SHARED

from storytrace.eval.pan13 import (
    SUBCORPORA,
    Annotation,
    detection_xml,
    granularity,
    pair_name,
    parse_annotations,
    run,
    score,
)

PAN13 = SHARED / "eval" / "pan13" / "pan13-text-alignment-training-corpus-2013-01-21"


def ann(
    t_off: int, t_len: int, s_off: int, s_len: int, susp: str = "s1", src: str = "r1"
) -> Annotation:
    return Annotation(susp, t_off, t_len, src, s_off, s_len)


def test_truth_against_itself_is_perfect() -> None:
    cases = [ann(0, 100, 50, 100), ann(300, 50, 400, 60), ann(10, 20, 0, 30, susp="s2")]
    s = score(cases, cases)
    assert (s.plagdet, s.precision, s.recall, s.granularity) == (1.0, 1.0, 1.0, 1.0)


def test_no_cases_no_detections_is_perfect_and_a_false_alarm_is_not() -> None:
    assert score([], []).plagdet == 1.0
    s = score([], [ann(0, 10, 0, 10)])
    assert (s.precision, s.recall, s.plagdet) == (0.0, 0.0, 0.0)


def test_half_of_a_case_detected() -> None:
    # Case: 100 chars in susp, 100 in src. Detection covers the first 50 of each exactly.
    s = score([ann(0, 100, 0, 100)], [ann(0, 50, 0, 50)])
    assert s.recall == pytest.approx(0.5)
    assert s.precision == pytest.approx(1.0)
    assert s.plagdet == pytest.approx(2 * 0.5 / 1.5)


def test_overlong_detection_costs_precision() -> None:
    # Detection is twice the case on both sides: recall 1, precision 0.5.
    s = score([ann(100, 100, 100, 100)], [ann(100, 200, 50, 200)])
    assert s.recall == pytest.approx(1.0)
    assert s.precision == pytest.approx(0.5)


def test_sides_are_counted_together() -> None:
    # Susp side fully covered (100 of 100), source side half (100 of 200): 200 / 300.
    s = score([ann(0, 100, 0, 200)], [ann(0, 100, 0, 100)])
    assert s.recall == pytest.approx(200 / 300)


def test_a_detection_must_overlap_on_both_sides() -> None:
    # Overlaps in the suspicious document only: detects nothing.
    s = score([ann(0, 100, 0, 100)], [ann(0, 100, 500, 100)])
    assert (s.recall, s.precision) == (0.0, 0.0)
    # Same offsets, other source document: detects nothing either.
    s = score([ann(0, 100, 0, 100)], [ann(0, 100, 0, 100, src="r2")])
    assert (s.recall, s.precision) == (0.0, 0.0)


def test_granularity_and_its_penalty() -> None:
    case = ann(0, 100, 0, 100)
    split = [ann(0, 50, 0, 50), ann(50, 50, 50, 50)]
    assert granularity([case], split) == 2.0
    s = score([case], split)
    assert (s.precision, s.recall) == (1.0, 1.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_macro_averages_over_cases_and_detections() -> None:
    cases = [ann(0, 100, 0, 100), ann(1000, 100, 1000, 100)]
    # First case found whole, second not at all; one false alarm elsewhere.
    dets = [ann(0, 100, 0, 100), ann(5000, 100, 5000, 100)]
    s = score(cases, dets)
    assert s.recall == pytest.approx(0.5)
    assert s.precision == pytest.approx(0.5)
    assert s.granularity == 1.0


def test_overlapping_detections_count_characters_once() -> None:
    s = score([ann(0, 100, 0, 100)], [ann(0, 80, 0, 80), ann(20, 80, 20, 80)])
    assert s.recall == pytest.approx(1.0)
    assert s.granularity == 2.0


def test_xml_round_trip() -> None:
    xml = detection_xml(
        "suspicious-document00007.txt", "source-document00042.txt", [(10, 20, 30, 40)]
    )
    got = parse_annotations(xml, feature="detected-plagiarism")
    assert got == [
        Annotation("suspicious-document00007.txt", 10, 20, "source-document00042.txt", 30, 40)
    ]
    assert pair_name("suspicious-document00007.txt", "source-document00042.txt") == (
        "suspicious-document00007-source-document00042.xml"
    )
    assert parse_annotations(xml) == []  # the truth feature name is another one


SOURCE = (
    "The old lighthouse at Brannock Point was switched off in March after one hundred and "
    "twelve years of service. Its keeper, Oswin Tarrant, climbed the spiral stair for the last "
    "time on a grey morning and wrote a final entry in the log book. The lamp will go to the "
    "maritime museum in Kelderby, where volunteers plan to restore the brass fittings.\n"
    "Fishermen in the harbour say they will miss the beam that guided them home through "
    "autumn storms. A modern beacon on the breakwater now does the same work without a keeper.\n"
)
UNRELATED = (
    "Beekeepers in the Harrow valley report a record honey harvest this summer. Warm nights "
    "and a long flowering season for the lime trees kept the colonies busy until late August. "
    "The valley cooperative will sell the honey at the autumn fair in Ostmere.\n"
)


def _tiny_corpus(root: Path) -> None:
    (root / "src").mkdir(parents=True)
    (root / "susp").mkdir()
    (root / "src" / "source-document00001.txt").write_text(SOURCE, encoding="utf-8")
    (root / "src" / "source-document00002.txt").write_text(UNRELATED, encoding="utf-8")
    copied = SOURCE.split("\n")[0]
    host = "Local news in brief. " + UNRELATED.replace("\n", " ")
    susp = host + copied + " Weather: rain later.\n"
    (root / "susp" / "suspicious-document00001.txt").write_text(susp, encoding="utf-8")
    (root / "susp" / "suspicious-document00002.txt").write_text(UNRELATED, encoding="utf-8")
    case = (
        '<document reference="suspicious-document00001.txt">\n'
        f'<feature name="plagiarism" this_offset="{len(host)}" this_length="{len(copied)}" '
        f'source_reference="source-document00001.txt" source_offset="0" '
        f'source_length="{len(copied)}"/>\n</document>\n'
    )
    pairs = {
        "01-no-plagiarism": ("suspicious-document00002.txt", "source-document00001.txt", None),
        "02-no-obfuscation": ("suspicious-document00001.txt", "source-document00001.txt", case),
    }
    all_pairs = []
    for sub in SUBCORPORA:
        (root / sub).mkdir()
        entry = pairs.get(sub)
        lines = ""
        if entry:
            susp_name, src_name, xml = entry
            lines = f"{susp_name} {src_name}\n"
            all_pairs.append(lines)
            body = xml or f'<document reference="{susp_name}">\n</document>\n'
            (root / sub / pair_name(susp_name, src_name)).write_text(body, encoding="utf-8")
        (root / sub / "pairs").write_text(lines, encoding="utf-8")
    (root / "pairs").write_text("".join(all_pairs), encoding="utf-8")


def test_run_on_a_tiny_corpus(tmp_path: Path) -> None:
    _tiny_corpus(tmp_path / "corpus")
    result = run(tmp_path / "corpus", tmp_path / "det", workers=1)
    assert result.pairs == 2
    written = sorted(p.name for p in (tmp_path / "det").iterdir())
    assert written == [
        "suspicious-document00001-source-document00001.xml",
        "suspicious-document00002-source-document00001.xml",
    ]
    assert result.subcorpora["01-no-plagiarism"].plagdet == 1.0  # nothing found, nothing there
    assert result.subcorpora["02-no-obfuscation"].plagdet > 0.95
    assert result.overall.plagdet > 0.95
    json.dumps(result.as_dict())
    # In worker processes (storytrace's process pool, which ends with this process): the same.
    pooled = run(tmp_path / "corpus", tmp_path / "det2", workers=2)
    assert pooled.overall == result.overall and pooled.subcorpora == result.subcorpora


@pytest.mark.skipif(not PAN13.is_dir(), reason="needs ../shared/eval/pan13 (the real corpus)")
def test_real_truth_scored_against_itself() -> None:
    cases: list[Annotation] = []
    for sub in SUBCORPORA:
        for xml in sorted((PAN13 / sub).glob("*.xml")):
            cases += parse_annotations(xml.read_text(encoding="utf-8"))
    assert len(cases) > 4000
    s = score(cases, cases)
    assert (s.plagdet, s.precision, s.recall, s.granularity) == (1.0, 1.0, 1.0, 1.0)


def test_cli_eval_pan13_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from storytrace.cli import main

    _tiny_corpus(tmp_path / "corpus")
    det = tmp_path / "det"
    code = main(
        [
            "eval",
            "pan13",
            "--data",
            str(tmp_path / "corpus"),
            "--det-out",
            str(det),
            "--workers",
            "1",
            "--format",
            "json",
        ]
    )
    assert code == 0
    scores = json.loads(capsys.readouterr().out)
    assert set(scores["subcorpora"]) == set(SUBCORPORA)
    assert scores["overall"]["plagdet"] > 0.95
    assert scores["pairs"] == 2
    xml = (det / "suspicious-document00001-source-document00001.xml").read_text(encoding="utf-8")
    assert 'name="detected-plagiarism"' in xml
    assert 'source_reference="source-document00001.txt"' in xml


def test_cli_eval_pan13_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from storytrace.cli import main

    _tiny_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    code = main(["eval", "pan13", "--data", str(tmp_path / "corpus"), "--out", str(out), "--quiet"])
    assert code == 0
    text = capsys.readouterr().out
    assert "05-summary-obfuscation" in text and "overall" in text and "plagdet" in text
    assert (out / "detections").is_dir()
