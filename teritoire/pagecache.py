"""A cache of rendered public pages, for anonymous visitors, invalidated on every write.

Every cached page is stored under the current *content version*; any write (a model saved or
deleted, a many-to-many change, a successful POST) bumps the version after the transaction
commits, so the next visitor gets a freshly rendered page. The version also serves as the ETag
of public responses (exports and feeds included), so a client that already has the current
version gets a 304.

The cache must be shared by every process that serves the site: it is only switched on when the
default cache is not a per-process one (set CACHE_URL to Redis). With the local-memory default,
the middleware does nothing.

Home-made: Django's cache middleware expires pages only by timeout and never keeps a streamed one.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import quote_etag

VERSION_KEY = "pagecache:version"
EXCLUDED_PREFIXES = (
    "/admin/",
    "/espace-partenaire/",
    "/pilotage/",
    "/static/",
    "/media/",
    "/sante/",
)
# Rows that change on every visit or login and are not shown on public pages.
IGNORED_APPS = {"sessions", "axes", "admin", "contenttypes"}
TIMEOUT = 3600
# A streamed response (an export) is kept once fully sent, if it is no larger than this.
MAX_STREAMED_BYTES = 16 * 1024 * 1024


def enabled():
    return getattr(settings, "PUBLIC_PAGE_CACHE", True) and not isinstance(
        caches["default"], LocMemCache | DummyCache
    )


def current_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_version():
    if not enabled():
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)


def bump_after_commit(**kwargs):
    transaction.on_commit(bump_version)


def on_model_change(sender, **kwargs):
    if sender._meta.app_label not in IGNORED_APPS and not sender.__name__.startswith("Historical"):
        bump_after_commit()


def connect_signals():
    post_save.connect(on_model_change, dispatch_uid="pagecache_save")
    post_delete.connect(on_model_change, dispatch_uid="pagecache_delete")
    m2m_changed.connect(on_model_change, dispatch_uid="pagecache_m2m")


def _is_anonymous(request):
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or "messages" in request.COOKIES
        or request.META.get("HTTP_AUTHORIZATION")
    )


class PublicPageCacheMiddleware:
    """Serves anonymous GETs of public pages from the shared cache; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            # Writes through the site (admin bulk actions use QuerySet.update, which sends no
            # signal) come from logged-in people; anonymous POSTs (login attempts) change nothing.
            user = getattr(request, "user", None)
            if response.status_code < 400 and user is not None and user.is_authenticated:
                bump_version()
            return response
        if request.path.startswith(EXCLUDED_PREFIXES) or not _is_anonymous(request):
            return self.get_response(request)

        version = current_version()
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        etag = quote_etag(f"v{version}-{digest[:12]}")
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        key = f"pagecache:{version}:{digest}"
        response = cache.get(key)
        if response is not None:
            return response
        response = self.get_response(request)
        if response.status_code != 200 or "private" in response.get("Cache-Control", ""):
            return response
        response["ETag"] = etag
        if response.cookies:
            return response
        if response.streaming:
            response.streaming_content = _tee_into_cache(key, response, response.streaming_content)
        else:
            cache.set(key, response, TIMEOUT)
        return response


def _tee_into_cache(key, response, stream):
    """Send the stream as it comes and keep a copy; once complete, cache it as a plain response.

    The export is still generated in a stream the first time (flat memory in the worker); the
    copy is dropped as soon as it passes MAX_STREAMED_BYTES.
    """
    chunks, size, complete = [], 0, True
    for chunk in stream:
        if complete:
            size += len(chunk)
            complete = size <= MAX_STREAMED_BYTES
            if complete:
                chunks.append(chunk)
            else:
                chunks.clear()
        yield chunk
    if complete:
        copy = HttpResponse(b"".join(chunks), status=response.status_code)
        for header, value in response.items():
            copy[header] = value
        cache.set(key, copy, TIMEOUT)
