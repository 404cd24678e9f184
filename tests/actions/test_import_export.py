"""Spreadsheet import and export of actions with their fundings, through the admin."""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action, Funding, Status
from actions.spreadsheet.formats import FORMATS, SemicolonCSV
from actions.spreadsheet.resources import ACTION_COLUMNS, COLUMNS, ActionResource
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, IntercommunalityFactory, PhaseFactory

HEADER = ";".join(header for _, header, _ in COLUMNS)
XLSX_FORMAT, CSV_FORMAT = "0", "1"
IMPORT_URL = reverse("admin:actions_action_import")
PROCESS_URL = reverse("admin:actions_action_process_import")
EXPORT_URL = reverse("admin:actions_action_export")


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


@pytest.fixture
def world(db):
    phase = PhaseFactory()
    return {
        "phase": phase,
        "skills": AxisFactory(phase=phase, number=1, name="Compétences", slug="competences"),
        "land": AxisFactory(phase=phase, number=3, name="Foncier", slug="foncier"),
        "aicr": OrganisationFactory(
            name="Association des industriels du Castelrenaudais", acronym="AICR"
        ),
        "region": OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région"),
        "bdt": OrganisationFactory(name="Banque des Territoires"),
        "cc": IntercommunalityFactory(name="CC du Castelrenaudais"),
    }


def csv_file(*lines, name="fiches.csv"):
    content = "\n".join([HEADER, *lines]) + "\n"
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def preview(client, upload, file_format=CSV_FORMAT):
    return client.post(IMPORT_URL, {"resource": "0", "format": file_format, "import_file": upload})


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(PROCESS_URL, data, follow=True)


def line(**values):
    """One CSV line; keys are the resource's attributes (code, title, funding_year…)."""
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerow(
        [values.get(attribute, "") for attribute, _, _ in COLUMNS]
    )
    return out.getvalue().rstrip("\r\n")


PLATFORM = dict(
    phase="2", code="1.1", axis="Compétences", title="Plateforme RH", summary="Recruter ensemble",
    status="En cours", priority="Élevée", pilot="AICR", partners="Région; Banque des Territoires",
    intercommunalities="CC du Castelrenaudais", start_date="01/02/2024", end_date="31/12/2026",
    progress="25", is_public="oui", is_archived="non",
)  # fmt: skip
GOOD_ROWS = [
    line(**PLATFORM, funding_year="2024", funding_funder="Région",
         funding_kind="Fonctionnement", funding_planned="12 500,50"),
    line(**PLATFORM, funding_year="2024", funding_funder="Banque des Territoires",
         funding_kind="Investissement", funding_planned="40000", funding_actual="10 000"),
    line(phase="2", code="3.2", axis="Axe 3", title="Friche de la gare", status="à venir",
         priority="basse", pilot="Association des industriels du Castelrenaudais"),
]  # fmt: skip


class TestTemplate:
    def test_xlsx_template_explains_every_column_in_its_header(self, client, staff, world):
        response = client.get(reverse("admin:actions_action_import_template", args=["xlsx"]))
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["Fiches actions"]
        headers = [cell.value for cell in sheet[1]]
        assert headers == [header for _, header, _ in COLUMNS]
        assert (
            "12 500,50"
            in sheet.cell(row=1, column=headers.index("Montant prévu (€)") + 1).comment.text
        )
        guide = "\n".join(str(c.value) for row in book["Mode d'emploi"].iter_rows() for c in row)
        assert "1 (Compétences)" in guide and "AICR" in guide and "Abandonnée" in guide

    def test_csv_template_is_the_header_line(self, client, staff):
        response = client.get(reverse("admin:actions_action_import_template", args=["csv"]))
        assert response.content.decode("utf-8-sig").strip() == HEADER

    def test_import_page_links_to_the_templates(self, client, staff):
        page = client.get(IMPORT_URL).content.decode()
        assert reverse("admin:actions_action_import_template", args=["xlsx"]) in page
        assert "il ne supprime" in page


