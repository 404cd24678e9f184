"""Issue 16, multi-server setup with faults: while Redis is down or hung, public pages are
rendered afresh and writes go through (teritoire/unavailable.ForgivingRedisCache); Django's
Redis cache raised on every call, so every anonymous visitor got the 500 page."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse

from actions.models import ProgressUpdate
from teritoire import pagecache
from tests.actions.factories import ActionFactory
from tests.partners.factories import MembershipFactory
from tests.redis_database import REDIS_URL

pytestmark = pytest.mark.django_db

FORGIVING = "teritoire.unavailable.ForgivingRedisCache"


@pytest.fixture
def closed_port():
    """A port nothing listens on: Redis stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hung_port():
    """A port that accepts connections and never answers: Redis hung or a lost network."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def use_redis(settings, port, **options):
    location = f"redis://127.0.0.1:{port}/5"
    settings.CACHES = {"default": {"BACKEND": FORGIVING, "LOCATION": location, "OPTIONS": options}}
    assert pagecache.enabled()  # the page cache is on: it meets the unreachable Redis


class TestRedisDown:
    def test_an_anonymous_visitor_gets_the_page(self, client, settings, closed_port):
        use_redis(settings, closed_port)
        ActionFactory(title="Bourse aux locaux")
        for _ in range(2):
            response = client.get(reverse("actions:list"))
            assert response.status_code == 200
            assert "Bourse aux locaux" in response.content.decode()

    def test_a_partner_s_note_is_saved(
        self, client, settings, closed_port, django_capture_on_commit_callbacks
    ):
        use_redis(settings, closed_port)
        membership = MembershipFactory()
        action = ActionFactory(pilot=membership.organisation)
        client.force_login(membership.user)
        with django_capture_on_commit_callbacks(execute=True):  # the version bump meets Redis
            response = client.post(
                reverse("space:update_create", args=[action.pk]),
                {"date": "2025-03-01", "text": "Point d'étape sans cache."},
            )
        assert response.status_code == 302
        assert ProgressUpdate.objects.filter(action=action).count() == 1

    def test_a_hung_redis_does_not_hold_the_page(self, client, settings, hung_port):
        # A fifth of the default socket timeout keeps the test short; the default's own bound
        # is checked below.
        use_redis(settings, hung_port, socket_timeout=0.2)
        ActionFactory(title="Bourse aux locaux")
        started = time.monotonic()
        response = client.get(reverse("actions:list"))
        assert response.status_code == 200
        # a few cache calls, each given up after the socket timeout (not Redis's none)
        assert time.monotonic() - started < 2

    def test_the_default_timeouts_are_short(self, settings, hung_port):
        use_redis(settings, hung_port)
        options = caches["default"]._options
        assert options["socket_connect_timeout"] <= 0.5
        assert options["socket_timeout"] <= 1.0


def test_a_reachable_redis_is_used_as_a_cache(settings):
    settings.CACHES = {"default": {"BACKEND": FORGIVING, "LOCATION": REDIS_URL}}
    cache = caches["default"]
    try:
        cache.set("unavailable-test", 41)
    except Exception:  # pragma: no cover - the machine has no Redis
        pytest.skip("Redis injoignable")
    assert cache.incr("unavailable-test") == 42
    cache.delete("unavailable-test")


def test_a_redis_cache_url_gives_the_forgiving_cache():
    """The settings turn CACHE_URL=redis://… into the forgiving cache (production as tests)."""
    env = {
        **os.environ,  # DJANGO_SETTINGS_MODULE included (pytest-django sets it)
        "DJANGO_SECRET_KEY": "x",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env, capture_output=True, text=True, check=True, cwd=django_settings.BASE_DIR,
    )  # fmt: skip
    assert result.stdout.strip() == FORGIVING
