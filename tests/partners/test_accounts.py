"""Partner accounts: login, logout, password change and password reset by e-mail."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.partners.factories import MembershipFactory, UserFactory

PASSWORD = "mot-de-passe-solide-2024"
NEW_PASSWORD = "Loire-et-Cher-37-nouveau"
INVALID = "Adresse e-mail ou mot de passe incorrect."


@pytest.fixture
def user(db):
    return UserFactory(email="camille@cc-tev.fr")


def link_in(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


class TestLogin:
    url = reverse("partners:login")

    def test_page_is_in_french_and_labelled(self, client, db):
        response = client.get(self.url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Connexion à l'espace partenaire" in content
        assert '<label for="id_username">Adresse e-mail' in content
        assert '<label for="id_password">Mot de passe' in content
        assert reverse("partners:password_reset") in content

    def test_success_goes_to_the_dashboard(self, client, user):
        response = client.post(self.url, {"username": "Camille@CC-TEV.fr ", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("space:dashboard")
        assert client.session[SESSION_KEY] == str(user.pk)

    def test_next_is_followed_when_local_only(self, client, user):
        response = client.post(
            self.url, {"username": user.email, "password": PASSWORD, "next": "/actions/"}
        )
        assert response["Location"] == "/actions/"
        client.logout()
        response = client.post(
            self.url,
            {"username": user.email, "password": PASSWORD, "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("space:dashboard")

    @pytest.mark.parametrize(
        "next_url",
        [
            "'",
            '"',
            "evil.example",
            "javascript:alert(1)",
            "../admin/",
            "?next=//evil.example",
            "#top",
            " /actions/",
            "/actions/\x00",
            "/\\evil.example",
            "///evil.example",
            "/%2F%2Fevil.example",
            "/nulle-part/",
            "http://testserver/actions/",
        ],
    )
    def test_odd_next_falls_back_to_the_dashboard(self, client, user, next_url):
        data = {"username": user.email, "password": PASSWORD, "next": next_url}
        response = client.post(self.url, data)
        assert response.status_code == 302
        assert response["Location"] == reverse("space:dashboard")
        assert client.session[SESSION_KEY] == str(user.pk)

    def test_local_next_keeps_its_query_string(self, client, user):
        data = {"username": user.email, "password": PASSWORD, "next": "/actions/?statut=en-cours"}
        response = client.post(self.url, data)
        assert response["Location"] == "/actions/?statut=en-cours"

    def test_odd_next_is_not_written_back_into_the_form(self, client, db):
        response = client.get(self.url, {"next": "'><script>"})
        assert 'name="next" value=""' in response.content.decode()

    @pytest.mark.parametrize(
        "email,password",
        [("camille@cc-tev.fr", "mauvais"), ("inconnu@cc-tev.fr", PASSWORD)],
        ids=["wrong password", "unknown e-mail"],
    )
    def test_same_message_for_unknown_email_and_wrong_password(self, client, user, email, password):
        response = client.post(self.url, {"username": email, "password": password})
        assert response.status_code == 200
        content = response.content.decode()
        assert INVALID in content
        assert email in content  # the e-mail typed is kept
        assert SESSION_KEY not in client.session

    def test_inactive_account_gets_the_same_message(self, client, user):
        user.is_active = False
        user.save()
        response = client.post(self.url, {"username": user.email, "password": PASSWORD})
        assert INVALID in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_protected_page_sends_to_login_then_back(self, client, user):
        response = client.get(reverse("space:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == f"{self.url}?next={reverse('space:dashboard')}"


class TestLogout:
    def test_post_logs_out(self, client, user):
        client.force_login(user)
        response = client.post(reverse("partners:logout"))
        assert response.status_code == 302
        assert SESSION_KEY not in client.session
        assert "Vous êtes déconnecté" in client.get(response["Location"]).content.decode()

    @pytest.mark.parametrize("next_url", ["'", "https://evil.example/", "/nulle-part/"])
    def test_odd_next_goes_home(self, client, user, next_url):
        client.force_login(user)
        response = client.post(reverse("partners:logout"), {"next": next_url})
        assert response["Location"] == reverse("home")

    def test_get_does_not_log_out(self, client, user):
        client.force_login(user)
        response = client.get(reverse("partners:logout"))
        assert response.status_code == 405
        assert client.session[SESSION_KEY] == str(user.pk)

    def test_dashboard_has_a_logout_button(self, client, user):
        client.force_login(user)
        content = client.get(reverse("space:dashboard")).content.decode()
        assert f'action="{reverse("partners:logout")}"' in content
        assert "Se déconnecter" in content


class TestPasswordChange:
    url = reverse("partners:password_change")

    def test_requires_login(self, client, db):
        assert client.get(self.url).status_code == 302

    def test_change(self, client, user):
        client.force_login(user)
        assert "Ancien mot de passe" in client.get(self.url).content.decode()
        response = client.post(
            self.url,
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        assert client.session[SESSION_KEY] == str(user.pk)  # still logged in

    def test_wrong_old_password_in_french(self, client, user):
        client.force_login(user)
        response = client.post(
            self.url,
            {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        assert "ancien mot de passe est incorrect" in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(PASSWORD)


class TestPasswordReset:
    def request_link(self, client, email, mailoutbox):
        response = client.post(reverse("partners:password_reset"), {"email": email})
        assert response.status_code == 302
        assert response["Location"] == reverse("partners:password_reset_done")
        return mailoutbox

    def test_end_to_end(self, client, user, mailoutbox):
        self.request_link(client, "CAMILLE@cc-tev.fr", mailoutbox)
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == [user.email]
        assert "nouveau mot de passe" in message.subject
        link = link_in(message)

        response = client.get(link)  # the token moves to the session, out of the URL
        assert response.status_code == 302
        form_url = response["Location"]
        assert "set-password" in form_url
        page = client.get(form_url).content.decode()
        assert "Choisir un nouveau mot de passe" in page

        response = client.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert response["Location"] == reverse("partners:password_reset_complete")
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

        # The link works once.
        again = client.get(link)
        assert again.status_code == 200
        assert "Ce lien n'est plus valable" in again.content.decode()

        # And the new password opens the space.
        response = client.post(
            reverse("partners:login"), {"username": user.email, "password": NEW_PASSWORD}
        )
        assert response["Location"] == reverse("space:dashboard")

    def test_unknown_email_sends_nothing_and_says_the_same(self, client, user, mailoutbox):
        response = client.post(reverse("partners:password_reset"), {"email": "x@y.fr"}, follow=True)
        assert mailoutbox == []
        assert "Consultez votre messagerie" in response.content.decode()

    def test_invited_partner_without_password_can_ask_for_a_link(self, client, db, mailoutbox):
        membership = MembershipFactory(user=UserFactory(password=None))
        membership.user.set_unusable_password()
        membership.user.save()
        self.request_link(client, membership.user.email, mailoutbox)
        assert len(mailoutbox) == 1

    def test_unusable_password_without_organisation_gets_nothing(self, client, db, mailoutbox):
        user = UserFactory()
        user.set_unusable_password()
        user.save()
        self.request_link(client, user.email, mailoutbox)
        assert mailoutbox == []

    def test_mismatched_passwords_in_french(self, client, user, mailoutbox):
        self.request_link(client, user.email, mailoutbox)
        form_url = client.get(link_in(mailoutbox[0]))["Location"]
        response = client.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": "autre-chose-2024"}
        )
        assert "Les deux mots de passe ne correspondent pas" in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(PASSWORD)

    def test_tampered_link(self, client, user):
        url = reverse("partners:password_reset_confirm", args=["MTIzNDU2", "abc-def"])
        response = client.get(url)
        assert response.status_code == 200
        assert "Ce lien n'est plus valable" in response.content.decode()
