"""Issue 16, items 1 and 2: no write of an action undoes a change it did not see.

tests/actions/test_write_path.py tries every write path (partner form, progress note, admin form,
bulk action, import) opened before a *partner's* save, each path racing itself, and three mixed
races. This file adds the interleavings it leaves out:

- each staff write (admin form, admin revert, import confirmation) opened before *any* other
  writer's save, and the partner's writes opened before a staff save: refused, nothing lost;
- the mixed races between the admin or the import and the partner's other writes, on two real
  PostgreSQL connections: exactly one wins (skipped on SQLite, which has no concurrent writers);
- admin and import POSTs whose version is missing, malformed, forged or taken from another
  preview: refused, the newer data kept;
- an admin save leaves alone the notes and documents a partner added while the form was open.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action, Document, ProgressUpdate
from tests.actions.factories import ActionFactory
from tests.actions.test_write_path import (
    IS_POSTGRES,
    WRITERS,
    AdminForm,
    ImportConfirmation,
    PartnerForm,
    client_for,
    editor_of,
    race,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ORIGINAL_TITLE = "Zone d'activités"


def make_action():
    """With its creation in the history: the record the revert form goes back to."""
    return ActionFactory(code="2.3", title=ORIGINAL_TITLE, summary="Départ.", with_history=True)


@pytest.fixture
def action(db):
    return make_action()


# --------------------------------------------------------------------------- two more writers
# Same protocol as the writers of test_write_path: prepared at the action's current version,
# `post()` answers "won" or "conflict", `holds(stored)` says whether the database holds its write.


class AdminRevert(AdminForm):
    """The history's revert form (the action as it was created), with a new title."""

    @staticmethod
    def form_url(action):
        record = Action.objects.get(pk=action.pk).history.earliest()
        return reverse("admin:actions_action_simple_history", args=[action.pk, record.pk])


class PartnerArchive:
    """The partner space's « Archiver la fiche »."""

    def __init__(self, action, marker=None):
        self.client = client_for(editor_of(action))
        self.url = reverse("space:action_archive", args=[action.pk])
        self.data = {"archived": "1", "version": str(action.version)}

    def post(self):
        response = self.client.post(self.url, self.data)
        return {302: "won", 409: "conflict"}.get(response.status_code, response.status_code)

    def holds(self, stored):
        return stored.is_archived


ALL_WRITERS = WRITERS | {
    "admin revert": lambda action, n: AdminRevert(action, f"Intitulé rétabli {n}"),
    "partner archive": lambda action, n: PartnerArchive(action),
}


# --------------------------------------------------------------------------- opened before


STAFF_WRITES = ["admin form", "admin revert", "import"]
OTHERS = ["admin form", "admin revert", "progress note", "bulk action", "import", "partner archive"]
# (opened first, saved in between); a partner's save in between is test_write_path's.
INTERLEAVINGS = [(first, other) for first in STAFF_WRITES for other in OTHERS] + [
    (first, other)
    for first in ["partner form", "progress note"]
    for other in ["admin form", "admin revert", "import"]
]


@pytest.mark.parametrize(
    ("first", "other"), INTERLEAVINGS, ids=[f"{a} then {b}" for a, b in INTERLEAVINGS]
)
def test_a_write_opened_before_another_save_is_refused(action, first, other):
    """Both forms opened at version 1; `other` is saved first, then `first` is refused."""
    opened_first = ALL_WRITERS[first](action, 0)
    saved_between = ALL_WRITERS[other](Action.objects.get(pk=action.pk), 1)
    assert saved_between.post() == "won"
    assert opened_first.post() == "conflict"
    stored = Action.objects.get(pk=action.pk)
    assert saved_between.holds(stored) and not opened_first.holds(stored)
    assert stored.version == 2


def test_two_staff_members_saving_one_after_the_other_keep_the_first_save(action):
    """The everyday case of item 1: two admins open the fiche, both save."""
    first, second = AdminForm(action, "Intitulé de Claire"), AdminForm(action, "Intitulé de Marc")
    first.data["summary"] = "Résumé de Claire."
    assert first.post() == "won"
    response = second.client.post(second.url, second.data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "modifiée par quelqu&#x27;un d&#x27;autre depuis l&#x27;ouverture" in page
    stored = Action.objects.get(pk=action.pk)
    assert (stored.title, stored.summary) == ("Intitulé de Claire", "Résumé de Claire.")


# --------------------------------------------------------------------------- at the same moment


MIXED_RACES = [
    ("admin form", "progress note"),
    ("admin form", "bulk action"),
    ("admin form", "import"),
    ("admin form", "partner archive"),
    ("admin revert", "partner form"),
    ("admin revert", "admin form"),
    ("import", "progress note"),
    ("import", "bulk action"),
]


@pytest.mark.skipif(not IS_POSTGRES, reason="concurrent connections: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first", "second"), MIXED_RACES, ids=[f"{a}+{b}" for a, b in MIXED_RACES])
def test_a_staff_write_and_another_at_once_exactly_one_wins(first, second):
    action = make_action()
    writers = [ALL_WRITERS[first](action, 0), ALL_WRITERS[second](action, 1)]
    results = race(*writers)
    assert sorted(results) == ["conflict", "won"], results
    winner = writers[results.index("won")]
    loser = writers[results.index("conflict")]
    stored = Action.objects.get(pk=action.pk)
    assert winner.holds(stored) and not loser.holds(stored)
    assert stored.version == 2


