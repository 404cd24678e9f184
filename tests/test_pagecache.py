"""The cache of public pages: served to anonymous visitors, fresh after every write."""

import os

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.actions.factories import ActionFactory
from tests.partners.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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


def test_a_second_visit_is_served_from_the_cache(shared_cache, client, django_assert_num_queries):
    action = ActionFactory(title="Bourse aux locaux")
    url = reverse("actions:detail", args=[action.slug])
    assert "Bourse aux locaux" in client.get(url).content.decode()
    with django_assert_num_queries(0):
        response = client.get(url)
    assert "Bourse aux locaux" in response.content.decode()
    assert response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


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
