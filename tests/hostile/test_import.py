"""Hostile spreadsheets on the admin import (preview, then confirmation).

The preview never writes; a file with any bad cell shows French errors and offers no
confirmation; a confirmed import that fails changes nothing. Never a 500. Partners cannot reach
the import at all.
"""

import csv
import html
import io
import os
import tempfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from actions.models import Action, Funding
from actions.spreadsheet.resources import COLUMNS

from .conftest import ENGLISH, HOSTILE, TAG, WRITE_MODELS, hostile_text, snapshot

IMPORT_URL = reverse("admin:actions_action_import")
PROCESS_URL = reverse("admin:actions_action_process_import")
XLSX_FORMAT, CSV_FORMAT = "0", "1"
HEADERS = [header for _, header, _ in COLUMNS]

# Good values per column, so that rows are sometimes valid and the confirmation is reached.
GOOD = {
    "phase": ["2", "", "Phase 2"],
    "code": ["1.1", "4.7", "1.2"],
    "axis": ["1", "Compétences", "Axe 3"],
    "title": ["Plateforme RH", "Nouvelle fiche importée"],
    "summary": ["", "Recruter ensemble."],
    "status": ["En cours", "à venir", "Réalisée"],
    "priority": ["Élevée", "basse", ""],
    "pilot": ["AICR", "Association des industriels du Castelrenaudais"],
    "partners": ["", "Région Centre-Val de Loire", "Région Centre-Val de Loire; GEIDA"],
    "intercommunalities": ["", "CC du Castelrenaudais"],
    "start_date": ["", "01/02/2024"],
    "end_date": ["", "31/12/2026"],
    "progress": ["", "25", "100"],
    "is_public": ["oui", "non", ""],
    "is_archived": ["non", ""],
    "funding_year": ["", "2024", "2026"],
    "funding_funder": ["", "Région Centre-Val de Loire"],
    "funding_kind": ["", "Fonctionnement", "Investissement"],
    "funding_planned": ["", "12 500,50", "40000"],
    "funding_actual": ["", "10 000"],
}
BAD = {
    "phase": ["99", "-1", "2.5"],
    "progress": ["101", "-5", "1e3", "NaN"],
    "start_date": ["31/02/2024", "2024-13-01", "00/00/0000"],
    "funding_year": ["-1", "99999", "20 24", "1e4"],
    "funding_planned": ["-5", "1e400", "NaN", "9" * 30, "12.500,50"],
    "funding_actual": ["Infinity", "-0,01"],
    "is_public": ["peut-être", "2"],
    "pilot": ["Inconnue", ""],
    "code": ["", "9" * 30],
}


def cell(attribute):
    good = GOOD.get(attribute, [""])  # a column added since: empty, or hostile text
    return st.one_of(
        st.sampled_from(good),
        st.sampled_from(good),
        st.sampled_from(BAD.get(attribute, ["'; DROP TABLE actions_action; --"])),
        hostile_text(120),
    )


ROWS = st.lists(
    st.fixed_dictionaries({attribute: cell(attribute) for attribute, _, _ in COLUMNS}),
    min_size=1,
    max_size=4,
)


def csv_upload(rows, header=HEADERS):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(attribute, "") for attribute, _, _ in COLUMNS])
    return SimpleUploadedFile("fiches.csv", out.getvalue().encode("utf-8"), "text/csv")


def xlsx_upload(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", row.get(a, ""))[:32_000] for a, _, _ in COLUMNS]
        )
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("fiches.xlsx", out.getvalue())


def assert_french_admin_page(response):
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="fr"' in text
    visible = TAG.sub(" ", text.split('id="content"', 1)[-1])
    assert not ENGLISH.search(visible), ENGLISH.search(visible)
    return text


