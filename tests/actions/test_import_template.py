"""The downloadable import template: drop-down lists, an example, notes; it imports back."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from actions.spreadsheet.resources import COLUMNS
from tests.actions.factories import ActionFactory
from tests.actions.test_import_export import XLSX_FORMAT, preview
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, IntercommunalityFactory, PhaseFactory

TEMPLATE_URL = reverse("admin:actions_action_import_template", args=["xlsx"])
HEADERS = [header for _, header, _ in COLUMNS]


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


@pytest.fixture
def world(db):
    phase = PhaseFactory()
    AxisFactory(phase=phase, number=1, name="Compétences", slug="competences")
    AxisFactory(phase=phase, number=3, name="Foncier", slug="foncier")
    OrganisationFactory(name="Association des industriels du Castelrenaudais", acronym="AICR")
    OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    OrganisationFactory(name="Banque des Territoires")
    IntercommunalityFactory(name="CC du Castelrenaudais")


def download(client):
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def as_upload(book):
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile("modele.xlsx", stream.getvalue())


def drop_down(sheet, header):
    """The validation rule of the column `header` (row 2), or None."""
    letter = openpyxl.utils.get_column_letter(HEADERS.index(header) + 1)
    for rule in sheet.data_validations.dataValidation:
        if any(str(area).split(":")[0] == f"{letter}2" for area in rule.sqref.ranges):
            return rule
    return None


def list_values(book, rule):
    """The values a list rule offers, read from the cells its formula names."""
    sheet_name, area = rule.formula1.rsplit("!", 1)
    sheet = book[sheet_name.strip("'")]
    return [row[0].value for row in sheet[area.replace("$", "")]]


class TestTemplateWorkbook:
    def test_sheets_are_the_import_sheet_first_then_example_notes_and_lists(
        self, client, staff, world
    ):
        book = download(client)
        assert book.sheetnames == [
            "Fiches actions", "Exemple", "Jalons", "Mode d'emploi", "Listes"
        ]  # fmt: skip
        assert book.active.title == "Fiches actions"
        assert book["Listes"].sheet_state == "hidden"
        main = book["Fiches actions"]
        assert [cell.value for cell in main[1]] == HEADERS
        assert main.max_row == 1  # nothing to import but the headers

    def test_closed_columns_offer_their_values_as_drop_down_lists(self, client, staff, world):
        book = download(client)
        main = book["Fiches actions"]
        expected = {
            "Statut": ["À venir", "En cours", "Réalisée", "En pause", "Bloquée", "Abandonnée"],
            "Priorité": ["Élevée", "Moyenne", "Basse"],
            "Publique": ["oui", "non"],
            "Archivée": ["oui", "non"],
            "Nature": ["Investissement", "Fonctionnement"],
        }
        for header, values in expected.items():
            rule = drop_down(main, header)
            assert rule is not None and rule.type == "list", header
            assert list_values(book, rule) == values, header
            assert rule.errorStyle in (None, "stop"), header  # nothing else is accepted
        axes = list_values(book, drop_down(main, "Axe"))
        assert "Axe 1 — Compétences" in axes and "Axe 3 — Foncier" in axes
        pilots = list_values(book, drop_down(main, "Pilote"))
        assert "AICR" in pilots and "Banque des Territoires" in pilots
        assert list_values(book, drop_down(main, "Financeur")) == pilots
        assert drop_down(main, "Phase") is not None
        progress = drop_down(main, "Avancement (%)")
        assert (progress.type, progress.formula1, progress.formula2) == ("whole", "0", "100")
        assert drop_down(main, "Intitulé") is None  # free text

    def test_notes_explain_every_column_in_french(self, client, staff, world):
        book = download(client)
        notes = book["Mode d'emploi"]
        rows = {row[0].value: row for row in notes.iter_rows() if row[0].value}
        for _, header, help_text in COLUMNS:
            assert rows[header][1].value == help_text
        assert "Liste déroulante" in rows["Statut"][2].value
        assert "premier onglet" in rows["Principe"][1].value

    def test_the_example_is_marked_and_never_in_the_imported_sheet(self, client, staff, world):
        book = download(client)
        example = book["Exemple"]
        rows = [[cell.value for cell in row] for row in example.iter_rows(min_row=2)]
        assert len(rows) == 2
        code = HEADERS.index("Code")
        assert {row[code] for row in rows} == {"EXEMPLE"}
        assert rows[0][HEADERS.index("Intitulé")].startswith("Exemple")


class TestTemplateImportsBack:
    def test_an_unchanged_template_imports_nothing_and_names_no_column(self, client, staff, world):
        response = preview(client, as_upload(download(client)), XLSX_FORMAT)
        assert response.status_code == 200
        page = response.content.decode()
        # Every header is recognised: the only message is that there is no line to import.
        assert "Pas de données valides importables" in page
        assert (
            "colonne" not in page.split("Fichier à importer")[0].split("Pas de données")[0][-200:]
        )
        assert Action.objects.count() == 0

    def test_the_example_rows_pasted_in_the_first_sheet_import(self, client, staff, world):
        book = download(client)
        for row in book["Exemple"].iter_rows(min_row=2, values_only=True):
            book["Fiches actions"].append(row)
        response = preview(client, as_upload(book), XLSX_FORMAT)
        result = response.context["result"]
        errors = [row.error_dict for row in result.invalid_rows]
        assert not result.has_errors() and not errors, errors
        assert result.totals["new"] == 2  # one new action, on its two funding lines


class TestImportExportScreensInFrench:
    def test_import_page_names_its_columns_and_its_button_in_french(self, client, staff, world):
        page = client.get(reverse("admin:actions_action_import")).content.decode()
        assert "Colonnes lues à l’import" in page and "Voir l’aperçu" in page
        assert "Cet importateur" not in page and "Soumettre" not in page
        assert "css/admin.css" in page  # the error table's wrapping

    def test_preview_asks_to_confirm_in_french(self, client, staff, world):
        book = download(client)
        for row in book["Exemple"].iter_rows(min_row=2, values_only=True):
            book["Fiches actions"].append(row)
        page = preview(client, as_upload(book), XLSX_FORMAT).content.decode()
        assert "rien n’est encore enregistré" in page and "Confirmer l’import" in page
        assert "satisfait" not in page

    def test_export_of_a_selection_speaks_french(self, client, staff, world):
        actions = [ActionFactory(), ActionFactory()]
        response = client.post(
            reverse("admin:actions_action_changelist"),
            {"action": "export_admin_action", "_selected_action": [a.pk for a in actions]},
        )
        page = response.content.decode()
        assert "Exporter les 2 fiches actions sélectionnées" in page
        assert "Colonnes du fichier exporté" in page and "Télécharger le fichier" in page
        assert "Cet exportateur" not in page and "Soumettre" not in page
