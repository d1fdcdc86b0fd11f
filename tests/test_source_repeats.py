"""Tests for storytrace.source_repeats, and the pipeline removing a source's own repeated
lines (and only its own) whatever order its documents arrive in."""

from __future__ import annotations

import json
from pathlib import Path

from storytrace.clean import clean
from storytrace.config import Config
from storytrace.pipeline import analyze
from storytrace.records import Document
from storytrace.source_repeats import MIN_DOCUMENTS, line_key, line_keys, repeated
from storytrace.text import content_id

FOOTER = "Follow Kestrel Media on Telegram for breaking news from the coast."
ARTICLES = [
    "Ferries to Holm stopped on Monday after a storm damaged the landing stage. The operator "
    "said repairs would take two weeks and that a navy boat would carry supplies meanwhile.",
    "The council of Tallmere voted to rebuild the Orsk pier, destroyed in January. Work starts "
    "in spring and should take eighteen months, the council said on Thursday.",
    "Velamar opened its first tram line in forty years. The mayor said two more lines would "
    "follow if commuters and visitors take to the first one this summer.",
    "Fishermen in Dunmere protested against new quotas on herring. They blocked the harbour "
    "for three hours and handed a petition to the regional minister.",
]


def test_line_keys_fold_case_and_spacing_and_skip_short_lines() -> None:
    assert line_key("Follow us   on Telegram!") == line_key("follow us on telegram!")
    assert line_key("Share") is None
    keys = line_keys(f"{FOOTER}\n\nShare\n{FOOTER.upper()}\n")
    assert keys == {line_key(FOOTER)}


def test_repeated_needs_enough_documents() -> None:
    counts = [("a", MIN_DOCUMENTS), ("b", MIN_DOCUMENTS - 1), ("c", 7)]
    assert repeated(counts) == {"a", "c"}


def _doc(i: int, text: str) -> Document:
    return Document(id=f"d{i}", doc_id=content_id(text), text=text, input="t", source="Kestrel")


def test_clean_drops_repeated_lines_unless_they_are_most_of_the_text() -> None:
    keys = line_keys(FOOTER)
    text = f"{ARTICLES[0]}\n\n{FOOTER}\n"
    cleaned = clean(_doc(0, text), keys)
    assert FOOTER not in cleaned.text and ARTICLES[0] in cleaned.text
    assert [r.reason for r in cleaned.removed] == ["repeated on this source"]
    only_footer = clean(_doc(1, f"Notice\n\n{FOOTER}\n"), keys)
    assert FOOTER in only_footer.text  # most of the document: kept


def _write(folder: Path, name: str, source: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {"id": name, "source": source, "text": text}
    with (folder / "docs.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def _removals(report: dict[str, object]) -> dict[str, list[str]]:
    docs = report["documents"]
    assert isinstance(docs, list)
    return {d["id"]: sorted({r["reason"] for r in d["removed"]}) for d in docs}


def test_pipeline_removes_a_sources_own_repeats_in_any_arrival_order(tmp_path: Path) -> None:
    """Kestrel prints its footer under every article: gone from its documents once three of
    them carry it, even those indexed in an earlier run; the same line quoted by another
    source stays (across sources, repetition is reuse)."""
    config = Config(encoder="none")
    first, second = tmp_path / "first", tmp_path / "second"
    for i, article in enumerate(ARTICLES[:2]):
        _write(first, f"k{i}", "Kestrel", f"{article}\n\n{FOOTER}\n")
    early = analyze([first], tmp_path / "out", config).report
    assert all("repeated on this source" not in r for r in _removals(early).values())
    for i, article in enumerate(ARTICLES[2:], start=2):
        _write(second, f"k{i}", "Kestrel", f"{article}\n\n{FOOTER}\n")
    _write(second, "other", "Nordwire", f"{ARTICLES[0]} Nordwire adds.\n\n{FOOTER}\n")
    later = analyze([first, second], tmp_path / "out", config).report
    removals = _removals(later)
    for i in range(4):
        assert "repeated on this source" in removals[f"k{i}"], i
    assert "repeated on this source" not in removals["other"]
    # one run with everything gives the same removals
    together = analyze([first, second], tmp_path / "together", config).report
    assert _removals(together) == removals


def test_store_counts_a_line_once_per_story(tmp_path: Path) -> None:
    """Four documents of one source share a line: as four lone documents it is furniture;
    as four versions of one story it is content (counted once)."""
    from storytrace.store import Store

    with Store(tmp_path / "s.db", writer=True) as store:
        run = store.start_run(Config(encoder="none"), ["t"])
        docs = [_doc(i, f"{ARTICLES[i]}\n\n{FOOTER}\n") for i in range(4)]
        store.add_documents(docs, run)
        ids = [d.id for d in docs]
        lone = store.repeated_lines(["Kestrel"], {})
        assert lone == {"Kestrel": line_keys(FOOTER)}
        one_story = store.repeated_lines(["Kestrel"], dict.fromkeys(ids, "story-1"))
        assert one_story == {}
        two_stories = {ids[0]: "s1", ids[1]: "s1", ids[2]: "s2", ids[3]: "s2"}
        assert store.repeated_lines(["Kestrel"], two_stories) == {}
        assert store.repeated_lines(["Nordwire"], {}) == {}
