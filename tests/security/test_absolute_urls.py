"""Links in e-mails are built on SITE_URL, never on the Host a request claims (issue 16, item 7).

The attack: a password reset or an invitation requested through another host name the server
accepts (a second allowed host, a port, a forwarded protocol) mailed a link to that host, where
an attacker could collect the token. And in production SITE_URL must be set: the default,
127.0.0.1, would mail links nobody can open.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from teritoire.checks import check_site_url
from tests.partners.factories import MembershipFactory, StaffFactory, UserFactory

SITE = "https://portail.example.org"
FORGED_HOSTS = [
    {"HTTP_HOST": "autre.example.org"},
    {"HTTP_HOST": "portail.example.org:8443"},
    {"HTTP_HOST": "autre.example.org", "HTTP_X_FORWARDED_PROTO": "http"},
    {"HTTP_HOST": "autre.example.org", "HTTP_X_FORWARDED_HOST": "attaquant.example"},
]
LINK = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I)


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["portail.example.org", "autre.example.org", "testserver"]


def links(message):
    return LINK.findall(message.body)


def assert_only_site_links(message):
    found = links(message)
    assert found
    for link in found:
        assert link.startswith(f"{SITE}/"), link
    assert "autre.example.org" not in message.body
    assert "8443" not in message.body


@pytest.mark.django_db
@pytest.mark.usefixtures("site")
class TestPasswordReset:
    @pytest.mark.parametrize("headers", FORGED_HOSTS)
    def test_link_is_on_site_url_whatever_the_host(self, client, mailoutbox, headers):
        user = UserFactory()
        response = client.post(reverse("partners:password_reset"), {"email": user.email}, **headers)
        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert_only_site_links(mailoutbox[0])

    def test_the_mailed_link_works(self, client, mailoutbox):
        user = UserFactory()
        client.post(
            reverse("partners:password_reset"), {"email": user.email}, HTTP_HOST="autre.example.org"
        )
        path = links(mailoutbox[0])[0].removeprefix(SITE)
        form_url = client.get(path)["Location"]
        new = "Un mot de passe neuf pour 2025"
        response = client.post(form_url, {"new_password1": new, "new_password2": new})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password(new)


@pytest.mark.django_db
@pytest.mark.usefixtures("site")
class TestInvitation:
    @pytest.mark.parametrize("headers", FORGED_HOSTS)
    def test_link_is_on_site_url_whatever_the_host(
        self, client, mailoutbox, django_capture_on_commit_callbacks, headers
    ):
        client.force_login(StaffFactory())
        invited = MembershipFactory(user__password=None).user
        invited.set_unusable_password()
        invited.save()
        changelist = reverse("admin:partners_user_changelist")
        data = {"action": "send_invitations", "_selected_action": [invited.pk]}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(changelist, data, **headers)
        assert [message.to for message in mailoutbox] == [[invited.email]]
        assert_only_site_links(mailoutbox[0])
        assert any("/espace-partenaire/invitation/" in link for link in links(mailoutbox[0]))

    def test_the_mailed_link_works(self, client, mailoutbox):
        from partners.invitations import send_invitation

        invited = MembershipFactory(user__password=None).user
        invited.set_unusable_password()
        invited.save()
        url = send_invitation(invited)
        form_url = client.get(url.removeprefix(SITE))["Location"]
        new = "Un mot de passe neuf pour 2025"
        client.post(form_url, {"new_password1": new, "new_password2": new})
        assert client.session[SESSION_KEY] == str(invited.pk)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "http://127.0.0.1:8000",
        "http://portail.example.org",
        "https://127.0.0.1",
        "https://localhost:8000",
        "https://[::1]/",
        "https://0.0.0.0",
        "portail.example.org",
        "/",
    ],
)
def test_deploy_check_refuses_a_site_url_nobody_can_open(settings, value):
    settings.SITE_URL = value
    errors = check_site_url(None)
    assert [error.id for error in errors] == ["teritoire.E003"]
    assert "SITE_URL" in errors[0].msg and "e-mails" in errors[0].msg


@pytest.mark.parametrize("value", [SITE, f"{SITE}/", "https://portail.example.org:8443"])
def test_deploy_check_accepts_a_public_https_address(settings, value):
    settings.SITE_URL = value
    assert check_site_url(None) == []


def test_the_check_runs_with_check_deploy(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    with pytest.raises(SystemCheckError, match="teritoire.E003"):
        call_command("check", deploy=True, tags=["security"])
    settings.SITE_URL = SITE
    call_command("check", tags=["security"])  # without --deploy: not run


def test_production_without_site_url_fails_the_deploy_check():
    """What CI runs, minus SITE_URL: the deployment check names the missing setting."""
    root = Path(apps.get_app_config("partners").path).parent
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SITE_URL", "DATABASE_URL"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="test-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="portail.example.org",
        # What CI gives the legal notice (teritoire/checks.py, .ci/run).
        PUBLISHER_NAME="Communauté de communes de l'exemple",
        PUBLISHER_ADDRESS="1 place de la Mairie, 37000 Exemple",
        PUBLICATION_DIRECTOR="Le président de la communauté de communes",
        HOST_NAME="Hébergeur de l'exemple",
        HOST_ADDRESS="2 rue du Serveur, 75000 Paris",
        CONTACT_EMAIL="contact@portail.example.org",
    )

    def deploy_check():
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = deploy_check()
    assert result.returncode != 0
    assert "teritoire.E003" in result.stderr
    env["SITE_URL"] = SITE
    result = deploy_check()
    assert result.returncode == 0, result.stderr
