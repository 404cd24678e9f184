"""Hostile input on the account forms: login (partner and admin), password reset and change.

A refused form answers in French and changes nothing (no login, no password, no e-mail to an
address that is not an account's own); the login throttling answers a French 429.
"""

import unicodedata

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from partners.models import User

from .conftest import (
    HOSTILE,
    PASSWORD,
    assert_french_form_error,
    assert_french_page,
    hostile_text,
    snapshot,
)

ON_POSTGRESQL = connection.vendor == "postgresql"
LOGIN = reverse("partners:login")
ADMIN_LOGIN = reverse("admin:login")
RESET = reverse("partners:password_reset")
CHANGE = reverse("partners:password_change")

REDIRECTS = [
    "//evil.example/",
    "https://evil.example/",
    "http://127.0.0.1.evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/espace-partenaire/",
    "/admin/",
    "%2F%2Fevil.example",
    "https:/evil.example",
]


def email_variants(email):
    """The account's address as a user might mistype it, or as an attacker might disguise it."""
    local, domain = email.split("@")
    return st.sampled_from(
        [
            email,
            email.upper(),
            f"  {email}  ",
            f"{local}@{domain.upper()}",
            f"{local}\u0130@{domain}",  # dotted capital I: lower() adds a combining dot
            f"{local.replace('o', 'ο')}@{domain}",  # Greek omicron
            f"{local}@{domain}\x00",
            f"{email}\n",
            f"{email},attacker@evil.example",
            f'"{local}"@{domain}',
            f"{local}+x@{domain}",
        ]
    )


def fold(text):
    return unicodedata.normalize("NFKC", text).casefold()


def signed_in(client):
    return "_auth_user_id" in client.session


def test_partner_login_refuses_hostile_input_in_french(client, world):
    user = world["editor"]
    seen = set()

    @hsettings(HOSTILE, max_examples=60)
    @given(
        username=st.one_of(hostile_text(), st.emails(), email_variants(user.email)),
        password=st.one_of(hostile_text(), st.just(PASSWORD), st.just(PASSWORD + "\x00")),
        next_url=st.one_of(st.none(), st.sampled_from(REDIRECTS), hostile_text(60)),
    )
    @example(username=user.email.upper(), password=PASSWORD, next_url="//evil.example/")
    @example(username=user.email, password=PASSWORD, next_url="https:/evil.example")
    @example(username=user.email, password=PASSWORD, next_url="'")
    @example(username="x" * 20_000 + "@a.fr", password="x" * 20_000, next_url=None)
    def run(username, password, next_url):
        reset()  # axes: hypothesis makes more than 5 attempts
        client.logout()
        before = snapshot(User)
        data = {"username": username, "password": password}
        if next_url is not None:
            data["next"] = next_url
        response = client.post(LOGIN, data)
        seen.add(response.status_code)
        right = username.strip().lower() == user.email and password == PASSWORD
        if response.status_code == 302:
            assert right, "logged in with the wrong credentials"
            assert signed_in(client)
            location = response["Location"]
            assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})
            assert location.startswith("/") and not location.startswith(("//", "/\\"))
        else:
            assert not right, "the right credentials were refused"
            assert_french_form_error(response)
            assert not signed_in(client)
            assert snapshot(User) == before

    run()
    assert seen == {200, 302}


def test_lockout_after_hostile_failures_is_a_french_429(client, world):
    """The fifth failure locks the account from this address, even with the right password."""
    user = world["editor"]
    before = snapshot(User)
    for password in ["' OR '1'='1", "<script>alert('xss')</script>", "x" * 5000, "\u202e"]:
        response = client.post(LOGIN, {"username": user.email, "password": password})
        assert_french_form_error(response)
    for password in ["é", PASSWORD]:
        response = client.post(LOGIN, {"username": user.email, "password": password})
        assert response.status_code == 429
        text = assert_french_page(response)
        assert "Connexion temporairement bloquée" in text
        assert not signed_in(client)
    assert snapshot(User) == before
    assert AccessAttempt.objects.filter(username=user.email).exists()


