"""Near-duplicate engines on one corpus: storytrace against datasketch and rensa.

    python benchmarks/neardup.py --docs 20000 [--format json] [--workers 2]
    python benchmarks/neardup.py --engine-only --docs 1000000 [--threshold 0.8]

The corpus is built at run time from real text, the PAN13 text-alignment source documents
(``--src``, default ``$STORYTRACE_EVAL/pan13/.../src``; nothing of them is stored in this
repository): an original is a random sequence of their paragraphs (~520 words), a
near-duplicate an earlier document (original or near-duplicate) with known edits: word
substitutions, deletions and insertions at a rate of 0-10%, dropped paragraphs, junk lines
added before and after. Ground truth is the exact Jaccard of 5-word shingles (words are the
``\\w+`` runs of the lower-cased text; a shingle is identified by its five word ids, with no
hashing), computed for all pairs by exact prefix filtering, so it depends on no engine.

Every tool runs in its own process on the same texts, from raw text to verified pairs:
tokenising and shingling (for the anchors the ordinary way: a regular expression and Python
sets), MinHash (128 permutations, seed 1), LSH, and exact verification of the candidates
(Jaccard on the tool's shingle sets). Reported per threshold (0.5 and 0.8): documents per
second end to end (the sketching time, shared by both thresholds, plus that threshold's LSH
and verification), peak memory above the loaded corpus (proportional set size of the process
and its workers, sampled), recall and precision against the truth. datasketch runs with its
own automatic banding and with storytrace's recall-biased banding; rensa requires bands that
divide 128, so it gets the recall-biased choice among those.

``--engine-only`` streams ``--docs`` generated documents through storytrace alone in batches
(workers generate, sketch and spill shingles to disk; the parent keeps band keys), then
finds and verifies pairs, reporting time, peak memory of all processes together, and the
recall of the known near-duplicate pairs (checked against the exact reference on a sample).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import os
import pickle
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storytrace.candidates import LshParams, band_keys, banded_pairs, lsh_params
from storytrace.fingerprint import ShingleBatch, intersection_sizes
from storytrace.neardup import sketch, verified_pairs

PAN13 = "pan13/pan13-text-alignment-training-corpus-2013-01-21/src"
THRESHOLDS = (0.5, 0.8)
NUM_PERM = 128
SEED = 1
K = 5
WORD = re.compile(r"\w+")
JUNK = (
    "Advertisement",
    "Share this article",
    "Click here to subscribe to our newsletter",
    "Follow us on Twitter and Facebook",
    "Copyright 2013. All rights reserved.",
    "Comments are closed.",
    "Read more:",
)
Pairs = set[tuple[int, int]]


# --- the corpus ------------------------------------------------------------------------------


def default_src() -> Path:
    return Path(os.environ.get("STORYTRACE_EVAL", "../shared/eval")) / PAN13


def load_paragraphs(src: Path, longest: int = 120) -> list[str]:
    """Every non-empty line (a paragraph) of the PAN13 source documents, in file order; lines
    longer than ``longest`` words are cut into pieces, so that no single line can make up a
    whole document (documents drawing the same long line would be accidental copies)."""
    files = sorted(src.glob("*.txt"))
    if not files:
        raise SystemExit(f"no PAN13 source documents in {src} (set --src or $STORYTRACE_EVAL)")
    lines: list[str] = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            words = line.split()
            lines.extend(" ".join(words[i : i + longest]) for i in range(0, len(words), longest))
    return lines


@dataclass(frozen=True, slots=True)
class Made:
    text: str
    parent: int | None


class Generator:
    """Document ``i`` of a corpus, deterministic in (seed, i): an original made of random
    paragraphs, or (``copy_share`` of them) an edited version of an earlier document."""

    def __init__(self, paragraphs: Sequence[str], seed: int = 7, copy_share: float = 0.25):
        self.paragraphs = paragraphs
        self.seed = seed
        self.copy_share = copy_share
        self._cache: dict[int, Made] = {}

    def doc(self, i: int) -> Made:
        made = self._cache.get(i)
        if made is None:
            made = self._make(i)
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[i] = made
        return made

    def _make(self, i: int) -> Made:
        rng = random.Random(f"{self.seed}:{i}")
        if i < 50 or rng.random() >= self.copy_share:
            target = min(1500, max(200, int(rng.gauss(520, 150))))
            parts: list[str] = []
            count = 0
            while count < target:
                p = rng.choice(self.paragraphs)
                parts.append(p)
                count += p.count(" ") + 1
            return Made("\n".join(parts), None)
        parent = rng.randrange(max(0, i - 20_000), i)
        return Made(self._edit(self.doc(parent).text, rng), parent)

    def _word(self, rng: random.Random) -> str:
        words = rng.choice(self.paragraphs).split()
        return rng.choice(words) if words else "word"

    def _edit(self, text: str, rng: random.Random) -> str:
        paragraphs = text.split("\n")
        rate = rng.choice((0.0, 0.005, 0.01, 0.02, 0.04, 0.07, 0.1))
        if rate:
            edited = []
            for p in paragraphs:
                out: list[str] = []
                for w in p.split(" "):
                    if rng.random() >= rate:
                        out.append(w)
                        continue
                    op = rng.randrange(3)
                    if op == 0:
                        out.append(self._word(rng))
                    elif op == 2:
                        out.extend((w, self._word(rng)))
                edited.append(" ".join(out))
            paragraphs = edited
        if len(paragraphs) > 3 and rng.random() < 0.3:
            del paragraphs[rng.randrange(len(paragraphs))]
        if rng.random() < 0.3:
            paragraphs = [rng.choice(JUNK) for _ in range(rng.randint(1, 2))] + paragraphs
        if rng.random() < 0.3:
            paragraphs = paragraphs + [rng.choice(JUNK) for _ in range(rng.randint(1, 3))]
        return "\n".join(paragraphs)


# --- the truth (no hashing: shingles are identified by their word ids) ------------------------


def shingle_sets(texts: Sequence[str]) -> list[npt.NDArray[np.int64]]:
    """Per text, the sorted ids of its distinct 5-word shingles (a text of fewer words is one
    shingle of all of them), ids given by exact equality of the word sequences."""
    vocab: dict[str, int] = {}
    rows: list[npt.NDArray[np.int64]] = []
    counts = []
    for text in texts:
        ids = np.array([vocab.setdefault(w, len(vocab)) for w in WORD.findall(text.lower())])
        if len(ids) >= K:
            win = np.lib.stride_tricks.sliding_window_view(ids, K)
        elif len(ids):
            win = np.full((1, K), -1, dtype=np.int64)
            win[0, : len(ids)] = ids
        else:
            win = np.zeros((0, K), dtype=np.int64)
        rows.append(np.asarray(win, dtype=np.int64))
        counts.append(len(win))
    _, inverse = np.unique(np.concatenate(rows), axis=0, return_inverse=True)
    bounds = np.cumsum([0, *counts])
    return [np.unique(inverse[s:e]) for s, e in itertools.pairwise(bounds.tolist())]


def exact_pairs(
    sets: Sequence[npt.NDArray[np.int64]], threshold: float
) -> dict[tuple[int, int], float]:
    """All pairs with Jaccard >= ``threshold``, by prefix filtering (rarest shingles first):
    two sets with Jaccard >= t share a shingle among the first ``|x| - ceil(t|x|) + 1`` of
    each, so every such pair is a candidate; each candidate is then checked exactly."""
    df = np.bincount(np.concatenate(sets)) if sets else np.zeros(0, dtype=np.int64)
    rank = np.empty(len(df), dtype=np.int64)
    rank[np.lexsort((np.arange(len(df)), df))] = np.arange(len(df))
    tokens, owners = [], []
    for i, s in enumerate(sets):
        if len(s) == 0:
            continue
        order = np.sort(rank[s])
        prefix = len(s) - math.ceil(threshold * len(s) - 1e-9) + 1
        tokens.append(order[:prefix])
        owners.append(np.full(prefix, i, dtype=np.int64))
    tok, own = np.concatenate(tokens), np.concatenate(owners)
    order = np.lexsort((own, tok))
    tok, own = tok[order], own[order]
    keys = np.stack([tok, own], axis=1)
    cand = banded_pairs_of_runs(keys)
    found: dict[tuple[int, int], float] = {}
    for a, b in cand:
        sa, sb = sets[a], sets[b]
        if min(len(sa), len(sb)) < threshold * max(len(sa), len(sb)):
            continue
        inter = len(np.intersect1d(sa, sb, assume_unique=True))
        jac = inter / (len(sa) + len(sb) - inter)
        if jac >= threshold:
            found[(a, b)] = jac
    return found


def banded_pairs_of_runs(keys: npt.NDArray[np.int64]) -> set[tuple[int, int]]:
    """Pairs of owners within each run of equal tokens (``keys`` sorted by token)."""
    tok, own = keys[:, 0], keys[:, 1]
    starts = np.flatnonzero(np.r_[True, tok[1:] != tok[:-1]])
    ends = np.r_[starts[1:], len(tok)]
    pairs: set[tuple[int, int]] = set()
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if e - s < 2:
            continue
        members = own[s:e].tolist()
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                pairs.add((a, b) if a < b else (b, a))
    return pairs


# --- the tools (each runs in its own process) -------------------------------------------------


def ordinary_shingles(text: str) -> set[str]:
    """The ordinary way: words by regular expression, shingles as joined strings in a set."""
    words = WORD.findall(text.lower())
    if len(words) < K:
        return {" ".join(words)} if words else set()
    return set(map(" ".join, zip(*(words[i:] for i in range(K)), strict=False)))


def verify_sets(sets: Sequence[set[str]], cand: set[tuple[int, int]], t: float) -> Pairs:
    """Exact Jaccard of each candidate on Python sets."""
    out: Pairs = set()
    for a, b in cand:
        sa, sb = sets[a], sets[b]
        inter = len(sa & sb)
        union = len(sa) + len(sb) - inter
        if union and inter / union >= t:
            out.add((a, b))
    return out


def divisor_params(threshold: float, *, balanced: bool = False) -> LshParams:
    """A banding whose bands divide NUM_PERM (rensa requires it): storytrace's recall-biased
    rule (the fewest false positives among those missing at most 1% at the threshold) or,
    ``balanced``, datasketch's rule (the smallest sum of false-positive and -negative areas)."""
    options = []
    below, above = np.linspace(0.0, threshold, 200), np.linspace(threshold, 1.0, 200)
    for bands in (b for b in range(1, NUM_PERM + 1) if NUM_PERM % b == 0):
        rows = NUM_PERM // bands
        miss = (1 - threshold**rows) ** bands
        fp = float(np.mean(1 - (1 - below**rows) ** bands)) * threshold
        fn = float(np.mean((1 - above**rows) ** bands)) * (1 - threshold)
        options.append(LshParams(bands, rows, threshold, fp, fn, miss))
    feasible = [p for p in options if p.miss_at_threshold <= 0.01]
    if balanced:
        return min(options, key=lambda p: p.false_positive + p.false_negative)
    if feasible:
        return min(feasible, key=lambda p: p.false_positive)
    return min(options, key=lambda p: p.miss_at_threshold)


