"""Stories on Spark: ``stories.build_stories`` over a match graph too large for one machine.

Two distributed pieces and one bounded one, and the same grouping as ``build_stories``:

0. Up to ``SINGLE_TASK_LINKS`` story links, one task runs ``build_stories`` on them all;
   larger graphs take the three steps below.
1. Strong links (``stories.is_strong``) are joined into groups by connected components
   computed with DataFrame joins (large-star / small-star, Kiveris et al., "Connected
   Components in MapReduce and Beyond", SoCC 2014): O(log n) rounds of two shuffles each;
   no edge list is ever collected on the driver. (GraphFrames would need a jar from Maven.)
2. Weak links (``stories.is_weak_link``) are mapped onto those groups. A link inside one
   group, or between two groups that are both established (``stories.may_join`` is false
   for them, and groups only grow), can never join anything and is dropped where it lies.
   What is left links groups of which at least one is small; connected components of that
   group graph split it into independent parts (``stories.weak_joins`` decides in one part
   without looking at another), and each part runs ``weak_joins`` in one task.
   The rule is what bounds a part: no chain of weak links between established stories
   survives step 2, so a part is a handful of established groups and the small groups
   hanging off them, however much is written about one event.
3. Strong links and the accepted weak joins, through connected components once more, give
   the stories: every document in a group of two or more, keyed by its smallest member id.

Every decision is a call of a function from ``storytrace.stories`` on Arrow batches; the
DataFrame code only moves ids and sizes around.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING

import pyarrow as pa

from storytrace.config import StoriesConfig
from storytrace.executors.spark import spark_schema
from storytrace.records import Match
from storytrace.stories import (
    LINKING_RELATIONS,
    build_stories,
    is_strong,
    may_join,
    weak_joins,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

MAX_ROUNDS = 200
_LINKS = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("relation", pa.string()),
        ("strong", pa.bool_()),
        ("coverage_ab", pa.float64()),
        ("coverage_ba", pa.float64()),
        ("semantic", pa.float64()),
    ]
)
_WEAK = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("ga", pa.string()),
        ("gb", pa.string()),
        ("sa", pa.int64()),
        ("sb", pa.int64()),
        ("coverage_ab", pa.float64()),
        ("coverage_ba", pa.float64()),
        ("semantic", pa.float64()),
    ]
)
_PAIRS = pa.schema([("a", pa.string()), ("b", pa.string())])
_MEMBERS = pa.schema([("id", pa.string()), ("story", pa.string())])
SINGLE_TASK_LINKS = 1_000_000
"""Up to this many story links, one task groups them all with ``stories.build_stories``
(a few seconds of one core; the distributed rounds cost more than that on small graphs)."""


def _match_rows(table: pa.RecordBatch | pa.Table) -> list[Match]:
    """Matches with the fields the story rules read (relation, coverages, semantic)."""
    cols = {
        n: table.column(n).to_pylist()
        for n in ("a", "b", "relation", "coverage_ab", "coverage_ba", "semantic")
        if n in table.schema.names
    }
    relations = cols.get("relation") or ["same_story"] * table.num_rows
    return [
        Match(
            a=cols["a"][i],
            b=cols["b"][i],
            relation=relations[i],
            jaccard=0.0,
            containment_ab=0.0,
            containment_ba=0.0,
            semantic=cols["semantic"][i],
            coverage_ab=cols["coverage_ab"][i],
            coverage_ba=cols["coverage_ba"][i],
        )
        for i in range(table.num_rows)
    ]


def _links(batches: Iterable[pa.RecordBatch], settings: StoriesConfig) -> Iterator[pa.RecordBatch]:
    """The story links among matches, each flagged strong or weak (``stories.is_strong``)."""
    for batch in batches:
        links = [m for m in _match_rows(batch) if m.relation in LINKING_RELATIONS]
        yield pa.RecordBatch.from_pydict(
            {
                "a": [m.a for m in links],
                "b": [m.b for m in links],
                "relation": [m.relation for m in links],
                "strong": [is_strong(m, settings) for m in links],
                "coverage_ab": [m.coverage_ab for m in links],
                "coverage_ba": [m.coverage_ba for m in links],
                "semantic": [m.semantic for m in links],
            },
            schema=_LINKS,
        )


def _joinable(
    batches: Iterable[pa.RecordBatch], settings: StoriesConfig
) -> Iterator[pa.RecordBatch]:
    """Weak links that might still join their groups: between two groups, and ``may_join``
    for the groups' sizes before any weak join (sizes only grow)."""
    for batch in batches:
        ga, gb = batch.column("ga").to_pylist(), batch.column("gb").to_pylist()
        sa, sb = batch.column("sa").to_pylist(), batch.column("sb").to_pylist()
        keep = [
            x != y and may_join(s, t, settings) for x, y, s, t in zip(ga, gb, sa, sb, strict=True)
        ]
        yield batch.filter(pa.array(keep, type=pa.bool_()))


