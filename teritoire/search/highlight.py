"""The words found, marked in the text shown for a result: every piece of the text is
HTML-escaped, only our own <mark> tags are not.

Markdown texts (descriptions, news, minutes) are shown as plain text in an excerpt around the
first word found.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .terms import WORD, fold

EXCERPT_LENGTH = 220
# Markdown kept as its words: [text](url) → text; a list item after a « · »; heading and quote
# marks, emphasis, table pipes and code ticks dropped.
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_ITEM = re.compile(r"(?m)^\s{0,3}(?:[-*+]|\d+[.)])\s+")
MARKDOWN_MARKS = re.compile(r"(?m)^\s{0,3}(?:#{1,6}|>)\s+|[*_`|]+")
WORD_ANYCASE = re.compile(WORD.pattern)


def plain(text):
    """The words of a Markdown text on one line."""
    text = MARKDOWN_ITEM.sub(" · ", MARKDOWN_LINK.sub(r"\1", text or ""))
    return " ".join(MARKDOWN_MARKS.sub(" ", text).split()).removeprefix("· ")


def _is_found(word, stems):
    parts = fold(word).split("-")
    return any(part.startswith(stem) for part in parts for stem in stems)


def highlight(text, query):
    """`text` escaped, with each word found by `query` in a <mark>."""
    text = text or ""
    if not query:
        return escape(text)
    pieces, last = [], 0
    for match in WORD_ANYCASE.finditer(text):
        if _is_found(match.group(), query.stems):
            pieces += [escape(text[last : match.start()]), "<mark>", escape(match.group())]
            pieces.append("</mark>")
            last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text escaped above


def first_match(text, query):
    """Where the first word found starts in `text`, or None."""
    for match in WORD_ANYCASE.finditer(text):
        if _is_found(match.group(), query.stems):
            return match.start()
    return None


def excerpt(text, query, length=EXCERPT_LENGTH):
    """A passage of `text` (Markdown) around the first word found, highlighted."""
    text = plain(text)
    position = first_match(text, query) if query else None
    start = 0
    if position is not None and position > length // 3:
        start = text.rfind(" ", 0, position - length // 3) + 1
    end = start + length
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    passage = text[start:end]
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    return mark_safe(f"{lead}{highlight(passage, query)}{tail}")  # noqa: S308 - escaped


def has_match(text, query):
    return bool(query) and first_match(plain(text), query) is not None
