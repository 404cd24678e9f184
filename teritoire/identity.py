"""Who the portal is about: the `programme.Territory` row, read at most once per request.

Pages (through `teritoire.context_processors.site`), e-mails, open-data files and the feed name the
territory from its row, never from code. The model is looked up through the app registry, so that
the apps below `programme` (partners) can name the territory in their e-mails too. During a request
the row is read once and kept (`request_started` opens the memo, `request_finished` closes it; a
save or delete of a territory empties it); outside a request, in a management command or a test, it
is read each time.
"""

import threading

from django.apps import apps
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save

GENERIC_NAME = "Territoire d'industrie"
GENERIC_SLUG = "territoire"
TERRITORY = "programme.Territory"

_UNSET = object()
_memo = threading.local()


def _open(**kwargs):
    _memo.active = True
    _memo.territory = _UNSET


def _close(**kwargs):
    _memo.active = False
    _memo.territory = _UNSET


def _forget(**kwargs):
    _memo.territory = _UNSET


def connect_signals():
    request_started.connect(_open, dispatch_uid="territory_identity_open")
    request_finished.connect(_close, dispatch_uid="territory_identity_close")
    post_save.connect(_forget, sender=TERRITORY, dispatch_uid="territory_identity_save")
    post_delete.connect(_forget, sender=TERRITORY, dispatch_uid="territory_identity_delete")


def remembered():
    """The territory already read during this request, or None; never touches the database."""
    territory = getattr(_memo, "territory", _UNSET)
    return None if territory is _UNSET else territory


def current_territory(queryset=None):
    """The portal's territory (the first row), or None before any reference data is loaded.

    `queryset` lets a caller read it with annotations of its own, in the same query.
    """
    active = getattr(_memo, "active", False)
    if active and getattr(_memo, "territory", _UNSET) is not _UNSET:
        return _memo.territory
    if queryset is None:
        queryset = apps.get_model(TERRITORY).objects.all()
    territory = queryset.order_by("pk").first()
    if active:
        _memo.territory = territory
    return territory


def site_name():
    """The full name (« Territoire d'industrie » + name), or the programme's name alone."""
    territory = current_territory()
    return territory.full_name if territory else GENERIC_NAME


def publisher():
    """Who publishes the open data."""
    territory = current_territory()
    return territory.publisher_name if territory else GENERIC_NAME


def slug():
    """The territory's slug, for file names (« actions-grand-est-touraine.csv »)."""
    territory = current_territory()
    return territory.slug if territory else GENERIC_SLUG


def email_context():
    """What an e-mail template needs to name the territory, as the pages' context processor does."""
    territory = current_territory()
    return {
        "site_name": territory.full_name if territory else GENERIC_NAME,
        "site_short_name": territory.name if territory else GENERIC_NAME,
    }


def site_url():
    """The site's public address, `SITE_URL` without its trailing slash: the only source of
    absolute links (e-mails, feeds, sitemap, open data), never the Host a request claimed."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path):
    """`path` on the site's public address."""
    return site_url() + path