def _joins_in_part(table: pa.Table, settings: StoriesConfig) -> pa.Table:
    """``stories.weak_joins`` over one independent part of the group graph."""
    weak = _match_rows(table)
    group_of: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cols = {n: table.column(n).to_pylist() for n in ("a", "b", "ga", "gb", "sa", "sb")}
    for i in range(table.num_rows):
        group_of[cols["a"][i]] = cols["ga"][i]
        group_of[cols["b"][i]] = cols["gb"][i]
        sizes[cols["ga"][i]] = cols["sa"][i]
        sizes[cols["gb"][i]] = cols["sb"][i]
    joins = weak_joins(group_of, sizes, weak, settings)
    return pa.Table.from_pydict(
        {"a": [a for a, _ in joins], "b": [b for _, b in joins]}, schema=_PAIRS
    )


def _all_stories(
    batches: Iterable[pa.RecordBatch], settings: StoriesConfig
) -> Iterator[pa.RecordBatch]:
    """``stories.build_stories`` over every link (the single task of a small graph)."""
    links = [m for batch in batches for m in _match_rows(batch)]
    ids = sorted({m.a for m in links} | {m.b for m in links})
    groups = build_stories(ids, links, settings)
    yield pa.RecordBatch.from_pydict(
        {"id": [d for g in groups for d in g], "story": [g[0] for g in groups for _ in g]},
        schema=_MEMBERS,
    )


