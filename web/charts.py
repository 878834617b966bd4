"""Server-rendered SVG charts (pygal, no JavaScript) for the progress dashboard."""

from __future__ import annotations

import pygal
from pygal.style import Style

from scoring.rubric import DIMENSIONS
from web.content import CATEGORY_LABELS
from web.services.progress import Dashboard

DIMENSION_COLOURS = ("#3548c8", "#c2410c", "#0f766e", "#7e22ce")  # as in site.css
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#e3e6ea",
    colors=DIMENSION_COLOURS,
    font_family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)
# js=[]: pygal would otherwise reference its tooltip script on a CDN; the site works offline.
COMMON = dict(style=STYLE, js=[], disable_xml_declaration=False, width=760, height=340, show_y_guides=True, legend_at_bottom=True, truncate_legend=-1)


def scores_over_time(board: Dashboard) -> bytes:
    """A line per dimension: mean score per active day."""
    chart = pygal.Line(range=(1, 5), dots_size=3, x_label_rotation=30, show_minor_x_labels=False, title="Score per dimension over time", **COMMON)
    labels = [d.day.strftime("%d %b") for d in board.by_day]
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(1, len(labels) // 8)]
    for dimension in DIMENSIONS:
        chart.add(dimension.capitalize(), [round(d.scores[dimension], 2) for d in board.by_day])
    return chart.render()


def attempts_per_category(board: Dashboard) -> bytes:
    """A bar per category: how many answers."""
    chart = pygal.Bar(title="Answers per category", show_legend=False, print_values=True, **COMMON)
    chart.x_labels = [CATEGORY_LABELS[c] for c in board.by_category]
    counts = list(board.by_category.values())
    top = max(counts + [1])
    step = max(1, top // 8)
    chart.y_labels = list(range(0, top + step, step))  # whole answers, not 0.2 steps
    chart.add("Answers", counts)
    return chart.render()


CHARTS = {"scores": scores_over_time, "categories": attempts_per_category}
