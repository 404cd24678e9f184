"""Issue 16, item 6: a forged Host or X-Forwarded-Proto must not poison the public page cache.

After a write, one request with another allowed host, another port or another scheme used to
store the sitemap, robots.txt, the RSS feed and the open-data files with the attacker's absolute
URLs for every visitor. Absolute URLs now come from SITE_URL, and the cache key holds the scheme
and the host, so even a response built from the request cannot reach another visitor.
"""

import io
import zipfile

import pytest
from django.http import HttpResponse
from django.urls import path

from tests.actions.factories import ActionFactory, ProgressUpdateFactory
from tests.programme.factories import CopilMeetingFactory
from tests.test_pagecache import body, shared_cache  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SITE = "https://portail.example.org"
# What the proxy sends for a real visitor: the public host, over HTTPS.
VISITOR = {"HTTP_HOST": "portail.example.org", "HTTP_X_FORWARDED_PROTO": "https"}
FORGED = {
    "another allowed host": {"HTTP_HOST": "autre.example.org", "HTTP_X_FORWARDED_PROTO": "https"},
    "another port": {"HTTP_HOST": "portail.example.org:8443", "HTTP_X_FORWARDED_PROTO": "https"},
    "another scheme": {"HTTP_HOST": "portail.example.org", "HTTP_X_FORWARDED_PROTO": "http"},
}
PUBLIC_FILES = [
    "/sitemap.xml",
    "/robots.txt",
    "/donnees/suivi.rss",
    "/donnees/actions.csv",
    "/donnees/actions.json",
    "/donnees/actions.xlsx",
    "/donnees/copil.ics",
    "/actions/export.csv?statut=in_progress",
]
ATTACKER_MARKS = ("autre.example.org", ":8443", "http://portail.example.org")


@pytest.fixture
def site(settings, shared_cache, django_capture_on_commit_callbacks):  # noqa: F811
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["portail.example.org", "autre.example.org", "testserver"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    with django_capture_on_commit_callbacks(execute=True):  # a write: the version moves on
        action = ActionFactory(title="Bourse aux locaux")
        ProgressUpdateFactory(action=action, text="Première visite.")
        CopilMeetingFactory()
    return action


def _text(response):
    content = body(response)
    if content.startswith(b"PK"):  # XLSX: the URLs are in the sheet's strings
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            content = b"".join(workbook.read(name) for name in workbook.namelist())
    return content.decode("utf-8", errors="replace")


def assert_on_site_url(text, url):
    assert SITE + "/" in text, url
    for mark in ATTACKER_MARKS:
        assert mark not in text, (url, mark)


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize("url", PUBLIC_FILES)
def test_a_forged_request_cannot_poison_the_file_visitors_get(site, client, url, forged):
    attacker = client.get(url, **forged)
    assert attacker.status_code == 200
    assert_on_site_url(_text(attacker), url)  # the attacker's own copy is on SITE_URL
    visitor = client.get(url, **VISITOR)
    assert visitor.status_code == 200
    assert_on_site_url(_text(visitor), url)


def test_robots_txt_names_the_sitemap_on_site_url(site, client):
    client.get("/robots.txt", HTTP_HOST="autre.example.org")
    text = client.get("/robots.txt", **VISITOR).content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text


def echo_origin(request):
    """A page built from the request's own scheme and host, as a missed case would be."""
    return HttpResponse(request.build_absolute_uri("/"))


urlpatterns = [path("origine/", echo_origin)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_the_cache_key_holds_the_scheme_and_host(site, client, forged):
    assert client.get("/origine/", **forged).status_code == 200
    assert client.get("/origine/", **VISITOR).content.decode() == f"{SITE}/"
    # And each is served its own copy from the cache, not the other's.
    assert client.get("/origine/", **VISITOR).content.decode() == f"{SITE}/"
    assert client.get("/origine/", **forged).content.decode() != f"{SITE}/"


def test_a_host_that_is_not_allowed_is_refused(site, client):
    assert client.get("/sitemap.xml", HTTP_HOST="pirate.example").status_code == 400
    text = client.get("/sitemap.xml", **VISITOR).content.decode()
    assert "pirate.example" not in text