class TestImport:
    def test_preview_changes_nothing_then_confirm_imports_everything(self, client, staff, world):
        response = preview(client, csv_file(*GOOD_ROWS))
        assert response.status_code == 200
        assert "confirm_form" in response.context
        result = response.context["result"]
        assert not result.has_errors() and not result.has_validation_errors()
        assert [row.import_type for row in result.rows] == ["new", "new", "new"]
        assert Action.objects.count() == 0 and Funding.objects.count() == 0

        response = confirm(client, response)
        assert response.status_code == 200
        assert "Import terminé" in response.content.decode()

        platform = Action.objects.get(code="1.1")
        assert platform.axis == world["skills"]
        assert platform.status == Status.IN_PROGRESS and platform.priority == "high"
        assert platform.pilot == world["aicr"]
        assert set(platform.partners.all()) == {world["region"], world["bdt"]}
        assert list(platform.intercommunalities.all()) == [world["cc"]]
        assert platform.start_date == datetime.date(2024, 2, 1)
        assert platform.progress == 25 and platform.is_public and not platform.is_archived
        assert platform.updated_by == staff
        lines = {(f.funder.name, f.kind): f for f in platform.fundings.all()}
        assert lines[("Région Centre-Val de Loire", "operating")].planned_amount == Decimal(
            "12500.50"
        )
        assert lines[("Région Centre-Val de Loire", "operating")].actual_amount is None
        bdt = lines[("Banque des Territoires", "investment")]
        assert (bdt.planned_amount, bdt.actual_amount) == (Decimal("40000"), Decimal("10000"))

        land = Action.objects.get(code="3.2")
        assert land.axis == world["land"] and land.status == Status.PLANNED
        assert land.priority == "low" and land.fundings.count() == 0
        assert land.slug == "3-2-friche-de-la-gare"

    def test_any_error_shows_french_messages_per_row_and_imports_nothing(
        self, client, staff, world
    ):
        bad = [
            GOOD_ROWS[0],
            line(phase="2", code="1.2", axis="Tourisme", title="Action", status="Terminée",
                 priority="Moyenne", pilot="Inconnue SA", start_date="31/02/2024",
                 progress="120", is_public="peut-être", funding_year="2024",
                 funding_funder="Région", funding_planned="-5"),
            line(phase="2", code="1.3", axis="1", status="En cours", pilot="AICR",
                 funding_funder="Région", funding_planned="100"),
        ]  # fmt: skip
        response = preview(client, csv_file(*bad))
        assert "confirm_form" not in response.context
        page = response.content.decode()
        for message in [
            "Axe inconnu dans la phase 2 : « Tourisme »",
            "Valeur inconnue : « Terminée »",
            "Organisation inconnue : « Inconnue SA »",
            "Date non reconnue : « 31/02/2024 »",
            "L&#x27;avancement est un nombre entier de 0 à 100.",
            "Répondez par oui ou non",
            "Le montant ne peut pas être négatif.",
            "Indiquez l&#x27;année de la ligne de financement.",
            "Ce champ ne peut pas être vide.",  # the title of 1.3
        ]:
            assert message in page, message
        rows = {row.number: row for row in response.context["result"].invalid_rows}
        assert set(rows) == {2, 3}
        assert "Intitulé" in rows[3].field_specific_errors
        assert Action.objects.count() == 0 and Funding.objects.count() == 0

    def test_a_row_invalidated_between_preview_and_confirmation_imports_nothing(
        self, client, staff, world
    ):
        response = preview(client, csv_file(*GOOD_ROWS))
        assert "confirm_form" in response.context
        world["bdt"].delete()  # the second row's funder no longer exists
        response = confirm(client, response)
        assert "Import annulé" in response.content.decode()
        assert Action.objects.count() == 0 and Funding.objects.count() == 0

    def test_rows_of_one_action_must_agree(self, client, staff, world):
        second = GOOD_ROWS[1].replace("Plateforme RH", "Plateforme emploi")
        response = preview(client, csv_file(GOOD_ROWS[0], second))
        assert (
            "Les colonnes de la fiche diffèrent de la ligne 2 du tableur (même code) : Intitulé"
            in (response.content.decode())
        )
        assert Action.objects.count() == 0

    def test_the_same_funding_line_twice_is_an_error(self, client, staff, world):
        response = preview(client, csv_file(GOOD_ROWS[0], GOOD_ROWS[0]))
        assert "Ligne en double" in response.content.decode()
        assert "confirm_form" not in response.context

    def test_a_missing_code_column_is_explained(self, client, staff, world):
        upload = SimpleUploadedFile("f.csv", "Intitulé;Axe\nAction;1\n".encode(), "text/csv")
        response = preview(client, upload)
        assert "Colonne manquante : Code." in response.content.decode()
        assert "confirm_form" not in response.context

    def test_update_by_import_bumps_version_and_keeps_history(self, client, staff, world):
        action = ActionFactory(
            phase=world["phase"], axis=world["skills"], code="1.1", pilot=world["aicr"]
        )
        FundingFactory(action=action, funder=world["region"], planned_amount=Decimal("100"))
        before = action.history.count()
        response = preview(client, csv_file(GOOD_ROWS[0]))
        assert [row.import_type for row in response.context["result"].rows] == ["update"]
        confirm(client, response)
        action.refresh_from_db()
        assert action.title == "Plateforme RH" and action.version == 2
        # One record for the fields, one per relation the import changed (partners, CC).
        new_records = list(action.history.all()[: action.history.count() - before])
        assert [r.history_type for r in new_records] == ["~", "~", "~"]
        assert {r.history_change_reason for r in new_records} == {"Import de tableur"}
        assert {r.history_user for r in new_records} == {staff}
        assert new_records[0].partners.count() == action.partners.count() > 0
        funding = action.fundings.get()
        assert funding.planned_amount == Decimal("12500.50")
        assert funding.history.first().history_type == "~"

    def test_empty_cells_keep_status_and_progress_of_an_existing_action(self, world):
        action = ActionFactory(
            phase=world["phase"], axis=world["skills"], code="1.1", pilot=world["aicr"],
            status=Status.BLOCKED, progress=60, is_public=True,
        )  # fmt: skip
        row = line(phase="2", code="1.1", axis="1", title="Plateforme RH", pilot="AICR")
        dataset = SemicolonCSV().create_dataset(f"{HEADER}\n{row}\n".encode())
        result = ActionResource().import_data(dataset, dry_run=False)
        assert not result.has_validation_errors()
        action.refresh_from_db()
        assert (action.status, action.progress, action.is_public) == (Status.BLOCKED, 60, True)

    def test_windows_csv_with_commas_is_read(self, world):
        header = ",".join(h for _, h, _ in COLUMNS)
        own = ["2", "1.1", "1", "Plateforme", "", "En cours", "", "AICR"]
        row = ",".join(own + [""] * (len(ACTION_COLUMNS) - len(own)))
        row += ',2024,Région,,"12 500,50",'
        dataset = SemicolonCSV().create_dataset(f"{header}\r\n{row}\r\n".encode("cp1252"))
        result = ActionResource().import_data(dataset, dry_run=False)
        assert not result.has_validation_errors(), result.invalid_rows
        assert Funding.objects.get().planned_amount == Decimal("12500.50")
        assert Action.objects.get().title == "Plateforme"

    def test_a_partner_account_cannot_import(self, client, db):
        from tests.partners.factories import MembershipFactory

        client.force_login(MembershipFactory().user)
        response = client.post(IMPORT_URL, {"format": CSV_FORMAT})
        assert response.status_code == 302


