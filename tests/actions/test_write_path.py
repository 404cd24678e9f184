"""The one write path of an action: every screen checks the version the user read.

Each path is tried twice: with a stale version (on any database: refused, nothing written, the
conflict answer), and at the same moment as a second writer on two real PostgreSQL connections
(exactly one wins, the other gets the conflict answer, the database holds the winner's values).
"""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from actions.admin.spreadsheet import SpreadsheetMixin
from actions.models import Action, Status
from actions.spreadsheet.formats import SemicolonCSV
from actions.spreadsheet.resources import ActionResource
from actions.writes import VersionConflict, save_action
from tests.actions.factories import ActionFactory
from tests.actions.test_admin_actions import form_data as admin_form_data
from tests.partners.factories import MembershipFactory, StaffFactory

IS_POSTGRES = connection.vendor == "postgresql"
CSV_FORMAT = str(
    next(i for i, f in enumerate(SpreadsheetMixin.import_formats) if f is SemicolonCSV)
)


@pytest.fixture
def action(db):
    return ActionFactory(code="2.3", title="Zone d'activités", summary="Départ.")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def editor_of(action):
    return MembershipFactory(organisation=action.pilot).user


# --------------------------------------------------------------------------- the writers
# Each writer is prepared (the page read, at the action's current version) before the race, then
# `post()` sends the write and answers "won" or "conflict"; `holds(stored)` says whether the
# database holds what this writer wrote.


class PartnerForm:
    def __init__(self, action, marker):
        self.client, self.marker = client_for(editor_of(action)), marker
        self.url = reverse("space:action_edit", args=[action.pk])
        self.data = {
            "status": action.status,
            "progress": action.progress,
            "summary": marker,
            "description": action.description,
            "start_date": "",
            "end_date": "",
            "version": action.version,
        }

    def post(self):
        response = self.client.post(self.url, self.data)
        return {302: "won", 409: "conflict"}.get(response.status_code, response.status_code)

    def holds(self, stored):
        return stored.summary == self.marker


class ProgressNote:
    def __init__(self, action, marker, progress):
        self.client, self.marker, self.progress = client_for(editor_of(action)), marker, progress
        self.url = reverse("space:update_create", args=[action.pk])
        self.data = {
            "date": "2024-06-01",
            "text": marker,
            "status_after": Status.IN_PROGRESS,
            "progress_after": str(progress),
            "version": action.version,
        }

    def post(self):
        response = self.client.post(self.url, self.data)
        if response.status_code == 409:
            assert "Votre note est conservée" in response.content.decode()
        return {302: "won", 409: "conflict"}.get(response.status_code, response.status_code)

    def holds(self, stored):
        return stored.progress == self.progress and stored.updates.filter(text=self.marker).exists()


class AdminForm:
    def __init__(self, action, marker):
        self.client, self.marker = client_for(StaffFactory()), marker
        self.url = self.form_url(action)
        self.data = admin_form_data(self.client.get(self.url))
        self.data["title"] = marker

    def post(self):
        response = self.client.post(self.url, self.data)
        if response.status_code == 200:
            errors = response.context["adminform"].form.non_field_errors()
            assert any("modifiée par quelqu'un d'autre" in e for e in errors), errors
            return "conflict"
        return "won" if response.status_code == 302 else response.status_code

    def holds(self, stored):
        return stored.title == self.marker

    @staticmethod
    def form_url(action):
        return reverse("admin:actions_action_change", args=[action.pk])


class BulkStatus:
    def __init__(self, action, status):
        self.client, self.status = client_for(StaffFactory()), status
        self.data = {
            "action": f"set_status_{status.value}",
            "_selected_action": [action.pk],
            f"version-{action.pk}": str(action.version),
        }

    def post(self):
        response = self.client.post(
            reverse("admin:actions_action_changelist"), self.data, follow=True
        )
        page = response.content.decode()
        if "Non modifiée(s) car changée(s) par quelqu&#x27;un d&#x27;autre" in page:
            return "conflict"
        if "Non modifiée(s) car la liste envoyée était incomplète" in page:
            return "incomplete"
        return "won" if "1 fiche(s) passée(s)" in page else page

    def holds(self, stored):
        return stored.status == self.status


class ImportConfirmation:
    """A spreadsheet of the action with a new title, previewed now and confirmed in the race."""

    def __init__(self, action, marker):
        self.client, self.marker = client_for(StaffFactory()), marker
        dataset = ActionResource().export(queryset=Action.objects.filter(pk=action.pk))
        rows = [list(row) for row in dataset]
        rows[0][dataset.headers.index("Intitulé")] = marker
        dataset = type(dataset)(*rows, headers=dataset.headers)
        upload = SimpleUploadedFile(
            "fiches.csv", SemicolonCSV().export_data(dataset).encode("utf-8"), "text/csv"
        )
        preview = self.client.post(
            reverse("admin:actions_action_import"),
            {"resource": "0", "format": CSV_FORMAT, "import_file": upload},
        )
        form = preview.context["confirm_form"]
        assert form is not None, preview.context["result"].invalid_rows
        self.data = {name: form.initial.get(name, "") for name in form.fields}

    def post(self):
        response = self.client.post(reverse("admin:actions_action_process_import"), self.data)
        assert response.status_code == 302
        if response["Location"] == reverse("admin:actions_action_changelist"):
            return "won"
        return "conflict"

    def holds(self, stored):
        return stored.title == self.marker


