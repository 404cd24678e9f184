"""A cache of rendered public pages, for anonymous visitors, invalidated on every write.

Every cached page is stored with the *content version* it was rendered at; any write (a model
saved or deleted, a many-to-many change, a successful POST) bumps the version after the
transaction commits, so the next visitor gets a freshly rendered page. The version and the page
are read in one round trip to the cache (a page stored at an older version is a miss). The
version also serves as the ETag of public responses (exports and feeds included), so a client
that already has the current version gets a 304.

The cache must be shared by every process that serves the site: it is only switched on when the
default cache is not a per-process one (set CACHE_URL to Redis). With the local-memory default,
the middleware does nothing.

What a visitor sends must not let them fill the cache or poison others' copies: the key holds the
scheme and host of the request besides its path (absolute URLs come from SITE_URL anyway); a
response is kept only when every query parameter is one the view declares (`cache_params`, or a
django-filter FilterView's filters and page), given once and valid, and when it is no larger than
PUBLIC_PAGE_CACHE_MAX_BYTES. Anything else is served, not stored.

Home-made: Django's cache middleware expires pages only by timeout and never keeps a streamed one.
"""

import hashlib
from typing import NamedTuple

import django_filters
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
# A response larger than this (a whole export) is served but not kept.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


def max_bytes():
    return getattr(settings, "PUBLIC_PAGE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)


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


class Params(NamedTuple):
    """The query parameters a view reads; a free-text one (a search) is kept only when empty."""

    names: frozenset
    free_text: frozenset = frozenset()


NO_PARAMS = Params(frozenset())


def cache_params(*names, free_text=(), filterset=None):
    """Declare the query parameters a public view reads, for the page cache (see `_storable`):
    the given names, free-text ones, and the filters of a django-filter FilterSet."""
    params = Params(frozenset(names) | set(free_text), frozenset(free_text))
    if filterset is not None:
        params = _merge(params, filter_params(filterset))

    def decorate(view):
        view.pagecache_params = params
        return view

    return decorate


def filter_params(filterset_class, *extra):
    """The parameters of a django-filter FilterSet: its filters, text ones as free text."""
    filters = filterset_class.base_filters
    text = {name for name, f in filters.items() if isinstance(f, django_filters.CharFilter)}
    return Params(frozenset(filters) | set(extra), frozenset(text))


def _merge(first, second):
    return Params(first.names | second.names, first.free_text | second.free_text)


def do_not_store(request):
    """For a view that finds a parameter's value invalid: the answer is served, not kept."""
    request.pagecache_no_store = True


def _declared_params(view):
    params = getattr(view, "pagecache_params", None)
    if params is not None:
        return params
    view_class = getattr(view, "view_class", None)
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is None:
        return NO_PARAMS
    extra = [view_class.page_kwarg] if getattr(view_class, "paginate_by", None) else []
    return filter_params(filterset_class, *extra)


def _query_is_declared(query, params):
    for name, values in query.lists():
        if name not in params.names or len(values) > 1:
            return False
        if name in params.free_text and values[0]:
            return False
    return True


def _context_is_valid(request, response):
    """A FilterView page: every filter value validated, and the page shown is the one asked."""
    context = getattr(response, "context_data", None) or {}
    filterset = context.get("filter")
    if isinstance(filterset, django_filters.FilterSet) and not filterset.is_valid():
        return False
    view_class = getattr(request.resolver_match.func, "view_class", None)
    page_kwarg = getattr(view_class, "page_kwarg", None)
    if page_kwarg and page_kwarg in request.GET:
        page = context.get("page_obj")
        return page is not None and str(page.number) == request.GET[page_kwarg]
    return True


def _storable(request, response):
    """Whether the answer to this request may be kept for other visitors."""
    if getattr(request, "pagecache_no_store", False) or request.resolver_match is None:
        return False
    params = _declared_params(request.resolver_match.func)
    return _query_is_declared(request.GET, params) and _context_is_valid(request, response)


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

        # Scheme and host too: a response built from them (a missed absolute URL) stays theirs.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        key = f"pagecache:page:{digest}"
        if_none_match = request.headers.get("If-None-Match", "")
        # One round trip to the cache for the version and the page, which is kept with the
        # version it was rendered at: a page of an older version is a miss.
        version, stored = (current_version(), None) if if_none_match else _version_and_page(key)
        etag = quote_etag(f"v{version}-{digest[:12]}")
        if etag in if_none_match:
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        if stored is not None and stored[0] == version:
            return stored[1]
        response = self.get_response(request)
        if response.status_code != 200 or "private" in response.get("Cache-Control", ""):
            return response
        response["ETag"] = etag
        if response.cookies or not _storable(request, response):
            return response
        if response.streaming:
            response.streaming_content = _tee_into_cache(
                key, version, response, response.streaming_content
            )
        elif len(response.content) <= max_bytes():
            cache.set(key, (version, response), TIMEOUT)
        return response


def _version_and_page(key):
    """(current version, (version, response) stored under `key` or None), read together."""
    found = cache.get_many([VERSION_KEY, key])
    if VERSION_KEY not in found:
        return current_version(), None
    return found[VERSION_KEY], found.get(key)


def _tee_into_cache(key, version, response, stream):
    """Send the stream as it comes and keep a copy; once complete, cache it as a plain response.

    The export is still generated in a stream the first time (flat memory in the worker); the
    copy is dropped as soon as it passes max_bytes().
    """
    chunks, size, complete, limit = [], 0, True, max_bytes()
    for chunk in stream:
        if complete:
            size += len(chunk)
            complete = size <= limit
            if complete:
                chunks.append(chunk)
            else:
                chunks.clear()
        yield chunk
    if complete:
        copy = HttpResponse(b"".join(chunks), status=response.status_code)
        for header, value in response.items():
            copy[header] = value
        cache.set(key, (version, copy), TIMEOUT)
