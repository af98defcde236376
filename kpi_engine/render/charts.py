"""Charts as inline SVG, drawn from numbers with no browser: a histogram of totals, bars for the
grade breakdown, a heatmap of indicator scores by person, a Pareto of points lost. Every text in
the SVG is escaped here, so a chart is safe to inline in an autoescaped page."""
from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

FONT = 'font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif"'
BAR = "#4f7cac"
LINE = "#d1603d"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" {FONT} font-size="11">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _text(x, y, text, anchor="middle", extra="") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(str(text))}</text>'


def bars(title: str, labels: list[str], values: list[Decimal | int], line: list[Decimal] | None = None,
         line_label: str = "", width: int = 640, height: int = 260) -> str:
    """Vertical bars with their values on top; `line` adds a cumulative-percent line (Pareto).
    Labels slant when the bars are too narrow for them."""
    slanted = len(values) > 6
    left, bottom, top = 40, 90 if slanted else 50, 20
    height += 40 if slanted else 0
    plot_w, plot_h = width - left - 20, height - bottom - top
    highest = max([Decimal(v) for v in values] + [Decimal(1)])
    step = plot_w / max(len(values), 1)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444"/>']
    points = []
    for index, (label, value) in enumerate(zip(labels, values)):
        bar_h = float(Decimal(value) / highest) * plot_h
        x = left + index * step + step * 0.15
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" fill="{BAR}"/>')
        body.append(_text(x + step * 0.35, top + plot_h - bar_h - 3, value))
        label_x, label_y = x + step * 0.35, top + plot_h + 14
        if slanted:
            body.append(_text(label_x, label_y, label, "end", f' font-size="10" transform="rotate(-35 {label_x:.1f} {label_y:.1f})"'))
        else:
            body.append(_text(label_x, label_y, label, extra=' font-size="10"'))
        if line is not None:
            points.append(f"{x + step * 0.35:.1f},{top + plot_h - float(line[index]) / 100 * plot_h:.1f}")
    if points:
        body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        body.append(_text(left + plot_w, top - 6, line_label, "end", f' fill="{LINE}"'))
    return _svg(width, height, body, title)


def heatmap(title: str, people: list[str], indicators: list[str], shares: list[list[Decimal | None]]) -> str:
    """One row per person, one column per indicator; colour from red (0) to green (full marks);
    grey where the indicator does not apply."""
    cell_w, cell_h, left, top = 46, 16, 120, 70
    width = left + cell_w * len(indicators) + 10
    height = top + cell_h * len(people) + 10
    body = []
    for column, label in enumerate(indicators):
        x = left + column * cell_w + cell_w / 2
        body.append(f'<text x="{x:.1f}" y="{top - 6}" transform="rotate(-35 {x:.1f} {top - 6})" '
                    f'font-size="10">{escape(label)}</text>')
    for row, person in enumerate(people):
        y = top + row * cell_h
        body.append(_text(left - 6, y + cell_h - 4, person, "end", ' font-size="10"'))
        for column, share in enumerate(shares[row]):
            colour = "#cccccc" if share is None else _colour(share)
            shown = "–" if share is None else f"{round(float(share) * 100)}"
            x = left + column * cell_w
            body.append(f'<rect x="{x}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" fill="{colour}"/>')
            body.append(_text(x + cell_w / 2, y + cell_h - 4, shown, extra=' font-size="9"'))
    return _svg(width, height, body, title)


def _colour(share: Decimal) -> str:
    value = min(max(float(share), 0.0), 1.0)
    red, green = int(220 - 140 * value), int(90 + 110 * value)
    return f"rgb({red},{green},90)"
