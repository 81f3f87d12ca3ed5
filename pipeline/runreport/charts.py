"""The run report's charts as inline SVG, written by hand: no plotting library on the server, and
a page that renders offline in any browser."""

from __future__ import annotations

from html import escape

STATUS_COLOURS = {"ok": "#2e8b57", "degraded": "#e0a100", "failed": "#c8102e", None: "#e8e8e8"}
BAR_COLOUR = "#2f6db5"
_FONT = 'font-family="sans-serif" font-size="11"'


def bar_chart(
    values: list[int], labels: list[str], *, title: str, width: int = 640, height: int = 180
) -> str:
    """One bar per value, labelled below with the first and last labels; the maximum on the axis."""
    if not values:
        return _empty(title, width, "no runs yet")
    left, bottom, top = 40, 30, 20
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(max(values), 1)
    step = plot_w / len(values)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        h = plot_h * value / peak
        bar_w = min(step * 0.8, 40)  # a lone first night is a bar, not a wall
        x = left + i * step + (step - bar_w) / 2
        bars.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" fill="{BAR_COLOUR}"><title>{escape(label)}: {value}</title></rect>'
        )
    axis = (
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#555"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {_FONT}>{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" {_FONT}>0</text>'
        f'<text x="{left}" y="{height - 8}" {_FONT}>{escape(labels[0])}</text>'
        f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" {_FONT}>{escape(labels[-1])}</text>'
    )
    return _svg(title, width, height, axis + "".join(bars))


def status_grid(rows: dict[str, list[str | None]], runs: list[str], *, title: str, max_rows: int = 40) -> str:
    """Sites down (the first `max_rows`: the worst, as given), runs across (oldest left): one cell
    per site and run, coloured by health."""
    if not runs:
        return _empty(title, 640, "no runs yet")
    if not rows:
        return _empty(title, 640, "no site failed in these runs")
    shown = list(rows.items())[:max_rows]
    label_w, cell, gap = 180, 14, 2
    width = max(640, label_w + len(runs) * (cell + gap) + 60)
    height = 20 + len(shown) * (cell + gap) + 10
    parts = []
    for r, (site_id, statuses) in enumerate(shown):
        y = 20 + r * (cell + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + cell - 3}" text-anchor="end" {_FONT}>{escape(site_id)}</text>'
        )
        for c, status in enumerate(statuses):
            x = label_w + c * (cell + gap)
            parts.append(
                f'<rect class="cell {status or "absent"}" x="{x}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="{STATUS_COLOURS[status]}"><title>{escape(site_id)} {escape(runs[c])}: '
                f"{status or 'not crawled'}</title></rect>"
            )
        failures = sum(s not in (None, "ok") for s in statuses)
        x = label_w + len(runs) * (cell + gap) + 6
        parts.append(f'<text x="{x}" y="{y + cell - 3}" {_FONT}>{failures} of {len(runs)} bad</text>')
    legend = " ".join(
        f'<rect x="{label_w + i * 90}" y="4" width="10" height="10" fill="{colour}"/>'
        f'<text x="{label_w + i * 90 + 14}" y="13" {_FONT}>{name or "not crawled"}</text>'
        for i, (name, colour) in enumerate(STATUS_COLOURS.items())
    )
    return _svg(title, width, height, legend + "".join(parts))


def _svg(title: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f"{body}</svg>"
    )


def _empty(title: str, width: int, text: str) -> str:
    return _svg(title, width, 30, f'<text x="10" y="20" {_FONT}>{escape(text)}</text>')