def run_storytrace(
    texts: Sequence[str], workers: int
) -> Iterator[tuple[str, float, Callable[[], tuple[Pairs, int, str]]]]:
    sk = sketch(texts, shingle_size=K, num_perm=NUM_PERM, seed=SEED, workers=workers)
    for t in THRESHOLDS:

        def pairs(t: float = t) -> tuple[Pairs, int, str]:
            r = verified_pairs(sk, t)
            return r.pairs(), r.candidates, f"{r.params.bands}x{r.params.rows}"

        yield f"storytrace ({workers} worker{'s' if workers > 1 else ''})", t, pairs


def run_datasketch(
    texts: Sequence[str], workers: int
) -> Iterator[tuple[str, float, Callable[[], tuple[Pairs, int, str]]]]:
    from datasketch import MinHash, MinHashLSH

    sets = [ordinary_shingles(t) for t in texts]
    mhs = MinHash.bulk(
        [[s.encode("utf-8") for s in st] for st in sets], num_perm=NUM_PERM, seed=SEED
    )
    for t in THRESHOLDS:
        ours = lsh_params(t, NUM_PERM)
        for variant, params in (("auto", None), ("recall-biased", (ours.bands, ours.rows))):

            def pairs(
                t: float = t, params: tuple[int, int] | None = params
            ) -> tuple[Pairs, int, str]:
                lsh = MinHashLSH(threshold=t, num_perm=NUM_PERM, params=params)
                with lsh.insertion_session() as session:
                    for i, m in enumerate(mhs):
                        session.insert(i, m, check_duplication=False)
                cand = {
                    (min(i, j), max(i, j))
                    for i, m in enumerate(mhs)
                    for j in lsh.query(m)
                    if j != i
                }
                return verify_sets(sets, cand, t), len(cand), f"{lsh.b}x{lsh.r}"

            yield f"datasketch {variant}", t, pairs


