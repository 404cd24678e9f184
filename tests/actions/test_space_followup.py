"""Progress notes, indicator measurements and documents in the partner space."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Document, Measurement, ProgressUpdate
from tests.actions.factories import ActionFactory, DocumentFactory, IndicatorFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import CopilMeetingFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def action(db):
    partner = OrganisationFactory(name="GEIDA")
    return ActionFactory(code="3.1", title="Friches industrielles", partners=[partner])


@pytest.fixture
def editor(action):
    return MembershipFactory(organisation=action.pilot).user


@pytest.fixture
def partner_editor(action):
    return MembershipFactory(organisation=action.partners.get()).user


class TestProgressUpdate:
    def url(self, action):
        return reverse("space:update_create", args=[action.pk])

    def test_pilot_editor_changes_status_and_progress_in_one_go(self, client, action, editor):
        client.force_login(editor)
        page = client.get(self.url(action)).content.decode()
        assert "Nouveau statut" in page
        response = client.post(
            self.url(action),
            {
                "date": "2024-09-15",
                "text": "Acquisition signée.",
                "status_after": "done",
                "progress_after": "100",
                "version": action.version,
            },
        )
        assert response.status_code == 302
        update = ProgressUpdate.objects.get()
        assert (update.status_before, update.status_after, update.progress_after) == (
            "in_progress",
            "done",
            100,
        )
        assert update.author == editor
        action.refresh_from_db()
        assert (action.status, action.progress, action.version) == ("done", 100, 2)
        assert action.history.first().history_user == editor
        detail = client.get(reverse("space:action", args=[action.pk])).content.decode()
        assert "Acquisition signée." in detail
        assert "En cours → Réalisée" in detail

    def test_note_without_change_leaves_the_fiche_alone(self, client, action, partner_editor):
        client.force_login(partner_editor)
        page = client.get(self.url(action)).content.decode()
        assert "Nouveau statut" not in page
        response = client.post(self.url(action), {"date": "2024-09-15", "text": "Réunion."})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.version == 1
        assert ProgressUpdate.objects.get().status_before == "in_progress"

    def test_future_date_and_empty_text_are_refused_in_french(self, client, action, editor):
        client.force_login(editor)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = client.post(
            self.url(action),
            {"date": tomorrow.isoformat(), "text": "   ", "status_after": "done"},
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "La date ne peut pas être dans le futur." in content
        assert "Écrivez la note de suivi." in content
        assert ProgressUpdate.objects.count() == 0
        assert Action.objects.get(pk=action.pk).status == "in_progress"

    def test_note_notifies_staff_with_admin_link(
        self, client, action, partner_editor, django_capture_on_commit_callbacks, mailoutbox
    ):
        staff = StaffFactory()
        client.force_login(partner_editor)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(self.url(action), {"date": "2024-09-15", "text": "Visite du site."})
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == [staff.email]
        assert "nouvelle note de suivi" in message.subject
        assert "Visite du site." in message.body
        assert f"/admin/actions/action/{action.pk}/change/" in message.body

    def test_nothing_is_written_when_the_transaction_fails(
        self, client, action, editor, monkeypatch
    ):
        """A failure after the fiche was saved rolls the whole change back."""
        client.force_login(editor)
        records = action.history.count()

        def boom(*args, **kwargs):
            raise RuntimeError("panne")

        monkeypatch.setattr(ProgressUpdate.objects, "create", boom)
        client.raise_request_exception = False
        response = client.post(
            self.url(action),
            {"date": "2024-09-15", "text": "Note.", "status_after": "blocked", "version": 1},
        )
        assert response.status_code == 500
        action.refresh_from_db()
        assert (action.status, action.version) == ("in_progress", 1)
        assert action.history.count() == records


class TestMeasurement:
    def url(self, action):
        return reverse("space:measurement_create", args=[action.pk])

    def test_partner_adds_a_measurement_with_decimal_comma(self, client, action, partner_editor):
        indicator = IndicatorFactory(action=action, name="Hectares requalifiés")
        client.force_login(partner_editor)
        page = client.get(self.url(action) + f"?indicateur={indicator.pk}").content.decode()
        assert f'<option value="{indicator.pk}" selected>' in page
        response = client.post(
            self.url(action),
            {"indicator": indicator.pk, "date": "2024-06-30", "value": "12,5", "comment": "T2"},
        )
        assert response.status_code == 302
        measurement = Measurement.objects.get()
        assert (measurement.value, measurement.author) == (Decimal("12.5"), partner_editor)
        assert measurement.history.first().history_user == partner_editor

    def test_bad_value_is_refused_and_input_kept(self, client, action, editor):
        indicator = IndicatorFactory(action=action)
        client.force_login(editor)
        response = client.post(
            self.url(action),
            {
                "indicator": indicator.pk,
                "date": "2024-06-30",
                "value": "beaucoup",
                "comment": "À garder",
            },
        )
        assert response.status_code == 200
        assert "Saisissez un nombre." in response.content.decode()
        assert "À garder" in response.content.decode()
        assert Measurement.objects.count() == 0

    @pytest.mark.parametrize(
        "value", ["NaN", "Infinity", "-inf", "1e400", "9" * 40, "1,2,3", "<script>", "\x00"]
    )
    def test_hostile_values_are_french_errors(self, client, action, editor, value):
        indicator = IndicatorFactory(action=action)
        client.force_login(editor)
        response = client.post(
            self.url(action), {"indicator": indicator.pk, "date": "2024-06-30", "value": value}
        )
        assert response.status_code == 200
        assert 'id="id_value_error"' in response.content.decode()
        assert Measurement.objects.count() == 0

    def test_non_numeric_indicator_id_is_404(self, client, action, editor):
        IndicatorFactory(action=action)
        client.force_login(editor)
        response = client.post(
            self.url(action), {"indicator": "1 OR 1=1", "date": "2024-06-30", "value": "1"}
        )
        assert response.status_code == 404
        assert Measurement.objects.count() == 0

    def test_action_without_indicator_says_so(self, client, action, editor):
        client.force_login(editor)
        response = client.get(self.url(action))
        assert "Aucun indicateur n'est défini pour cette action" in response.content.decode()


class TestDocuments:
    def test_upload_keeps_original_name_and_stores_under_random_name(self, client, action, editor):
        client.force_login(editor)
        response = client.post(
            reverse("space:document_create", args=[action.pk]),
            {
                "title": "Étude de sol",
                "visibility": "partners",
                "file": SimpleUploadedFile("Étude sol v2.pdf", PDF, "application/pdf"),
            },
        )
        assert response.status_code == 302
        document = Document.objects.get()
        assert document.original_name == "Étude sol v2.pdf"
        assert document.uploaded_by == editor
        assert document.file.name.startswith("documents/")
        assert "sol" not in document.file.name
        assert document.history.first().history_user == editor
        download = client.get(reverse("space:document_download", args=[document.pk]))
        assert download.status_code == 200
        assert "attachment" in download["Content-Disposition"]
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == PDF

    def test_path_characters_are_stripped_from_the_name(self, client, action, editor):
        client.force_login(editor)
        upload = SimpleUploadedFile("rapport.pdf", PDF, "application/pdf")
        upload.name = "..\\..\\windows\\..\\rapport final.pdf"
        client.post(
            reverse("space:document_create", args=[action.pk]),
            {"title": "Rapport", "visibility": "public", "file": upload},
        )
        document = Document.objects.get()
        assert document.original_name == "rapport final.pdf"
        download = client.get(reverse("space:document_download", args=[document.pk]))
        assert download["Content-Disposition"] == 'attachment; filename="rapport final.pdf"'

    def test_disguised_file_is_refused_and_title_kept(self, client, action, editor):
        client.force_login(editor)
        response = client.post(
            reverse("space:document_create", args=[action.pk]),
            {
                "title": "Titre à garder",
                "visibility": "public",
                "file": SimpleUploadedFile("photo.pdf", b"MZ\x90\x00binary", "application/pdf"),
            },
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "ne correspond pas à son extension" in content
        assert "Titre à garder" in content
        assert Document.objects.count() == 0

    def test_too_big_file_is_refused(self, client, action, editor):
        client.force_login(editor)
        big = PDF + b"0" * (10 * 1024 * 1024)
        response = client.post(
            reverse("space:document_create", args=[action.pk]),
            {
                "title": "Gros",
                "visibility": "public",
                "file": SimpleUploadedFile("gros.pdf", big, "application/pdf"),
            },
        )
        assert response.status_code == 200
        assert "la taille maximale est de 10,0\u00a0Mio" in response.content.decode()
        assert Document.objects.count() == 0

    def test_removal_is_recorded_in_history(self, client, action, editor):
        document = DocumentFactory(action=action, visibility="partners", title="Ancien")
        client.force_login(editor)
        confirm = client.get(reverse("space:document_delete", args=[document.pk]))
        assert "Retirer le document « Ancien »" in confirm.content.decode()
        response = client.post(reverse("space:document_delete", args=[document.pk]))
        assert response.status_code == 302
        assert not Document.objects.filter(pk=document.pk).exists()
        deletion = Document.history.filter(id=document.pk).first()
        assert (deletion.history_type, deletion.history_user) == ("-", editor)
        gone = client.get(reverse("space:document_download", args=[document.pk]))
        assert gone.status_code == 404

    def test_missing_file_on_disk_is_404_not_500(self, client, action, editor):
        document = DocumentFactory(action=action, visibility="public")
        document.file.storage.delete(document.file.name)
        client.force_login(editor)
        response = client.get(reverse("space:document_download", args=[document.pk]))
        assert response.status_code == 404


class TestMeetingDocuments:
    def test_public_document_of_public_meeting_for_anyone(self, client, db):
        meeting = CopilMeetingFactory(is_public=True)
        document = DocumentFactory(action=None, meeting=meeting, visibility="public")
        response = client.get(reverse("space:document_download", args=[document.pk]))
        assert response.status_code == 200

    def test_document_of_private_meeting_is_404(self, client, db):
        meeting = CopilMeetingFactory(is_public=False)
        document = DocumentFactory(action=None, meeting=meeting, visibility="public")
        response = client.get(reverse("space:document_download", args=[document.pk]))
        assert response.status_code == 404

    def test_partners_document_for_attending_organisations_only(self, client, db):
        attending, absent = OrganisationFactory(), OrganisationFactory()
        meeting = CopilMeetingFactory(is_public=True)
        meeting.attendees.add(attending)
        document = DocumentFactory(action=None, meeting=meeting, visibility="partners")
        url = reverse("space:document_download", args=[document.pk])
        assert client.get(url).status_code == 404
        client.force_login(MembershipFactory(organisation=absent).user)
        assert client.get(url).status_code == 404
        client.force_login(MembershipFactory(organisation=attending).user)
        assert client.get(url).status_code == 200
