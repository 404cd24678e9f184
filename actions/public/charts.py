"""Small inline SVG charts drawn on the server: an indicator's measurements against its target.

The SVG carries role="img" with a <title> and a <desc> that say in words what it shows; the page
also gives the measurements as a table. Only presentation attributes and classes are used (no
style attribute), so the markup passes a Content-Security-Policy without 'unsafe-inline'.
"""

import math
from decimal import Decimal

from django.utils import dateformat, formats
from django.utils.html import escape
from django.utils.safestring import mark_safe

from teritoire.templatetags.portal import number, percent

WIDTH = 340
HEIGHT = 190
LEFT, RIGHT, TOP, BOTTOM = 54, 12, 22, 30


def nice_ticks(low, high, count=4):
    """Round tick values (0, 5, 10, 15…) covering [low, high], at most count + 2 of them."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    return [round(first + i * step, 10) for i in range(round((last - first) / step) + 1)]


def fmt_date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def month_year(value):
    return dateformat.format(value, "m/Y")


def with_unit(value, unit):
    """A French number (no decimals when whole, else two) and its unit."""
    return f"{number(value, 2)} {unit}".strip()


def describe(indicator, measurements):
    """The chart in one French sentence or two (also its <desc>)."""
    unit = indicator.unit
    parts = []
    if measurements:
        first, last = measurements[0], measurements[-1]
        if len(measurements) == 1:
            parts.append(f"Une mesure, le {fmt_date(last.date)} : {with_unit(last.value, unit)}.")
        else:
            parts.append(
                f"{len(measurements)} mesures du {fmt_date(first.date)} au "
                f"{fmt_date(last.date)} ; dernière valeur : {with_unit(last.value, unit)}."
            )
    else:
        parts.append("Aucune mesure pour l'instant.")
    if indicator.baseline is not None:
        parts.append(f"Valeur de départ : {with_unit(indicator.baseline, unit)}.")
    if indicator.target is not None:
        target = f"Cible : {with_unit(indicator.target, unit)}"
        if indicator.target_date:
            target += f" au {fmt_date(indicator.target_date)}"
        parts.append(target + ".")
        if measurements and indicator.target:
            reached = Decimal(measurements[-1].value) / Decimal(indicator.target) * 100
            parts.append(f"Cible atteinte à {percent(reached)}.")
    return " ".join(parts)


def indicator_chart(indicator, measurements, chart_id):
    """An SVG line chart of the measurements, with the target (and baseline) as dashed lines.

    `measurements` is the indicator's measurements in date order. Returns "" when there is
    nothing to draw.
    """
    if not measurements:
        return ""
    ticks, y = value_scale(indicator, measurements)
    start, end, x = date_scale(indicator, measurements)
    out = [
        *chart_heading(indicator, measurements, chart_id),
        *value_grid(ticks, y),
        *date_axis(start, end),
        *reference_lines(indicator, x, y),
        *measurement_series(measurements, x, y),
        "</svg>",
    ]
    return mark_safe("".join(out))  # noqa: S308 - every text below is escaped


def value_scale(indicator, measurements):
    """The ticks of the vertical axis, and the function giving a value's y in the SVG."""
    values = [float(m.value) for m in measurements]
    references = [float(v) for v in (indicator.baseline, indicator.target) if v is not None]
    ticks = nice_ticks(min([0.0, *values, *references]), max([*values, *references]))
    low, high = ticks[0], ticks[-1]
    plot_h = HEIGHT - TOP - BOTTOM

    def y(value):
        return TOP + plot_h * (high - float(value)) / (high - low)

    return ticks, y


def date_scale(indicator, measurements):
    """The first and last dates shown (the target's included), and the function giving a
    date's x in the SVG."""
    dates = [m.date for m in measurements]
    if indicator.target_date and indicator.target is not None:
        dates.append(indicator.target_date)
    start, end = min(dates), max(dates)
    span = (end - start).days or 1
    plot_w = WIDTH - LEFT - RIGHT

    def x(day):
        if start == end:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - start).days / span

    return start, end, x


def chart_heading(indicator, measurements, chart_id):
    """The opening <svg> tag, with its <title> and <desc>."""
    title_id = f"{chart_id}-titre"
    desc_id = f"{chart_id}-desc"
    return [
        f'<svg class="indicator-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(indicator.name)} : évolution des mesures</title>',
        f'<desc id="{desc_id}">{escape(describe(indicator, measurements))}</desc>',
    ]


def value_grid(ticks, y):
    """Horizontal grid, one line per tick, with its value."""
    out = []
    for tick in ticks:
        ty = y(tick)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        )
        out.append(
            f'<text class="tick" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(number(tick, 2))}</text>"
        )
    return out


def date_axis(start, end):
    """The horizontal axis, with the dates at both ends."""
    base = HEIGHT - BOTTOM
    out = [
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>',
        f'<text class="tick" x="{LEFT}" y="{HEIGHT - 10}">{month_year(start)}</text>',
    ]
    if end != start:
        out.append(
            f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 10}" text-anchor="end">'
            f"{month_year(end)}</text>"
        )
    return out


def reference_lines(indicator, x, y):
    """The baseline and the target as dashed lines; the target's date as a mark."""
    out = []
    if indicator.baseline is not None:
        by = y(indicator.baseline)
        out.append(
            f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{by:.1f}" y2="{by:.1f}"/>'
        )
    if indicator.target is not None:
        ty = y(indicator.target)
        out.append(
            f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        )
        out.append(
            f'<text class="target-label" x="{LEFT + 4}" y="{ty - 5:.1f}">'
            f"Cible {escape(number(indicator.target, 2))}</text>"
        )
        if indicator.target_date:
            tx = x(indicator.target_date)
            out.append(f'<path class="target-mark" d="M{tx:.1f} {ty - 5:.1f}l5 5l-5 5l-5 -5z"/>')
    return out


def measurement_series(measurements, x, y):
    """The measurements as points, joined by a line when there are several."""
    out = []
    points = " ".join(f"{x(m.date):.1f},{y(m.value):.1f}" for m in measurements)
    if len(measurements) > 1:
        out.append(f'<polyline class="series" points="{points}"/>')
    for m in measurements:
        out.append(f'<circle class="point" cx="{x(m.date):.1f}" cy="{y(m.value):.1f}" r="3.5"/>')
    return out
