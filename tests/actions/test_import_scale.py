"""The import preview of a large sheet (issue 16, item 13).

A 3,000-row preview made some 40,000 queries and outlived the server's 30 s: each row read its
action, then its phase, axis, pilot, partners, communautés de communes, version and funding line.
The file's actions are now read once (`actions.spreadsheet.loading`): the preview's queries do
not grow with its rows. Its time is measured by bench/import_preview.py (docs/performance.md).
"""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from tests.actions.factories import ActionFactory, FundingFactory
from tests.actions.test_import_export import (
    CSV_FORMAT,
    EXPORT_URL,
    GOOD_ROWS,
    csv_file,
    preview,
    world,  # noqa: F401 - the fixture
)
from tests.budget import Measured, assert_no_n_plus_one, bulk_actions, bulk_fundings
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import IntercommunalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(StaffFactory())


def exported_lines(client):
    response = client.post(EXPORT_URL, {"format": CSV_FORMAT, "resource": "0"})
    return response.content.decode("utf-8-sig").splitlines()


def measured_preview(client, lines):
    """The preview of a CSV of `lines`, and its queries but the savepoints (one per row, which
    keep a failing row from spoiling the others)."""
    upload = SimpleUploadedFile("plan.csv", "\n".join(lines).encode(), "text/csv")
    with CaptureQueriesContext(connection) as queries:
        response = preview(client, upload)
    assert response.status_code == 200 and "confirm_form" in response.context
    sql = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    return Measured(response, response.content, sql)


def test_preview_queries_do_not_grow_with_the_rows(client, staff):
    partner, cc = OrganisationFactory(), IntercommunalityFactory()
    actions = bulk_actions(200, partners=[partner], intercommunalities=[cc], is_public=True)
    bulk_fundings(actions)
    header, *rows = exported_lines(client)
    assert len(rows) == 200

    few = measured_preview(client, [header, rows[0]])
    many = measured_preview(client, [header, *rows])

    assert [row.import_type for row in many.response.context["result"].rows] == ["skip"] * 200
    assert_no_n_plus_one(few, many, budget=None)
    assert "inchangées\u00a0: 200 (identiques" in html.unescape(many.text)


def test_preview_lists_the_changed_rows_and_counts_the_others(client, staff):
    for code in ("1.1", "1.2", "1.3"):
        ActionFactory(code=code, title=f"Fiche {code}")
    header, *rows = exported_lines(client)
    rows[1] = rows[1].replace("Fiche 1.2", "Fiche 1.2 renommée")

    page = html.unescape(measured_preview(client, [header, *rows]).text)

    assert "Lignes nouvelles\u00a0: 0\u00a0; mises à jour\u00a0: 1\u00a0;" in page
    assert "inchangées\u00a0: 2 (identiques à ce qui est enregistré" in page
    table = page.split('<table class="import-preview">', 1)[1]
    assert "<td>3</td>" in table and "Mise à jour" in table  # line 3 of the sheet
    assert "renommée" in table and "Fiche 1.1" not in table and "Fiche 1.3" not in table


def test_a_row_starts_from_what_the_rows_before_it_changed(client, staff, world):  # noqa: F811
    """Both rows of 1.1 give its new partners; the first writes them, the second changes
    nothing more: it reads the partners as the first row left them, not as they were read."""
    action = ActionFactory(phase=world["phase"], axis=world["skills"], code="1.1",
                           title="Ancien titre", pilot=world["aicr"],
                           partners=[world["region"]])  # fmt: skip
    FundingFactory(action=action, year=2024, funder=world["region"], kind="operating",
                   planned_amount=Decimal("12500.50"))  # fmt: skip
    FundingFactory(action=action, year=2024, funder=world["bdt"], kind="investment",
                   planned_amount=Decimal("40000"), actual_amount=Decimal("10000"))  # fmt: skip

    response = preview(client, csv_file(GOOD_ROWS[0], GOOD_ROWS[1]))

    assert [row.import_type for row in response.context["result"].rows] == ["update", "skip"]
    assert Action.objects.get(pk=action.pk).title == "Ancien titre"  # a preview writes nothing
