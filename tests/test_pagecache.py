"""The cache of public pages: served to anonymous visitors, fresh after every write."""

import os
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from teritoire import pagecache
from tests.actions.factories import ActionFactory
from tests.partners.factories import MembershipFactory, StaffFactory
from tests.programme.factories import NewsItemFactory
from tests.redis_database import REDIS_URL

pytestmark = pytest.mark.django_db


def _redis_reachable():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
        return True
    except Exception:
        return False


@pytest.fixture(params=["files", "redis"])
def shared_cache(request, settings, tmp_path):
    if request.param == "redis":
        if not _redis_reachable():
            if os.environ.get("CI"):
                pytest.fail(f"Redis injoignable ({REDIS_URL}) : CI teste le cache contre Redis.")
            pytest.skip("Redis injoignable : test du cache Redis sauté")
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    else:
        backend = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    settings.CACHES = {"default": backend}
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def cache_entries(cache):
    """How many keys the test cache holds (pages and the content version)."""
    if isinstance(cache, RedisCache):
        return cache._cache.get_client().dbsize()
    return len(list(Path(cache._dir).glob("*.djcache")))


def rendered(client, url):
    """Whether the answer was computed (queries ran) rather than served from the cache."""
    with CaptureQueriesContext(connection) as queries:
        body(client.get(url))
    return len(queries) > 0


def test_a_second_visit_is_served_from_the_cache(shared_cache, client, django_assert_num_queries):
    action = ActionFactory(title="Bourse aux locaux")
    url = reverse("actions:detail", args=[action.slug])
    assert "Bourse aux locaux" in client.get(url).content.decode()
    with django_assert_num_queries(0):
        response = client.get(url)
    assert "Bourse aux locaux" in response.content.decode()
    assert response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("shared_cache", ["redis"], indirect=True)
def test_a_cached_page_costs_one_read_of_the_cache(shared_cache, client, monkeypatch):
    """The version and the page come in one round trip (MGET), not one after the other."""
    import redis

    url = reverse("actions:detail", args=[ActionFactory().slug])
    client.get(url)
    commands = []
    original = redis.Redis.execute_command

    def counted(self, *args, **kwargs):
        commands.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    assert client.get(url).status_code == 200
    assert commands == ["MGET"]


def test_a_page_kept_at_an_older_version_is_not_served(shared_cache, client):
    action = ActionFactory(title="Avant")
    url = reverse("actions:detail", args=[action.slug])
    assert rendered(client, url) and not rendered(client, url)
    type(action).objects.filter(pk=action.pk).update(title="Après")  # no signal: a bump alone
    pagecache.bump_version()
    assert rendered(client, url)
    assert "Après" in client.get(url).content.decode()


def test_an_edit_shows_at_once(shared_cache, client, django_capture_on_commit_callbacks):
    action = ActionFactory(title="Titre initial")
    url = reverse("actions:list")
    assert "Titre initial" in client.get(url).content.decode()
    action.title = "Titre corrigé"
    with django_capture_on_commit_callbacks(execute=True):
        action.save()
    assert "Titre corrigé" in client.get(url).content.decode()


def test_a_many_to_many_change_shows_at_once(
    shared_cache, client, django_capture_on_commit_callbacks
):
    membership = MembershipFactory()
    action = ActionFactory()
    url = reverse("actions:detail", args=[action.slug])
    assert membership.organisation.name not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        action.partners.add(membership.organisation)
    assert membership.organisation.name in client.get(url).content.decode()


def test_a_bulk_update_through_the_admin_shows_at_once(shared_cache, client):
    action = ActionFactory(status="in_progress")
    url = reverse("actions:detail", args=[action.slug])
    assert "En cours" in client.get(url).content.decode()
    staff = Client()
    staff.force_login(StaffFactory())
    from actions.models import Action

    # A queryset update sends no signal: the admin POST itself invalidates the pages.
    Action.objects.filter(pk=action.pk).update(status="done")
    staff.post(reverse("admin:actions_action_changelist"), {})
    assert "Réalisée" in client.get(url).content.decode()


def test_logged_in_visitors_are_never_served_from_the_cache(shared_cache, client):
    action = ActionFactory(is_public=False, title="Action privée du pilote")
    membership = MembershipFactory(organisation=action.pilot)
    url = reverse("actions:detail", args=[action.slug])
    assert client.get(url).status_code == 404
    member = Client()
    member.force_login(membership.user)
    assert "Action privée du pilote" in member.get(url).content.decode()
    assert client.get(url).status_code == 404