def snapshot_of_everything():
    actions = [
        (
            a.phase_id, a.code, a.axis_id, a.title, a.summary, a.status, a.priority, a.pilot_id,
            sorted(a.partners.values_list("pk", flat=True)),
            sorted(a.intercommunalities.values_list("pk", flat=True)),
            a.start_date, a.end_date, a.progress, a.is_public, a.is_archived, a.version,
        )
        for a in Action.objects.order_by("pk")
    ]  # fmt: skip
    fundings = list(
        Funding.objects.order_by("pk").values_list(
            "action_id", "year", "funder_id", "kind", "planned_amount", "actual_amount"
        )
    )
    return actions, fundings


@pytest.fixture
def plan_data(world):
    w = world
    first = ActionFactory(
        phase=w["phase"], axis=w["skills"], code="1.2", pilot=w["aicr"],
        partners=[w["region"], w["bdt"]], intercommunalities=[w["cc"]],
        summary="Résumé ; avec point-virgule, et virgule", priority="high",
    )  # fmt: skip
    FundingFactory(action=first, year=2024, funder=w["region"], planned_amount=Decimal("12500.5"))
    FundingFactory(
        action=first, year=2025, funder=w["bdt"], kind="investment",
        planned_amount=Decimal("40000"), actual_amount=Decimal("1234.56"),
    )  # fmt: skip
    ActionFactory(
        phase=w["phase"], axis=w["land"], code="3.10", pilot=w["bdt"], start_date=None,
        end_date=None, is_public=False, is_archived=True, status=Status.ABANDONED,
    )  # fmt: skip
    ActionFactory(phase=w["phase"], axis=w["land"], code="3.2", pilot=w["region"], progress=0)


