"""Template filters shared by every page: safe Markdown, and numbers, euros, percentages and
dates in French, written by Django's own formats (`django.utils.formats`, the `fr` locale).

What Django leaves to us is only French typography: « 1er » for the first day of a month and
« de » elided or contracted before a name (« d'Amboise », « de l'AICR », « du Département »).
"""

import functools
import re
from decimal import Decimal, InvalidOperation

import markdown as markdown_lib
import nh3
from django import template
from django.utils import dateformat, formats
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


@functools.lru_cache(maxsize=1024)
def render_markdown(text):
    """Markdown rendered, then sanitised: no script, no event attribute, no javascript: link.
    A text's HTML is kept for the next page that shows it (the same text gives the same HTML):
    Markdown costs a page more than its queries."""
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


def to_decimal(value):
    """The value as a finite Decimal, or None when it is not a number (None, "", "abc", NaN)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value, decimals=0):
    """Rounded to `decimals` places and grouped by Django's locale: « 1 234 567,50 » in French.

    Empty for what is not a number. Django cuts the extra decimals, so the value is rounded first
    (half to even, as Python's own formatting did).
    """
    number = to_decimal(value)
    if number is None:
        return ""
    decimals = int(decimals)
    try:
        number = number.quantize(Decimal(1).scaleb(-decimals))
    except InvalidOperation:  # more digits than the decimal context holds
        return ""
    if number == 0:
        number = abs(number)  # no « -0 »
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


@register.filter
def euros(value, decimals=0):
    """12345.5 -> « 12 346 € » (no-break spaces); empty for None or what is not a number."""
    text = format_number(value, decimals)
    return f"{text}\u00a0€" if text else ""


@register.filter
def number(value, decimals=0):
    """A grouped number with at most `decimals` places, none when it is whole.

    {{ 1234|number }} -> « 1 234 » ; {{ 18|number:2 }} -> « 18 », a count never shows « 18,00 » ;
    {{ 12.5|number:2 }} -> « 12,50 ».
    """
    quantity = to_decimal(value)
    if quantity is None:
        return ""
    whole = quantity == quantity.to_integral_value()
    return format_number(quantity, 0 if whole else decimals)


@register.filter
def percent(value, decimals=0):
    """45.5 -> « 46 % » (no-break space before the sign); empty for None."""
    text = format_number(value, decimals)
    return f"{text}\u00a0%" if text else ""


def date_fr(value, format_name=None):
    """Django's date format, with the first day of a month written « 1er ».

    `format_name` is a Django format (« j F Y ») or a setting name (« DATE_FORMAT », the default):
    1 December 2024 -> « 1er décembre 2024 », 2 December -> « 2 décembre 2024 ». A datetime is
    printed as given; the template filter first turns it to local time, as |date does.
    """
    if value is None or value == "":
        return ""
    fmt = formats.get_format(format_name or "DATE_FORMAT")
    if getattr(value, "day", None) == 1:
        fmt = re.sub(r"(?<!\\)j", r"j\\e\\r", fmt)  # « j » not escaped -> « 1er »
    try:
        return dateformat.format(value, fmt)
    except AttributeError:  # not a date
        return ""


register.filter("date_fr", date_fr, expects_localtime=True)


VOWELS = "aeiouyàâäéèêëîïôöùûüÿœæ"
# Words in « h » that take no elision (h aspiré) among those a place or body may start with.
ASPIRATED_H = ("hall", "hameau", "hangar", "handicap", "haut", "hauss", "hérisson", "hongr")
ARTICLE_IN_NAME = re.compile(r"(le|les)\s+(?=\S)", re.IGNORECASE)


def takes_elision(word):
    """Whether « de », « le », « la » lose their vowel before `word`: vowel or mute h."""
    lower = word.lower()
    if lower[:1] == "y":  # « d'Yzeures », but « de Yaoundé »
        return len(lower) > 1 and lower[1] not in VOWELS
    if lower[:1] == "h":
        return not lower.startswith(ASPIRATED_H)
    return lower[:1] in VOWELS


def de(name, article=""):
    """« de » before a name, elided or contracted as French writes it.

    Without an article: « d'Amboise », « de Tours », « du Mans » (« Le Mans »), « des Mureaux ».
    With the article the name takes (« le », « la », « les » or « l' »): de("AICR", "l'") and
    de("AICR", "la") -> « de l'AICR », de("Région Centre-Val de Loire", "la") -> « de la Région
    Centre-Val de Loire », de("Département", "le") -> « du Département ». Empty for an empty name.
    """
    name = str(name or "").strip()
    if not name:
        return ""
    article = (article or "").strip().lower().replace("’", "'")
    if article in ("le", "la", "l'") and takes_elision(name):
        return f"de l'{name}"
    if article in ("le", "la", "les"):
        return {"le": "du", "la": "de la", "les": "des"}[article] + f" {name}"
    if article == "l'":
        return f"de l'{name}"
    contracted = ARTICLE_IN_NAME.match(name)
    if contracted:  # « Le Mans » -> « du Mans », « Les Mureaux » -> « des Mureaux »
        rest = name[contracted.end() :]
        return ("du " if contracted.group(1).lower() == "le" else "des ") + rest
    if takes_elision(name):
        return f"d'{name}"
    return f"de {name}"


register.filter("de", de)


# The main navigation: which entry a page belongs to (by its URL's namespace and name), and the
# page that is the entry itself (aria-current="page"; the others of its section get "true").
NAV_SECTIONS = {
    ("", "home"): "home",
    ("programme", "territory"): "territory",
    ("programme", "intercommunality"): "territory",
    ("programme", "axis"): "actions",
    ("programme", "copil_list"): "copil",
    ("programme", "copil_detail"): "copil",
    ("programme", "decision_list"): "copil",
    ("programme", "news_list"): "news",
    ("programme", "news_detail"): "news",
    ("actions", "firms"): "firms",
    ("actions", "need"): "firms",
    ("actions", "open_data"): "open_data",
    ("actions", "plans"): "copil",
    ("actions", "plan"): "copil",
}
NAV_ENTRY_PAGES = {
    "home": "home",
    "territory": "territory",
    "actions": "list",
    "firms": "firms",
    "directory": "list",
    "copil": "copil_list",
    "news": "news_list",
    "open_data": "open_data",
}


@register.simple_tag
def nav_current(match, section):
    """` aria-current="page"` on a section's own entry page, ` aria-current="true"` on the other
    pages of its section (`{% nav_current request.resolver_match "copil" %}`)."""
    if match is None:
        return ""
    namespace, name = match.namespace or "", match.url_name
    found = NAV_SECTIONS.get((namespace, name))
    if found is None and namespace == "actions":
        found = "copil" if (name or "").startswith("copil_") else "actions"
    elif found is None and namespace == "directory":
        found = "directory"
    if found != section:
        return ""
    current = "page" if name == NAV_ENTRY_PAGES[section] else "true"
    return mark_safe(f' aria-current="{current}"')
