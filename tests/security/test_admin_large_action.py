"""Issue 16, item 8: an action with many notes and documents still saves in the admin.

The change form listed every note and document as editable inline rows: with 150 of each, a
browser sent about 2,300 fields and Django refused the POST (400, more than
DATA_UPLOAD_MAX_NUMBER_FIELDS). The form now shows the latest few read-only, with links to the
full lists, and keeps Django's limit.
"""

import datetime

import pytest
from django.conf import global_settings, settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Document, ProgressUpdate
from tests.actions.factories import ActionFactory
from tests.actions.test_admin_actions import form_data
from tests.partners.factories import StaffFactory

MANY = 150


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


def with_notes_and_documents(action, count):
    """`count` notes and documents, inserted in bulk (no files: the form only names them)."""
    day = datetime.date(2024, 1, 1)
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(action=action, date=day + datetime.timedelta(days=n), text=f"Note n° {n}")
        for n in range(count)
    )
    Document.objects.bulk_create(
        Document(action=action, title=f"Document n° {n}", file=f"documents/{n:032x}.pdf")
        for n in range(count)
    )
    return action


def change_url(action):
    return reverse("admin:actions_action_change", args=[action.pk])


def test_django_limit_on_posted_fields_is_not_raised():
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == global_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_an_action_with_150_notes_and_150_documents_saves_from_its_change_form(client, staff):
    action = with_notes_and_documents(ActionFactory(title="Ancien titre"), MANY)
    data = form_data(client.get(change_url(action)))  # every field the page holds, as sent
    data["title"] = "Nouveau titre"
    data["summary"] = "Résumé revu par l'équipe projet."
    response = client.post(change_url(action), data)
    assert response.status_code == 302, response.status_code
    action.refresh_from_db()
    assert (action.title, action.summary) == ("Nouveau titre", "Résumé revu par l'équipe projet.")
    assert action.version == 2
    # Nothing listed was lost on the way.
    assert action.updates.count() == MANY and action.documents.count() == MANY


def test_a_note_can_still_be_added_from_the_change_form(client, staff):
    action = with_notes_and_documents(ActionFactory(), MANY)
    data = form_data(client.get(change_url(action)))
    data.update(
        {
            "updates-TOTAL_FORMS": "1",
            "updates-0-date": "2025-03-01",
            "updates-0-text": "Réunion de lancement tenue.",
        }
    )
    response = client.post(change_url(action), data)
    assert response.status_code == 302, response.status_code
    note = action.updates.get(text="Réunion de lancement tenue.")
    assert note.author == staff
    assert action.updates.count() == MANY + 1


def test_the_change_form_shows_the_latest_and_links_to_the_full_lists(client, staff):
    action = with_notes_and_documents(ActionFactory(), MANY)
    page = client.get(change_url(action)).content.decode()
    notes = reverse("admin:actions_progressupdate_changelist") + f"?action__id__exact={action.pk}"
    documents = reverse("admin:actions_document_changelist") + f"?action__id__exact={action.pk}"
    assert f'href="{notes}"' in page and "Toutes les notes de suivi de la fiche (150)" in page
    assert f'href="{documents}"' in page and "Tous les documents de la fiche (150)" in page
    assert "Note n° 149" in page and "Document n° 149" in page  # the latest ones
    assert "Note n° 0<" not in page and "Document n° 0<" not in page  # not the whole lists


@pytest.mark.parametrize(
    ("changelist", "model"),
    [
        ("admin:actions_progressupdate_changelist", ProgressUpdate),
        ("admin:actions_document_changelist", Document),
    ],
)
def test_the_full_list_holds_the_action_rows_only(client, staff, changelist, model):
    action = with_notes_and_documents(ActionFactory(), MANY)
    with_notes_and_documents(ActionFactory(code="9.9"), 3)  # another action's rows
    response = client.get(reverse(changelist), {"action__id__exact": action.pk})
    assert response.status_code == 200
    listed = response.context["cl"]
    assert listed.result_count == MANY
    assert set(listed.queryset.values_list("action", flat=True)) == {action.pk}
    assert model.objects.count() == MANY + 3


def posted_fields(data):
    return sum(len(value) if isinstance(value, list) else 1 for value in data.values())


def test_the_change_form_is_as_big_and_as_costly_with_1_or_150_notes(client, staff):
    """As many fields to send and as many queries to show it, whatever the lists' length."""
    few = with_notes_and_documents(ActionFactory(code="1.1"), 1)
    many = with_notes_and_documents(ActionFactory(code="1.2"), MANY)
    client.get(change_url(few))  # the first page of a session reads a few things once
    queries, fields = [], []
    for action in (few, many):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(change_url(action))
        queries.append(len(captured))
        fields.append(posted_fields(form_data(response)))
    assert queries[0] == queries[1], queries
    assert fields[0] == fields[1], fields


def test_a_new_action_form_has_no_lists_yet(client, staff):
    response = client.get(reverse("admin:actions_action_add"))
    assert response.status_code == 200
    assert "Toutes les notes de suivi" not in response.content.decode()
