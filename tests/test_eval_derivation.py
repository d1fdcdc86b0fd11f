"""The derivation runner end to end: a small invented eval folder in the shapes of the real
ones (Scrapinghub ground truth, WCXB pages), analysed by the real pipeline, scored."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from tests.test_eval_wire import TOPICS, article

from storytrace.cli import main
from storytrace.errors import InputError
from storytrace.eval import derivation, wire


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
    assert len(wires) == round(len(TOPICS) * derivation.WIRE_SHARE)
    assert len(others) == len(TOPICS) - len(wires)
    assert derivation.split_pool(list(reversed(sources))) == (wires, others)


def test_spare_pages_are_those_the_unrelated_set_leaves(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert derivation.spare_pages(root) == []  # all four pages are in the unrelated set
    monkeypatch.setattr(derivation, "UNRELATED_PAGES", 2)
    spare = derivation.spare_pages(root)
    assert len(spare) == 2 and all(s.key.startswith("wcxb:") for s in spare)


def test_halves_cut_a_long_text_between_paragraphs() -> None:
    src = wire.source_from_text("k", article(0, 1, 20))
    first, second = derivation.halves(src)
    assert first.sentences + second.sentences == src.sentences
    assert abs(len(first.sentences) - len(second.sentences)) <= 2
    short = wire.source_from_text("s", article(0, 1, 8))
    assert derivation.halves(short) == [short]


def test_run_scores_wire_and_unrelated(root: Path, tmp_path: Path) -> None:
    results = derivation.run(root, tmp_path, ("wire", "unrelated"), half="all")
    w, u = results["wire"], results["unrelated"]
    answers = json.loads((tmp_path / "wire" / "set" / "answers.json").read_text())
    assert w["wires"] == len(answers) >= 1
    assert w["papers"] == sum(len(i["papers"]) for i in answers)
    assert w["documents"] == w["papers"] + w["wires"]
    assert w["derived_recall"] > 0.0  # the wholly derived papers keep most of the wire
    for key in ("derived_f1", "three_way_macro_f1", "token_f1", "parent_accuracy"):
        assert 0.0 <= w[key] <= 1.0
    assert u["documents"] == 4 and u["derivation_edges"] >= 0
    assert (tmp_path / "unrelated" / "analysis" / "report.json").is_file()
    everything = {i["key"] for i in answers}
    seen = []
    for half in ("dev", "holdout"):
        derivation.run(root, tmp_path / half, ("wire",), half=half)
        part = json.loads((tmp_path / half / "wire" / "set" / "answers.json").read_text())
        seen.append({i["key"] for i in part})
    assert not seen[0] & seen[1] and seen[0] | seen[1] == everything


def _semeval(base: Path) -> None:
    rows = [
        ("100_200", 4.0, article(0, 1), article(1, 2)),
        ("300_400", 3.0, article(2, 3), article(3, 4)),
        ("500_600", 1.0, article(4, 5), article(4, 6, other=True)),
        ("100de_200de", 4.0, article(5, 7), article(6, 8)),  # an augmentation: left out
    ]
    folder = base / "semeval2022-task8"
    folder.mkdir()
    with (folder / "training_set.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["pair_id", "lang1", "lang2", "text1", "text2", "Overall"])
        for pair_id, overall, t1, t2 in rows:
            writer.writerow([pair_id, "en", "en", t1, t2, overall])


def _pan13(base: Path) -> None:
    from storytrace.eval.pan13 import SUBCORPORA

    corpus = base / derivation.PAN13_FOLDER
    (corpus / "src").mkdir(parents=True)
    (corpus / "susp").mkdir()
    for n, sub in enumerate(SUBCORPORA):
        src, susp = f"source-document{n:05d}.txt", f"suspicious-document{n:05d}.txt"
        source = article(n, 10 + n, 12)
        own = article(9 - n, 20 + n, 12, other=True)
        if sub.startswith("01"):
            text, cases = own, ""
        else:
            passage = " ".join(source.splitlines()[:3])
            head, tail = own.split("\n", 1)
            text = f"{head}\n{passage}\n{tail}"
            offset = len(head) + 1
            cases = (
                f'<feature name="plagiarism" this_offset="{offset}" this_length="{len(passage)}" '
                f'source_reference="{src}" source_offset="0" source_length="{len(passage)}"/>'
            )
        (corpus / "src" / src).write_text(source, encoding="utf-8")
        (corpus / "susp" / susp).write_text(text, encoding="utf-8")
        (corpus / sub).mkdir()
        (corpus / sub / "pairs").write_text(f"{susp} {src}\n", encoding="utf-8")
        xml = f'<document reference="{susp}">{cases}</document>'
        (corpus / sub / f"{Path(susp).stem}-{Path(src).stem}.xml").write_text(xml, encoding="utf-8")


def test_run_scores_the_pair_sets_and_lexical(root: Path, tmp_path: Path) -> None:
    _semeval(root)
    _pan13(root)
    results = derivation.run(root, tmp_path, ("semeval", "pan13", "lexical"), half="all", limit=6)
    se, pan, lex = results["semeval"], results["pan13"], results["lexical"]
    assert (se["pairs"], se["independent_pairs"], se["derived_pairs"], se["documents"]) == (
        3,
        2,
        0,
        6,
    )
    assert se["groups"]["1 very similar (not scored)"]["pairs"] == 1
    assert (pan["pairs"], pan["derived_pairs"], pan["independent_pairs"]) == (5, 4, 1)
    assert pan["documents"] == 10 and pan["took_10pct_pairs"] == 4
    assert 0.0 <= pan["token_f1"] <= 1.0
    answers = json.loads((tmp_path / "pan13" / "set" / "answers.json").read_text())
    docs = {
        json.loads(line)["id"]: json.loads(line)["text"]
        for line in (tmp_path / "pan13" / "set" / "docs.jsonl").read_text().splitlines()
    }
    for pair in answers:  # the spans point at the passage taken from the source
        for a, b in pair["spans"]:
            assert docs[pair["child"]][a:b] in docs[pair["parent"]].replace("\n", " ")
    assert lex["languages"] == ["lt", "ur"] and lex["documents"] >= 6
    assert lex["stories_over_10"] >= 0 and 0.0 <= lex["derived_f1"] <= 1.0


def test_cli_json_and_missing_data(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["eval", "derivation", "--data", str(root), "--subset", "unrelated", "--half", "all"]
    assert main([*argv, "--format", "json", "--out", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unrelated"]["documents"] == 4 and out["unrelated"]["half"] == "all"
    assert main([*argv, "--limit", "2", "--quiet"]) == 0
    assert "unrelated (all half): 2 pages" in capsys.readouterr().out
    assert main(["eval", "derivation", "--data", str(tmp_path / "none"), "--subset", "wire"]) == 1
    assert "scrapinghub/ground-truth.json found" in capsys.readouterr().err
    with pytest.raises(InputError):
        derivation.run(root, tmp_path, ("wire",), half="middle")


def test_all_sets_go_on_past_a_missing_one(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare"
    (bare / "scrapinghub").mkdir(parents=True)
    (bare / "scrapinghub" / "ground-truth.json").write_bytes(
        (root / "scrapinghub" / "ground-truth.json").read_bytes()
    )
    argv = ["eval", "derivation", "--data", str(bare), "--subset", "all", "--half", "all"]
    assert main([*argv, "--limit", "2", "--quiet", "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "unrelated: error: " in out and "wcxb-dev/ground-truth: not found" in out
    assert "semeval: error: " in out and "pan13: error: " in out
    assert "wire (all half): " in out and "lexical (all half" in out


def test_another_seed_draws_other_papers_for_the_same_items(root: Path, tmp_path: Path) -> None:
    keys: dict[int | None, list[str]] = {}
    wires: dict[int | None, list[str]] = {}
    for seed in (None, 7):
        derivation.run(root, tmp_path / str(seed), ("wire",), half="all", seed=seed)
        answers = json.loads((tmp_path / str(seed) / "wire" / "set" / "answers.json").read_text())
        keys[seed] = [i["key"] for i in answers]
        wires[seed] = [i["wire"] for i in answers]
    # the same wire copies in the same order (as many as the few other texts here allow)
    n = min(len(keys[None]), len(keys[7]))
    assert n >= 1 and keys[None][:n] == keys[7][:n]
    assert wires[None][:n] != wires[7][:n]  # other ids: other papers
