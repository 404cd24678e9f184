"""Editing a fiche in the partner space, and the lost-update protection.

The conflict tests run on whichever database DATABASE_URL names: CI runs the suite on SQLite and
on PostgreSQL. The concurrent test needs real transactions on separate connections and runs on
PostgreSQL only.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from actions.models import Action
from tests.actions.factories import ActionFactory
from tests.partners.factories import MembershipFactory, StaffFactory

IS_POSTGRES = connection.vendor == "postgresql"


def form_data(action, **changes):
    data = {
        "status": action.status,
        "progress": action.progress,
        "summary": action.summary,
        "description": action.description,
        "start_date": action.start_date.isoformat() if action.start_date else "",
        "end_date": action.end_date.isoformat() if action.end_date else "",
        "version": action.version,
    }
    data.update(changes)
    return data


@pytest.fixture
def action(db):
    return ActionFactory(code="2.3", title="Zone d'activités de Saint-Règle", summary="Départ.")


@pytest.fixture
def editor(action):
    return MembershipFactory(organisation=action.pilot).user


@pytest.fixture
def second_editor(action):
    return MembershipFactory(organisation=action.pilot).user


class TestActionEdit:
    def test_form_shows_current_values_and_version(self, client, action, editor):
        client.force_login(editor)
        response = client.get(reverse("space:action_edit", args=[action.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        assert 'name="version" value="1"' in content
        assert "Départ." in content
        assert '<label for="id_progress">' in content

    def test_save_records_user_version_and_history(self, client, action, editor):
        client.force_login(editor)
        response = client.post(
            reverse("space:action_edit", args=[action.pk]),
            form_data(action, status="blocked", progress=45, summary="Foncier à acquérir."),
        )
        assert response.status_code == 302
        action.refresh_from_db()
        assert (action.status, action.progress, action.summary) == (
            "blocked",
            45,
            "Foncier à acquérir.",
        )
        assert action.version == 2
        assert action.updated_by == editor
        latest = action.history.first()
        assert latest.history_user == editor
        assert latest.status == "blocked"
        assert latest.version == 2
        page = client.get(response["Location"])
        assert "La fiche action est enregistrée." in page.content.decode()

    def test_invalid_input_is_kept_with_french_messages(self, client, action, editor):
        client.force_login(editor)
        response = client.post(
            reverse("space:action_edit", args=[action.pk]),
            form_data(
                action,
                progress=150,
                summary="Texte à ne pas perdre",
                start_date="2025-01-01",
                end_date="2024-01-01",
            ),
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "L&#x27;avancement doit être compris entre 0 et 100 %." in content
        assert "La date de fin doit suivre la date de début." in content
        assert "Texte à ne pas perdre" in content
        assert 'aria-invalid="true"' in content
        action.refresh_from_db()
        assert action.version == 1 and action.progress == 30

    def test_missing_version_is_an_error_not_a_crash(self, client, action, editor):
        client.force_login(editor)
        data = form_data(action)
        del data["version"]
        response = client.post(reverse("space:action_edit", args=[action.pk]), data)
        assert response.status_code == 200
        assert "rechargez la fiche" in response.content.decode()

    @pytest.mark.parametrize("version", ["abc", "0", "-1", "9" * 30, "1.5", ""])
    def test_hostile_version_is_a_french_error(self, client, action, editor, version):
        client.force_login(editor)
        response = client.post(
            reverse("space:action_edit", args=[action.pk]), form_data(action, version=version)
        )
        assert response.status_code == 200
        assert "rechargez la fiche" in response.content.decode()
        assert Action.objects.get(pk=action.pk).version == 1

    @pytest.mark.parametrize(
        "url_name", ["space:action", "space:action_edit", "space:document_download"]
    )
    def test_out_of_range_ids_are_404(self, client, editor, url_name):
        client.force_login(editor)
        response = client.get(reverse(url_name, args=[10**30]))
        assert response.status_code == 404

    def test_staff_edit_sends_no_notification(
        self, client, action, django_capture_on_commit_callbacks, mailoutbox
    ):
        staff = StaffFactory()
        StaffFactory()
        client.force_login(staff)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("space:action_edit", args=[action.pk]), form_data(action, status="done")
            )
        assert Action.objects.get(pk=action.pk).status == "done"
        assert mailoutbox == []

    def test_partner_status_change_notifies_staff_after_commit(
        self, client, action, editor, django_capture_on_commit_callbacks, mailoutbox
    ):
        staff = StaffFactory(email="cheffe.projet@example.org")
        StaffFactory(email="ancien@example.org", is_active=False)
        client.force_login(editor)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(
                reverse("space:action_edit", args=[action.pk]),
                form_data(action, status="paused"),
            )
        assert mailoutbox == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert [message.to for message in mailoutbox] == [[staff.email]]
        message = mailoutbox[0]
        assert "2.3" in message.subject
        assert "En cours → En pause" in message.body
        assert f"/admin/actions/action/{action.pk}/change/" in message.body

    def test_saving_without_status_change_notifies_nobody(
        self, client, action, editor, django_capture_on_commit_callbacks, mailoutbox
    ):
        StaffFactory()
        client.force_login(editor)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("space:action_edit", args=[action.pk]),
                form_data(action, summary="Autre résumé."),
            )
        assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
class TestLostUpdate:
    """Two editors open the same fiche; the second save must not overwrite the first."""

    def test_second_save_gets_conflict_page_and_can_merge(self, action, editor, second_editor):
        alice, bob = Client(), Client()
        alice.force_login(editor)
        bob.force_login(second_editor)
        url = reverse("space:action_edit", args=[action.pk])
        assert alice.get(url).status_code == 200
        assert bob.get(url).status_code == 200

        first = alice.post(url, form_data(action, status="blocked", summary="Version d'Alice."))
        assert first.status_code == 302

        second = bob.post(
            url, form_data(action, progress=80, summary="Version de Bob, longue à taper.")
        )
        assert second.status_code == 409
        content = second.content.decode()
        assert "La fiche a été modifiée pendant votre saisie" in content
        assert "Version de Bob, longue à taper." in content  # the input is kept
        assert "Version d&#x27;Alice." in content  # beside the current value
        assert 'name="version" value="2"' in content  # the new form carries the current version

        stored = Action.objects.get(pk=action.pk)
        assert (stored.summary, stored.status, stored.progress, stored.version) == (
            "Version d'Alice.",
            "blocked",
            30,
            2,
        )

        merged = bob.post(
            url,
            form_data(stored, progress=80, summary="Version d'Alice, complétée par Bob."),
        )
        assert merged.status_code == 302
        stored.refresh_from_db()
        assert (stored.summary, stored.status, stored.progress, stored.version) == (
            "Version d'Alice, complétée par Bob.",
            "blocked",
            80,
            3,
        )
        assert [h.history_user for h in stored.history.all()[:2]] == [second_editor, editor]

    def test_progress_note_changing_status_also_bumps_version(self, action, editor, second_editor):
        """An edit form opened before a note that changed the status conflicts too."""
        alice, bob = Client(), Client()
        alice.force_login(editor)
        bob.force_login(second_editor)
        stale = form_data(action, summary="Saisie de Bob.")
        response = alice.post(
            reverse("space:update_create", args=[action.pk]),
            {
                "date": "2024-06-01",
                "text": "Chantier arrêté.",
                "status_after": "paused",
                "version": action.version,
            },
        )
        assert response.status_code == 302
        response = bob.post(reverse("space:action_edit", args=[action.pk]), stale)
        assert response.status_code == 409
        assert Action.objects.get(pk=action.pk).status == "paused"


@pytest.mark.skipif(not IS_POSTGRES, reason="concurrent connections: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_exactly_one_wins(action, editor, second_editor):
    """Two saves of the same version at the same moment: one is stored, the other conflicts."""
    url = reverse("space:action_edit", args=[action.pk])
    barrier = threading.Barrier(2)
    results = {}

    def save(user, summary):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            results[summary] = client.post(url, form_data(action, summary=summary)).status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(editor, "Alice")),
        threading.Thread(target=save, args=(second_editor, "Bob")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [302, 409]
    stored = Action.objects.get(pk=action.pk)
    winner = next(name for name, code in results.items() if code == 302)
    assert (stored.summary, stored.version) == (winner, 2)