@pytest.mark.skipif(not IS_POSTGRES, reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_revert_outside_any_test_transaction_is_saved():
    """As in production (no transaction around the request): the revert's version check takes
    its row lock inside the view's own transaction, not in autocommit (a 500 before)."""
    action = make_action()
    writer = AdminRevert(action, "Intitulé rétabli")
    assert writer.post() == "won"
    assert Action.objects.get(pk=action.pk).title == "Intitulé rétabli"


# ---------------------------------------------------------------------- no version, or a false one


@pytest.mark.parametrize(
    ("loaded_version", "message"),
    [
        ("", "version de la fiche manquante"),
        ("deux", "Le formulaire est incomplet : rechargez la fiche."),
        ("1.5", "Le formulaire est incomplet : rechargez la fiche."),
        ("3", "modifiée par quelqu&#x27;un d&#x27;autre"),  # ahead of the stored version 2
        ("-1", "modifiée par quelqu&#x27;un d&#x27;autre"),
    ],
)
def test_an_admin_post_with_an_empty_or_false_version_is_refused(action, loaded_version, message):
    """The fiche was changed by a partner after the admin opened it; the admin's POST carries no
    usable version (a missing one is test_write_path's): the partner's change stays."""
    writer = AdminForm(action, "Intitulé de l'équipe")
    assert PartnerForm(Action.objects.get(pk=action.pk), "Saisie du partenaire").post() == "won"
    writer.data["loaded_version"] = loaded_version
    response = writer.client.post(writer.url, writer.data)
    assert response.status_code == 200
    assert message in response.content.decode()
    stored = Action.objects.get(pk=action.pk)
    assert (stored.title, stored.summary, stored.version) == (
        ORIGINAL_TITLE,
        "Saisie du partenaire",
        2,
    )


def test_an_admin_revert_without_the_loaded_version_is_refused(action):
    writer = AdminRevert(action, "Intitulé rétabli")
    assert PartnerForm(Action.objects.get(pk=action.pk), "Saisie du partenaire").post() == "won"
    del writer.data["loaded_version"]
    response = writer.client.post(writer.url, writer.data)
    assert response.status_code == 200
    assert "version de la fiche manquante" in response.content.decode()
    assert Action.objects.get(pk=action.pk).summary == "Saisie du partenaire"


def other_preview_versions(action):
    """The signed versions of another preview (another file) of the same action."""
    return ImportConfirmation(Action.objects.get(pk=action.pk), "Autre fichier").data["versions"]


@pytest.mark.parametrize(
    "versions",
    [None, "", "pas-une-signature", other_preview_versions],
    ids=["absent", "empty", "unsigned", "another preview's"],
)
def test_an_import_confirmed_without_its_own_versions_after_a_partner_edit_is_refused(
    action, versions
):
    writer = ImportConfirmation(action, "Intitulé importé")
    replacement = versions(action) if callable(versions) else versions
    assert PartnerForm(Action.objects.get(pk=action.pk), "Saisie du partenaire").post() == "won"
    if replacement is None:
        del writer.data["versions"]
    else:
        writer.data["versions"] = replacement
    response = writer.client.post(
        reverse("admin:actions_action_process_import"), writer.data, follow=True
    )
    assert "importez-le à nouveau" in response.content.decode()
    stored = Action.objects.get(pk=action.pk)
    assert (stored.title, stored.summary, stored.version) == (
        ORIGINAL_TITLE,
        "Saisie du partenaire",
        2,
    )


# ----------------------------------------------------------------------- what hangs off the action


def test_an_admin_save_keeps_the_notes_and_documents_added_while_the_form_was_open(action):
    writer = AdminForm(action, "Intitulé de l'équipe")
    partner = client_for(editor_of(action))
    note = partner.post(
        reverse("space:update_create", args=[action.pk]),
        {"date": "2024-06-01", "text": "Note du partenaire."},
    )
    upload = partner.post(
        reverse("space:document_create", args=[action.pk]),
        {
            "title": "Étude du partenaire",
            "visibility": "partners",
            "file": SimpleUploadedFile("etude.pdf", PDF, "application/pdf"),
        },
    )
    assert note.status_code == upload.status_code == 302
    assert writer.post() == "won"  # the note and the document did not change the fiche's version
    assert ProgressUpdate.objects.filter(action=action, text="Note du partenaire.").exists()
    assert Document.objects.filter(action=action, title="Étude du partenaire").exists()
    assert Action.objects.get(pk=action.pk).title == "Intitulé de l'équipe"
