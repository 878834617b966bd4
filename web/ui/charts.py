"""Server-rendered SVG charts (pygal, no JavaScript) for the progress dashboard."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

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
    value_font_size=12,
    value_label_font_size=12,
    tooltip_font_size=12,
)
# js=[]: pygal would otherwise reference its tooltip script on a CDN; the site works offline.
COMMON = dict(style=STYLE, js=[], disable_xml_declaration=False, show_y_guides=True, legend_at_bottom=True, truncate_legend=-1)
# The SVG scales to its box: drawn 760 wide and shown 350 wide on a phone, 12-unit labels would be
# 5 px. Phones get a chart drawn at about the size it is shown, so its labels stay readable.
SIZES = {"wide": dict(width=760, height=340), "narrow": dict(width=360, height=320)}


# pygal takes ~70 ms for 90 days x 4 lines, and the figures change only when the user answers:
# each SVG is cached by exactly the data it draws, so a repeat view costs one query and a lookup.
CACHE_SIZE = 512


def scores_over_time(board: Dashboard, size: str = "wide") -> bytes:
    """A line per dimension: mean score per active day."""
    series = tuple((d.day, tuple(round(d.scores[dim], 2) for dim in DIMENSIONS)) for d in board.by_day)
    return _scores_svg(series, size)


@lru_cache(maxsize=CACHE_SIZE)
def _scores_svg(series: tuple[tuple[date, tuple[float, ...]], ...], size: str) -> bytes:
    chart = pygal.Line(range=(1, 5), dots_size=3, x_label_rotation=30, show_minor_x_labels=False, title="Score per dimension over time",
                       **COMMON, **SIZES[size])
    labels = [day.strftime("%d %b") for day, _ in series]
    chart.x_labels = labels
    most = 8 if size == "wide" else 4
    chart.x_labels_major = labels[:: max(1, len(labels) // most)]
    for i, dimension in enumerate(DIMENSIONS):
        chart.add(dimension.capitalize(), [scores[i] for _, scores in series])
    return chart.render()


def attempts_per_category(board: Dashboard, size: str = "wide") -> bytes:
    """A bar per category: how many answers."""
    return _categories_svg(tuple(board.by_category.items()), size)


@lru_cache(maxsize=CACHE_SIZE)
def _categories_svg(counts_by_category: tuple[tuple[str, int], ...], size: str) -> bytes:
    # Category names are long for a phone's width: slanted there so they do not overlap.
    chart = pygal.Bar(title="Answers per category", show_legend=False, print_values=True,
                      x_label_rotation=0 if size == "wide" else 35, **COMMON, **SIZES[size])
    chart.x_labels = [CATEGORY_LABELS[c] for c, _ in counts_by_category]
    counts = [n for _, n in counts_by_category]
    top = max(counts + [1])
    step = max(1, top // 8)
    chart.y_labels = list(range(0, top + step, step))  # whole answers, not 0.2 steps
    chart.add("Answers", counts)
    return chart.render()


CHARTS = {"scores": scores_over_time, "categories": attempts_per_category}