class TestExportRoundTrip:
    @pytest.mark.parametrize("file_format", [XLSX_FORMAT, CSV_FORMAT], ids=["xlsx", "csv"])
    def test_export_reimports_without_any_change(self, client, staff, plan_data, file_format):
        before = snapshot_of_everything()
        histories = Action.history.count() + Funding.history.count()
        response = client.post(EXPORT_URL, {"format": file_format, "resource": "0"})
        assert response.status_code == 200
        extension = "xlsx" if file_format == XLSX_FORMAT else "csv"
        assert re.search(
            rf'filename="fiches-actions-[\d-]+\.{extension}"', response["Content-Disposition"]
        )
        content = b"".join(response.streaming_content) if response.streaming else response.content

        upload = SimpleUploadedFile(f"export.{extension}", content)
        response = preview(client, upload, file_format)
        result = response.context["result"]
        assert not result.has_errors() and not result.has_validation_errors(), [
            (row.number, row.error_dict) for row in result.invalid_rows
        ]
        assert [row.import_type for row in result.rows] == ["skip"] * 4
        confirm(client, response)
        assert snapshot_of_everything() == before
        assert Action.history.count() + Funding.history.count() == histories

    def test_export_has_one_row_per_funding_line_in_french(self, client, staff, plan_data):
        response = client.post(EXPORT_URL, {"format": CSV_FORMAT, "resource": "0"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == [header for _, header, _ in COLUMNS]
        rows = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        assert [row["Code"] for row in rows] == ["1.2", "1.2", "3.2", "3.10"]
        first, second, _, archived = rows
        assert first["Axe"] == "Axe 1 — Compétences"
        assert (first["Statut"], first["Priorité"], first["Pilote"]) == (
            "En cours",
            "Élevée",
            "AICR",
        )
        assert first["Partenaires"] == "Banque des Territoires; Région"
        assert first["Résumé"] == "Résumé ; avec point-virgule, et virgule"
        assert first["Date de début"] == "01/01/2024"
        assert [first[h] for h in ("Année", "Financeur", "Nature", "Montant prévu (€)")] == [
            "2024", "Région", "Fonctionnement", "12500,50"
        ]  # fmt: skip
        assert second["Montant réalisé (€)"] == "1234,56"
        assert second["Nature"] == "Investissement"
        assert (archived["Statut"], archived["Publique"], archived["Archivée"]) == (
            "Abandonnée", "non", "oui"
        )  # fmt: skip
        assert archived["Année"] == archived["Financeur"] == ""

    def test_export_of_the_selection_only(self, client, staff, plan_data):
        chosen = Action.objects.get(code="3.2")
        response = client.post(
            reverse("admin:actions_action_changelist"),
            {"action": "export_admin_action", "_selected_action": [chosen.pk]},
        )
        assert response.status_code == 200
        response = client.post(
            EXPORT_URL,
            {"format": CSV_FORMAT, "resource": "0", "export_items": [chosen.pk]},
        )
        lines = response.content.decode("utf-8-sig").splitlines()
        assert [line.split(";")[1] for line in lines[1:]] == ["3.2"]


def test_formats_offered_are_xlsx_and_semicolon_csv():
    assert [(f().get_title(), f().get_extension()) for f in FORMATS] == [
        ("Tableur XLSX", "xlsx"),
        ("CSV (séparateur « ; »)", "csv"),
    ]


def test_an_xlsx_saved_on_another_tab_imports_its_action_sheet():
    """A file saved while « Mode d'emploi » was open still imports « Fiches actions »."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Fiches actions"
    book.active.append(["Code", "Intitulé"])
    book.active.append(["1.1", "Recruter"])
    notes = book.create_sheet("Mode d'emploi")
    notes.append(["Colonne", "Explication"])
    book.active = book.sheetnames.index("Mode d'emploi")
    stream = io.BytesIO()
    book.save(stream)
    dataset = FORMATS[0]().create_dataset(stream.getvalue())
    assert dataset.headers == ["Code", "Intitulé"]
    assert list(dataset) == [("1.1", "Recruter")]
