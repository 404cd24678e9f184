"""RSS feed of the progress updates of public actions.

Links are on SITE_URL (Django's syndication would take the request's host and scheme, which a
visitor chooses). Feed readers show an item's title and description as HTML: a partner's note,
written in Markdown, goes out as plain text, HTML-escaped once (`R&amp;D`, `&lt;img…&gt;`), so
a reader displays the words and never runs a tag.
"""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import nh3
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from teritoire import identity
from teritoire.templatetags.portal import render_markdown

from ..models import Action, ProgressUpdate, Status

FEED_SIZE = 50
STATUS_LABELS = dict(Status.choices)
# Control characters XML 1.0 cannot carry (a vertical tab pasted from a spreadsheet is enough to
# make the whole feed unserialisable); tab, newline and carriage return are allowed.
XML_ILLEGAL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def xml_text(text):
    return text.translate(XML_ILLEGAL)


def plain_text(markdown_text):
    """A note's Markdown as the words a reader sees, without any tag or entity."""
    stripped = nh3.clean(render_markdown(markdown_text), tags=set())
    return re.sub(r"\n{3,}", "\n\n", html.unescape(stripped)).strip()


def escaped(text):
    """Plain text for a feed reader that reads HTML: escaped once, control characters out."""
    return html.escape(xml_text(text), quote=False)


# A note of a demonstration action says so in the reader, as the pages do.
DEMO_PREFIX = "[Démonstration] "


class ProgressUpdatesFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "fr"

    def title(self):
        return f"Suivi des actions — {identity.site_name()}"

    def description(self):
        site_name = identity.site_name()
        return f"Les dernières notes de suivi des fiches actions publiques du {site_name}."

    def link(self):
        return identity.absolute_url(reverse("actions:list"))

    def feed_url(self):
        return identity.absolute_url(reverse("actions:feed"))

    def items(self):
        return (
            ProgressUpdate.objects.filter(action__in=Action.objects.public())
            .select_related("action")
            .order_by("-date", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        demo = DEMO_PREFIX if item.action.is_demo else ""
        return escaped(f"{demo}{item.action.code} — {item.action.title}")

    def item_description(self, item):
        lines = []
        if item.status_after and item.status_after != item.status_before:
            before = STATUS_LABELS.get(item.status_before, "")
            after = STATUS_LABELS[item.status_after]
            lines.append(f"Statut : {before} → {after}." if before else f"Statut : {after}.")
        if item.progress_after is not None:
            lines.append(f"Avancement : {item.progress_after} %.")
        lines.append(plain_text(item.text))
        return escaped("\n".join(lines))

    def item_link(self, item):
        return identity.absolute_url(f"{item.action.get_absolute_url()}#suivi-{item.pk}")

    def item_guid(self, item):
        return f"suivi-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        # The note's date at noon, Paris time: a date alone is not a valid RSS pubDate.
        return datetime.datetime.combine(
            item.date, datetime.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)
        )

    def item_updateddate(self, item):
        return item.created_at