def run_rensa(
    texts: Sequence[str], workers: int
) -> Iterator[tuple[str, float, Callable[[], tuple[Pairs, int, str]]]]:
    from rensa import RMinHash, RMinHashLSH

    sets = [ordinary_shingles(t) for t in texts]
    mhs = RMinHash.from_token_sets(sets, NUM_PERM, SEED)
    for t in THRESHOLDS:
        for variant, balanced in (("balanced", True), ("recall-biased", False)):
            p = divisor_params(t, balanced=balanced)

            def pairs(t: float = t, p: LshParams = p) -> tuple[Pairs, int, str]:
                lsh = RMinHashLSH(t, NUM_PERM, p.bands)
                lsh.insert_many(mhs)
                cand = {
                    (min(i, j), max(i, j))
                    for i, found in enumerate(lsh.query_all(mhs))
                    for j in found
                    if j != i
                }
                return verify_sets(sets, cand, t), len(cand), f"{p.bands}x{p.rows}"

            yield f"rensa {variant}", t, pairs


TOOLS = {"storytrace": run_storytrace, "datasketch": run_datasketch, "rensa": run_rensa}


class MemorySampler:
    """Peak proportional set size (PSS) of this process and its children, sampled."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    def total(self) -> int:
        pids = [os.getpid(), *(c.pid for c in multiprocessing.active_children() if c.pid)]
        try:
            kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
            pids.extend(int(k) for k in kids)
        except OSError:
            pass
        return sum(self._pss(p) for p in set(pids))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.total())
            time.sleep(self.interval)

    def __enter__(self) -> MemorySampler:
        self.peak = self.total()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.total())


def _cpu() -> float:
    """CPU seconds (user and system) of this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def tool_main(tool: str, corpus: Path, workers: int, out: Path) -> None:
    """Run one tool on the pickled corpus; write its timings, memory and pairs to ``out``."""
    texts: list[str] = pickle.loads(corpus.read_bytes())
    baseline = MemorySampler().total()
    results: list[dict[str, Any]] = []
    with MemorySampler() as mem:
        start, cpu0 = time.perf_counter(), _cpu()
        runs = TOOLS[tool](texts, workers)
        first = next(runs)
        sketch_s, sketch_cpu = time.perf_counter() - start, _cpu() - cpu0
        for name, t, pairs in [first, *runs]:
            t0, cpu1 = time.perf_counter(), _cpu()
            found, candidates, banding = pairs()
            seconds = sketch_s + time.perf_counter() - t0
            cpu = sketch_cpu + _cpu() - cpu1
            results.append(
                {
                    "tool": name,
                    "threshold": t,
                    "banding": banding,
                    "seconds": round(seconds, 3),
                    "sketch_seconds": round(sketch_s, 3),
                    "cpu_seconds": round(cpu, 3),
                    "docs_per_s": round(len(texts) / seconds, 1),
                    "candidates": candidates,
                    "pairs": sorted(found),
                }
            )
    for r in results:
        r["peak_mib"] = round((mem.peak - baseline) / 2**20, 1)
    out.write_text(json.dumps(results))


