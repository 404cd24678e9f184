"""The spreadsheet carries the follow-through: the funding line from request to payment, and the
milestones on the « Jalons » sheet of the XLSX (issue 13)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from actions.models import Action, Funding, Milestone
from actions.models.funding import SPENT_OVER_GRANTED
from actions.models.milestones import DONE_IN_FUTURE
from actions.spreadsheet.milestones import CSV_NOTE, MILESTONE_COLUMNS
from tests.actions.factories import ActionFactory, FundingFactory
from tests.actions.test_import_export import (
    EXPORT_URL,
    PLATFORM,
    XLSX_FORMAT,
    confirm,
    csv_file,
    line,
    preview,
)
from tests.actions.test_import_export import staff as staff_fixture
from tests.actions.test_import_export import world as world_fixture

staff, world = staff_fixture, world_fixture  # the fixtures of the import tests

MILESTONE_HEADERS = [header for _, header, _ in MILESTONE_COLUMNS]
GRANTED = dict(
    funding_year="2024", funding_funder="Région", funding_kind="Fonctionnement",
    funding_planned="10 000", funding_status="Accordé", funding_decision_date="15/03/2024",
)  # fmt: skip


@pytest.fixture
def followed(world):
    w = world
    action = ActionFactory(phase=w["phase"], axis=w["skills"], code="1.2", pilot=w["aicr"])
    granted = FundingFactory(
        action=action, year=2024, funder=w["region"], planned_amount=Decimal("12000"),
        status=Funding.Status.GRANTED, decision_date=datetime.date(2024, 3, 15),
        decision_reference="Arrêté 2024-17", granted_amount=Decimal("10000"),
        actual_amount=Decimal("11000"), spent_on=datetime.date(2024, 12, 31),
        spent_note="Dépassement pris en charge par l'AICR", paid_amount=Decimal("5000"),
        paid_on=datetime.date(2024, 6, 1),
    )  # fmt: skip
    FundingFactory(
        action=action, year=2025, funder=w["bdt"], kind="investment",
        status=Funding.Status.REQUESTED,
    )  # fmt: skip
    first = Milestone.objects.create(
        action=action, order=1, title="Convention signée", due_date=datetime.date(2024, 2, 1),
        done_on=datetime.date(2024, 1, 20), note="Signée en COPIL",
    )  # fmt: skip
    second = Milestone.objects.create(
        action=action, order=2, title="Première session", due_date=datetime.date(2025, 9, 1)
    )
    return {"action": action, "granted": granted, "first": first, "second": second}


def everything():
    fundings = list(Funding.objects.order_by("pk").values())
    milestones = list(Milestone.objects.order_by("pk").values())
    actions = list(Action.objects.order_by("pk").values("pk", "version", "title"))
    return actions, fundings, milestones


def histories():
    return Action.history.count() + Funding.history.count() + Milestone.history.count()


def export_xlsx(client):
    response = client.post(EXPORT_URL, {"format": XLSX_FORMAT, "resource": "0"})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(book):
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile("export.xlsx", stream.getvalue())


def column(sheet, header):
    return [cell.value for cell in sheet[1]].index(header) + 1


class TestRoundTrip:
    def test_export_carries_funding_columns_and_a_milestone_sheet(self, client, staff, followed):
        book = export_xlsx(client)
        assert book.sheetnames == ["Fiches actions", "Jalons"]
        main = book["Fiches actions"]
        row = {main.cell(1, c).value: main.cell(2, c).value for c in range(1, main.max_column + 1)}
        assert row["Statut du financement"] == "Accordé"
        assert row["Référence"] == "Arrêté 2024-17"
        assert row["Montant accordé (€)"] == Decimal("10000")
        assert row["Versé le"] == datetime.datetime(2024, 6, 1)
        assert row["Note sur le réalisé"] == "Dépassement pris en charge par l'AICR"
        jalons = book["Jalons"]
        assert [c.value for c in jalons[1]] == MILESTONE_HEADERS
        assert [c.value for c in jalons[2]][:5] == [
            2, "1.2", 1, "Convention signée", datetime.datetime(2024, 2, 1)
        ]  # fmt: skip

    def test_export_then_import_unchanged_changes_nothing(self, client, staff, followed):
        before, count = everything(), histories()
        response = preview(client, upload(export_xlsx(client)), XLSX_FORMAT)
        result = response.context["result"]
        assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
        assert [row.import_type for row in result.rows] == ["skip", "skip"]
        assert result.milestone_changes == [] and result.milestone_unchanged == 2
        confirm(client, response)
        assert everything() == before
        assert histories() == count

    def test_edit_granted_amount_and_a_done_date_changes_exactly_those(
        self, client, staff, followed
    ):
        book = export_xlsx(client)
        main, jalons = book["Fiches actions"], book["Jalons"]
        main.cell(2, column(main, "Montant accordé (€)"), 11500)
        done = timezone.localdate() - datetime.timedelta(days=1)
        jalons.cell(3, column(jalons, "Atteint le"), done.strftime("%d/%m/%Y"))
        actions, fundings, milestones = everything()
        count = histories()

        response = preview(client, upload(book), XLSX_FORMAT)
        result = response.context["result"]
        assert [row.import_type for row in result.rows] == ["update", "skip"]
        [change] = result.milestone_changes
        assert change.changes == [("Atteint le", "(vide)", done.strftime("%d/%m/%Y"))]
        assert "Première session" in response.content.decode()
        assert everything() == (actions, fundings, milestones)  # the preview wrote nothing

        confirm(client, response)
        after_actions, after_fundings, after_milestones = everything()
        assert after_actions == actions
        changed = [(a, b) for a, b in zip(fundings, after_fundings, strict=True) if a != b]
        [(old, new)] = changed
        assert {k for k in old if old[k] != new[k]} == {"granted_amount", "version"}
        assert new["granted_amount"] == Decimal("11500")
        changed = [(a, b) for a, b in zip(milestones, after_milestones, strict=True) if a != b]
        [(old, new)] = changed
        assert {k for k in old if old[k] != new[k]} == {"done_on", "version"}
        assert histories() == count + 2
        assert followed["second"].history.first().history_change_reason == "Import de tableur"

    def test_a_new_milestone_row_creates_it_at_its_order(self, client, staff, followed):
        book = export_xlsx(client)
        book["Jalons"].append([2, "1.2", 5, "Bilan", "30/06/2026", None, "À présenter"])
        confirm(client, preview(client, upload(book), XLSX_FORMAT))
        created = Milestone.objects.get(title="Bilan")
        assert (created.order, created.due_date) == (5, datetime.date(2026, 6, 30))
        assert created.action == followed["action"]


class TestRefusals:
    def test_funding_rules_are_named_next_to_the_row(self, client, staff, world):
        rows = [
            line(**PLATFORM, **(GRANTED | {"funding_granted": ""})),
            line(**PLATFORM, **(GRANTED | {"funding_funder": "Banque des Territoires",
                 "funding_granted": "1000", "funding_actual": "2000"})),
            line(**PLATFORM, **(GRANTED | {"funding_funder": "AICR", "funding_status": "Prévu",
                 "funding_granted": ""})),
            line(**PLATFORM, **(GRANTED | {"funding_year": "2025", "funding_status": "Payé"})),
        ]  # fmt: skip
        response = preview(client, csv_file(*rows))
        errors = {row.number + 1: row.error_dict for row in response.context["result"].invalid_rows}
        assert errors[2]["Montant accordé (€)"] == [
            "Une ligne accordée indique le montant accordé."
        ]
        assert errors[3]["Note sur le réalisé"] == [SPENT_OVER_GRANTED]
        assert "ligne accordée ou refusée" in errors[4]["Date de décision"][0]
        assert "Valeurs possibles : Prévu, Demandé, Accordé, Refusé" in str(errors[5])
        assert "confirm_form" not in response.context  # nothing to confirm
        assert not Action.objects.exists() and not Funding.objects.exists()

    def test_a_done_date_in_the_future_is_refused(self, client, staff, followed):
        book = export_xlsx(client)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        jalons = book["Jalons"]
        jalons.cell(3, column(jalons, "Atteint le"), tomorrow.strftime("%d/%m/%Y"))
        book["Fiches actions"].cell(2, column(book["Fiches actions"], "Montant prévu (€)"), 1)
        before = everything()
        response = preview(client, upload(book), XLSX_FORMAT)
        [row] = response.context["result"].invalid_rows
        assert (row.sheet, row.number + 1) == ("Jalons", 3)
        assert row.error_dict["Atteint le"] == [DONE_IN_FUTURE]
        assert "Jalons, ligne 3" in response.content.decode()
        assert "confirm_form" not in response.context
        assert everything() == before

    def test_an_unknown_action_is_named(self, client, staff, followed):
        book = export_xlsx(client)
        book["Jalons"].append([2, "9.9", 1, "Ailleurs", "30/06/2026", None, ""])
        [row] = preview(client, upload(book), XLSX_FORMAT).context["result"].invalid_rows
        assert "Fiche inconnue : phase 2, code 9.9" in str(row.error_dict)

    def test_a_milestone_changed_since_the_preview_is_not_overwritten(
        self, client, staff, followed
    ):
        book = export_xlsx(client)
        jalons = book["Jalons"]
        jalons.cell(3, column(jalons, "Note"), "Note du tableur")
        response = preview(client, upload(book), XLSX_FORMAT)
        partner = Milestone.objects.get(pk=followed["second"].pk)
        partner.note = "Note du partenaire"
        partner.version += 1
        partner.save()
        response = confirm(client, response)
        assert "Ligne 3 de l&#x27;onglet « Jalons » : Le jalon 2 de la fiche 1.2 a été modifié" in (
            response.content.decode()
        )
        assert Milestone.objects.get(pk=partner.pk).note == "Note du partenaire"


class TestTemplate:
    def test_template_has_a_milestone_sheet_and_says_csv_carries_none(self, client, staff, world):
        from django.urls import reverse

        response = client.get(reverse("admin:actions_action_import_template", args=["xlsx"]))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert [c.value for c in book["Jalons"][1]] == MILESTONE_HEADERS
        notes = [row[1].value for row in book["Mode d'emploi"].iter_rows() if row[1].value]
        assert CSV_NOTE in notes
        assert any(row[0].value == "Statut du financement" for row in book["Mode d'emploi"].rows)

    def test_csv_without_milestones_imports_actions(self, client, staff, world):
        confirm(client, preview(client, csv_file(line(**PLATFORM, **GRANTED, funding_granted="9"))))
        funding = Funding.objects.get()
        assert (funding.status, funding.granted_amount) == ("granted", Decimal("9.00"))
        assert funding.decision_date == datetime.date(2024, 3, 15)
