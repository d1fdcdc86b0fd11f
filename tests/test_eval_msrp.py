"""MSRP runner on a small invented file in the same format (the real corpus is read only by
the eval command; its test here skips without ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import SHARED

from storytrace.cli import main
from storytrace.errors import InputError
from storytrace.eval import msrp

REAL = SHARED / "eval" / "msrp" / "msr_paraphrase_train.txt"
PAIRS = [
    (
        1,
        "The dam at Harvik reopened on Friday after repairs.",
        "After repairs, Harvik's dam reopened on Friday.",
    ),
    (
        1,
        "Dock workers ended their nine-day strike.",
        "The nine-day strike by dock workers is over.",
    ),
    (
        1,
        "The railway bought twelve new locomotives.",
        "Twelve new locomotives were bought by the railway.",
    ),
    (
        1,
        "Regulators approved the offshore wind farm.",
        "The offshore wind farm won approval from regulators.",
    ),
    (0, "The port raised wages by 7 percent.", "The port raised wages by 12 percent after talks."),
    (
        0,
        "The dam supplies water to 40,000 homes.",
        "A bakery in Orsk won a prize for its rye bread.",
    ),
    (0, "The mayor opened the new library.", "Ferries will dock in Orsk instead of Velamar."),
    (0, "Prices rose 3 percent in March.", "The football team lost its final match of the season."),
]


def _write(path: Path) -> Path:
    lines = ["\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String"]
    for n, (label, a, b) in enumerate(PAIRS):
        quoted = b.replace("over", '"over"')
        lines.append(f"{label}\t{2 * n}\t{2 * n + 1}\t{a}\t{quoted}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_pairs_reads_labels_and_quotes(tmp_path: Path) -> None:
    pairs = msrp.load_pairs(_write(tmp_path / "m.txt"))
    assert len(pairs) == len(PAIRS)
    assert [p.label for p in pairs] == [bool(p[0]) for p in PAIRS]
    assert pairs[1].s2 == 'The nine-day strike by dock workers is "over".'  # quotes kept as text
    assert msrp.find_tsv(tmp_path) == tmp_path / "m.txt"


def test_load_pairs_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("label\ta\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an MSRP file"):
        msrp.load_pairs(bad)
    bad.write_text("Quality\tx\n7\ta\tb\tc\td\n", encoding="utf-8")
    with pytest.raises(InputError, match="0/1 label"):
        msrp.load_pairs(bad)


def test_features_score_paraphrases_above_non_paraphrases(tmp_path: Path) -> None:
    pairs = msrp.load_pairs(_write(tmp_path / "m.txt"))
    x = msrp.features(pairs)
    assert x.shape == (len(pairs), len(msrp.FEATURES))
    for col in (0, 1):
        positives = [x[i, col] for i, p in enumerate(pairs) if p.label]
        negatives = [x[i, col] for i, p in enumerate(pairs[5:], start=5)]
        assert min(positives) > max(negatives)
    assert x[4, msrp.FEATURES.index("numbers_agree")] == 0.0  # 7 vs 12 percent
    assert x[0, msrp.FEATURES.index("numbers_agree")] == 1.0


def test_eval_msrp_cli_prints_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(tmp_path / "m.txt")
    args = ["eval", "msrp", "--data", str(data), "--out", str(tmp_path / "o")]
    assert main(args) == 0
    assert "held-out" in capsys.readouterr().out
    assert main([*args, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"accuracy", "f1", "threshold", "split"}
    assert 0.0 <= result["accuracy"] <= 1.0 and 0.0 <= result["f1"] <= 1.0


@pytest.mark.skipif(not REAL.is_file(), reason=f"MSRP train split not found at {REAL}")
def test_real_file_loads() -> None:
    pairs = msrp.load_pairs(REAL.parent)
    assert len(pairs) == 4076
    assert 0.6 < sum(p.label for p in pairs) / len(pairs) < 0.7
