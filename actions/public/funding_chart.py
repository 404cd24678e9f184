"""The funding chart of /financements/: for each year, four bars (planned, granted, spent, paid).

Inline SVG drawn on the server, like the indicator charts of `charts` (whose tick scale it
reuses): role="img" with a <title> and a <desc> that say what it shows in words, presentation
attributes only (no style attribute, for the Content-Security-Policy), and each bar its own
<title> with its amount. The page gives the same figures as a table.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from teritoire.templatetags.portal import euros

from .charts import nice_ticks
from .funding_figures import AMOUNTS

# One colour per amount, each at least 3:1 against white (WCAG 1.4.11); the legend and the
# table name them, so colour is never the only clue.
COLOURS = {"planned": "#5c6670", "granted": "#1d5fa8", "spent": "#a84300", "paid": "#2e6b30"}
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 78, 10, 14, 30
BAR, GAP, GROUP_GAP = 14, 2, 26


def short_euros(value):
    """A tick label: « 1,2 M€ », « 250 k€ », « 0 € »."""
    value = float(value)
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "\u00a0M€"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.0f}\u00a0k€"
    return f"{value:.0f}\u00a0€"


def describe(years):
    """The chart in French sentences (its <desc>)."""
    parts = []
    for row in years:
        figures = ", ".join(
            f"{label.lower()} {euros(amount) if amount is not None else 'non renseigné'}"
            for (_, label), amount in zip(AMOUNTS, row.amounts, strict=True)
        )
        parts.append(f"{row.year} : {figures}.")
    return " ".join(parts)


def funding_chart(years, chart_id="financements-graphique"):
    """Grouped bars by year; "" when there is no year to draw."""
    if not years:
        return ""
    top = max(float(amount or 0) for row in years for amount in row.amounts)
    ticks = nice_ticks(0.0, top or 1.0)
    high = ticks[-1]
    group = len(AMOUNTS) * (BAR + GAP) - GAP
    width = LEFT + RIGHT + len(years) * (group + GROUP_GAP) + GROUP_GAP
    plot_h = HEIGHT - TOP - BOTTOM

    def y(value):
        return TOP + plot_h * (high - float(value)) / high

    out = [
        f'<svg class="funding-chart" viewBox="0 0 {width} {HEIGHT}" width="{width}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-titre {chart_id}-desc">',
        f'<title id="{chart_id}-titre">Financements par année : prévu, accordé, réalisé, '
        "versé</title>",
        f'<desc id="{chart_id}-desc">{escape(describe(years))}</desc>',
    ]
    for tick in ticks:
        ty = y(tick)
        out.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="#d0d5da" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#3d4750">{escape(short_euros(tick))}</text>'
        )
    for index, row in enumerate(years):
        x0 = LEFT + GROUP_GAP + index * (group + GROUP_GAP)
        for offset, ((key, label), amount) in enumerate(zip(AMOUNTS, row.amounts, strict=True)):
            if amount is None:
                continue
            top_y = y(amount)
            x = x0 + offset * (BAR + GAP)
            out.append(
                f'<rect x="{x}" y="{top_y:.1f}" width="{BAR}" '
                f'height="{max(HEIGHT - BOTTOM - top_y, 0):.1f}" fill="{COLOURS[key]}">'
                f"<title>{row.year}, {label.lower()} : {escape(euros(amount))}</title></rect>"
            )
        out.append(
            f'<text x="{x0 + group / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'font-size="12" fill="#1f2933">{row.year}</text>'
        )
    base = HEIGHT - BOTTOM
    out.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{base}" y2="{base}" stroke="#3d4750"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def legend():
    """The colours of the chart, for the template's legend."""
    return [{"key": key, "label": label, "colour": COLOURS[key]} for key, label in AMOUNTS]
