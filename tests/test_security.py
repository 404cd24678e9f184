"""Security headers, login throttling, sessions and CSRF."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.actions.factories import ActionFactory
from tests.partners.factories import MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-2024"


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_headers_on_a_public_page(client):
    assert_security_headers(client.get(reverse("home")))


def test_headers_on_a_partner_page(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.get(reverse("space:dashboard"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_headers_on_an_admin_page(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_security_headers(response)


def login(client, email, password, url_name="partners:login"):
    field = {"partners:login": "username", "admin:login": "username"}[url_name]
    return client.post(reverse(url_name), {field: email, "password": password})


@pytest.mark.parametrize("url_name", ["partners:login", "admin:login"])
def test_five_failures_lock_the_account_for_fifteen_minutes(client, url_name):
    user = StaffFactory() if url_name == "admin:login" else UserFactory()
    for _ in range(5):
        response = login(client, user.email, "mauvais", url_name)
        assert SESSION_KEY not in client.session
    response = login(client, user.email, PASSWORD, url_name)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert SESSION_KEY not in client.session

    soon = timezone.now() + datetime.timedelta(minutes=14)
    with (
        mock.patch("axes.handlers.proxy.now", return_value=soon),
        mock.patch("axes.attempts.now", return_value=soon),
    ):
        assert login(client, user.email, PASSWORD, url_name).status_code == 429

    later = timezone.now() + datetime.timedelta(minutes=16)
    with (
        mock.patch("axes.handlers.proxy.now", return_value=later),
        mock.patch("axes.attempts.now", return_value=later),
    ):
        response = login(client, user.email, PASSWORD, url_name)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_lockout_is_per_address(client):
    user = UserFactory()
    for _ in range(5):
        login(client, user.email, "mauvais")
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    response = login(other_address, user.email, PASSWORD)
    assert response.status_code == 302


def test_a_success_resets_the_failure_count(client):
    user = UserFactory()
    for _ in range(4):
        login(client, user.email, "mauvais")
    assert login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, user.email, "mauvais")
    assert login(client, user.email, PASSWORD).status_code == 302


def test_login_gives_a_new_session_key(client):
    user = UserFactory()
    client.get(reverse("partners:login"))
    client.cookies["sessionid"] = "anonymous-session-key"
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    login(client, user.email, PASSWORD)
    assert client.session.session_key != before


def test_a_deactivated_user_loses_every_session(client):
    membership = MembershipFactory()
    other_browser = Client()
    client.force_login(membership.user)
    other_browser.force_login(membership.user)
    membership.user.is_active = False
    membership.user.save()
    for browser in (client, other_browser):
        response = browser.get(reverse("space:dashboard"))
        assert response.status_code == 302
        assert reverse("partners:login") in response["Location"]


def test_sessions_expire_after_inactivity(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_csrf_is_enforced_on_partner_writes():
    membership = MembershipFactory()
    action = ActionFactory(pilot=membership.organisation, title="Titre d'origine")
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    response = client.post(
        reverse("space:action_edit", args=[action.pk]),
        {"title": "Piraté", "version": action.version, "status": "done", "progress": 100},
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status != "done"


@pytest.mark.parametrize(
    ("url_name", "target", "data"),
    [
        ("space:action_edit", "action", {"status": "done", "progress": 100}),
        ("space:action_archive", "action", {}),
        ("space:update_create", "action", {"date": "2024-06-01", "text": "Note"}),
        ("space:measurement_create", "action", {"date": "2024-06-01", "value": "3"}),
        ("space:document_create", "action", {"title": "Rapport"}),
        ("space:document_delete", "document", {}),
        ("partners:password_change", None, {"old_password": PASSWORD}),
        ("partners:logout", None, {}),
    ],
)
def test_every_partner_write_refuses_a_post_without_csrf_token(url_name, target, data):
    from actions.models import Action, Document, Measurement, ProgressUpdate
    from tests.actions.factories import DocumentFactory, IndicatorFactory

    membership = MembershipFactory()
    action = ActionFactory(pilot=membership.organisation, status="in_progress")
    IndicatorFactory(action=action)
    document = DocumentFactory(action=action)
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    args = {"action": [action.pk], "document": [document.pk], None: []}[target]
    counts = [m.objects.count() for m in (Action, Document, Measurement, ProgressUpdate)]
    response = client.post(reverse(url_name, args=args), data)
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert [m.objects.count() for m in (Action, Document, Measurement, ProgressUpdate)] == counts
    action.refresh_from_db()
    assert (action.status, action.is_archived) == ("in_progress", False)
    assert SESSION_KEY in client.session


def test_csrf_is_enforced_on_login():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_security_events_are_logged_without_the_password(client, caplog):
    user = UserFactory()
    with caplog.at_level("WARNING", logger="security"):
        login(client, user.email, "mot-de-passe-faux-secret")
        login(client, user.email, PASSWORD)
    events = [record.event for record in caplog.records if record.name == "security"]
    assert [e["event"] for e in events] == ["login_failure", "login_success"]
    for event in events:
        assert event["user"] == user.email
        assert event["address"] == "127.0.0.1"
        assert event["utc"].endswith("+00:00")
    assert "mot-de-passe-faux-secret" not in caplog.text
    assert PASSWORD not in caplog.text


def test_lockout_and_refused_access_are_logged(client, caplog):
    user = UserFactory()
    stranger = MembershipFactory()
    hidden = ActionFactory(is_public=False)
    with caplog.at_level("WARNING", logger="security"):
        for _ in range(5):
            login(client, user.email, "mauvais")
        client.force_login(stranger.user)
        client.get(reverse("space:action", args=[hidden.pk]))
    names = [r.event["event"] for r in caplog.records if r.name == "security"]
    assert "lockout" in names
    refused = [
        r.event for r in caplog.records if r.name == "security" and r.event.get("status") == 404
    ]
    assert refused and refused[0]["user"] == stranger.user.email
