"""Error reporting (issue 16): Sentry without personal data when SENTRY_DSN is set, otherwise one
e-mail per server error to ADMINS, with no session cookie nor password in it."""

import importlib
from unittest import mock

import pytest
from django.urls import include, path

import teritoire.settings
from tests.partners.factories import UserFactory

SECRET_PASSWORD = "Mon-mot-de-passe-tres-secret-2024"
SECRET_TOKEN = "jeton-de-reinitialisation-0123456789"


def broken(request):
    request.POST.get("password")
    raise RuntimeError("Panne de test")


# This module is the URLconf of the tests marked `urls` below: the site and a broken page.
urlpatterns = [path("panne/", broken), path("", include("teritoire.urls"))]


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Équipe projet", "equipe@portail.example.org")]
    return settings.ADMINS


@pytest.mark.django_db
@pytest.mark.urls(__name__)
class TestServerErrorMail:
    def post_crash(self, client):
        client.raise_request_exception = False
        client.force_login(UserFactory())
        client.cookies["csrftoken"] = "csrf-cookie-value-0123456789abcdef"
        response = client.post(
            "/panne/",
            {
                "password": SECRET_PASSWORD,
                "new_password1": SECRET_PASSWORD,
                "token": SECRET_TOKEN,
                "titre": "Une fiche",
            },
            HTTP_AUTHORIZATION=f"Bearer {SECRET_TOKEN}",
        )
        assert response.status_code == 500
        return client.cookies["sessionid"].value

    def test_one_mail_to_admins_without_secrets(self, client, admins, mailoutbox):
        session_key = self.post_crash(client)
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["equipe@portail.example.org"]
        assert "RuntimeError" in message.subject or "RuntimeError" in message.body
        assert "Panne de test" in message.body
        assert "Une fiche" in message.body  # the report is useful: ordinary fields are shown
        for secret in (session_key, SECRET_PASSWORD, SECRET_TOKEN, "csrf-cookie-value"):
            assert secret not in message.body
            assert all(secret not in content for content, _ in message.alternatives)

    def test_no_admins_no_mail(self, client, settings, mailoutbox):
        settings.ADMINS = []
        self.post_crash(client)
        assert mailoutbox == []

    def test_a_refused_host_is_not_mailed(self, client, admins, mailoutbox):
        client.raise_request_exception = False
        response = client.get("/", HTTP_HOST="robot.example")
        assert response.status_code == 400
        assert mailoutbox == []


@pytest.fixture
def reload_settings(monkeypatch):
    """Run teritoire/settings.py again with other environment variables, then as it was."""
    for name in ("SENTRY_DSN", "DJANGO_ADMINS"):
        monkeypatch.delenv(name, raising=False)

    def reload(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(teritoire.settings)

    yield reload
    monkeypatch.undo()
    importlib.reload(teritoire.settings)


def test_sentry_is_initialised_without_personal_data(reload_settings):
    dsn = "https://cle-publique@sentry.example.org/42"
    with mock.patch("sentry_sdk.init") as init:
        module = reload_settings(SENTRY_DSN=dsn)
    init.assert_called_once()
    options = init.call_args.kwargs
    assert options["dsn"] == dsn
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    # Sentry receives the errors: no e-mail besides.
    assert module.LOGGING["loggers"]["django"]["handlers"] == []


def test_without_sentry_dsn_sentry_is_not_initialised(reload_settings):
    with mock.patch("sentry_sdk.init") as init:
        module = reload_settings()
    init.assert_not_called()
    assert module.LOGGING["loggers"]["django"]["handlers"] == ["mail_admins"]


def test_admins_are_read_from_the_environment(reload_settings):
    module = reload_settings(
        DJANGO_ADMINS="Équipe projet <equipe@portail.example.org>, admin@portail.example.org"
    )
    assert module.ADMINS == [
        ("Équipe projet", "equipe@portail.example.org"),
        ("", "admin@portail.example.org"),
    ]
    assert module.SERVER_EMAIL == module.DEFAULT_FROM_EMAIL


def test_a_malformed_admins_variable_is_refused_in_french(reload_settings):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS"):
        reload_settings(DJANGO_ADMINS="equipe")
