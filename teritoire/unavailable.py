"""What visitors get when a service the portal depends on is down.

- PostgreSQL unreachable (stopped, restarting, connection lost): `DatabaseUnavailableMiddleware`
  answers a French 503 page (templates/503.html, rendered without touching the database) with
  `Retry-After`, instead of the 500 page; the next request reconnects by itself.
- Redis unreachable: `ForgivingRedisCache` is Django's Redis cache that behaves like Django's
  dummy cache for as long as Redis does not answer (nothing found, nothing kept), so pages are
  rendered afresh instead of failing; short socket timeouts keep a hung Redis from holding a
  worker. Home-made because Django's Redis cache raises on connection errors and has no option
  to degrade, and django-redis (IGNORE_EXCEPTIONS) would replace the cache backend wholesale.
"""

import functools
import logging
import time

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
WARN_EVERY_SECONDS = 10.0  # an outage is logged once per process every 10 s, not per request
_last_warning = {}


def _warn(what, message, *args):
    now = time.monotonic()
    if now - _last_warning.get(what, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
        _last_warning[what] = now
        logger.warning(message, *args)


def database_unavailable_response():
    """The 503 page, rendered without a request: no context processor, hence no query."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged by the middleware as a warning, every 10 s at most: Django would log each 503 of
    # an outage as an error (and mail each one to ADMINS).
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database (OperationalError, InterfaceError raised by a view or while
    rendering its template) into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        _warn("database", "Base de données injoignable, page 503 (%s %s)\u00a0: %s",
              request.method, request.path, exception)  # fmt: skip
        return database_unavailable_response()


def _redis_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache; while Redis does not answer, each call answers as Django's
    DummyCache would (get: the default, add: True, incr: ValueError…), with a warning in the
    log. Default socket timeouts are short (OPTIONS from the settings or CACHE_URL prevail)."""

    DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
    FORGIVEN = ["add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
                "delete_many", "clear"]  # fmt: skip

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**self.DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._dummy = DummyCache("unreachable-redis", params)
        self._errors = _redis_errors()


def _forgiving(name):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except self._errors as error:
            _warn("cache", "Cache Redis injoignable (%s), pages calculées sans cache\u00a0: %s",
                  name, error)  # fmt: skip
            return getattr(self._dummy, name)(*args, **kwargs)

    return call


for _name in ForgivingRedisCache.FORGIVEN:
    setattr(ForgivingRedisCache, _name, _forgiving(_name))
del _name