@pytest.fixture(autouse=True)
def _private_temp_folder(monkeypatch, tmp_path):
    """The preview keeps the file in the temporary folder until confirmation: keep ours apart."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture
def staff_client(client, world):
    client.force_login(world["staff"])
    return client


def preview_then_confirm(client, upload, file_format):
    """Preview (must not write), then confirm when offered. Returns what happened."""
    before = snapshot(*WRITE_MODELS)
    response = client.post(
        IMPORT_URL, {"resource": "0", "format": file_format, "import_file": upload}
    )
    text = assert_french_admin_page(response)
    assert snapshot(*WRITE_MODELS) == before, "the preview wrote to the database"
    form = response.context.get("confirm_form")
    if form is None:
        assert "Erreurs" in text or "errorlist" in text or "rien n'a été importé" in text
        return "refused"
    data = {name: form.initial.get(name, "") for name in form.fields}
    confirmed = client.post(PROCESS_URL, data)
    assert confirmed.status_code == 302
    page = client.get(confirmed["Location"])
    assert page.status_code == 200
    if confirmed["Location"] == IMPORT_URL:  # refused at confirmation: nothing written
        assert "Import annulé" in page.content.decode()
        assert snapshot(*WRITE_MODELS) == before
        return "cancelled"
    assert "Import terminé" in page.content.decode()
    for action in Action.objects.all():
        assert 0 <= action.progress <= 100
        assert not (action.start_date and action.end_date and action.end_date < action.start_date)
    assert not Funding.objects.filter(planned_amount__lt=0).exists()
    return "imported"


def test_csv_import_refuses_hostile_cells_and_writes_only_valid_files(staff_client, world):
    seen = set()

    @hsettings(HOSTILE, max_examples=30)
    @given(rows=ROWS)
    @example(rows=[{**{a: GOOD[a][0] for a in GOOD}, "code": "4.7", "title": "Nouvelle"}])
    @example(rows=[{**{a: GOOD[a][0] for a in GOOD}, "progress": "101"}])
    @example(rows=[{**{a: GOOD[a][0] for a in GOOD}, "title": "<script>alert('xss')</script>"}])
    def run(rows):
        seen.add(preview_then_confirm(staff_client, csv_upload(rows), CSV_FORMAT))

    run()
    assert {"refused", "imported"} <= seen


def test_xlsx_import_refuses_hostile_cells(staff_client, world):
    @hsettings(HOSTILE, max_examples=10)
    @given(rows=ROWS)
    def run(rows):
        preview_then_confirm(staff_client, xlsx_upload(rows), XLSX_FORMAT)

    run()


def test_import_refuses_random_files_in_french(staff_client, world):
    @hsettings(HOSTILE, max_examples=25)
    @given(
        content=st.one_of(
            st.binary(max_size=3000),
            st.just(b""),
            st.just(b"PK\x03\x04" + os.urandom(64)),
            st.text(max_size=500).map(lambda t: t.encode("utf-8")),
            st.text(max_size=200).map(lambda t: t.encode("utf-16")),
            st.just(("\ufeff" + ";".join(HEADERS[:3]) + "\n" + "x;" * 5000).encode()),
        ),
        file_format=st.sampled_from([XLSX_FORMAT, CSV_FORMAT]),
        name=st.sampled_from(["fiches.csv", "fiches.xlsx", "../../etc/passwd", "a\x00.csv"]),
    )
    def run(content, file_format, name):
        upload = SimpleUploadedFile(name.replace("\x00", ""), content)
        preview_then_confirm(staff_client, upload, file_format)

    run()


NO_HEADER = "Le fichier est vide ou sa première ligne ne contient pas les en-têtes des colonnes."


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\r\x00", NO_HEADER),  # the review's file: a TypeError, a 500
        (b"\r\x00\r\x00", NO_HEADER),
        (b"\n\x00", NO_HEADER),
        (b"\xef\xbb\xbf\r\n\x00;\x00\r\n", NO_HEADER),
        (b";\r\x00", NO_HEADER),
        (b"\x00\r\n1.1\r\n", "Colonne manquante : Code."),
    ],
)
def test_a_csv_without_its_header_line_is_explained_in_french(
    staff_client, world, content, message
):
    """A first line that is empty, blank or of control characters: a French error, no row read."""
    upload = SimpleUploadedFile("fiches.csv", content, "text/csv")
    assert preview_then_confirm(staff_client, upload, CSV_FORMAT) == "refused"
    response = staff_client.post(
        IMPORT_URL, {"resource": "0", "format": CSV_FORMAT,
                     "import_file": SimpleUploadedFile("fiches.csv", content, "text/csv")}
    )  # fmt: skip
    assert message in html.unescape(response.content.decode())


def test_import_form_refuses_hostile_fields_in_french(staff_client, world):
    before = snapshot(*WRITE_MODELS)

    @hsettings(HOSTILE, max_examples=20)
    @given(resource=hostile_text(20), file_format=hostile_text(20))
    @example(resource="0", file_format="99")
    @example(resource="7", file_format="-1")
    def run(resource, file_format):
        upload = csv_upload([{a: GOOD[a][0] for a in GOOD}])
        response = staff_client.post(
            IMPORT_URL, {"resource": resource, "format": file_format, "import_file": upload}
        )
        assert_french_admin_page(response)

    run()
    assert snapshot(*WRITE_MODELS) == before


def test_partners_never_reach_the_import(client, world):
    client.force_login(world["editor"])
    before = snapshot(*WRITE_MODELS)
    upload = csv_upload([{a: GOOD[a][0] for a in GOOD} | {"code": "4.9"}])
    response = client.post(IMPORT_URL, {"resource": "0", "format": CSV_FORMAT,
                                        "import_file": upload})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(PROCESS_URL, {"import_file_name": "x", "original_file_name": "x.csv",
                                         "format": CSV_FORMAT, "resource": "0"})  # fmt: skip
    assert response.status_code == 302
    assert snapshot(*WRITE_MODELS) == before


# --------------------------------------------------------------------------- the confirmation


def confirm_data(staff_client):
    upload = csv_upload([{a: GOOD[a][0] for a in GOOD} | {"code": "4.8", "title": "Fiche 4.8"}])
    response = staff_client.post(
        IMPORT_URL, {"resource": "0", "format": CSV_FORMAT, "import_file": upload}
    )
    form = response.context["confirm_form"]
    return {name: form.initial.get(name, "") for name in form.fields}


STALE_MESSAGE = "Ce fichier a déjà été importé ou n&#x27;est plus disponible"


def test_confirming_the_same_import_twice(staff_client, world):
    data = confirm_data(staff_client)
    assert staff_client.post(PROCESS_URL, data).status_code == 302
    before = snapshot(*WRITE_MODELS)
    second = staff_client.post(PROCESS_URL, data, follow=True)  # the temporary file is gone
    assert second.status_code == 200
    assert STALE_MESSAGE in second.content.decode()
    assert snapshot(*WRITE_MODELS) == before


@pytest.mark.parametrize(
    "forged",
    [
        {"import_file_name": "inexistant"},
        {"import_file_name": "0123456789abcdef0123456789abcdef"},
        {"import_file_name": "../../etc/passwd"},
        {"format": "abc"},
        {"format": "²"},
        {"format": "99"},
    ],
)
def test_a_forged_confirmation_is_refused_in_french(staff_client, world, forged):
    data = confirm_data(staff_client) | forged
    before = snapshot(*WRITE_MODELS)
    response = staff_client.post(PROCESS_URL, data, follow=True)
    assert response.status_code == 200
    assert STALE_MESSAGE in response.content.decode()
    assert snapshot(*WRITE_MODELS) == before