WRITERS = {
    "partner form": lambda action, n: PartnerForm(action, f"Résumé {n}"),
    "progress note": lambda action, n: ProgressNote(action, f"Note {n}", 40 + n),
    "admin form": lambda action, n: AdminForm(action, f"Intitulé {n}"),
    "bulk action": lambda action, n: BulkStatus(action, [Status.BLOCKED, Status.PAUSED][n]),
    "import": lambda action, n: ImportConfirmation(action, f"Intitulé importé {n}"),
}


# --------------------------------------------------------------------------- stale version


@pytest.mark.parametrize("path", list(WRITERS))
def test_a_write_read_before_another_change_is_refused(action, path):
    """Opened at version 1; meanwhile a partner saved: the write is refused, nothing lost."""
    writer = WRITERS[path](action, 0)
    other = PartnerForm(Action.objects.get(pk=action.pk), "Saisie arrivée avant")
    assert other.post() == "won"
    assert writer.post() == "conflict"
    stored = Action.objects.get(pk=action.pk)
    assert other.holds(stored) and not writer.holds(stored)
    assert stored.version == 2


@pytest.mark.parametrize("path", list(WRITERS))
def test_an_up_to_date_write_is_saved_with_a_new_version_and_its_history(action, path):
    writer = WRITERS[path](action, 0)
    assert writer.post() == "won"
    stored = Action.objects.get(pk=action.pk)
    assert writer.holds(stored) and stored.version == 2
    record = stored.history.first()
    assert record.history_user is not None and record.history_change_reason


def test_the_write_path_refuses_a_missing_version(action):
    with pytest.raises(VersionConflict):
        save_action(
            action.pk, {"title": "Sans version"}, expected_version=None, user=None, reason=""
        )
    assert Action.objects.get(pk=action.pk).title == "Zone d'activités"


def test_an_admin_post_without_the_loaded_version_is_refused(action):
    writer = AdminForm(action, "Sans version")
    del writer.data["loaded_version"]
    response = writer.client.post(writer.url, writer.data)
    assert response.status_code == 200
    assert "version de la fiche manquante" in response.content.decode()
    assert Action.objects.get(pk=action.pk).title == "Zone d'activités"


def test_a_bulk_post_without_versions_changes_nothing(action):
    writer = BulkStatus(action, Status.BLOCKED)
    del writer.data[f"version-{action.pk}"]
    assert writer.post() == "incomplete"
    assert Action.objects.get(pk=action.pk).status == action.status


def test_the_import_names_the_row_whose_action_changed(action):
    writer = ImportConfirmation(action, "Intitulé importé")
    assert PartnerForm(Action.objects.get(pk=action.pk), "Saisie du partenaire").post() == "won"
    response = writer.client.post(
        reverse("admin:actions_action_process_import"), writer.data, follow=True
    )
    page = response.content.decode()
    assert (
        "Ligne 2 du tableur : La fiche 2.3 a été modifiée par quelqu&#x27;un d&#x27;autre" in page
    )
    assert Action.objects.get(pk=action.pk).summary == "Saisie du partenaire"


def test_a_bulk_change_skips_only_the_rows_that_changed(action):
    other = ActionFactory(code="2.4")
    writer = BulkStatus(action, Status.BLOCKED)
    writer.data["_selected_action"].append(other.pk)
    writer.data[f"version-{other.pk}"] = str(other.version)
    PartnerForm(Action.objects.get(pk=action.pk), "Saisie du partenaire").post()
    response = writer.client.post(
        reverse("admin:actions_action_changelist"), writer.data, follow=True
    )
    page = response.content.decode()
    assert "1 fiche(s) passée(s) au statut « Bloquée »." in page
    assert "depuis l&#x27;affichage de la liste : 2.3." in page
    assert Action.objects.get(pk=other.pk).status == Status.BLOCKED
    assert Action.objects.get(pk=action.pk).status != Status.BLOCKED


# --------------------------------------------------------------------------- at the same moment


def at_once(*senders):
    """Run every sender (a callable) at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(senders))
    results = [None] * len(senders)

    def run(index, send):
        barrier.wait()
        try:
            results[index] = send()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def race(*writers):
    """Send every writer's POST at the same moment, each on its own connection."""
    return at_once(*(writer.post for writer in writers))


PAIRS = [(path, path) for path in WRITERS] + [
    ("import", "partner form"),
    ("admin form", "partner form"),
    ("bulk action", "progress note"),
]


@pytest.mark.skipif(not IS_POSTGRES, reason="concurrent connections: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_writes_at_once_exactly_one_wins(first, second):
    action = ActionFactory(code="2.3", title="Zone d'activités", summary="Départ.")
    writers = [WRITERS[first](action, 0), WRITERS[second](action, 1)]
    results = race(*writers)
    assert sorted(results) == ["conflict", "won"], results
    winner = writers[results.index("won")]
    loser = writers[results.index("conflict")]
    stored = Action.objects.get(pk=action.pk)
    assert winner.holds(stored) and not loser.holds(stored)
    assert stored.version == 2
