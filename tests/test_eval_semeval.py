"""SemEval-2022 Task 8 runner on a small invented file in the same format (the real set is
read only by the eval command; its test here skips without ../shared)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import SHARED

from storytrace.cli import main
from storytrace.errors import InputError
from storytrace.eval import semeval

REAL = SHARED / "eval" / "semeval2022-task8" / "training_set.csv"
COLUMNS = ["pair_id", "lang1", "lang2", "text1", "text2", "Geography", "Entities", "Time"]
COLUMNS += ["Narrative", "Overall", "Style", "Tone"]

ARTICLES = {
    "dam": "Harvik dam reopens after repairs  Engineers in Harvik reopened the river dam on "
    "Friday after six weeks of repairs. The dam supplies water to 40,000 homes in the valley.",
    "dam_de": "Harvik-Damm nach Reparaturen wieder offen  Ingenieure in Harvik haben den "
    "Flussdamm am Freitag nach sechs Wochen Reparaturen wieder geöffnet. Der Damm versorgt "
    "40.000 Haushalte im Tal mit Wasser.",
    "dam2": "Valley water supply restored  The Harvik dam is back in service, officials said, "
    "after engineers spent six weeks on repairs to its spillway.",
    "rail": "New locomotives for Corvania  Corvania's state railway bought twelve electric "
    "locomotives for its northern line, the transport ministry said on Tuesday.",
    "strike": "Port strike in Velamar ends  Dock workers in Velamar ended a nine-day strike "
    "after the port authority agreed to raise wages by 7 percent.",
    "wind": "Offshore wind farm approved  Regulators in Skarra approved a 600-megawatt "
    "offshore wind farm that will be built by 2029.",
}
ROWS = [
    ("1_2", "en", "de", "dam", "dam_de", 1.0),
    ("1_3", "en", "en", "dam", "dam2", 1.5),
    ("2_3", "de", "en", "dam_de", "dam2", 2.0),
    ("1_4", "en", "en", "dam", "rail", 4.0),
    ("4_5", "en", "en", "rail", "strike", 3.5),
    ("5_6", "en", "en", "strike", "wind", 4.0),
    ("2_6", "de", "en", "dam_de", "wind", 4.0),
    ("3_5", "en", "en", "dam2", "strike", 3.0),
]


def _write(path: Path, rows: list[tuple[str, str, str, str, str, float]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["", *COLUMNS])
        for n, (pid, l1, l2, a, b, overall) in enumerate(rows):
            writer.writerow([n, pid, l1, l2, ARTICLES[a], ARTICLES[b], 1, 1, 1, 1, overall, 1, 1])
    return path


def test_load_pairs_folds_repeated_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "split.csv", [*ROWS, ("1_2", "en", "de", "dam", "dam_de", 2.0)])
    pairs, duplicates = semeval.load_pairs(path)
    assert duplicates == 1 and len(pairs) == len(ROWS)
    first = next(p for p in pairs if p.pair_id == "1_2")
    assert first.overall == pytest.approx(1.5)
    assert semeval.find_csv(tmp_path) == path  # a folder with one CSV
    assert semeval.title_of(ARTICLES["dam"]) == "Harvik dam reopens after repairs"


def test_load_pairs_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns"):
        semeval.load_pairs(bad)
    with pytest.raises(InputError):
        semeval.find_csv(tmp_path / "nothing")


def test_features_separate_similar_from_dissimilar_pairs(tmp_path: Path) -> None:
    pairs, _ = semeval.load_pairs(_write(tmp_path / "s.csv", ROWS))
    x = semeval.features(pairs, encoders=(semeval.DEFAULT,))
    assert x.shape == (len(pairs), len(semeval.FEATURES))
    doc = x[:, semeval.FEATURES.index("doc_cosine")]
    overall = np.array([p.overall for p in pairs])
    assert np.corrcoef(doc, -overall)[0, 1] > 0.6
    names = x[:, semeval.FEATURES.index("names")]
    assert names[0] > 0 and names[3] == 0  # Harvik shared; dam vs rail share no name
    assert x[0, semeval.FEATURES.index("cross_lingual")] == 1.0
    words = x[:, semeval.FEATURES.index("tfidf_words")]
    assert words[1] > words[3]  # dam/dam2 share "Harvik", "dam", "repairs"; dam/rail do not
    lead = x[:, semeval.FEATURES.index("e5_lead_cosine")]
    assert np.corrcoef(lead, -overall)[0, 1] > 0.6  # the default encoder stands in for e5


def test_base_pair_joins_a_pair_and_its_translated_augmentations() -> None:
    assert semeval.base_pair("1484039360it_1484180228it") == "1484039360_1484180228"
    assert semeval.base_pair("1556488279_1573093212fr") == "1556488279_1573093212"
    assert semeval.base_pair("1586893419_1587582551") == "1586893419_1587582551"


def test_eval_semeval_cli_prints_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(tmp_path / "s.csv", ROWS)
    code = main(["eval", "semeval", "--data", str(data), "--out", str(tmp_path / "o")])
    assert code == 0
    assert "held-out" in capsys.readouterr().out
    code = main(
        ["eval", "semeval", "--data", str(data), "--out", str(tmp_path / "o"), "--format", "json"]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"pearson", "split", "train", "held_out", "weights"}
    assert -1.0 <= result["pearson"] <= 1.0
    assert result["train"] + result["held_out"] == len(ROWS)


@pytest.mark.skipif(not REAL.is_file(), reason=f"SemEval-2022 Task 8 sample not found at {REAL}")
def test_real_file_loads_with_repeated_ids_folded() -> None:
    pairs, duplicates = semeval.load_pairs(REAL.parent)
    assert len({p.pair_id for p in pairs}) == len(pairs)
    assert duplicates > 0 and len(pairs) > 1000
    assert all(1.0 <= p.overall <= 4.0 for p in pairs)
