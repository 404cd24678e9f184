"""Invitations: staff create a membership, the person chooses a password through a one-time,
expiring link, and lands in the partner space."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.test import RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partners.invitations import InvitationTokenGenerator, send_invitation
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "Touraine-Est-Vallees-2024"


@pytest.fixture
def invited(db):
    user = UserFactory(email="dominique@eret.fr", first_name="Dominique")
    user.set_unusable_password()
    user.save()
    MembershipFactory(user=user, organisation=OrganisationFactory(name="ERET"))
    return user


def path_in(message):
    return re.search(r"https?://[^/\s]+(/espace-partenaire/invitation/\S+)", message.body).group(1)


def choose_password(client, link):
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    return client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})


class TestInvitation:
    def test_end_to_end(self, client, invited, mailoutbox, settings):
        settings.SITE_URL = "https://portail.example.org"
        url = send_invitation(invited)
        assert url.startswith("https://portail.example.org/espace-partenaire/invitation/")
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["dominique@eret.fr"]
        assert "espace partenaire" in message.subject
        assert "Bonjour Dominique" in message.body
        assert "ERET" in message.body
        assert "expire dans 7 jours" in message.body
        link = path_in(message)

        page = client.get(client.get(link)["Location"]).content.decode()
        assert "Activer votre compte" in page
        assert "dominique@eret.fr" in page

        response = choose_password(client, link)
        assert response.status_code == 302
        assert response["Location"] == reverse("space:dashboard")
        assert client.session[SESSION_KEY] == str(invited.pk)
        invited.refresh_from_db()
        assert invited.check_password(PASSWORD)

        # The link works once, even in another browser.
        client.logout()
        again = client.get(link)
        assert again.status_code == 200
        assert "Ce lien d'invitation n'est plus valable" in again.content.decode()

    def test_link_ignores_the_request_host(self, invited, mailoutbox, settings):
        settings.SITE_URL = "https://portail.example.org/"
        request = RequestFactory().get("/admin/", HTTP_HOST="testserver")
        url = send_invitation(invited, request=request)
        assert url.startswith("https://portail.example.org/espace-partenaire/invitation/")
        assert url in mailoutbox[0].body
        assert "https://portail.example.org/espace-partenaire/connexion/" in mailoutbox[0].body
        assert "testserver" not in mailoutbox[0].body

    def test_link_expires_after_seven_days(self, client, invited, mailoutbox, monkeypatch):
        send_invitation(invited)
        link = path_in(mailoutbox[0])
        real_now = InvitationTokenGenerator._now

        monkeypatch.setattr(
            InvitationTokenGenerator, "_now", lambda self: real_now(self) + timedelta(days=6)
        )
        assert client.get(link).status_code == 302  # still valid on day 6

        monkeypatch.setattr(
            InvitationTokenGenerator, "_now", lambda self: real_now(self) + timedelta(days=8)
        )
        response = client.get(link)
        assert response.status_code == 200
        assert "n'est plus valable" in response.content.decode()
        invited.refresh_from_db()
        assert not invited.has_usable_password()

    def test_password_reset_token_is_no_invitation(self, client, invited):
        uid = urlsafe_base64_encode(force_bytes(invited.pk))
        token = default_token_generator.make_token(invited)
        response = client.get(reverse("partners:invitation", args=[uid, token]))
        assert response.status_code == 200
        assert "n'est plus valable" in response.content.decode()

    def test_deactivated_account_cannot_use_its_invitation(self, client, invited, mailoutbox):
        send_invitation(invited)
        invited.is_active = False
        invited.save()
        response = client.get(path_in(mailoutbox[0]))
        assert response.status_code == 200
        assert "n'est plus valable" in response.content.decode()

    def test_weak_password_is_refused_in_french(self, client, invited, mailoutbox):
        send_invitation(invited)
        form_url = client.get(path_in(mailoutbox[0]))["Location"]
        response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
        assert response.status_code == 200
        assert "trop court" in response.content.decode()
        invited.refresh_from_db()
        assert not invited.has_usable_password()