def connected_components(edges: DataFrame, max_rounds: int = MAX_ROUNDS) -> DataFrame:
    """``(id, component)`` for every node of ``edges`` (columns ``a`` and ``b``, string ids);
    a component is named by its smallest id.

    Large-star and small-star rounds alternate until a round changes no edge (compared by a
    count and two order-free hashes of the edge set); each round's edges are checkpointed
    locally, so the plan stays one round long however many rounds run.
    """
    from pyspark.sql import functions as F

    e = (
        edges.select(F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v"))
        .where(F.col("u") != F.col("v"))
        .distinct()
        .localCheckpoint()
    )
    before = _fingerprint(e)
    for _ in range(max_rounds):
        e = _small_star(_large_star(e)).localCheckpoint()
        after = _fingerprint(e)
        if after == before:
            break
        before = after
    else:  # pragma: no cover - the rounds are logarithmic in the component diameter
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    # Converged: every edge joins a node (u) to the smallest id of its component (v).
    members = e.select(F.col("u").alias("id"), F.col("v").alias("component"))
    centres = e.select(F.col("v").alias("id"), F.col("v").alias("component"))
    return members.unionByName(centres).distinct()


def _fingerprint(e: DataFrame) -> tuple[int, int, int]:
    from pyspark.sql import functions as F

    h = F.xxhash64("u", "v")
    row = e.agg(
        F.count(F.lit(1)).alias("n"),
        F.bit_xor(h).alias("x"),
        F.sum(F.pmod(h, F.lit(2_147_483_647))).alias("s"),
    ).collect()[0]
    return int(row["n"]), int(row["x"] or 0), int(row["s"] or 0)


def _large_star(e: DataFrame) -> DataFrame:
    """Each node's larger neighbours attach to the smallest id among the node and all its
    neighbours. Edges ``(u, v)`` always have ``u > v``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    both = e.select(F.col("u").alias("x"), F.col("v").alias("y")).unionByName(
        e.select(F.col("v").alias("x"), F.col("u").alias("y"))
    )
    smallest = F.least(F.col("x"), F.min("y").over(Window.partitionBy("x")))
    return (
        both.select("x", "y", smallest.alias("m"))
        .where(F.col("y") > F.col("x"))
        .select(F.col("y").alias("u"), F.col("m").alias("v"))
        .distinct()
    )


def _small_star(e: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours attach to the smallest of them."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    with_min = e.select("u", "v", F.min("v").over(Window.partitionBy("u")).alias("m"))
    moved = with_min.where(F.col("v") != F.col("m")).select(
        F.col("v").alias("u"), F.col("m").alias("v")
    )
    own = with_min.select("u", F.col("m").alias("v"))
    return moved.unionByName(own).distinct()


def story_members(
    matches: DataFrame,
    single_task_links: int = SINGLE_TASK_LINKS,
    settings: StoriesConfig | None = None,
) -> DataFrame:
    """``(id, story)`` for every document in a story of two or more members, ``story`` being
    its smallest member id: the groups of ``stories.build_stories`` over ``matches`` (a
    DataFrame with at least ``MATCHES``'s a, b, relation, coverage and semantic columns),
    with the same ``settings`` (``Config.stories``)."""
    from pyspark.sql import functions as F

    settings = settings or StoriesConfig()
    cols = ["a", "b", "relation", "coverage_ab", "coverage_ba", "semantic"]
    links = (
        matches.select(*cols)
        .mapInArrow(partial(_links, settings=settings), spark_schema(_LINKS))
        .localCheckpoint()
    )
    if links.count() <= single_task_links:
        return links.repartition(1).mapInArrow(
            partial(_all_stories, settings=settings), spark_schema(_MEMBERS)
        )
    strong = links.where(F.col("strong")).select("a", "b")
    groups = connected_components(strong)
    sizes = groups.groupBy("component").agg(F.count(F.lit(1)).alias("size"))
    group_size = groups.join(sizes, "component")

    def side(name: str) -> DataFrame:
        return group_size.select(
            F.col("id").alias(name),
            F.col("component").alias("g" + name),
            F.col("size").alias("s" + name),
        )

    weak = (
        links.where(~F.col("strong"))
        .join(side("a"), "a", "left")
        .join(side("b"), "b", "left")
        .select(
            "a",
            "b",
            F.coalesce("ga", "a").alias("ga"),  # a document in no strong group is its own
            F.coalesce("gb", "b").alias("gb"),
            F.coalesce("sa", F.lit(1)).cast("long").alias("sa"),
            F.coalesce("sb", F.lit(1)).cast("long").alias("sb"),
            "coverage_ab",
            "coverage_ba",
            "semantic",
        )
        .mapInArrow(partial(_joinable, settings=settings), spark_schema(_WEAK))
        .localCheckpoint()
    )
    if weak.isEmpty():  # no weak link can join anything: the strong groups are the stories
        return groups.select("id", F.col("component").alias("story"))
    parts = connected_components(weak.select(F.col("ga").alias("a"), F.col("gb").alias("b")))
    placed = weak.join(
        parts.select(F.col("id").alias("ga"), F.col("component").alias("part")), "ga"
    )

    def joins_in_part(table: pa.Table) -> pa.Table:
        # a plain function: pyspark infers applyInArrow's kind from its type hints, which a
        # functools.partial does not carry
        return _joins_in_part(table, settings)

    joins = placed.groupBy("part").applyInArrow(joins_in_part, spark_schema(_PAIRS))
    return connected_components(strong.unionByName(joins)).select(
        "id", F.col("component").alias("story")
    )
