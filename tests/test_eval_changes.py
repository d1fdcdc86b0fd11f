"""The edit set: edits injected where the answers say, controls untouched, scoring by kind
and place (own invented stories in the WMT21 record format; no shared data needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storytrace.config import Config
from storytrace.errors import InputError
from storytrace.eval.changes import Answers, Edit, build, load_answers, score_report
from storytrace.records import Change, ChangeKind, LineageEdge, Report, Span, Story

STORY = [
    "Harbour in Dunmere closes after storm",
    "The harbour of Dunmere was closed on Sunday after a storm damaged 14 cranes.",
    "Mayor Hella Brandt said the port will reopen in March at the earliest.",
    "Fishermen said they have lost 1,240 tonnes of catch since the storm began.",
    "The regional council has promised emergency funds for the repairs.",
    "Engineers from Kessel are expected to inspect the piers on Tuesday.",
    "Officials said the storm was the worst since 2009.",
]


def _write_set(folder: Path, stories: int = 8) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for n in range(stories):
            text = "\n".join(s.replace("Dunmere", f"Dunmere{n}") for s in STORY)
            for kind, lang in (("original", "ru"), ("human_translation", "en")):
                rec = {"id": f"s{n}#{kind}", "story": f"s{n}", "lang": lang, "kind": kind}
                fh.write(json.dumps({**rec, "text": text}) + "\n")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Answers, dict[str, str]]:
    root = tmp_path_factory.mktemp("edits")
    out = build(_write_set(root / "data"), root / "set", seed=5)
    texts = {}
    for line in (out / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        texts[rec["id"]] = rec["text"]
    return out, load_answers(out), texts


def test_controls_are_unedited_copies(built: tuple[Path, Answers, dict[str, str]]) -> None:
    _, answers, texts = built
    assert len(answers.control) == 8
    for control, original in answers.control.items():
        assert texts[control] == texts[original]


def test_every_edited_copy_carries_two_edits_where_the_answers_say(
    built: tuple[Path, Answers, dict[str, str]],
) -> None:
    _, answers, texts = built
    kinds = set()
    for copy, original in answers.edited.items():
        edits = answers.edits[copy]
        assert len(edits) == 2
        assert texts[copy] != texts[original]
        for e in edits:
            kinds.add(e.kind)
            shown = texts[e.doc][e.start : e.end]
            assert shown and "\n" not in shown
            if e.kind == "dropped":
                assert shown not in texts[copy]
            else:
                assert e.doc == copy and shown not in texts[original].split("\n")
    assert len(kinds) >= 4
    assert set(answers.part.values()) <= {"dev", "holdout"}


def _report(edges: list[LineageEdge]) -> Report:
    members = tuple(sorted({m for e in edges for m in (e.parent, e.child)}))
    return Report("", Config(), "", (), (Story("s", members, (), tuple(edges)),), (), (), ())


def _edge(parent: str, child: str, changes: list[Change]) -> LineageEdge:
    return LineageEdge(parent, child, "copy", 0.9, (), tuple(changes))


def _change(
    kind: ChangeKind, child: tuple[int, int] | None, parent: tuple[int, int] | None = None
) -> Change:
    return Change(kind, parent and Span(*parent), child and Span(*child), "", "")


def test_scoring_by_kind_and_place() -> None:
    answers = Answers(
        edited={"c": "o"},
        control={"k": "o"},
        part={"c": "dev", "k": "dev"},
        edits={"c": [Edit("number", "c", 10, 50), Edit("dropped", "o", 60, 90)]},
    )
    report = _report(
        [
            _edge(
                "k",  # the control has the original's text: a right parent too
                "c",
                [
                    _change("number", (20, 30)),  # right kind, right place
                    _change("name", (20, 30)),  # a false flag
                    _change("dropped", None, (0, 5)),  # right kind, wrong place
                ],
            ),
            _edge("o", "k", [_change("date", (0, 4))]),
        ]
    )
    s = score_report(report, answers, "dev")
    assert (s.changes.precision, s.changes.recall) == (pytest.approx(1 / 3), 0.5)
    assert (s.control_edges, s.control_flags, s.parent_right) == (1, 1, 1)
    assert s.by_kind["number"] == (1, 1) and s.by_kind["dropped"] == (0, 1)
    assert score_report(_report([]), answers, "dev").changes.recall == 0.0


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"docs\.jsonl: not found"):
        build(tmp_path, tmp_path / "out")
