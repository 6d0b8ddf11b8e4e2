"""Small charts drawn on the server as inline SVG: bars (side by side or stacked) and lines over a
row of categories, with an optional percentage line on a right-hand 0–100 % axis (a Pareto
chart's cumulative share).

    chart(
        ["W14", "W15", "W16"],
        [Series("Opened", [3, 5, 2]), Series("Closed", [1, 4, 4], kind="line")],
        title="NCRs per week",
    )

No JavaScript: every bar and point has a ``<title>`` (the browser shows it on hover), and pages
show the same numbers in a table for screen readers and print.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

#: Bootstrap colours by name (as the ChoiceSets use them), with a fallback outside the theme.
THEME = {
    "primary": "#0d6efd",
    "secondary": "#6c757d",
    "success": "#198754",
    "danger": "#dc3545",
    "warning": "#ffc107",
    "info": "#0dcaf0",
    "dark": "#212529",
    "light": "#adb5bd",
}
PALETTE = ("primary", "danger", "warning", "info", "success", "secondary", "dark")


def theme_color(name):
    """A CSS colour for a Bootstrap colour name ("danger"); anything else is taken as CSS."""
    if name in THEME:
        return f"var(--bs-{name}, {THEME[name]})"
    return name


@dataclass
class Series:
    name: str
    values: list
    #: A Bootstrap colour name or a CSS colour; by default the next colour of PALETTE.
    color: str = ""
    #: "bar" or "line".
    kind: str = "bar"
    #: "right" puts the series on the 0–100 % axis on the right.
    axis: str = "left"


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5 or 5 × 10ⁿ that is at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def _number(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def chart(categories, series, title, stacked=False, width=720, height=260, unit=""):
    """The SVG of a chart of ``series`` (a list of ``Series``) over ``categories`` (labels), as a
    safe string. Bars of several series stand side by side, or on top of each other when
    ``stacked``; lines join a point per category. ``unit`` follows values in the tooltips."""
    categories = [str(category) for category in categories]
    count = max(len(categories), 1)
    right = any(item.axis == "right" for item in series)
    left, top, bottom = 44, 28, 30
    margin_right = 44 if right else 12
    plot_width = width - left - margin_right
    plot_height = height - top - bottom
    bars = [item for item in series if item.kind == "bar"]
    lines = [item for item in series if item.kind == "line"]
    colors = {
        id(item): theme_color(item.color or PALETTE[index % len(PALETTE)])
        for index, item in enumerate(series)
    }

    def values(item):
        return [float(item.values[index] or 0) if index < len(item.values) else 0.0 for index in range(count)]

    left_values = [0.0]
    if stacked and bars:
        left_values += [
            sum(column)
            for column in zip(*(values(item) for item in bars if item.axis == "left"), strict=True)
        ]
    else:
        left_values += [value for item in bars if item.axis == "left" for value in values(item)]
    left_values += [value for item in lines if item.axis == "left" for value in values(item)]
    maximum = nice_ceiling(max(left_values))

    def y(value, axis="left"):
        scale = 100 if axis == "right" else maximum
        return top + plot_height - plot_height * min(value, scale) / scale

    band = plot_width / count
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    # Grid and axes.
    for step in range(5):
        value = maximum * step / 4
        line_y = _number(y(value))
        parts.append(
            f'<line x1="{left}" x2="{left + plot_width}" y1="{line_y}" y2="{line_y}" '
            f'stroke="currentColor" stroke-opacity="{0.35 if step == 0 else 0.1}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{line_y}" dy="0.32em" text-anchor="end" font-size="11" '
            f'fill="currentColor">{escape(_label(value))}</text>'
        )
        if right:
            parts.append(
                f'<text x="{left + plot_width + 6}" y="{line_y}" dy="0.32em" font-size="11" '
                f'fill="currentColor">{step * 25}%</text>'
            )
    # Category labels, thinned out so that they do not overlap.
    every = max(1, math.ceil(count / max(1, plot_width // 48)))
    for index, category in enumerate(categories):
        if index % every:
            continue
        parts.append(
            f'<text x="{_number(left + band * (index + 0.5))}" y="{top + plot_height + 16}" '
            f'text-anchor="middle" font-size="11" fill="currentColor">{escape(category)}</text>'
        )
    # Bars.
    group = 1 if stacked else max(len(bars), 1)
    bar_width = band * 0.8 / group
    stack = [0.0] * count
    for position, item in enumerate(bars):
        color = colors[id(item)]
        for index, value in enumerate(values(item)):
            base = stack[index] if stacked else 0.0
            x = left + band * index + band * 0.1 + (0 if stacked else bar_width * position)
            y_top, y_base = y(base + value, item.axis), y(base, item.axis)
            if stacked:
                stack[index] += value
            if value <= 0:
                continue
            name = categories[index] if index < len(categories) else ""
            parts.append(
                f'<rect x="{_number(x)}" y="{_number(y_top)}" width="{_number(bar_width)}" '
                f'height="{_number(y_base - y_top)}" style="fill:{color}" data-value="{_label(value)}">'
                f"<title>{escape(item.name)}, {escape(name)}: {escape(_label(value))}{escape(unit)}</title></rect>"
            )
    # Lines, over the bars.
    for item in lines:
        color = colors[id(item)]
        suffix = "%" if item.axis == "right" else unit
        points = [
            (left + band * (index + 0.5), y(value, item.axis), value)
            for index, value in enumerate(values(item))
        ]
        if len(points) > 1:
            path = " ".join(f"{_number(px)},{_number(py)}" for px, py, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke-width="2" style="stroke:{color}"/>')
        for index, (px, py, value) in enumerate(points):
            name = categories[index] if index < len(categories) else ""
            parts.append(
                f'<circle cx="{_number(px)}" cy="{_number(py)}" r="3" style="fill:{color}" data-value="{_label(value)}">'
                f"<title>{escape(item.name)}, {escape(name)}: {escape(_label(value))}{escape(suffix)}</title></circle>"
            )
    # Legend, top left.
    x = left
    for item in series:
        color = colors[id(item)]
        if item.kind == "line":
            parts.append(
                f'<line x1="{x}" x2="{x + 14}" y1="10" y2="10" stroke-width="2" style="stroke:{color}"/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" style="fill:{color}"/>')
        parts.append(
            f'<text x="{x + 18}" y="10" dy="0.32em" font-size="12" fill="currentColor">{escape(item.name)}</text>'
        )
        x += 30 + 7 * len(item.name)
    parts.append("</svg>")
    # Every text above is escaped.
    return mark_safe("".join(parts))
