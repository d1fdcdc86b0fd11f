"""The derivation DAG as inline SVG: origins on top, each version one row below its parent."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from storytrace.records import LineageEdge, ReportDocument, UndirectedLink

_COLOURS = {
    "copy": "#2563eb",
    "same_article": "#0891b2",
    "rewrite": "#16a34a",
    "translation": "#a21caf",
    "partial_reuse": "#ea580c",
}
_W, _H, _GAP_X, _GAP_Y = 236, 46, 26, 58


def layers(
    members: Sequence[str], edges: Sequence[LineageEdge], origins: Sequence[str]
) -> list[list[str]]:
    """Members grouped by depth below their origin (unreached members go last)."""
    children: dict[str, list[str]] = {}
    for e in edges:
        children.setdefault(e.parent, []).append(e.child)
    depth: dict[str, int] = {o: 0 for o in origins}
    frontier = list(origins)
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(children.get(node, [])):
                if child not in depth:
                    depth[child] = depth[node] + 1
                    nxt.append(child)
        frontier = nxt
    deepest = max(depth.values(), default=-1)
    for m in members:
        depth.setdefault(m, deepest + 1)
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=0) + 1)]
    for m in members:
        rows[depth[m]].append(m)
    return [sorted(r) for r in rows if r]


def render_dag(
    members: Sequence[str],
    edges: Sequence[LineageEdge],
    origins: Sequence[str],
    docs: Mapping[str, ReportDocument],
    links: Sequence[UndirectedLink] = (),
) -> str:
    """An SVG picture of the story's derivation graph, with a legend of relations.

    ``links``: the story's ``undirected`` pairs (shared text, direction unknown), drawn as
    dotted grey lines without a head: no arrow where the evidence gives no direction."""
    rows = layers(members, edges, origins)
    width = float(max(len(r) for r in rows) * (_W + _GAP_X) + _GAP_X)
    height = len(rows) * (_H + _GAP_Y) + 10
    pos: dict[str, tuple[float, float]] = {}
    for y, row in enumerate(rows):
        offset = (width - len(row) * (_W + _GAP_X) + _GAP_X) / 2
        for x, node in enumerate(row):
            pos[node] = (offset + x * (_W + _GAP_X), 10 + y * (_H + _GAP_Y))
    out = [
        f"<svg class='dag' role='img' aria-label='derivation graph' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' xmlns='http://www.w3.org/2000/svg'>",
        "<defs>",
    ]
    for rel, colour in _COLOURS.items():
        out.append(
            f"<marker id='arrow-{rel}' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' markerHeight='7' "
            f"orient='auto-start-reverse'><path d='M0,0L10,5L0,10z' fill='{colour}'/></marker>"
        )
    out.append("</defs>")
    for e in edges:
        if e.parent not in pos or e.child not in pos:
            continue
        (px, py), (cx, cy) = pos[e.parent], pos[e.child]
        colour = _COLOURS.get(e.relation, "#6b7280")
        x1, y1, x2, y2 = px + _W / 2, py + _H, cx + _W / 2, cy
        if cy <= py:  # same row (rare): draw from the side
            x1, y1, x2, y2 = px + _W, py + _H / 2, cx, cy + _H / 2
        label = f"{e.relation.replace('_', ' ')} {e.reuse:.0%} {e.confidence:.2f}"
        directed = e.directed
        # An arrow means text was taken in that direction; twin copies of unknown order are
        # joined by a dashed line without a head.
        head = f"marker-end='url(#arrow-{e.relation})'" if directed else "stroke-dasharray='5 4'"
        sign = "→" if directed else "~"
        out.append(
            f"<g><title>{html.escape(e.parent)} {sign} {html.escape(e.child)}: {html.escape(label)}</title>"
            f"<line x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' y2='{y2:.0f}' stroke='{colour}' stroke-width='2' "
            f"{head}/>"
            f"<text x='{(x1 + x2) / 2 + 4:.0f}' y='{(y1 + y2) / 2:.0f}' font-size='11' fill='{colour}'>"
            f"{html.escape(label)}</text></g>"
        )
    for link in links:
        if link.a not in pos or link.b not in pos:
            continue
        (ax, ay), (bx, by) = pos[link.a], pos[link.b]
        shared = f"{link.reuse_a:.0%} / {link.reuse_b:.0%} shared, direction unknown"
        out.append(
            f"<g class='undirected'><title>{html.escape(link.a)} ↔ {html.escape(link.b)}: "
            f"{html.escape(shared)}</title>"
            f"<line x1='{ax + _W / 2:.0f}' y1='{ay + _H / 2:.0f}' x2='{bx + _W / 2:.0f}' "
            f"y2='{by + _H / 2:.0f}' stroke='#9ca3af' stroke-width='1.5' stroke-dasharray='2 4'/></g>"
        )
    for node, (nx, ny) in pos.items():
        d = docs.get(node)
        fill = "#fde68a" if node in origins else "#f8fafc"
        name = node if len(node) <= 31 else "…" + node[-30:]
        when = d.published.isoformat()[:10] if d and d.published else ""
        sub = " · ".join(str(v) for v in (d and d.source, d and d.lang, when) if v)
        out.append(
            f"<g><title>{html.escape(node)}</title><rect x='{nx:.0f}' y='{ny:.0f}' width='{_W}' height='{_H}' rx='6' "
            f"fill='{fill}' stroke='#94a3b8'/>"
            f"<text x='{nx + 8:.0f}' y='{ny + 19:.0f}' font-size='12' font-weight='600'>{html.escape(name)}</text>"
            f"<text x='{nx + 8:.0f}' y='{ny + 36:.0f}' font-size='11' fill='#6b7280'>{html.escape(sub[:34])}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)
