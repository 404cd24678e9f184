"""sitemap.xml: the public pages, actions, news, axes, intercommunalities, partners, firms'
needs, COPIL.

Each section returns a list rather than a queryset: the sitemap's paginator then takes its
length instead of running a COUNT, so the whole sitemap costs one query per section.

The addresses are on SITE_URL: Django's sitemap view would take the scheme and host of the
request, which a visitor chooses (and the page cache would keep their choice for everyone).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import sitemaps
from django.urls import reverse

from partners.models import Need, Organisation
from programme.models import Axis, CopilMeeting, Intercommunality, NewsItem

from ..models import Action

STATIC_PAGES = [
    ("home", 1.0),
    ("actions:list", 0.9),
    ("actions:firms", 0.9),
    ("actions:map", 0.6),
    ("actions:timeline", 0.6),
    ("actions:plans", 0.6),
    ("programme:decision_list", 0.6),
    ("programme:territory", 0.8),
    ("directory:list", 0.7),
    ("programme:copil_list", 0.7),
    ("programme:news_list", 0.7),
    ("actions:open_data", 0.6),
    ("legal", 0.1),
    ("accessibility", 0.1),
]


class Sitemap(sitemaps.Sitemap):
    """A section whose URLs start with SITE_URL, whatever the request said."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return STATIC_PAGES

    def location(self, item):
        return reverse(item[0])

    def priority(self, item):
        return item[1]


class ActionSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return list(Action.objects.public().only("slug", "updated_at").order_by("code_sort", "pk"))

    def lastmod(self, action):
        return action.updated_at


class NewsSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return list(NewsItem.objects.published().only("slug", "published_on"))

    def lastmod(self, item):
        return item.published_on


class AxisSitemap(Sitemap):
    priority = 0.7

    def items(self):
        return list(Axis.objects.only("slug").order_by("phase__number", "number"))


class IntercommunalitySitemap(Sitemap):
    priority = 0.6

    def items(self):
        return list(Intercommunality.objects.only("slug").order_by("name"))


class OrganisationSitemap(Sitemap):
    priority = 0.5

    def items(self):
        return list(Organisation.objects.only("slug", "updated_at").order_by("name"))

    def lastmod(self, organisation):
        return organisation.updated_at


class NeedSitemap(Sitemap):
    """The firms' door, one page per need."""

    priority = 0.8

    def items(self):
        return list(Need.objects.only("slug"))

    def location(self, need):
        return reverse("actions:need", args=[need.slug])


class CopilSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return list(CopilMeeting.objects.public().only("pk").order_by("-date", "pk"))


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "actions": ActionSitemap,
    "actualites": NewsSitemap,
    "axes": AxisSitemap,
    "territoire": IntercommunalitySitemap,
    "partenaires": OrganisationSitemap,
    "entreprises": NeedSitemap,
    "copil": CopilSitemap,
}
