"""Control characters (issue 16, item 11): refused where text is typed, removed on export.

One invisible control character (\\x0b, \\x1f…) in a partner's summary made the whole staff XLSX
export fail (XLSX cannot hold it). Every form that takes text refuses them with a French message
beside the field; every export removes those stored before (tab, line feed and carriage return
are ordinary text and stay).
"""

import csv
import html
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action, Document, Measurement, ProgressUpdate
from teritoire.text import CONTROL_CHARACTER_MESSAGE, refuse_control_characters
from tests.actions.factories import ActionFactory, FundingFactory, IndicatorFactory
from tests.actions.test_admin_actions import change_url
from tests.actions.test_admin_actions import form_data as admin_form_data
from tests.actions.test_import_export import (
    PLATFORM,
    csv_file,
    line,
    preview,
    world,  # noqa: F401 - the fixture
)
from tests.actions.test_space_edit import form_data as fiche_data
from tests.actions.test_space_followup import PDF
from tests.partners.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db

HIDDEN = "Avant\x0bmilieu\x1fAprès"  # vertical tab, unit separator
VISIBLE = "AvantmilieuAprès"


def refused_beside(response, field):
    """The form came back with the French message beside `field`."""
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f'id="id_{field}_error"' in page
    assert CONTROL_CHARACTER_MESSAGE in page
    return page


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x0bb", "a\x1fb", "a\x7fb", "a\x85b"])
def test_the_validator_refuses_control_characters(text):
    with pytest.raises(Exception, match="caractère de contrôle"):
        refuse_control_characters(text)


def test_tab_line_feed_and_carriage_return_are_text():
    refuse_control_characters("Ligne 1\r\nLigne 2\tcolonne")


@pytest.fixture
def action():
    return ActionFactory(summary="Départ.", is_public=True)


@pytest.fixture
def editor(client, action):
    user = MembershipFactory(organisation=action.pilot).user
    client.force_login(user)
    return user


class TestPartnerSpaceForms:
    def test_fiche(self, client, action, editor):
        url = reverse("space:action_edit", args=[action.pk])
        response = client.post(url, fiche_data(action, summary=HIDDEN))
        refused_beside(response, "summary")
        action.refresh_from_db()
        assert action.summary == "Départ." and action.version == 1

    def test_progress_note(self, client, action, editor):
        url = reverse("space:update_create", args=[action.pk])
        response = client.post(url, {"date": "2024-09-15", "text": HIDDEN})
        refused_beside(response, "text")
        assert not ProgressUpdate.objects.exists()

    def test_measurement_comment(self, client, action, editor):
        indicator = IndicatorFactory(action=action)
        url = reverse("space:measurement_create", args=[action.pk])
        data = {"indicator": indicator.pk, "date": "2024-06-30", "value": "3", "comment": HIDDEN}
        refused_beside(client.post(url, data), "comment")
        assert not Measurement.objects.exists()

    def test_document_title(self, client, action, editor):
        url = reverse("space:document_create", args=[action.pk])
        data = {"title": HIDDEN, "visibility": "partners",
                "file": SimpleUploadedFile("plan.pdf", PDF, "application/pdf")}  # fmt: skip
        refused_beside(client.post(url, data), "title")
        assert not Document.objects.exists()


class TestAccountForms:
    def test_login(self, client):
        data = {"username": "camille\x0b@example.org", "password": "x"}
        refused_beside(client.post(reverse("partners:login"), data), "username")

    def test_password_reset(self, client, mailoutbox):
        data = {"email": '"\x01"@example.org'}  # a quoted local part: Django's check lets it in
        refused_beside(client.post(reverse("partners:password_reset"), data), "email")
        assert mailoutbox == []


def test_admin_action_form(client, action):
    client.force_login(StaffFactory())
    data = admin_form_data(client.get(change_url(action)))
    data["summary"] = HIDDEN
    response = client.post(change_url(action), data)
    assert response.status_code == 200
    assert CONTROL_CHARACTER_MESSAGE in html.unescape(response.content.decode())
    action.refresh_from_db()
    assert action.summary == "Départ."


def test_the_import_refuses_them_in_french(client, world):  # noqa: F811
    client.force_login(StaffFactory())
    response = preview(client, csv_file(line(**PLATFORM | {"summary": HIDDEN})))
    assert "confirm_form" not in response.context
    assert CONTROL_CHARACTER_MESSAGE in html.unescape(response.content.decode())
    assert not Action.objects.filter(code=PLATFORM["code"]).exists()


class TestExportsOfTextStoredBefore:
    """Rows saved before the forms refused them: every export works and shows the text."""

    @pytest.fixture(autouse=True)
    def stored(self, action):
        Action.objects.filter(pk=action.pk).update(summary=HIDDEN, title="Titre\x08 caché")
        FundingFactory(action=action)

    def body(self, response):
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    @pytest.mark.parametrize("file_format", ["0", "1"], ids=["xlsx", "csv"])
    def test_staff_export(self, client, file_format):
        client.force_login(StaffFactory())
        url = reverse("admin:actions_action_export")
        content = self.body(client.post(url, {"format": file_format, "resource": "0"}))
        if file_format == "0":
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            rows = list(sheet.iter_rows(values_only=True))
            row = dict(zip(rows[0], rows[1], strict=True))
        else:
            text = content.decode("utf-8-sig")
            row = next(csv.DictReader(io.StringIO(text), delimiter=";"))
        assert (row["Résumé"], row["Intitulé"]) == (VISIBLE, "Titre caché")

    def test_public_csv(self, client):
        content = self.body(client.get(reverse("actions:data_actions_csv")))
        row = next(csv.DictReader(io.StringIO(content.decode())))
        assert (row["resume"], row["intitule"]) == (VISIBLE, "Titre caché")

    def test_public_xlsx(self, client):
        content = self.body(client.get(reverse("actions:data_actions_xlsx")))
        rows = list(openpyxl.load_workbook(io.BytesIO(content))["Actions"].values)
        row = dict(zip(rows[0], rows[1], strict=True))
        assert (row["resume"], row["intitule"]) == (VISIBLE, "Titre caché")

    def test_public_json(self, client):
        content = self.body(client.get(reverse("actions:data_actions_json")))
        action = json.loads(content)["actions"][0]
        assert (action["resume"], action["intitule"]) == (VISIBLE, "Titre caché")


@pytest.mark.parametrize(
    ("make", "admin_url", "field"),
    [
        ("news", "admin:programme_newsitem_change", "title"),
        ("meeting", "admin:programme_copilmeeting_change", "place"),
        ("decision", "admin:programme_decision_change", "text"),
    ],
)
def test_every_admin_form_refuses_them_beside_the_field(client, db, make, admin_url, field):
    """Not only the forms written for the portal: each admin page of its models."""
    from tests.actions.test_admin_actions import form_data
    from tests.programme.factories import CopilMeetingFactory, DecisionFactory, NewsItemFactory

    obj = {
        "news": NewsItemFactory,
        "meeting": CopilMeetingFactory,
        "decision": DecisionFactory,
    }[make]()
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse(admin_url, args=[obj.pk])
    data = form_data(client.get(url))
    before = getattr(obj, field)
    data[field] = HIDDEN
    response = client.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert CONTROL_CHARACTER_MESSAGE in page
    obj.refresh_from_db()
    assert getattr(obj, field) == before
