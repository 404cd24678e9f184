"""Login throttling behind a reverse proxy (issue 16, item 3).

The proxy (nginx with `$proxy_add_x_forwarded_for`, as the README documents) appends the address
it received the request from to whatever X-Forwarded-For the client sent. An attacker who forges
the victim's address in that header must not lock the victim out: the lockout follows the address
the proxy saw, with the username.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory
from django.urls import reverse

from partners.throttling import client_ip_address
from tests.partners.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-2024"
PROXY = "10.0.0.2"  # nginx, as gunicorn sees it
VICTIM = "203.0.113.10"
ATTACKER = "198.51.100.66"
LOGINS = ["partners:login", "admin:login"]

# What the client sends in X-Forwarded-For; the proxy then appends ", <its address>".
FORGERIES = [
    VICTIM,
    f"{VICTIM}, {VICTIM}",
    f'{VICTIM}, "',  # an unclosed quote, read by ipware as an RFC 7239 quoted string
    f'"{VICTIM}',
    f"for={VICTIM}",
    f"{VICTIM}, not-an-address",
    f"{VICTIM}, 10.0.0.2",
    ",,,",
    "x" * 3000,
]


def through_proxy(client_sent, address):
    """The request's META behind one proxy: the proxy's address, the header it passes on."""
    forwarded = f"{client_sent}, {address}" if client_sent is not None else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def login(client, url_name, email, password, meta):
    return client.post(reverse(url_name), {"username": email, "password": password}, **meta)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.mark.usefixtures("behind_one_proxy")
class TestBehindOneProxy:
    @pytest.mark.parametrize("url_name", LOGINS)
    def test_forged_address_does_not_lock_the_victim_out(self, client, url_name):
        victim = StaffFactory() if url_name == "admin:login" else UserFactory()
        for _ in range(5):  # the fifth failure locks: answered 429
            login(client, url_name, victim.email, "mauvais", through_proxy(VICTIM, ATTACKER))
        assert SESSION_KEY not in client.session
        # The attacker is locked out, forging or not, even with the right password.
        for forged in (VICTIM, "192.0.2.1", None):
            response = login(
                client, url_name, victim.email, PASSWORD, through_proxy(forged, ATTACKER)
            )
            assert response.status_code == 429
            assert "Connexion temporairement bloquée" in response.content.decode()
        # The victim, from their own address through the same proxy, logs in.
        response = login(client, url_name, victim.email, PASSWORD, through_proxy(None, VICTIM))
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(victim.pk)
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}

    @pytest.mark.parametrize("forged", FORGERIES)
    def test_the_attempt_is_recorded_at_the_address_the_proxy_saw(self, client, forged):
        user = UserFactory()
        login(client, "partners:login", user.email, "mauvais", through_proxy(forged, ATTACKER))
        attempt = AccessAttempt.objects.get()
        assert (attempt.username, attempt.ip_address) == (user.email, ATTACKER)

    def test_a_victim_behind_their_own_proxy_is_not_locked_out(self, client):
        """A company proxy adds its own X-Forwarded-For entry: the victim's request carries one."""
        victim = UserFactory()
        for _ in range(5):
            login(
                client, "partners:login", victim.email, "mauvais", through_proxy(VICTIM, ATTACKER)
            )
        response = login(
            client, "partners:login", victim.email, PASSWORD, through_proxy("10.1.2.3", VICTIM)
        )
        assert response.status_code == 302

    def test_five_failures_from_one_address_lock_that_address_only(self, client):
        user = UserFactory()
        for _ in range(5):
            login(client, "partners:login", user.email, "mauvais", through_proxy(None, VICTIM))
        locked = login(client, "partners:login", user.email, PASSWORD, through_proxy(None, VICTIM))
        assert locked.status_code == 429
        elsewhere = login(
            client, "partners:login", user.email, PASSWORD, through_proxy(None, "192.0.2.50")
        )
        assert elsewhere.status_code == 302


def address(meta, proxies, settings):
    settings.TRUSTED_PROXY_COUNT = proxies
    return client_ip_address(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    "forwarded,expected",
    [
        (None, PROXY),  # no header: the proxy's address, not a guess
        ("", PROXY),
        (ATTACKER, ATTACKER),
        (f"{VICTIM}, {ATTACKER}", ATTACKER),
        (f'{VICTIM}, ", {ATTACKER}', ATTACKER),
        (f"{VICTIM},{ATTACKER}", ATTACKER),
        (f"{VICTIM}, garbage", PROXY),  # the proxy wrote no address: never the client's entry
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:198.51.100.66", ATTACKER),
    ],
)
def test_one_proxy_trusts_the_last_entry_only(forwarded, expected, settings):
    meta = {"REMOTE_ADDR": PROXY}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert address(meta, 1, settings) == expected


@pytest.mark.parametrize(
    "forwarded,expected",
    [
        (f"{VICTIM}, {ATTACKER}, 10.0.0.9", ATTACKER),  # a CDN, then nginx
        (f'"{VICTIM}, {ATTACKER}, 10.0.0.9', ATTACKER),
        (f"{ATTACKER}, 10.0.0.9", ATTACKER),
        ("10.0.0.9", PROXY),  # fewer entries than proxies: the nearest proxy's address
    ],
)
def test_two_proxies_trust_the_two_last_entries(forwarded, expected, settings):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}
    assert address(meta, 2, settings) == expected


def test_without_a_proxy_the_header_is_never_read(settings):
    meta = {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": VICTIM}
    assert address(meta, 0, settings) == ATTACKER
