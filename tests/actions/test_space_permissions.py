"""The permission matrix of the partner space: every URL and every write, for every kind of person.

Roles: anonymous, editor of the pilot organisation, editor of a partner organisation, reader of the
pilot organisation, editor of an unrelated organisation, staff. A refused write leaves the database
exactly as it was.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action, Document, Measurement, ProgressUpdate
from partners.models import Membership
from tests.actions.factories import ActionFactory, DocumentFactory, IndicatorFactory
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
)

ROLES = ["anonymous", "pilot_editor", "partner_editor", "reader", "outsider", "staff"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_world():
    """Two actions of different organisations, with indicators and documents, and one person
    per role."""
    pilot = OrganisationFactory(name="CC Touraine-Est Vallées")
    partner = OrganisationFactory(name="ERET")
    other = OrganisationFactory(name="AICR")
    action = ActionFactory(
        code="1.1", title="Plateforme RH", pilot=pilot, partners=[partner], is_public=False
    )
    other_action = ActionFactory(code="1.2", title="Foncier", pilot=other, is_public=False)
    users = {
        "anonymous": None,
        "pilot_editor": MembershipFactory(organisation=pilot).user,
        "partner_editor": MembershipFactory(organisation=partner).user,
        "reader": MembershipFactory(organisation=pilot, role=Membership.Role.READER).user,
        "outsider": MembershipFactory(organisation=other).user,
        "staff": StaffFactory(),
    }
    indicator = IndicatorFactory(action=action, name="Entreprises accompagnées")
    other_indicator = IndicatorFactory(action=other_action, name="Hectares")
    documents = {
        "partners": DocumentFactory(
            action=action,
            visibility=Document.Visibility.PARTNERS,
            uploaded_by=users["pilot_editor"],
            original_name="compte-rendu.pdf",
        ),
        "public": DocumentFactory(action=action, visibility=Document.Visibility.PUBLIC),
        "staff": DocumentFactory(action=action, visibility=Document.Visibility.STAFF),
        "other": DocumentFactory(action=other_action, visibility=Document.Visibility.PARTNERS),
    }
    return SimpleNamespace(
        action=action,
        other_action=other_action,
        users=users,
        indicator=indicator,
        other_indicator=other_indicator,
        documents=documents,
    )


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def snapshot():
    """Everything a write of the partner space may change."""
    return {
        "actions": list(
            Action.objects.order_by("pk").values_list(
                "pk", "status", "progress", "summary", "version", "is_archived", "updated_by"
            )
        ),
        "updates": list(ProgressUpdate.objects.values_list("pk", flat=True)),
        "measurements": list(Measurement.objects.values_list("pk", flat=True)),
        "documents": sorted(Document.objects.values_list("pk", flat=True)),
        "history": Action.history.count() + Document.history.count(),
    }


@pytest.fixture
def world(db):
    return build_world()


# Expected answers of pages (GET). 302 = sent to the login page.
VIEW = dict(
    anonymous=302, pilot_editor=200, partner_editor=200, reader=200, outsider=404, staff=200
)
EDIT = dict(
    anonymous=302, pilot_editor=200, partner_editor=403, reader=403, outsider=404, staff=200
)
CONTRIBUTE = dict(
    anonymous=302, pilot_editor=200, partner_editor=200, reader=403, outsider=404, staff=200
)

PAGES = [
    ("space:action", VIEW),
    ("space:action_edit", EDIT),
    ("space:action_archive", EDIT),
    ("space:update_create", CONTRIBUTE),
    ("space:measurement_create", CONTRIBUTE),
    ("space:document_create", CONTRIBUTE),
]


@pytest.mark.parametrize("role", ROLES)
def test_dashboard(client, world, role):
    response = client_for(client, world.users[role]).get(reverse("space:dashboard"))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("partners:login"))
        return
    assert response.status_code == 200
    content = response.content.decode()
    shows_action = role in ("pilot_editor", "partner_editor", "reader")
    assert ("Plateforme RH" in content) is shows_action
    assert ("Foncier" in content) is (role == "outsider")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name,expected", PAGES, ids=[name for name, _ in PAGES])
def test_action_pages(client, world, role, url_name, expected):
    response = client_for(client, world.users[role]).get(reverse(url_name, args=[world.action.pk]))
    assert response.status_code == expected[role]
    if expected[role] == 404:
        assert "Plateforme RH" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_document_delete_page(client, world, role):
    url = reverse("space:document_delete", args=[world.documents["partners"].pk])
    response = client_for(client, world.users[role]).get(url)
    assert response.status_code == EDIT[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "document,expected",
    [
        ("partners", dict(VIEW, anonymous=404)),
        ("public", dict(VIEW, anonymous=404)),  # public document, but of a private action
        ("staff", dict.fromkeys(ROLES, 404) | {"staff": 200}),
        ("other", dict.fromkeys(ROLES, 404) | {"outsider": 200, "staff": 200}),
    ],
)
def test_document_download(client, world, role, document, expected):
    url = reverse("space:document_download", args=[world.documents[document].pk])
    response = client_for(client, world.users[role]).get(url)
    assert response.status_code == expected[role]
    if response.status_code == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


# ----------------------------------------------------------------------------- writes


def post_edit(client, world):
    action = world.action
    return client.post(
        reverse("space:action_edit", args=[action.pk]),
        {
            "status": "blocked",
            "progress": 55,
            "summary": "Résumé modifié.",
            "description": "",
            "start_date": "2024-01-01",
            "end_date": "2026-12-31",
            "version": action.version,
        },
    )


def post_update(client, world):
    return client.post(
        reverse("space:update_create", args=[world.action.pk]),
        {"date": "2024-06-01", "text": "Trois entreprises rencontrées."},
    )


def post_measurement(client, world):
    return client.post(
        reverse("space:measurement_create", args=[world.action.pk]),
        {"indicator": world.indicator.pk, "date": "2024-06-30", "value": "12", "comment": ""},
    )


def post_document(client, world):
    return client.post(
        reverse("space:document_create", args=[world.action.pk]),
        {
            "title": "Bilan",
            "visibility": "partners",
            "file": SimpleUploadedFile("bilan.pdf", PDF, "application/pdf"),
        },
    )


def post_document_delete(client, world):
    return client.post(reverse("space:document_delete", args=[world.documents["partners"].pk]))


def post_archive(client, world):
    return client.post(
        reverse("space:action_archive", args=[world.action.pk]),
        {"archived": "1", "version": world.action.version},
    )


WRITES = [
    (post_edit, dict(EDIT, pilot_editor=302, staff=302)),
    (post_archive, dict(EDIT, pilot_editor=302, staff=302)),
    (post_update, dict(CONTRIBUTE, pilot_editor=302, partner_editor=302, staff=302)),
    (post_measurement, dict(CONTRIBUTE, pilot_editor=302, partner_editor=302, staff=302)),
    (post_document, dict(CONTRIBUTE, pilot_editor=302, partner_editor=302, staff=302)),
    (post_document_delete, dict(EDIT, pilot_editor=302, staff=302)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write,expected", WRITES, ids=[w.__name__ for w, _ in WRITES])
def test_writes(client, world, role, write, expected):
    before = snapshot()
    response = write(client_for(client, world.users[role]), world)
    assert response.status_code == expected[role]
    if expected[role] == 302 and role != "anonymous":
        assert response["Location"] == reverse("space:action", args=[world.action.pk])
        assert snapshot() != before
        if write in (post_edit, post_archive):
            history = world.action.history.first()
            assert history.history_user == world.users[role]
    else:
        assert snapshot() == before
    if role == "anonymous":
        assert response["Location"].startswith(reverse("partners:login"))


# ----------------------------------------------------------------------------- tampering


def test_measurement_with_another_actions_indicator_is_404(client, world):
    """An editor of the pilot slips the id of another organisation's indicator into the form."""
    client.force_login(world.users["pilot_editor"])
    before = snapshot()
    response = client.post(
        reverse("space:measurement_create", args=[world.action.pk]),
        {"indicator": world.other_indicator.pk, "date": "2024-06-30", "value": "3"},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_outsider_cannot_use_own_action_to_reach_another_indicator(client, world):
    client.force_login(world.users["outsider"])
    before = snapshot()
    response = client.post(
        reverse("space:measurement_create", args=[world.other_action.pk]),
        {"indicator": world.indicator.pk, "date": "2024-06-30", "value": "3"},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_pilot_editor_cannot_remove_another_organisations_document(client, world):
    client.force_login(world.users["pilot_editor"])
    before = snapshot()
    response = client.post(reverse("space:document_delete", args=[world.documents["other"].pk]))
    assert response.status_code == 404
    assert snapshot() == before


def test_pilot_editor_cannot_remove_a_staff_only_document(client, world):
    client.force_login(world.users["pilot_editor"])
    before = snapshot()
    response = client.post(reverse("space:document_delete", args=[world.documents["staff"].pk]))
    assert response.status_code == 404
    assert snapshot() == before


def test_extra_post_ids_are_ignored(client, world):
    """Ids added to the edit form never redirect the write to another action."""
    client.force_login(world.users["pilot_editor"])
    other_before = Action.objects.values().get(pk=world.other_action.pk)
    response = client.post(
        reverse("space:action_edit", args=[world.action.pk]),
        {
            "status": "done",
            "progress": 100,
            "summary": "",
            "description": "",
            "version": world.action.version,
            "pk": world.other_action.pk,
            "id": world.other_action.pk,
            "action": world.other_action.pk,
            "pilot": world.users["pilot_editor"].memberships.get().organisation_id,
        },
    )
    assert response.status_code == 302
    assert Action.objects.values().get(pk=world.other_action.pk) == other_before
    world.action.refresh_from_db()
    assert world.action.status == "done"


def test_partner_editor_cannot_change_status_through_a_progress_note(client, world):
    client.force_login(world.users["partner_editor"])
    response = client.post(
        reverse("space:update_create", args=[world.action.pk]),
        {
            "date": "2024-06-01",
            "text": "Point d'étape.",
            "status_after": "abandoned",
            "progress_after": "100",
        },
    )
    assert response.status_code == 302
    world.action.refresh_from_db()
    assert (world.action.status, world.action.progress) == ("in_progress", 30)
    update = ProgressUpdate.objects.get()
    assert update.status_after == "in_progress"
    assert update.progress_after is None


def test_partner_editor_removes_only_own_documents(client, world):
    partner = world.users["partner_editor"]
    own = DocumentFactory(action=world.action, uploaded_by=partner, visibility="partners")
    client.force_login(partner)
    assert client.post(reverse("space:document_delete", args=[own.pk])).status_code == 302
    assert not Document.objects.filter(pk=own.pk).exists()
    assert Document.history.filter(id=own.pk).first().history_user == partner


def test_reader_sees_private_action_but_no_write_buttons(client, world):
    client.force_login(world.users["reader"])
    response = client.get(reverse("space:action", args=[world.action.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Plateforme RH" in content
    assert reverse("space:action_edit", args=[world.action.pk]) not in content
    assert reverse("space:update_create", args=[world.action.pk]) not in content
    assert "Pilote — lecteur" in content


def test_member_does_not_see_staff_only_documents(client, world):
    client.force_login(world.users["pilot_editor"])
    response = client.get(reverse("space:action", args=[world.action.pk]))
    urls = {
        kind: reverse("space:document_download", args=[doc.pk])
        for kind, doc in world.documents.items()
    }
    content = response.content.decode()
    assert urls["partners"] in content
    assert urls["public"] in content
    assert urls["staff"] not in content


def test_public_document_of_public_action_downloads_for_anyone(client, db):
    document = DocumentFactory(
        action=ActionFactory(is_public=True),
        visibility="public",
        original_name="plaquette.pdf",
    )
    response = client.get(reverse("space:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plaquette.pdf"'


def test_public_document_of_archived_action_is_404_for_the_public(client, db):
    document = DocumentFactory(action=ActionFactory(is_public=True, is_archived=True))
    response = client.get(reverse("space:document_download", args=[document.pk]))
    assert response.status_code == 404


def test_inactive_member_is_treated_as_anonymous(client, world):
    user = world.users["pilot_editor"]
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("space:action", args=[world.action.pk]))
    assert response.status_code == 302
