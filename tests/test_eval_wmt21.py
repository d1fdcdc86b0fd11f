"""The WMT21-format runner on a small invented set in the same format (the real set is read
only by the eval command, from ../shared or a path the user gives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storytrace.config import Config
from storytrace.eval.wmt21 import blind_inputs, load_gold, run, score_report
from storytrace.records import AlignedSentence, Alignment, LineageEdge, Report, Span, Story

STORIES = {
    "lib": (
        [
            "В Верхнелесске открылась новая городская библиотека",
            "Новая библиотека в Верхнелесске открылась в понедельник после трёх лет строительства.",
            "Здание на улице Садовой вмещает сорок тысяч книг и читальный зал на двести мест.",
            "Мэр города Ирина Соколова сказала, что библиотека будет работать без выходных.",
            "Строительство обошлось городскому бюджету в сто двадцать миллионов рублей.",
        ],
        [
            [
                "A new city library has opened in Verkhnelesk",
                "The new library in Verkhnelesk opened on Monday after three years of construction.",
                "The building on Sadovaya Street holds forty thousand books and a reading room with two hundred seats.",
                "The city's mayor Irina Sokolova said the library would be open seven days a week.",
                "The construction cost the city budget one hundred and twenty million roubles.",
            ],
            [
                "Verkhnelesk opens a new municipal library",
                "Verkhnelesk's new library opened its doors on Monday after three years of building work.",
                "The Sadovaya Street building houses 40,000 books and a two-hundred-seat reading room.",
                "Mayor Irina Sokolova said the library will work without days off.",
                "Building it cost the municipal budget 120 million rubles.",
            ],
        ],
    ),
    "ferry": (
        [
            "Паром на остров Кемь отменён из-за шторма",
            "Паромное сообщение с островом Кемь прервано во вторник из-за сильного шторма.",
            "Ветер на побережье достигал двадцати пяти метров в секунду.",
            "Около трёхсот пассажиров ждут отправления в порту Беломорска.",
            "Перевозчик обещает возобновить рейсы, как только погода улучшится.",
        ],
        [
            [
                "Ferry to Kem island cancelled because of a storm",
                "The ferry service to Kem island was interrupted on Tuesday because of a strong storm.",
                "The wind on the coast reached twenty-five metres per second.",
                "About three hundred passengers are waiting to depart at the port of Belomorsk.",
                "The operator promises to resume sailings as soon as the weather improves.",
            ],
            [
                "Storm halts Kem island ferry",
                "A severe storm cut the ferry link with Kem island on Tuesday.",
                "Coastal winds reached 25 metres per second.",
                "Some 300 passengers are stuck waiting in the port of Belomorsk.",
                "The carrier says sailings will resume once the weather gets better.",
            ],
        ],
    ),
}


def _write_set(root: Path) -> None:
    root.mkdir(parents=True)
    docs, clusters, provenance, segs = [], [], [], []
    for story, (original, translations) in STORIES.items():
        versions = [(f"{story}#orig-ru", "ru", "original", original)]
        versions += [
            (f"{story}#mt-{i}-en", "en", "machine_translation", t)
            for i, t in enumerate(translations)
        ]
        for doc_id, lang, kind, segments in versions:
            text = "\n".join(segments)
            offsets, pos = [], 0
            for s in segments:
                offsets.append([pos, pos + len(s)])
                pos += len(s) + 1
            docs.append(
                {
                    "id": doc_id,
                    "story": story,
                    "lang": lang,
                    "kind": kind,
                    "system": None,
                    "outlet": story,
                    "text": text,
                    "seg_offsets": offsets,
                }
            )
            clusters.append(f"{doc_id}\t{story}")
            if kind != "original":
                provenance.append(f"{doc_id}\t{story}#orig-ru\t{kind}")
                segs.extend(f"{story}#orig-ru\t{i}\t{doc_id}\t{i}" for i in range(len(segments)))
    (root / "docs.jsonl").write_text(
        "\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n"
    )
    (root / "gold_clusters.tsv").write_text("\n".join(clusters) + "\n")
    (root / "gold_provenance.tsv").write_text("\n".join(provenance) + "\n")
    (root / "gold_seg_align.tsv").write_text("\n".join(segs) + "\n")


@pytest.fixture(scope="module")
def wmt_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wmt") / "set"
    _write_set(root)
    return root


def test_blind_inputs_drop_the_answers(wmt_set: Path, tmp_path: Path) -> None:
    blind = blind_inputs(wmt_set, tmp_path)
    for line in blind.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert not {"story", "kind", "system"} & record.keys()
        assert record["text"] and record["id"]


def test_a_perfect_report_scores_one(wmt_set: Path) -> None:
    gold = load_gold(wmt_set)
    stories, alignments = [], []
    for story in STORIES:
        members = tuple(sorted(d for d, s in gold.clusters.items() if s == story))
        origin = f"{story}#orig-ru"
        edges = tuple(
            LineageEdge(origin, m, "translation", 0.9, ()) for m in members if m != origin
        )
        stories.append(Story(story, members, (origin,), edges))
        for m in members:
            if m == origin:
                continue
            pairs = tuple(
                AlignedSentence(
                    Span(*gold.seg_offsets[origin][i]), Span(*gold.seg_offsets[m][i]), 1.0
                )
                for i in range(len(gold.seg_offsets[m]))
            )
            alignments.append(Alignment(origin, m, (), 1.0, 1.0, pairs))
    report = Report("", Config(), "", (), tuple(stories), (), tuple(alignments), ())
    scores = score_report(report, gold).as_dict()
    for key in ("f1", "parent_accuracy", "root_accuracy", "seg_align_f1"):
        assert scores[key] == 1.0, key


def test_storytrace_on_the_small_set(wmt_set: Path, tmp_path: Path) -> None:
    scores = run(wmt_set, tmp_path / "out").as_dict()
    assert scores["f1"] == 1.0
    assert scores["root_accuracy"] == 1.0
    assert scores["parent_accuracy"] == 1.0
    assert scores["seg_align_f1"] >= 0.8
