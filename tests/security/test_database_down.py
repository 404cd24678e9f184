"""Issue 16, multi-server setup with faults: while PostgreSQL is down, visitors get a French 503
page (teritoire/unavailable.py), never the 500 page; service is back on the next request.

PostgreSQL being down is simulated by making every new cursor fail as a refused connection does
(OperationalError) or as a connection lost mid-request does (InterfaceError).
"""

import contextlib
import logging
from unittest import mock

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from actions.models import ProgressUpdate
from teritoire.unavailable import database_unavailable_response
from tests.actions.factories import ActionFactory
from tests.partners.factories import MembershipFactory
from tests.test_pagecache import shared_cache  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

TITLE = "Service momentanément indisponible"


@contextlib.contextmanager
def database_down(error=None):
    error = error or OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )
    with mock.patch.object(BaseDatabaseWrapper, "_cursor", side_effect=error):
        yield


def assert_french_503(response):
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert f"<h1>{TITLE}</h1>" in page
    assert "ne parvient pas à joindre sa base de données" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"]  # the security headers still apply


class TestDatabaseDown:
    def test_a_public_page_answers_the_french_503_page(self, client):
        ActionFactory(title="Bourse aux locaux")
        with database_down():
            response = client.get(reverse("actions:list"))
        assert_french_503(response)

    def test_a_connection_lost_mid_request_answers_503(self, client):
        with database_down(InterfaceError("connection already closed")):
            response = client.get(reverse("home"))
        assert_french_503(response)

    def test_a_partner_s_note_answers_503_and_the_next_try_is_saved(self, client):
        membership = MembershipFactory()
        action = ActionFactory(pilot=membership.organisation)
        client.force_login(membership.user)
        url = reverse("space:update_create", args=[action.pk])
        note = {"date": "2025-03-01", "text": "Point d'étape pendant la panne."}
        with database_down():
            response = client.post(url, note)
        assert_french_503(response)

        response = client.post(url, note)  # PostgreSQL is back: the same form goes through
        assert response.status_code == 302
        assert ProgressUpdate.objects.filter(action=action).count() == 1

    def test_the_page_is_back_as_soon_as_the_database_is(self, client):
        ActionFactory(title="Bourse aux locaux")
        with database_down():
            assert client.get(reverse("actions:list")).status_code == 503
        assert "Bourse aux locaux" in client.get(reverse("actions:list")).content.decode()

    def test_a_503_is_never_kept_in_the_page_cache(self, client, shared_cache):  # noqa: F811
        ActionFactory(title="Bourse aux locaux")
        url = reverse("actions:list")
        with database_down():
            assert client.get(url).status_code == 503
        assert "Bourse aux locaux" in client.get(url).content.decode()

    def test_an_outage_is_one_warning_not_an_error_per_request(self, client, caplog):
        with caplog.at_level(logging.INFO), database_down():
            for _ in range(3):
                assert client.get(reverse("actions:list")).status_code == 503
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
        warnings = [r for r in caplog.records if r.name == "teritoire.unavailable"]
        assert len(warnings) <= 1

    def test_the_503_page_needs_no_query(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            response = database_unavailable_response()
        assert TITLE in response.content.decode()


def test_other_database_errors_are_not_hidden(client):
    """A bug (an integrity error) still reaches the 500 handler and the error report."""
    with (
        mock.patch.object(BaseDatabaseWrapper, "_cursor", side_effect=IntegrityError("bug")),
        pytest.raises(IntegrityError),
    ):
        client.get(reverse("actions:list"))
