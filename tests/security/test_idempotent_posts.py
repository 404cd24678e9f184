"""Issue 16, item 14: the same partner-space form sent twice creates one row.

A double click, a browser's or a proxy's retry, or the same POST replayed at the same moment used
to create two notes, two measurements or two documents. Each form now carries a one-time token
stored with the row it creates (unique): a second submission creates nothing and answers as the
first did, with the same redirect and confirmation.
"""

import copy
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from actions.models import Action, Document, Measurement, ProgressUpdate, Status
from tests.actions.factories import ActionFactory, IndicatorFactory
from tests.actions.test_write_path import at_once
from tests.partners.factories import MembershipFactory

IS_POSTGRES = connection.vendor == "postgresql"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TOKEN = re.compile(r'name="form_token" value="([0-9a-f-]{36})"')


def note(action):
    return "space:update_create", {"date": "2024-06-01", "text": "Réunion avec la DDT."}


def note_with_status(action):
    data = {
        "date": "2024-06-01",
        "text": "Travaux commencés.",
        "status_after": Status.IN_PROGRESS,
        "progress_after": "40",
        "version": str(action.version),
    }
    return "space:update_create", data


def measurement(action):
    indicator = action.indicators.get()
    data = {"indicator": str(indicator.pk), "date": "2024-06-01", "value": "12,5", "comment": ""}
    return "space:measurement_create", data


def document(action):
    return "space:document_create", {"title": "Compte rendu", "visibility": "partners"}


FORMS = {
    "note": (note, ProgressUpdate, "La note de suivi est publiée."),
    "note with status": (note_with_status, ProgressUpdate, "La note de suivi est publiée."),
    "measurement": (
        measurement,
        Measurement,
        "La mesure de l'indicateur « Emplois créés » est ajoutée.",
    ),
    "document": (document, Document, "Le document « Compte rendu » est déposé."),
}


def make_action():
    action = ActionFactory(code="3.1", title="Friches industrielles", status=Status.PLANNED)
    IndicatorFactory(action=action, name="Emplois créés", unit="")
    return action


@pytest.fixture
def action(db):
    return make_action()


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def twin_of(client):
    """A second client in the same browser session (same cookies): a double click."""
    twin = Client()
    twin.cookies = copy.deepcopy(client.cookies)
    return twin


class Form:
    """A form opened once in the partner space, ready to be sent (its token read from the page)."""

    def __init__(self, client, action, kind):
        build, self.model, self.confirmation = FORMS[kind]
        name, self.data = build(action)
        self.client, self.action = client, action
        self.url = reverse(name, args=[action.pk])
        page = client.get(self.url)
        assert page.status_code == 200
        self.data["form_token"] = TOKEN.search(page.content.decode()).group(1)

    def post(self, client=None):
        """Send the form and follow the answer: (redirections, confirmations shown)."""
        data = dict(self.data)
        if self.model is Document:  # each sending carries the file again
            data["file"] = SimpleUploadedFile("cr.pdf", PDF, "application/pdf")
        response = (client or self.client).post(self.url, data, follow=True)
        return response.redirect_chain, [str(m) for m in response.context["messages"]]

    @property
    def answer(self):
        """What the first sending answers: back to the action's page, with its confirmation."""
        return [(reverse("space:action", args=[self.action.pk]), 302)], [self.confirmation]


@pytest.mark.parametrize("kind", list(FORMS))
def test_the_same_form_sent_twice_creates_one_row_and_answers_alike(action, kind):
    client = logged_in(MembershipFactory(organisation=action.pilot).user)
    form = Form(client, action, kind)
    assert form.post() == form.answer
    assert form.post() == form.answer
    assert form.model.objects.count() == 1
    if kind == "note with status":
        stored = Action.objects.get(pk=action.pk)
        assert (stored.status, stored.progress, stored.version) == (Status.IN_PROGRESS, 40, 2)


@pytest.mark.parametrize("kind", ["note", "measurement", "document"])
def test_two_forms_opened_one_after_the_other_create_two_rows(action, kind):
    client = logged_in(MembershipFactory(organisation=action.pilot).user)
    Form(client, action, kind).post()
    Form(client, action, kind).post()
    assert FORMS[kind][1].objects.count() == 2


def test_a_form_shown_again_with_an_error_keeps_its_token_and_creates_once(action):
    client = logged_in(MembershipFactory(organisation=action.pilot).user)
    form = Form(client, action, "note")
    form.data["text"] = "   "
    refused = client.post(form.url, form.data)
    assert refused.status_code == 200
    assert TOKEN.search(refused.content.decode()).group(1) == form.data["form_token"]
    form.data["text"] = "Réunion avec la DDT."
    assert form.post() == form.answer and form.post() == form.answer
    assert ProgressUpdate.objects.count() == 1


def test_someone_elses_token_neither_hides_their_row_nor_blocks_mine(action):
    pilot = MembershipFactory(organisation=action.pilot).user
    other = MembershipFactory(organisation=action.pilot).user
    form = Form(logged_in(pilot), action, "document")
    form.post()
    assert form.post(logged_in(other)) == form.answer  # their own document, not the first's
    assert Document.objects.filter(uploaded_by=other).count() == 1
    assert Document.objects.count() == 2


def test_the_form_pages_are_not_kept_by_the_browser(action):
    """The back button or a reload asks for the page again, hence a new token."""
    client = logged_in(MembershipFactory(organisation=action.pilot).user)
    for kind in ("note", "measurement", "document"):
        first, second = Form(client, action, kind), Form(client, action, kind)
        assert first.data["form_token"] != second.data["form_token"]
        assert "no-store" in client.get(first.url)["Cache-Control"]


# --------------------------------------------------------------------------- at the same moment


def stored_files():
    folder = Path(settings.MEDIA_ROOT) / "documents"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.skipif(not IS_POSTGRES, reason="concurrent connections: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", list(FORMS))
def test_the_same_form_sent_twice_at_once_creates_one_row(kind):
    action = make_action()
    client = logged_in(MembershipFactory(organisation=action.pilot).user)
    form = Form(client, action, kind)
    twin = twin_of(client)
    results = at_once(form.post, lambda: form.post(twin))
    assert results == [form.answer, form.answer]
    assert form.model.objects.count() == 1
    if kind == "note with status":
        assert Action.objects.get(pk=action.pk).version == action.version + 1
    if kind == "document":
        assert len(stored_files()) == 1  # the twin's upload is not left behind