# --- the comparison ---------------------------------------------------------------------------


def compare(args: argparse.Namespace) -> dict[str, Any]:
    paragraphs = load_paragraphs(Path(args.src))
    gen = Generator(paragraphs, seed=args.seed)
    texts = [gen.doc(i).text for i in range(args.docs)]
    sets = shingle_sets(texts)
    truth_all = exact_pairs(sets, min(THRESHOLDS))
    truth = {t: {p for p, j in truth_all.items() if j >= t} for t in THRESHOLDS}
    best_rows: dict[tuple[str, float], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.pickle"
        corpus.write_bytes(pickle.dumps(texts))
        runs = [("storytrace", args.workers), ("storytrace", 1), ("rensa", 1), ("datasketch", 1)]
        runs = [r for r in runs if r[0] not in args.skip]
        for round_no in range(args.repeat):
            # Each round in another order, so that no tool always meets the same neighbours'
            # load on a shared machine; every row keeps its fastest round.
            order = runs[round_no % len(runs) :] + runs[: round_no % len(runs)]
            for tool, workers in order:
                for r in _run_tool(tool, workers, corpus, Path(tmp), truth):
                    key = (r["tool"], r["threshold"])
                    kept = best_rows.get(key)
                    if kept is None or r["seconds"] < kept["seconds"]:
                        if kept is not None:
                            r["cpu_seconds"] = min(r["cpu_seconds"], kept["cpu_seconds"])
                        best_rows[key] = r
                    else:
                        kept["cpu_seconds"] = min(r["cpu_seconds"], kept["cpu_seconds"])
    rows = sorted(best_rows.values(), key=lambda r: (_tool_order(r["tool"]), r["threshold"]))
    for r in rows:
        r["docs_per_cpu_s"] = round(args.docs / r["cpu_seconds"], 1)

    def best(prefix: str, t: float, field: str = "docs_per_s") -> float:
        speeds = [r[field] for r in rows if r["tool"].startswith(prefix) and r["threshold"] == t]
        return max(speeds) if speeds else float("nan")

    def ratio(ours: str, theirs: str, field: str = "docs_per_s") -> float:
        return round(min(best(ours, t, field) / best(theirs, t, field) for t in THRESHOLDS), 2)

    ours = f"storytrace ({args.workers} worker{'s' if args.workers > 1 else ''})"
    ours_rows = [r for r in rows if r["tool"] == ours]
    one = "storytrace (1 worker)"
    return {
        "docs": args.docs,
        "workers": args.workers,
        "repeat": args.repeat,
        "true_pairs": {str(t): len(truth[t]) for t in THRESHOLDS},
        "ratio_vs_rensa": ratio(ours, "rensa"),
        "ratio_vs_datasketch": ratio(ours, "datasketch"),
        "ratio_vs_rensa_1_worker": ratio(one, "rensa"),
        "ratio_vs_datasketch_1_worker": ratio(one, "datasketch"),
        "ratio_vs_rensa_cpu": ratio(one, "rensa", "docs_per_cpu_s"),
        "ratio_vs_datasketch_cpu": ratio(one, "datasketch", "docs_per_cpu_s"),
        "recall": min(r["recall"] for r in ours_rows),
        "precision": min(r["precision"] for r in ours_rows),
        "results": rows,
    }


def _tool_order(name: str) -> int:
    order = ("storytrace (2", "storytrace", "rensa", "datasketch")
    return next(i for i, prefix in enumerate(order) if name.startswith(prefix))


def _run_tool(
    tool: str, workers: int, corpus: Path, tmp: Path, truth: dict[float, Pairs]
) -> list[dict[str, Any]]:
    """One tool in a fresh process; its rows with recall and precision against the truth."""
    out = tmp / f"{tool}-{workers}.json"
    cmd = [sys.executable, __file__, "--run-tool", tool, "--corpus", str(corpus)]
    cmd += ["--workers", str(workers), "--out", str(out)]
    subprocess.run(cmd, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    rows: list[dict[str, Any]] = json.loads(out.read_text())
    for r in rows:
        found = {(a, b) for a, b in r.pop("pairs")}
        true = truth[r["threshold"]]
        r["found"] = len(found)
        r["recall"] = round(len(found & true) / len(true), 4) if true else 1.0
        r["precision"] = round(len(found & true) / len(found), 4) if found else 1.0
    return rows


def print_table(summary: dict[str, Any]) -> None:
    print(
        f"{summary['docs']} documents; true pairs (exact 5-gram Jaccard): {summary['true_pairs']}"
    )
    head = f"{'tool':26} {'t':>4} {'banding':>8} {'docs/s':>8} {'x ours':>7} {'s':>7} {'docs/cpu-s':>10} {'MiB':>6} {'cand':>7} {'recall':>7} {'prec':>6}"
    print(head)
    ours = {
        r["threshold"]: r["docs_per_s"]
        for r in summary["results"]
        if r["tool"].startswith(f"storytrace ({summary['workers']}")
    }
    for r in summary["results"]:
        ratio = ours[r["threshold"]] / r["docs_per_s"]
        print(
            f"{r['tool']:26} {r['threshold']:>4} {r['banding']:>8} {r['docs_per_s']:>8,.0f} {ratio:>7.2f} {r['seconds']:>7.2f} "
            f"{r['docs_per_cpu_s']:>10,.0f} {r['peak_mib']:>6.0f} {r['candidates']:>7} {r['recall']:>7.4f} {r['precision']:>6.4f}"
        )
    print(
        f"ours / rensa {summary['ratio_vs_rensa']}x, ours / datasketch {summary['ratio_vs_datasketch']}x "
        f"(slowest threshold; 1 worker: {summary['ratio_vs_rensa_1_worker']}x and "
        f"{summary['ratio_vs_datasketch_1_worker']}x; per CPU second: "
        f"{summary['ratio_vs_rensa_cpu']}x and {summary['ratio_vs_datasketch_cpu']}x); "
        f"recall {summary['recall']}, precision {summary['precision']}"
    )


# --- a million documents, streamed -------------------------------------------------------------

_GEN: list[Generator] = []


def _stream_batch(
    span: tuple[int, int], spill: str, threshold: float
) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Generate and sketch documents ``span``; spill their shingles; return band keys."""
    gen = _GEN[0]
    texts = [gen.doc(i).text for i in range(*span)]
    sk = sketch(texts, shingle_size=K, num_perm=NUM_PERM, seed=SEED, workers=1)
    sk.shingles.hashes.tofile(Path(spill) / f"{span[0]:09d}.bin")
    keys = band_keys(sk.minhash, lsh_params(threshold, NUM_PERM))
    return span[0], np.diff(sk.shingles.offsets), keys


def engine_only(args: argparse.Namespace) -> dict[str, Any]:
    paragraphs = load_paragraphs(Path(args.src))
    _GEN.append(Generator(paragraphs, seed=args.seed))
    n, batch = args.docs, args.batch
    spans = [(s, min(s + batch, n)) for s in range(0, n, batch)]
    params = lsh_params(args.threshold, NUM_PERM)
    keys = np.empty((n, params.bands), dtype=np.int64)
    sizes = np.empty(n, dtype=np.int64)
    with tempfile.TemporaryDirectory(dir=args.spill) as spill, MemorySampler(0.2) as mem:
        start = time.perf_counter()
        context = multiprocessing.get_context("fork")
        with context.Pool(args.workers) as pool:
            work = [(s, spill, args.threshold) for s in spans]
            for first, part_sizes, part_keys in pool.imap_unordered(_star_batch, work):
                sizes[first : first + len(part_sizes)] = part_sizes
                keys[first : first + len(part_sizes)] = part_keys
        sketched = time.perf_counter()
        cand = banded_pairs(keys)
        del keys
        banded = time.perf_counter()
        a, b, _ = verify_spilled(Path(spill), spans, sizes, cand, args.threshold, args.workers)
        done = time.perf_counter()
    found = set(zip(a.tolist(), b.tolist(), strict=True))
    recall, checked = known_pair_recall(_GEN[0], n, found, args.threshold, args.sample)
    return {
        "docs": n,
        "workers": args.workers,
        "threshold": args.threshold,
        "banding": f"{params.bands}x{params.rows}",
        "seconds": round(done - start, 1),
        "sketch_seconds": round(sketched - start, 1),
        "candidates_seconds": round(banded - sketched, 1),
        "verify_seconds": round(done - banded, 1),
        "docs_per_s": round(n / (done - start), 1),
        "candidates": len(cand),
        "pairs": len(a),
        "peak_pss_mib_all_processes": round(mem.peak / 2**20, 1),
        "peak_rss_mib_parent": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_mib_largest_worker": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "known_pairs_checked": checked,
        "recall_known_pairs": recall,
    }


def _star_batch(
    job: tuple[tuple[int, int], str, float],
) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    return _stream_batch(*job)


_SPILL: dict[str, Any] = {}  # what forked verification workers need (inherited, not pickled)


def _verify_chunk(part: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Exact Jaccard of a chunk of candidate pairs, reading their documents' shingles from the
    spill files with positioned reads (no memory mapping, so the files stay out of RSS)."""
    starts, offsets, sizes = _SPILL["starts"], _SPILL["offsets"], _SPILL["sizes"]
    fds: dict[int, int] = _SPILL.setdefault("fds", {})
    docs = np.unique(part)
    first = starts[np.searchsorted(starts, docs, side="right") - 1]
    local = offsets[docs] - offsets[first]
    pieces = []
    for f, o, n in zip(first.tolist(), local.tolist(), sizes[docs].tolist(), strict=True):
        if f not in fds:
            fds[f] = os.open(_SPILL["dir"] / f"{f:09d}.bin", os.O_RDONLY)
        pieces.append(np.frombuffer(os.pread(fds[f], 8 * n, 8 * o), dtype=np.uint64))
    doc_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(sizes[docs], out=doc_offsets[1:])
    batch = ShingleBatch(np.concatenate(pieces), doc_offsets)
    a, b = np.searchsorted(docs, part[:, 0]), np.searchsorted(docs, part[:, 1])
    inter = intersection_sizes(batch, a, b).astype(np.float64)
    jaccard: npt.NDArray[np.float64] = inter / (sizes[part[:, 0]] + sizes[part[:, 1]] - inter)
    return jaccard


def verify_spilled(
    spill: Path,
    spans: Sequence[tuple[int, int]],
    sizes: npt.NDArray[np.int64],
    cand: npt.NDArray[np.int64],
    t: float,
    workers: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The candidate pairs with exact Jaccard >= t, verified in chunks across ``workers``."""
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    _SPILL.update(dir=spill, starts=starts, offsets=offsets, sizes=sizes)
    size_a, size_b = sizes[cand[:, 0]], sizes[cand[:, 1]]
    cand = cand[np.minimum(size_a, size_b) >= t * np.maximum(size_a, size_b)]  # J >= t needs it
    chunks = [cand[lo : lo + 20_000] for lo in range(0, len(cand), 20_000)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        jaccard = pool.map(_verify_chunk, chunks)
    _SPILL.clear()
    if not chunks:
        return cand[:, 0], cand[:, 1], np.zeros(0, dtype=np.float64)
    jac = np.concatenate(jaccard)
    ok = jac >= t
    return cand[ok, 0], cand[ok, 1], jac[ok]


def known_pair_recall(
    gen: Generator, n: int, found: set[tuple[int, int]], t: float, sample: int
) -> tuple[float, int]:
    """Share of sampled known (document, parent) pairs with exact Jaccard >= t that were found."""
    rng = random.Random(99)
    children = [
        i for i in rng.sample(range(n), min(n, sample * 5)) if gen.doc(i).parent is not None
    ][:sample]
    texts, pairs = [], []
    for c in children:
        p = gen.doc(c).parent
        assert p is not None
        texts.extend([gen.doc(p).text, gen.doc(c).text])
        pairs.append((p, c))
    sets = shingle_sets(texts)
    above = []
    for k, pair in enumerate(pairs):
        sa, sb = sets[2 * k], sets[2 * k + 1]
        inter = len(np.intersect1d(sa, sb, assume_unique=True))
        if inter / (len(sa) + len(sb) - inter) >= t:
            above.append(pair)
    hit = sum(1 for p in above if p in found)
    return (round(hit / len(above), 4) if above else 1.0), len(above)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--src", default=str(default_src()), help="the PAN13 source documents folder"
    )
    parser.add_argument("--seed", type=int, default=7, help="corpus seed")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=sorted(TOOLS), help="tools to leave out"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds over all tools; each row keeps its fastest"
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="stream --docs through storytrace alone"
    )
    parser.add_argument(
        "--threshold", type=float, default=0.8, help="Jaccard threshold (--engine-only)"
    )
    parser.add_argument(
        "--batch", type=int, default=10000, help="documents per batch (--engine-only)"
    )
    parser.add_argument(
        "--sample", type=int, default=5000, help="known pairs checked (--engine-only)"
    )
    parser.add_argument("--spill", default=None, help="folder for spilled shingles (--engine-only)")
    parser.add_argument("--run-tool", choices=sorted(TOOLS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_tool:
        tool_main(args.run_tool, Path(args.corpus), args.workers, Path(args.out))
        return
    summary = engine_only(args) if args.engine_only else compare(args)
    if args.format == "json":
        print(json.dumps(summary))
    elif args.engine_only:
        for key, value in summary.items():
            print(f"{key:30} {value}")
    else:
        print_table(summary)


if __name__ == "__main__":
    main()
