"""Template filters shared by every page: safe Markdown, euros and percentages in French."""

from decimal import Decimal, InvalidOperation

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_markdown(text):
    """Markdown rendered, then sanitised: no script, no event attribute, no javascript: link."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.filter(name="markdown")
def markdown_filter(text):
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 above


def format_number(value, decimals=0):
    """French grouping with a narrow no-break space: 1 234 567,50."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


@register.filter
def euros(value, decimals=0):
    """12345.5 -> '12 346 €'; empty for None."""
    if value is None or value == "":
        return ""
    return f"{format_number(value, int(decimals))}\u00a0€"


@register.filter
def number(value, decimals=0):
    if value is None or value == "":
        return ""
    return format_number(value, int(decimals))


@register.filter
def percent(value):
    if value is None or value == "":
        return ""
    return f"{format_number(value)}\u00a0%"
