"""The derivation runner end to end: a small invented eval folder in the shapes of the real
ones (Scrapinghub ground truth, WCXB pages), analysed by the real pipeline, scored."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from tests.test_eval_wire import TOPICS, article

from storytrace.cli import main
from storytrace.errors import InputError
from storytrace.eval import derivation


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("evalroot")
    truth = {
        f"{t:02d}page": {
            "url": f"https://site{t}.example/a",
            "articleBody": article(t, t, 10, other=t >= 4).replace("\n", "\n\n"),
        }
        for t in range(len(TOPICS))
    }
    (base / "scrapinghub").mkdir()
    (base / "scrapinghub" / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    html_dir, gt_dir = base / "wcxb-dev" / "html", base / "wcxb-dev" / "ground-truth"
    html_dir.mkdir(parents=True)
    gt_dir.mkdir(parents=True)
    for t in range(4):
        text = article(t, 50 + t, 8)
        paras = "".join(f"<p>{line}</p>" for line in text.splitlines())
        html = f"<html><head><title>Page {t}</title></head><body><article>{paras}</article></body></html>"
        (html_dir / f"{t:04d}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
        gt = {
            "url": f"https://w{t}.example/p",
            "ground_truth": {"main_content": text},
            "_internal": {"page_type": {"primary": "article"}},
        }
        (gt_dir / f"{t:04d}.json").write_text(json.dumps(gt), encoding="utf-8")
    return base


def test_sources_are_prose_and_split_into_wires_and_others(root: Path) -> None:
    sources = derivation.wire_sources(root)
    assert len(sources) == len(TOPICS)
    wires, others = derivation.split_pool(sources)
    assert len(wires) == 3 and len(others) == len(TOPICS) - 3
    assert derivation.split_pool(list(reversed(sources))) == (wires, others)


def test_run_scores_both_sets(root: Path, tmp_path: Path) -> None:
    results = derivation.run(root, tmp_path, ("wire", "unrelated"), half="all")
    w, u = results["wire"], results["unrelated"]
    answers = json.loads((tmp_path / "wire" / "set" / "answers.json").read_text())
    assert w["wires"] == len(answers) == 3
    assert w["papers"] == sum(len(i["papers"]) for i in answers)
    assert w["documents"] == w["papers"] + w["wires"]
    assert w["derived_recall"] > 0.0  # the wholly derived papers keep most of the wire
    for key in ("derived_f1", "three_way_macro_f1", "token_f1", "parent_accuracy"):
        assert 0.0 <= w[key] <= 1.0
    assert u["documents"] == 4 and u["derivation_edges"] >= 0
    assert (tmp_path / "unrelated" / "analysis" / "report.json").is_file()


def test_halves_partition_the_items(root: Path, tmp_path: Path) -> None:
    seen = []
    for half in ("dev", "holdout"):
        derivation.run(root, tmp_path / half, ("wire",), half=half)
        answers = json.loads((tmp_path / half / "wire" / "set" / "answers.json").read_text())
        seen.append({i["key"] for i in answers})
    assert not seen[0] & seen[1] and len(seen[0] | seen[1]) == 3


def test_cli_json_and_missing_data(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["eval", "derivation", "--data", str(root), "--set", "unrelated", "--half", "all"]
    assert main([*argv, "--format", "json", "--out", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unrelated"]["documents"] == 4 and out["unrelated"]["half"] == "all"
    assert main([*argv, "--limit", "2", "--quiet"]) == 0
    assert "unrelated (all half): 2 pages" in capsys.readouterr().out
    assert main(["eval", "derivation", "--data", str(tmp_path / "none"), "--set", "wire"]) == 1
    assert "scrapinghub/ground-truth.json found" in capsys.readouterr().err
    with pytest.raises(InputError):
        derivation.run(root, tmp_path, ("wire",), half="middle")