def test_current_version_answers_304(shared_cache, client, django_capture_on_commit_callbacks):
    ActionFactory()
    url = reverse("actions:open_data")
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        ActionFactory()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_no_cache_with_the_default_local_memory_backend(client):
    action = ActionFactory()
    url = reverse("actions:detail", args=[action.slug])
    client.get(url)
    response = client.get(url)
    assert "ETag" not in response


def test_an_export_is_streamed_then_served_whole_from_the_cache(
    shared_cache, client, django_assert_num_queries
):
    ActionFactory(title="Action exportée")
    url = "/donnees/actions.csv"
    first = client.get(url)
    assert first.streaming
    streamed = b"".join(first.streaming_content)
    assert "Action exportée" in streamed.decode()
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == streamed
    assert second["Content-Disposition"] == first["Content-Disposition"]


# Issue 16, item 12: junk query strings must not fill the cache, nor huge responses.

JUNK = [
    *(f"/actions/export.csv?_={n}" for n in range(40)),  # unknown parameter (a cache buster)
    *(f"/actions/export.csv?statut=faux{n}" for n in range(40)),  # invalid value of a filter
    *(f"/actions/export.csv?q=recherche{n}" for n in range(30)),  # a search: served fresh
    *(f"/actions/export.xlsx?utm_source=lettre{n}" for n in range(10)),
    *(f"/actions/?tri=code&tri=code{'&tri=code' * n}" for n in range(10)),  # repeated
    *(f"/actions/?page={n + 2}" for n in range(20)),  # past the last page: page 1 shown
    *(f"/actions/?page=0{n}" for n in range(10)),  # page 1 under another spelling
    *(f"/actions/?axe=inconnu{n}" for n in range(20)),
    *(f"/donnees/actions.csv?format={n}" for n in range(20)),
]


@pytest.mark.parametrize("shared_cache", ["redis"], indirect=True)  # 200 requests: once
def test_junk_query_strings_add_no_cache_entry(shared_cache, client):
    assert len(JUNK) == 200
    ActionFactory(title="Action exportée")
    body(client.get("/actions/export.csv"))
    before = cache_entries(shared_cache)
    for url in JUNK:
        response = client.get(url)
        assert response.status_code == 200, url
        body(response)
    assert cache_entries(shared_cache) == before


@pytest.mark.parametrize(
    "url",
    [
        "/actions/export.csv?statut=in_progress",
        "/actions/export.xlsx?statut=in_progress&tri=-budget&q=",
        "/actions/?q=&axe=&statut=in_progress&tri=titre",
        "/actions/?page=1",
    ],
)
def test_a_known_filter_is_cached(shared_cache, client, url):
    ActionFactory(title="Action exportée")
    pagecache.current_version()  # the version key exists: count the pages alone
    before = cache_entries(shared_cache)
    assert rendered(client, url)
    assert cache_entries(shared_cache) == before + 1
    assert not rendered(client, url)


@pytest.mark.parametrize("url", ["/donnees/actions.csv", "/actions/"])
def test_a_response_above_the_size_cap_is_served_not_kept(shared_cache, client, settings, url):
    settings.PUBLIC_PAGE_CACHE_MAX_BYTES = 200
    ActionFactory.create_batch(3)
    first = client.get(url)
    assert len(body(first)) > 200
    assert rendered(client, url)
    settings.PUBLIC_PAGE_CACHE_MAX_BYTES = 10 * 1024 * 1024
    assert rendered(client, url)
    assert not rendered(client, url)


# Issue 16, item 9: `restore` writes no row through the models, so no signal bumps the version.


@pytest.mark.django_db(transaction=True)
def test_restore_drops_the_pages_cached_before_it(shared_cache, client, tmp_path):
    action = ActionFactory(title="Titre sauvegardé")
    call_command("backup", output_dir=str(tmp_path))
    dump = next(tmp_path.glob("base-*"))
    action.title = "Titre modifié après la sauvegarde"
    action.save()
    url = reverse("actions:detail", args=[action.slug])
    assert "Titre modifié après la sauvegarde" in client.get(url).content.decode()

    connection.close()
    call_command("restore", str(dump))
    page = client.get(url).content.decode()
    assert "Titre sauvegardé" in page
    assert "Titre modifié après la sauvegarde" not in page


def test_a_news_page_is_cached_under_its_number_only(shared_cache, client):
    NewsItemFactory()
    pagecache.current_version()
    before = cache_entries(shared_cache)
    assert rendered(client, "/actualites/?page=1")
    assert not rendered(client, "/actualites/?page=1")
    for junk in ("/actualites/?page=abc", "/actualites/?page=99", "/actualites/?page=01"):
        assert rendered(client, junk)
        assert rendered(client, junk)
    assert cache_entries(shared_cache) == before + 1
