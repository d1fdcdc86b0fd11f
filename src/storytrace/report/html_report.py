"""A self-contained report.html: stories with their derivation graph, side-by-side aligned text,
changes highlighted, and every removed span greyed with its reason on hover.

Everything from documents is untrusted and escaped; the page needs no network (inline CSS,
inline SVG, a few lines of inline JS to link aligned passages).
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from storytrace.lang import UNDETERMINED, translation_pair
from storytrace.records import (
    Alignment,
    IngestError,
    LineageEdge,
    Match,
    Report,
    ReportDocument,
    Span,
    Story,
)
from storytrace.report.graph import render_dag

CSS = """
:root{--fg:#1d2330;--muted:#6b7280;--line:#e5e7eb;--bg:#fafafa}
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);margin:0;background:var(--bg)}
header{background:#16213e;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#cbd5e1}main{padding:18px 28px;max-width:1400px}
section.story{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 22px}
h2{margin:0 0 8px;font-size:19px}h3{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}.muted{color:var(--muted)}.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;background:#eef2ff}
.origin{background:#fde68a}.rel-copy,.rel-same_article{background:#dbeafe}.rel-rewrite{background:#dcfce7}
.rel-translation{background:#fae8ff}.rel-partial_reuse{background:#ffedd5}
details{margin:6px 0}summary{cursor:pointer}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:14px}.sbs>div{border:1px solid var(--line);border-radius:6px;padding:10px;white-space:pre-wrap;font-size:13.5px;max-height:560px;overflow:auto;background:#fff}
.removed{color:#9ca3af;background:#f3f4f6;text-decoration:line-through;text-decoration-color:#d1d5db}
.k-verbatim{background:#bfdbfe}.k-edited{background:#fde68a}.k-paraphrase{background:#bbf7d0}.k-translation{background:#f5d0fe}.k-summary{background:#fed7aa}
.hl{outline:2px solid #ef4444}mark{background:#fca5a5;padding:0 1px}
.chg{border-bottom:2px solid #dc2626}
table.cmp{table-layout:fixed}table.cmp td{width:50%;font-size:13.5px;white-space:pre-wrap}
table.cmp th{font-weight:400;color:var(--fg)}tr.row-added td:last-child{background:#dcfce7}
tr.row-dropped td:first-child{background:#fee2e2}tr.row-added td:first-child,tr.row-dropped td:last-child{color:var(--muted);font-style:italic}
mark.chg{background:#fecaca;border-bottom:2px solid #dc2626}mark.chg::after{content:attr(data-kind);font-size:10px;color:#991b1b;margin-left:2px;vertical-align:super}
.wd{background:#fef9c3}.direction{font-size:15px;margin:4px 0 8px}
ul.changes li{margin:2px 0}.legend span{margin-right:10px}
"""

JS = """
document.addEventListener('mouseover',e=>{const t=e.target.closest('[data-pid]');
document.querySelectorAll('.hl').forEach(x=>x.classList.remove('hl'));
if(t){document.querySelectorAll('[data-pid="'+t.dataset.pid+'"]').forEach(x=>x.classList.add('hl'));}});
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


HTML_STORIES = 100
"""report.html shows at most this many stories (the largest); report.json has them all."""
HTML_DOCUMENTS = 300
"""... at most this many documents' marked-up texts (the first by id)."""
HTML_MATCHES = 5000
"""... at most this many matches."""


def _limited(shown: int, total: int, what: str, where: str) -> str:
    """A note at the top of a section that shows ``shown`` of ``total``."""
    if shown >= total:
        return ""
    return (
        f"<p class='note limited'><b>This page shows {shown:,} of {total:,} {what}</b> ({where}). "
        "Every one is in report.json, and <code>storytrace serve</code> shows each of them.</p>"
    )


def render_html(
    report: Report,
    texts: Mapping[str, str],
    *,
    max_stories: int = HTML_STORIES,
    max_documents: int = HTML_DOCUMENTS,
    max_matches: int = HTML_MATCHES,
    shown_documents: Sequence[ReportDocument] | None = None,
    totals: Mapping[str, int] | None = None,
) -> str:
    """The report page for a report and the raw texts of its documents: at most
    ``max_stories`` stories (the largest), ``max_documents`` documents and ``max_matches``
    matches, so that a browser can open it whatever the size of the store; a note says
    what was left out (report.json has everything). A report holding only what the page
    shows gives ``shown_documents`` (the documents section) and ``totals`` (the store's
    counts of documents, stories, matches and errors) apart."""
    docs = {d.id: d for d in report.documents}
    alignments = {(a.a, a.b): a for a in report.alignments}
    count = {
        "documents": len(report.documents),
        "stories": len(report.stories),
        "matches": len(report.matches),
        "errors": len(report.errors),
        **(totals or {}),
    }
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        "<title>storytrace report</title><style>",
        CSS,
        "</style></head><body>",
        "<header><h1>storytrace report</h1><p>",
        esc(
            f"{count['documents']} documents · {count['stories']} stories · "
            f"{count['matches']} matches · {count['errors']} inputs skipped"
        ),
        "</p></header><main>",
    ]
    stories = report.stories[:max_stories]
    parts.append(_limited(len(stories), count["stories"], "stories", "the largest"))
    if not stories:
        parts.append("<p>No story: no two documents were found to be versions of each other.</p>")
    for number, story in enumerate(stories, start=1):
        parts.append(_story_section(number, story, docs, texts, alignments))
    documents = list(shown_documents if shown_documents is not None else report.documents)
    documents = documents[:max_documents]
    parts.append(_limited(len(documents), count["documents"], "documents", "the first by id"))
    parts.append(_documents_section(documents, texts))
    matches = report.matches[:max_matches]
    parts.append(_limited(len(matches), count["matches"], "matches", "the first by id"))
    parts.append(_matches_section(matches))
    parts.append(_errors_section(report.errors))
    parts.append("</main><script>" + JS + "</script></body></html>")
    return "".join(parts)


def published(doc: ReportDocument) -> str | None:
    """A document's publication time as report.json gives it (ISO 8601), or None."""
    return doc.published.isoformat() if doc.published else None


def story_title(doc: ReportDocument, text: str) -> str:
    """A version's headline: its title, else its first line cut at a word (with an ellipsis)."""
    if doc.title:
        return doc.title
    first = text.strip().split("\n", 1)[0]
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + "…"


def _story_section(
    number: int,
    story: Story,
    docs: Mapping[str, ReportDocument],
    texts: Mapping[str, str],
    alignments: Mapping[tuple[str, str], Alignment],
) -> str:
    origins = story.origins
    headline_doc = origins[0] if origins else story.members[0]
    parent_of = {e.child: e for e in story.edges}
    out = [
        f"<section class='story' id='{esc(story.id)}'>",
        f"<h2>Story {number}: {esc(story_title(docs[headline_doc], texts.get(headline_doc, '')))}</h2>",
        f"<p class='muted'>{len(story.members)} versions · origin: "
        + ", ".join(f"<b>{esc(o)}</b>" for o in origins)
        + f" · id {esc(story.id)}</p>",
        "<h3>Derivation graph</h3>",
        render_dag(story.members, story.edges, origins, docs, story.undirected),
        "<h3>Versions</h3><table><tr><th>document</th><th>outlet</th><th>published</th>"
        "<th>lang</th><th>derived from</th><th>relation</th><th>taken</th><th>confidence</th>"
        "<th>credits</th></tr>",
    ]
    for member in story.members:
        d = docs[member]
        edge = parent_of.get(member)
        outlets = sorted({a.outlet for a in story.attributions.get(member, ())})
        origin_tag = " <span class='tag origin'>origin</span>" if member in origins else ""
        if member in story.independent:
            origin_tag += " <span class='tag'>independent coverage</span>"
        confidence = f"{edge.confidence:.2f}" if edge else ""
        taken = f"{edge.reuse:.0%} ({esc(edge.degree)})" if edge else ""
        if edge and not edge.directed:
            taken += " · order unknown"
        out.append(
            "<tr>"
            f"<td>{esc(member)}{origin_tag}</td>"
            f"<td>{esc(d.source or '—')}</td><td>{esc(published(d) or '—')}</td>"
            f"<td>{esc(d.lang or '—')}</td>"
            f"<td>{esc(edge.parent) if edge else '—'}</td>"
            f"<td>{_relation_tag(edge.relation) if edge else ''}</td>"
            f"<td>{taken}</td><td>{confidence}</td>"
            f"<td>{esc(', '.join(outlets)) or '—'}</td></tr>"
        )
    if story.undirected:
        out.append(
            "</table><h3>Shared text, direction unknown</h3><ul>"
            + "".join(
                f"<li><b>{esc(u.a)}</b> ↔ <b>{esc(u.b)}</b>: "
                f"{u.reuse_a:.0%} / {u.reuse_b:.0%} shared · "
                f"{esc('; '.join(u.evidence))}</li>"
                for u in story.undirected
            )
            + "</ul><table>"
        )
    out.append("</table><h3>Who derived from whom, and what changed</h3>")
    for edge in story.edges:
        out.append(
            _edge_details(story.id, edge, texts, docs, alignments.get((edge.parent, edge.child)))
        )
    out.append("</section>")
    return "".join(out)


def _relation_tag(relation: str) -> str:
    return f"<span class='tag rel-{esc(relation)}'>{esc(relation.replace('_', ' '))}</span>"


def _edge_details(
    story_id: str,
    edge: LineageEdge,
    texts: Mapping[str, str],
    docs: Mapping[str, ReportDocument],
    alignment: Alignment | None,
) -> str:
    p, c = edge.parent, edge.child
    changes = [ch for ch in edge.changes if ch.kind not in ("added", "dropped")]
    added = sum(1 for ch in edge.changes if ch.kind == "added")
    dropped = sum(1 for ch in edge.changes if ch.kind == "dropped")
    out = [
        "<details><summary>",
        f"<b>{esc(p)}</b> {'→' if edge.directed else '~ (order unknown)'} "
        f"<b>{esc(c)}</b> {_relation_tag(edge.relation)} "
        f"{edge.reuse:.0%} of the child taken ({esc(edge.degree)}) · "
        f"confidence {edge.confidence:.2f} · {len(changes)} changes · "
        f"{added} passages added · {dropped} dropped",
        "</summary><p class='muted'>Evidence:</p><ul>",
        "".join(f"<li>{esc(ev)}</li>" for ev in edge.evidence),
        "</ul>",
    ]
    if changes:
        out.append("<p class='muted'>Changes on aligned passages:</p><ul class='changes'>")
        for ch in changes:
            before, after = ch.before, ch.after
            if ch.kind == "negation":
                before, after = _clip(before), _clip(after)
            out.append(
                f"<li><span class='tag'>{esc(ch.kind)}</span> {esc(ch.note)}: "
                f"<q>{esc(before)}</q> → <q>{esc(after)}</q></li>"
            )
        out.append("</ul>")
    if alignment is not None:
        out.append(
            f"<p class='muted'>Side by side: {esc(p)} (parent, {alignment.coverage_a:.0%} reused) · "
            f"{esc(c)} (child, {alignment.coverage_b:.0%} from parent). "
            "<span class='legend'><span class='k-verbatim'>verbatim</span><span class='k-edited'>edited</span>"
            "<span class='k-paraphrase'>paraphrase</span><span class='k-summary'>summary</span>"
            "<span class='k-translation'>translation</span>"
            "<span class='removed'>removed junk</span><mark>changed words</mark></span></p>"
        )
        out.append(compare_rows(alignment, edge, texts, docs))
        out.append("<details><summary>Whole texts side by side</summary>")
        out.append(side_by_side(story_id, alignment, texts, docs))
        out.append("</details>")
    out.append("</details>")
    return "".join(out)


def version_label(doc: ReportDocument, text: str) -> str:
    """A version as a reader names it: outlet and headline (the path is a detail)."""
    outlet = doc.source or "unknown outlet"
    return f"{outlet}: {story_title(doc, text)}"


def _header(doc: ReportDocument, text: str, role: str) -> str:
    return (
        f"<th><b>{esc(role)}</b> · {esc(doc.source or 'unknown outlet')} · "
        f"{esc(published(doc) or 'time unknown')} · {esc(doc.lang or '?')}<br>"
        f"{esc(story_title(doc, text))}<br><span class='muted'>{esc(doc.id)}</span></th>"
    )


def compare_rows(
    alignment: Alignment,
    edge: LineageEdge | None,
    texts: Mapping[str, str],
    docs: Mapping[str, ReportDocument],
) -> str:
    """The compare view of an alignment (parent ``a`` left, child ``b`` right), with its
    lineage ``edge`` when the pair is one (``None``: aligned on request, no direction): one
    row per aligned sentence pair in the child's order, the parent's dropped passages in
    place (after the row of the parent sentence before them) and the child's added ones;
    each change marked on its words with its kind, and for a copy in one language a plain
    word diff of each pair."""
    p, c = alignment.a, alignment.b
    p_text, c_text = texts.get(p, ""), texts.get(c, "")
    translation = translation_pair(docs[p].lang or UNDETERMINED, docs[c].lang or UNDETERMINED)
    changes = list(edge.changes) if edge else []
    directed = edge.directed if edge else False
    # rows: (parent span | None, child span | None, kind); child order, dropped in place
    rows: list[tuple[Span | None, Span | None, str]] = [
        (sp.a, sp.b, "pair") for sp in alignment.sentences
    ]
    rows += [(None, ch.child_span, "added") for ch in changes if ch.kind == "added"]
    rows.sort(key=lambda r: r[1].start if r[1] else 0)
    for ch in sorted(
        (x for x in changes if x.kind == "dropped" and x.parent_span is not None),
        key=lambda x: -x.parent_span.start if x.parent_span else 0,
    ):
        start = ch.parent_span.start if ch.parent_span else 0
        at = 0
        for k, (ps, _, _) in enumerate(rows):
            if ps is not None and ps.start < start:
                at = k + 1
        rows.insert(at, (ch.parent_span, None, "dropped"))
    direction = (
        f"{esc(version_label(docs[p], p_text))} → {esc(version_label(docs[c], c_text))}"
        if directed
        else f"{esc(version_label(docs[p], p_text))} — {esc(version_label(docs[c], c_text))} "
        "(order unknown: no evidence of which came first)"
    )
    out = [
        f"<p class='direction'>{direction}</p>",
        "<p class='muted'>"
        + (
            f"{edge.reuse:.0%} of the child taken from the parent ({esc(edge.degree)}) · "
            if edge is not None
            else ""
        )
        + f"{sum(1 for x in changes if x.kind not in ('added', 'dropped'))} changes · "
        f"{sum(1 for x in changes if x.kind == 'added')} passages added · "
        f"{sum(1 for x in changes if x.kind == 'dropped')} dropped</p>",
        "<table class='cmp'><tr>",
        _header(docs[p], p_text, "parent" if directed else "left"),
        _header(docs[c], c_text, "child" if directed else "right"),
        "</tr>",
    ]
    for ps, cs, kind in rows:
        if kind == "added" and cs:
            out.append(
                "<tr class='row-added'><td>(not in the parent)</td>"
                f"<td><span class='tag'>added</span> {esc(c_text[cs.start : cs.end])}</td></tr>"
            )
            continue
        if kind == "dropped" and ps:
            out.append(
                f"<tr class='row-dropped'><td><span class='tag'>dropped</span> "
                f"{esc(p_text[ps.start : ps.end])}</td><td>(not in the child)</td></tr>"
            )
            continue
        if not ps or not cs:
            continue
        before, after = p_text[ps.start : ps.end], c_text[cs.start : cs.end]
        p_marks: list[Mark] = []
        c_marks: list[Mark] = []
        for ch in changes:
            if ch.kind in ("added", "dropped"):
                continue
            if ch.parent_span != ps or ch.child_span != cs:
                continue
            attrs = {
                "tag": "mark",
                "class": f"chg chg-{ch.kind}",
                "data-kind": ch.kind,
                "title": ch.note,
            }
            p_marks += _locate(before, ch.before, attrs)
            c_marks += _locate(after, ch.after, attrs)
        if not translation and not p_marks and not c_marks:
            for a0, a1, b0, b1 in _word_diff(before, after):
                if a1 > a0:
                    p_marks.append((a0, a1, {"class": "wd"}))
                if b1 > b0:
                    c_marks.append((b0, b1, {"class": "wd"}))
        out.append(
            f"<tr class='row-pair'><td>{markup(before, p_marks)}</td>"
            f"<td>{markup(after, c_marks)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _locate(sentence: str, words: str, attrs: dict[str, str]) -> list[Mark]:
    """Where a change's words sit in its sentence: each listed item found verbatim (numbers
    also in their written form), else the whole sentence."""
    found: list[Mark] = []
    for item in (w.strip() for w in words.split(", ")):
        if not item:
            continue
        at = sentence.find(item)
        if at < 0 and re.fullmatch(r"\d+(?:\.\d+)?", item):
            for m in re.finditer(r"\d[\d,.\u202f\u00a0 ]*\d|\d", sentence):
                if re.sub(r"\D", "", m.group(0)).lstrip("0") == item.replace(".", "").lstrip("0"):
                    at, item = m.start(), m.group(0)
                    break
        if at >= 0:
            found.append((at, at + len(item), attrs))
    return found or [(0, len(sentence), attrs)]


def _clip(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def side_by_side(
    story_id: str,
    alignment: Alignment,
    texts: Mapping[str, str],
    docs: Mapping[str, ReportDocument],
) -> str:
    """Both whole texts of an alignment (parent left), aligned passages coloured by kind
    and linked on hover, removed junk greyed, changed words marked."""
    p, c = alignment.a, alignment.b
    p_text, c_text = texts.get(p, ""), texts.get(c, "")
    p_marks = removed_marks(docs[p])
    c_marks = removed_marks(docs[c])
    prefix = re.sub(r"\W", "", story_id) + re.sub(r"\W", "", p + c)[-24:]
    for i, passage in enumerate(alignment.passages):
        pid = f"{prefix}-{i}"
        attrs = {
            "class": f"k-{passage.kind}",
            "data-pid": pid,
            "title": f"{passage.kind} ({passage.score:.2f})",
        }
        (ps, pe), (cs, ce) = (passage.a.start, passage.a.end), (passage.b.start, passage.b.end)
        p_marks.append((ps, pe, attrs))
        c_marks.append((cs, ce, attrs))
        if passage.kind in ("edited", "paraphrase"):
            for a, b, x, y in _word_diff(p_text[ps:pe], c_text[cs:ce]):
                if b > a:
                    p_marks.append((ps + a, ps + b, {"tag": "mark"}))
                if y > x:
                    c_marks.append((cs + x, cs + y, {"tag": "mark"}))
    return (
        "<div class='sbs'><div>"
        + markup(p_text, p_marks)
        + "</div><div>"
        + markup(c_text, c_marks)
        + "</div></div>"
    )


Mark = tuple[int, int, dict[str, str]]


def removed_marks(doc: ReportDocument) -> list[Mark]:
    """Grey every removed span of ``doc``, with its reason as the hover text."""
    return [
        (r.start, r.end, {"class": "removed", "title": "removed: " + r.reason}) for r in doc.removed
    ]


_WORD = re.compile(r"\w+|[^\w\s]")
_SEGMENT = re.compile(r"[^\n.!?]*(?:[.!?]+|\n|$)")
DIFF_WORDS = 4000
"""Longest passage (words, both sides together) diffed word by word at once; longer ones are
diffed sentence by sentence first (word diffs cost up to the product of the two lengths)."""


def _word_diff(a: str, b: str, min_shared: float = 0.3) -> Iterable[tuple[int, int, int, int]]:
    """Character ranges of words that differ between ``a`` and ``b`` (a-range, b-range).

    Nothing is marked when the two share less than ``min_shared`` of their words in order:
    a free paraphrase would be marked from end to end, which says nothing. Passages of more
    than ``DIFF_WORDS`` words are first matched sentence by sentence (lines and sentence
    ends), and only sentences that differ are diffed word by word (each stretch under the same
    ``min_shared`` rule; a sentence with no partner is marked whole; a stretch of more than
    ``DIFF_WORDS`` differing words is left unmarked, as a paraphrase): near-linear instead
    of quadratic, for the long edited passages of long documents."""
    ta = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(a)]
    tb = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(b)]
    if len(ta) + len(tb) > DIFF_WORDS:
        yield from _segment_diff(a, b, min_shared)
        return
    matcher = difflib.SequenceMatcher(a=[t[2] for t in ta], b=[t[2] for t in tb], autojunk=False)
    if matcher.ratio() < min_shared:
        return
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a_range = (ta[i1][0], ta[i2 - 1][1]) if i2 > i1 else (0, 0)
        b_range = (tb[j1][0], tb[j2 - 1][1]) if j2 > j1 else (0, 0)
        yield a_range[0], a_range[1], b_range[0], b_range[1]


def _segments(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SEGMENT.finditer(text) if m.end() > m.start()]


def _segment_diff(a: str, b: str, min_shared: float) -> Iterable[tuple[int, int, int, int]]:
    """``_word_diff`` for long passages: sentences matched first (as whole strings, with
    their spacing normalised), then the words of each differing stretch."""
    sa, sb = _segments(a), _segments(b)
    key_a = [" ".join(a[s:e].lower().split()) for s, e in sa]
    key_b = [" ".join(b[s:e].lower().split()) for s, e in sb]
    matcher = difflib.SequenceMatcher(a=key_a, b=key_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a0, a1 = (sa[i1][0], sa[i2 - 1][1]) if i2 > i1 else (0, 0)
        b0, b1 = (sb[j1][0], sb[j2 - 1][1]) if j2 > j1 else (0, 0)
        if op != "replace":  # sentences only one side has: marked whole
            yield a0, a1, b0, b1
        elif len(_WORD.findall(a[a0:a1])) + len(_WORD.findall(b[b0:b1])) <= DIFF_WORDS:
            for x0, x1, y0, y1 in _word_diff(a[a0:a1], b[b0:b1], min_shared):
                ar = (a0 + x0, a0 + x1) if x1 > x0 else (0, 0)
                br = (b0 + y0, b0 + y1) if y1 > y0 else (0, 0)
                yield ar[0], ar[1], br[0], br[1]
        # a long stretch rewritten throughout is a paraphrase: nothing to mark word by word


def markup(text: str, marks: list[tuple[int, int, dict[str, str]]]) -> str:
    """Escape ``text`` and wrap marked ranges; overlapping marks nest by splitting at boundaries.

    One sweep over the sorted boundaries, keeping the marks open at each point: the cost is
    the text's length plus, per piece, the marks covering it (a document's removals rarely
    overlap), instead of every piece against every mark (80,000 removed lines of one
    document made that 10^10 comparisons)."""
    n = len(text)
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    bounds = {0, n}
    for index, (s, e, _) in enumerate(marks):
        cs, ce = max(0, min(s, n)), max(0, min(e, n))
        bounds.add(cs)
        bounds.add(ce)
        if ce > cs:  # a mark covers the pieces between its clamped ends
            starts[cs].append(index)
            ends[ce].append(index)
    open_marks: set[int] = set()
    out: list[str] = []
    for s, e in itertools.pairwise(sorted(bounds)):
        open_marks.difference_update(ends.get(s, ()))
        open_marks.update(starts.get(s, ()))
        piece = esc(text[s:e])
        # widest outermost; among equal widths, the mark given first is outermost
        covering = sorted(open_marks, key=lambda i: (-(marks[i][1] - marks[i][0]), i))
        for i in reversed(covering):
            attrs = marks[i][2]
            tag = attrs.get("tag", "span")
            attr_text = "".join(f" {k}='{esc(v)}'" for k, v in attrs.items() if k != "tag")
            piece = f"<{tag}{attr_text}>{piece}</{tag}>"
        out.append(piece)
    return "".join(out)


def _documents_section(documents: Sequence[ReportDocument], texts: Mapping[str, str]) -> str:
    out = [
        "<section class='story'><h2>All documents</h2><p class='muted'>Removed junk is greyed; hover for the reason.</p>"
    ]
    for d in documents:
        text = texts.get(d.id, "")
        marks = removed_marks(d)
        reasons: dict[str, int] = defaultdict(int)
        for r in d.removed:
            reasons[r.reason] += 1
        removed = ", ".join(f"{k} ×{v}" for k, v in sorted(reasons.items())) or "nothing removed"
        out.append(
            f"<details id='doc-{esc(re.sub(r'[^A-Za-z0-9_-]', '_', d.id))}'><summary><b>{esc(d.id)}</b> "
            f"<span class='muted'>{esc(d.source or '')} {esc(d.lang or '')} · {esc(removed)}</span>"
            f"</summary><div class='sbs' style='grid-template-columns:1fr'><div>{markup(text, marks)}</div></div></details>"
        )
    out.append("</section>")
    return "".join(out)


def _matches_section(matches: Sequence[Match]) -> str:
    out = [
        "<section class='story'><h2>Matches</h2><table><tr><th>a</th><th>b</th><th>relation</th>"
        "<th>Jaccard</th><th>containment a→b / b→a</th><th>semantic</th><th>sentence coverage</th></tr>"
    ]
    for m in matches:
        out.append(
            f"<tr><td>{esc(m.a)}</td><td>{esc(m.b)}</td><td>{esc(m.relation)}</td>"
            f"<td>{m.jaccard:.2f}</td><td>{m.containment_ab:.2f} / {m.containment_ba:.2f}</td>"
            f"<td>{m.semantic:.2f}</td><td>{m.coverage_ab:.2f} / {m.coverage_ba:.2f}</td></tr>"
        )
    out.append("</table></section>")
    return "".join(out)


def _errors_section(errors: Sequence[IngestError]) -> str:
    if not errors:
        return ""
    rows = "".join(f"<tr><td>{esc(e.input)}</td><td>{esc(e.reason)}</td></tr>" for e in errors)
    return (
        "<section class='story'><h2>Skipped inputs</h2><table><tr><th>input</th><th>reason</th></tr>"
        + rows
        + "</table></section>"
    )
