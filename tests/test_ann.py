"""Tests for storytrace.ann: the persisted ANN index gives the brute-force candidates, grows
incrementally, survives a reload, and the pipeline uses it above its corpus size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import DEMO

from storytrace.ann import AnnIndex, SemanticSearch, ann_candidates, ann_folder
from storytrace.candidates import neighbour_profiles, semantic_candidates
from storytrace.config import Config
from storytrace.embed import normalise_rows
from storytrace.pipeline import analyze
from storytrace.store import DB_NAME, Store


def _corpus(n: int, dim: int = 32, seed: int = 0) -> tuple[list[str], np.ndarray, dict[str, str]]:
    """Clustered unit vectors (stories: a centre plus noise) in two languages."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(n // 6, 1), dim))
    vecs = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.normal(size=(n, dim))
    ids = [f"doc{i:04d}" for i in range(n)]
    langs = {d: ("ru" if i % 3 == 0 else "en") for i, d in enumerate(ids)}
    return ids, normalise_rows(vecs.astype(np.float32)), langs


@pytest.mark.parametrize("with_langs", [True, False])
def test_ann_candidates_equal_brute_force_on_a_small_corpus(with_langs: bool) -> None:
    ids, vecs, langs = _corpus(400)
    index = AnnIndex("test", vecs.shape[1])
    index.add(ids, vecs, [langs[i] for i in ids])
    use = langs if with_langs else None
    brute = semantic_candidates(ids[:120], vecs[:120], ids, vecs, 8, 0.2, use)
    ann = ann_candidates(index, ids[:120], vecs[:120], 8, 0.2, use)
    assert set(ann) == set(brute)
    for pair, score in brute.items():
        assert ann[pair] == pytest.approx(score, abs=1e-5)


def test_index_is_incremental_and_persists(tmp_path: Path) -> None:
    ids, vecs, langs = _corpus(300)
    whole = AnnIndex("test", vecs.shape[1])
    whole.add(ids, vecs, [langs[i] for i in ids])

    grown = AnnIndex("test", vecs.shape[1])
    assert grown.add(ids[:200], vecs[:200], [langs[i] for i in ids[:200]]) == 200
    grown.save(tmp_path / "idx")
    reloaded = AnnIndex.load(tmp_path / "idx", "test", vecs.shape[1])
    assert len(reloaded) == 200 and "doc0000" in reloaded and "doc0250" not in reloaded
    # adding the same documents again adds nothing; the rest are appended
    assert reloaded.add(ids, vecs, [langs[i] for i in ids]) == 100
    assert len(reloaded) == 300
    assert reloaded.languages() == ["en", "ru"]
    a = ann_candidates(reloaded, ids[:50], vecs[:50], 5, 0.0, langs)
    b = ann_candidates(whole, ids[:50], vecs[:50], 5, 0.0, langs)
    assert set(a) == set(b)


def test_load_rejects_another_encoder_or_a_damaged_index(tmp_path: Path) -> None:
    ids, vecs, langs = _corpus(60)
    index = AnnIndex("enc-a", vecs.shape[1])
    index.add(ids, vecs, [langs[i] for i in ids])
    index.save(tmp_path)
    assert len(AnnIndex.load(tmp_path, "enc-a", vecs.shape[1])) == 60
    assert len(AnnIndex.load(tmp_path, "enc-b", vecs.shape[1])) == 0  # other encoder
    assert len(AnnIndex.load(tmp_path, "enc-a", vecs.shape[1] + 1)) == 0  # other dimension
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["ids"].append("ghost")
    manifest["langs"].append("en")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert len(AnnIndex.load(tmp_path, "enc-a", vecs.shape[1])) == 0  # counts disagree
    assert len(AnnIndex.load(tmp_path / "nowhere", "enc-a", vecs.shape[1])) == 0


def test_add_checks_shapes() -> None:
    index = AnnIndex("test", 8)
    with pytest.raises(ValueError, match="dimension"):
        index.add(["a"], np.ones((1, 4), dtype=np.float32), ["en"])
    with pytest.raises(ValueError, match="length"):
        index.add(["a", "b"], np.ones((1, 8), dtype=np.float32), ["en"])


def test_neighbours_one_query_and_empty_index() -> None:
    ids, vecs, langs = _corpus(30)
    empty = AnnIndex("test", vecs.shape[1])
    assert empty.neighbours(vecs[:2], ["en", "en"], 3) == [[], []]
    index = AnnIndex("test", vecs.shape[1])
    index.add(ids, vecs, [langs[i] for i in ids])
    [hits] = index.neighbours(vecs[:1], None, 3)
    assert hits[0][0] == ids[0] and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [c for _, c in hits] == sorted((c for _, c in hits), reverse=True)


def test_profiles_match_brute_force() -> None:
    ids, vecs, langs = _corpus(200)
    index = AnnIndex("use-multilingual", vecs.shape[1])
    index.add(ids, vecs, [langs[i] for i in ids])
    config = Config(semantic_neighbours=5, semantic_floor=0.0)
    brute = SemanticSearch(ids, vecs, None, langs, config)
    ann = SemanticSearch(ids, None, index, langs, config)
    a, b = brute.profiles(ids[:40], vecs[:40]), ann.profiles(ids[:40], vecs[:40])
    assert {k: [d for d, _ in v] for k, v in a.items()} == {
        k: [d for d, _ in v] for k, v in b.items()
    }
    direct = neighbour_profiles(ids[:1], vecs[:1], ids, vecs, 3)
    assert ids[0] not in [d for d, _ in direct[ids[0]]]


def test_pipeline_uses_the_index_above_its_size_and_finds_the_same_matches(
    tmp_path: Path, encoder: object
) -> None:
    brute = analyze([DEMO / "text"], tmp_path / "brute", encoder=encoder)  # type: ignore[arg-type]
    config = Config(ann_min_documents=1)
    ann = analyze([DEMO / "text"], tmp_path / "ann", config, encoder=encoder)  # type: ignore[arg-type]
    folder = ann_folder(tmp_path / "ann" / DB_NAME)
    assert (folder / "manifest.json").is_file()
    assert not ann_folder(tmp_path / "brute" / DB_NAME).exists()
    strip = [{k: v for k, v in m.items() if k != "evidence"} for m in brute.report["matches"]]
    assert [{k: v for k, v in m.items() if k != "evidence"} for m in ann.report["matches"]] == strip
    with Store(tmp_path / "ann" / DB_NAME) as store:
        assert len(AnnIndex.load(folder, "use-multilingual", 512)) == len(store.embedding_ids())
