"""The inline SVG charts (qualitas/framework/ui/charts.py)."""

import re
from xml.etree import ElementTree

import pytest

from qualitas.framework.ui.charts import Series, chart, nice_ceiling, theme_color

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ElementTree.fromstring(str(svg))


def bars(svg):
    return [
        (float(rect.get("height")), rect.get("data-value"), rect.findtext(f"{SVG}title"))
        for rect in parse(svg).iter(f"{SVG}rect")
        if rect.get("data-value") is not None
    ]


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (-3, 1), (0.7, 1), (1, 1), (3, 5), (7, 10), (11, 20), (24, 25), (26, 50), (100, 100)],
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_bars_are_drawn_to_scale():
    # Plot height 260 - 28 - 30 = 202; the axis runs to nice_ceiling(4) = 5.
    svg = chart(["A", "B", "C"], [Series("Defects", [1, 4, 0])], title="Defects")
    assert bars(svg) == [
        (40.4, "1", "Defects, A: 1"),
        (161.6, "4", "Defects, B: 4"),
    ]  # no bar for 0


def test_stacked_bars_share_one_axis():
    svg = chart(
        ["0–7 days", "8–30 days"],
        [Series("Critical", [2, 1], color="danger"), Series("Minor", [3, 0], color="info")],
        title="Ageing",
        stacked=True,
    )
    heights = [height for height, _value, _title in bars(svg)]
    # The tallest stack (5) fills the axis: 2/5 and 3/5 of 202, then 1/5.
    assert heights == [80.8, 40.4, 121.2]
    root = parse(svg)
    rects = [rect for rect in root.iter(f"{SVG}rect") if rect.get("data-value")]
    assert rects[0].get("x") == rects[2].get("x"), "stacked bars stand on the same place"
    assert "var(--bs-danger, #dc3545)" in rects[0].get("style")


def test_side_by_side_bars():
    svg = chart(["A"], [Series("One", [1]), Series("Two", [1])], title="Side by side")
    rects = [rect for rect in parse(svg).iter(f"{SVG}rect") if rect.get("data-value")]
    assert float(rects[1].get("x")) > float(rects[0].get("x"))


def test_a_percentage_line_on_the_right_axis():
    svg = chart(
        ["SCR", "BUR"],
        [Series("Quantity", [5, 3]), Series("Cumulative %", [62.5, 100], kind="line", axis="right")],
        title="Pareto",
    )
    root = parse(svg)
    points = [(circle.get("data-value"), float(circle.get("cy"))) for circle in root.iter(f"{SVG}circle")]
    # 100 % is the top of the plot (y 28), 62.5 % is 62.5 % of the way up from the bottom (y 230).
    assert points == [("62.5", pytest.approx(230 - 0.625 * 202, abs=0.06)), ("100", 28.0)]
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "100%" in texts and "0%" in texts
    assert root.find(f"{SVG}polyline") is not None


def test_text_is_escaped():
    svg = str(chart(["<b>bold</b>"], [Series("A & B", [1])], title='Say "hi" <script>'))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;bold&lt;/b&gt;" in svg and "A &amp; B" in svg
    parse(svg)  # well-formed


def test_nothing_to_draw():
    svg = chart([], [Series("Nothing", [])], title="Empty")
    assert bars(svg) == []
    assert parse(svg).findtext(f"{SVG}title") == "Empty"


def test_many_categories_are_labelled_sparsely():
    labels = [f"W{index}" for index in range(52)]
    svg = chart(labels, [Series("Opened", list(range(52)), kind="line")], title="A year")
    shown = [text.text for text in parse(svg).iter(f"{SVG}text") if re.fullmatch(r"W\d+", text.text or "")]
    assert shown[0] == "W0" and 8 <= len(shown) <= 14


def test_theme_colors():
    assert theme_color("warning") == "var(--bs-warning, #ffc107)"
    assert theme_color("#123456") == "#123456"