def test_admin_login_refuses_hostile_input_in_french(client, world):
    staff = world["staff"]

    @hsettings(HOSTILE, max_examples=25)
    @given(
        username=st.one_of(hostile_text(), email_variants(staff.email)),
        password=st.one_of(hostile_text(), st.just(PASSWORD)),
        next_url=st.one_of(st.none(), st.sampled_from(REDIRECTS)),
    )
    def run(username, password, next_url):
        reset()
        client.logout()
        before = snapshot(User)
        data = {"username": username, "password": password}
        if next_url is not None:
            data["next"] = next_url
        response = client.post(ADMIN_LOGIN, data)
        if response.status_code == 302:
            assert username.strip().lower() == staff.email and password == PASSWORD
            assert url_has_allowed_host_and_scheme(
                response["Location"], allowed_hosts={"testserver"}
            )
        else:
            assert response.status_code == 200
            text = response.content.decode()
            assert '<html lang="fr"' in text
            assert "errornote" in text or "errorlist" in text
            assert not signed_in(client)
            assert snapshot(User) == before

    run()


def test_admin_login_with_a_very_long_username(client, world):
    before = snapshot(User)
    response = client.post(ADMIN_LOGIN, {"username": "a" * 256, "password": "x"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert snapshot(User) == before


def test_password_reset_mails_only_the_account_address(client, world, mailoutbox):
    """Whatever is typed, a link goes only to an account's own stored address."""
    user = world["editor"]
    accounts = {u.email for u in User.objects.all()}

    @hsettings(HOSTILE, max_examples=50)
    @given(email=st.one_of(hostile_text(), st.emails(), email_variants(user.email)))
    @example(email=user.email.upper())
    @example(email=f"{user.email}\x00")
    def run(email):
        mailoutbox.clear()
        before = snapshot(User)
        response = client.post(RESET, {"email": email})
        if response.status_code == 302:
            assert response["Location"] == reverse("partners:password_reset_done")
        else:
            assert_french_form_error(response)
            assert mailoutbox == []
        for message in mailoutbox:
            assert len(message.to) == 1 and message.to[0] in accounts
            assert fold(email.strip()) == fold(message.to[0])
        assert snapshot(User) == before

    run()


def test_new_password_form_refuses_hostile_input_in_french(client, world):
    """The form behind a valid reset link: a refused password changes nothing."""
    user = world["editor"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))

    @hsettings(HOSTILE, max_examples=30)
    @given(
        first=st.one_of(hostile_text(), st.just("Un mot de passe très solide 2024 !")),
        second=st.one_of(hostile_text(), st.just("Un mot de passe très solide 2024 !")),
    )
    @example(first="a\x00b" * 10, second="a\x00b" * 10)
    @example(first="x" * 20_000, second="x" * 20_000)
    def run(first, second):
        user.refresh_from_db()
        token = default_token_generator.make_token(user)
        link = reverse("partners:password_reset_confirm", args=[uid, token])
        form_url = client.get(link)["Location"]  # the token moves to the session
        before = snapshot(User)
        response = client.post(form_url, {"new_password1": first, "new_password2": second})
        if response.status_code == 302:
            assert first == second
            assert snapshot(User) != before
        else:
            assert_french_form_error(response)
            assert snapshot(User) == before

    run()


def test_password_change_refuses_hostile_input_in_french(client, world):
    user = world["partner_editor"]

    @hsettings(HOSTILE, max_examples=30)
    @given(
        old=st.one_of(hostile_text(), st.just(PASSWORD)),
        new=st.one_of(hostile_text(), st.just("Une autre phrase de passe 2024")),
        again=st.one_of(hostile_text(), st.just("Une autre phrase de passe 2024")),
    )
    def run(old, new, again):
        user.set_password(PASSWORD)
        user.save()
        client.force_login(user)
        before = snapshot(User)
        response = client.post(CHANGE, {"old_password": old, "new_password1": new,
                                         "new_password2": again})  # fmt: skip
        if response.status_code == 302:
            assert old == PASSWORD and new == again
        else:
            assert_french_form_error(response)
            assert snapshot(User) == before

    run()


@pytest.mark.parametrize(
    "next_url", ["'", "javascript:alert(1)", "//evil.example/", "../x", "/nulle-part/"]
)
def test_admin_login_with_an_odd_next_lands_on_the_admin(client, world, next_url):
    staff = world["staff"]
    data = {"username": staff.email, "password": PASSWORD, "next": next_url}
    response = client.post(ADMIN_LOGIN, data)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    response = client.post(ADMIN_LOGIN + "?next=" + next_url, data)
    assert response["Location"] == "/admin/"


def test_admin_login_follows_a_local_next(client, world):
    staff = world["staff"]
    data = {"username": staff.email, "password": PASSWORD, "next": "/admin/actions/action/"}
    response = client.post(ADMIN_LOGIN, data)
    assert response["Location"] == "/admin/actions/action/"
