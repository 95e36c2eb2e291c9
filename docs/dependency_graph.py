r"""The dependency graph of a chapter's claims, as an inline SVG (the blueprint picture).

Nodes are the chapter's claims, coloured by this build's outcome; an arrow runs from a claim to
each claim that cites it (``uses``). Claims of other chapters that are cited appear with a
dashed border. Claims that neither cite nor are cited stand in a grid below the graph. Every
node links to its claim's section. The layout is layered: a claim sits one row below the
lowest claim it uses; within a row, claims are ordered by the mean position of what they use.

Imported by ``docs/gen_pages.py``; returns HTML text (no external file, no script).
"""

from __future__ import annotations

import html

__all__ = ["dependency_svg"]

FILL = {
    "verified": ("#e3f4e6", "#1b6e2c"),
    "refuted_as_expected": ("#fff1dc", "#8a4b00"),
    "noted": ("#e6ecf7", "#2f4b7c"),
    "failed": ("#fde2e1", "#a3140c"),
    "skipped": ("#eeeeee", "#555555"),
}
LEGEND = (
    ("verified", "verified"),
    ("refuted_as_expected", "erratum refuted"),
    ("noted", "notation note"),
    ("failed", "failed"),
)
CHAR_W, NODE_H, GAP_X, GAP_Y, MAX_W, PAD = 6.6, 26, 14, 44, 660, 10


def _width(label: str) -> float:
    return len(label) * CHAR_W + 18


def _rows(nodes: list[str], uses: dict[str, list[str]]) -> list[list[str]]:
    depth: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in depth:
            parents = [u for u in uses.get(node, []) if u in nodes]
            depth[node] = 1 + max(map(level, parents)) if parents else 0
        return depth[node]

    rows: list[list[str]] = []
    for node in nodes:  # in the order of the notes
        d = level(node)
        while len(rows) <= d:
            rows.append([])
        rows[d].append(node)
    return rows


def _wrap(row: list[str], labels: dict[str, str]) -> list[list[str]]:
    lines, current, width = [], [], 0.0
    for node in row:
        w = _width(labels[node]) + GAP_X
        if current and width + w > MAX_W:
            lines.append(current)
            current, width = [], 0.0
        current.append(node)
        width += w
    return [*lines, current] if current else lines


def dependency_svg(
    chapter_ids: list[str],
    uses: dict[str, list[str]],
    outcomes: dict[str, str],
    href: dict[str, str],
) -> str:
    """An inline ``<svg>`` for the claims ``chapter_ids`` (in the order of the notes).

    ``uses`` maps every claim id to the ids it cites; ``outcomes`` gives each claim's outcome
    in this build; ``href`` the link of each node (external claims included).
    """
    in_chapter = set(chapter_ids)
    cited = {u for c in chapter_ids for u in uses.get(c, [])}
    external = sorted(cited - in_chapter)
    connected = [c for c in chapter_ids if uses.get(c) or c in cited]
    alone = [c for c in chapter_ids if c not in connected]
    graph_nodes = external + connected
    labels = {n: n if n in external else n.partition(".")[2] for n in chapter_ids + external}

    pos: dict[str, tuple[float, float]] = {}  # centre of each node
    y = PAD + 30.0  # room for the legend
    for row in _rows(graph_nodes, uses):
        # order by the mean x of the claims it uses (barycentre), keeping the notes' order on ties
        def key(node: str, row: list[str] = row) -> tuple[float, int]:
            xs = [pos[u][0] for u in uses.get(node, []) if u in pos]
            return (sum(xs) / len(xs) if xs else -1.0, row.index(node))

        for line in _wrap(sorted(row, key=key), labels):
            x = PAD
            for node in line:
                w = _width(labels[node])
                pos[node] = (x + w / 2, y + NODE_H / 2)
                x += w + GAP_X
            y += NODE_H + GAP_Y
    if alone:
        y += 6
        alone_top = y
        for line in _wrap(alone, labels):
            x = PAD
            for node in line:
                w = _width(labels[node])
                pos[node] = (x + w / 2, y + NODE_H / 2)
                x += w + GAP_X
            y += NODE_H + 10
    height = y + PAD
    width = max([pos[n][0] + _width(labels[n]) / 2 for n in pos] + [400.0]) + PAD

    parts = [
        f'<svg class="dlt-graph" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'aria-label="Which claims of this chapter cite which: {len(connected)} connected, '
        f'{len(alone)} stand-alone">',
        '<defs><marker id="dlt-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#777"/></marker></defs>',
    ]
    x = PAD
    for outcome, text in LEGEND:
        fill, stroke = FILL[outcome]
        parts.append(
            f'<rect x="{x}" y="{PAD}" width="14" height="14" rx="3" fill="{fill}" '
            f'stroke="{stroke}"/><text x="{x + 19}" y="{PAD + 11}" font-size="11" '
            f'fill="currentColor">{text}</text>'
        )
        x += 19 + len(text) * CHAR_W + 16
    for node in connected:
        for used in uses.get(node, []):
            if used in pos:
                (x1, y1), (x2, y2) = pos[used], pos[node]
                y1, y2 = y1 + NODE_H / 2, y2 - NODE_H / 2
                mid = (y1 + y2) / 2
                parts.append(
                    f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} '
                    f'{x2:.1f},{y2 - 2:.1f}" fill="none" stroke="#999" stroke-width="1.2" '
                    'marker-end="url(#dlt-arrow)"/>'
                )
    if alone:
        parts.append(
            f'<text x="{PAD}" y="{alone_top - 4:.0f}" font-size="11" fill="currentColor" '
            'opacity="0.75">stand-alone claims (cite nothing, cited by nothing):</text>'
        )
    for node, (cx, cy) in pos.items():
        w = _width(labels[node])
        fill, stroke = FILL.get(outcomes.get(node, "skipped"), FILL["skipped"])
        dash = ' stroke-dasharray="4 3"' if node in external else ""
        title = html.escape(f"{node}: {outcomes.get(node, 'not run')}")
        parts.append(
            f'<a href="{html.escape(href[node])}"><title>{title}</title>'
            f'<rect x="{cx - w / 2:.1f}" y="{cy - NODE_H / 2:.1f}" width="{w:.1f}" '
            f'height="{NODE_H}" rx="6" fill="{fill}" stroke="{stroke}"{dash}/>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" font-size="11" '
            f'font-family="monospace" fill="{stroke}">{html.escape(labels[node])}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
