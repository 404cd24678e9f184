"""The import preview of a large sheet (issue 16, item 13).

A 3,000-row preview made some 40,000 queries and outlived the server's 30 s: each row read its
action, then its phase, axis, pilot, partners, communautés de communes, version and funding line.
The file's actions are now read once (`actions.spreadsheet.loading`): the preview's queries do
not grow with its rows. Its time is measured by bench/import_preview.py (docs/performance.md).
"""

import html
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from import_export import resources

from actions.models import Action
from actions.spreadsheet.formats import SemicolonCSV
from actions.spreadsheet.resources import COLUMNS, ActionResource
from tests.actions.factories import ActionFactory, FundingFactory
from tests.actions.test_import_export import (
    CSV_FORMAT,
    EXPORT_URL,
    GOOD_ROWS,
    HEADER,
    PLATFORM,
    csv_file,
    line,
    preview,
    snapshot_of_everything,
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


def measured_preview(client, lines, valid=True):
    """The preview of a CSV of `lines`, and its queries but the savepoints (one per row, which
    keep a failing row from spoiling the others)."""
    upload = SimpleUploadedFile("plan.csv", "\n".join(lines).encode(), "text/csv")
    with CaptureQueriesContext(connection) as queries:
        response = preview(client, upload)
    assert response.status_code == 200 and ("confirm_form" in response.context) == valid
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


# --------------------------------------------------------------- the preview writes nothing


class WritingPreview(ActionResource):
    """The preview as it was before it stopped writing: every row saved through
    `actions.writes`, with its lists, funding line and history, then all rolled back. The
    oracle of what the preview shows."""

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = False  # every row writes, as a confirmation does
        return resources.ModelResource.import_data(self, dataset, dry_run=dry_run, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        return resources.ModelResource.save_m2m(self, instance, row, **kwargs)


def mixed_rows(w):
    """New, changed, unchanged, invalid and conflicting rows, in one file."""
    changed = ActionFactory(phase=w["phase"], axis=w["skills"], code="1.1", title="Ancien titre",
                            pilot=w["aicr"], partners=[w["region"]], with_history=True)  # fmt: skip
    FundingFactory(action=changed, year=2024, funder=w["region"], planned_amount=Decimal("100"))
    same = dict(phase=w["phase"], axis=w["land"], pilot=w["bdt"], status="planned",
                priority="medium", progress=0, summary="", start_date=None, end_date=None,
                is_public=False)  # fmt: skip
    ActionFactory(code="3.1", title="Zone d'activités", **same)
    ActionFactory(code="3.4", title="Friche", **same)
    platform = PLATFORM | {"code": "1.1"}
    fresh = PLATFORM | {"code": "1.4", "title": "Nouvelle fiche", "partners": "Région"}
    unchanged = dict(phase="2", code="3.1", axis="3", title="Zone d'activités", status="À venir",
                     priority="Moyenne", pilot="Banque des Territoires", progress="0",
                     is_public="non", is_archived="non")  # fmt: skip
    rows = [
        # line 2: the existing 1.1 changed (title, partners, CC, its funding line's amount)
        line(**platform, funding_year="2024", funding_funder="Région", funding_planned="150"),
        # line 3: a new funding line of 1.1
        line(**platform, funding_year="2025", funding_funder="Région", funding_planned="80"),
        line(**unchanged),  # line 4: 3.1 as it is
        # lines 5 to 7: a new action, two funding lines, then its columns alone
        line(**fresh, funding_year="2024", funding_funder="AICR", funding_planned="10"),
        line(**fresh, funding_year="2024", funding_funder="Région", funding_planned="20"),
        line(**fresh),
        # line 8: a new action whose slug its title makes the same as line 5's
        line(**fresh | {"code": "1-4"}),
        # line 9: invalid cells
        line(phase="2", code="1.5", axis="Tourisme", title="X", pilot="Inconnue SA",
             progress="120", funding_year="2024", funding_funder="Région", funding_planned="-5"),
        # line 10: the new action's columns differ from line 5's
        line(**fresh | {"title": "Autre titre"}),
        # line 11: the same funding line of 1.1 as line 2
        line(**platform, funding_year="2024", funding_funder="Région", funding_planned="9"),
        # line 12: 3.1 changed, but to end before it starts (a check constraint of the model)
        line(**unchanged | {"start_date": "01/02/2024", "end_date": "01/01/2024"}),
        # line 13: 3.4 changed, its unique and constrained fields as stored
        line(**unchanged | {"code": "3.4", "title": "Friche", "summary": "Nouveau résumé"}),
    ]  # fmt: skip
    return rows, changed


def shown(result):
    """What the preview shows of a result: counts, each row's kind and diff, every error."""
    return (
        dict(result.totals),
        [(row.number, row.import_type, list(row.diff or [])) for row in result.valid_rows()],
        [(row.number, row.error_dict) for row in result.invalid_rows],
        [(number, [str(e.error) for e in errors]) for number, errors in result.row_errors()],
    )


HEADERS = [header for _, header, _ in COLUMNS]


def after(diff):
    """The values a row's diff shows once changed, by column header."""
    values = [re.sub("<[^>]+>", "", re.sub("<del[^>]*>.*?</del>", "", cell)) for cell in diff]
    return dict(zip(HEADERS, map(html.unescape, values), strict=True))


def everything():
    """Every row of every table of the actions app (history and lists included)."""
    tables = apps.get_app_config("actions").get_models(include_auto_created=True)
    return snapshot_of_everything(), {model: model.objects.count() for model in tables}


def test_the_preview_writes_nothing_and_shows_what_writing_showed(world):  # noqa: F811
    rows, existing = mixed_rows(world)
    dataset = SemicolonCSV().create_dataset("\n".join([HEADER, *rows]).encode())
    staff, before = StaffFactory(), everything()

    with CaptureQueriesContext(connection) as queries:
        result = ActionResource().import_data(dataset, dry_run=True, user=staff)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert everything() == before
    assert not [sql for sql in writes if "SAVEPOINT" not in sql and sql.strip() != "BEGIN"], writes
    assert Action.objects.get(pk=existing.pk).version == existing.version

    oracle = WritingPreview().import_data(dataset, dry_run=True, user=staff)
    assert everything() == before  # rolled back
    assert shown(result) == shown(oracle)
    # and what this file is meant to show
    totals, valid, invalid, errors = shown(result)
    assert (totals["new"], totals["update"], totals["skip"], totals["invalid"]) == (3, 3, 2, 4)
    assert [(n, kind) for n, kind, _ in valid] == [
        (1, "update"), (2, "update"), (3, "skip"), (4, "new"), (5, "new"), (6, "skip"),
        (7, "new"), (12, "update"),
    ]  # fmt: skip
    assert "<del" in valid[0][2][HEADERS.index("Intitulé")]  # "Ancien titre", struck out
    changed = after(valid[0][2])
    assert changed["Intitulé"] == "Plateforme RH" and changed["Montant prévu (€)"] == "150,00"
    assert changed["Partenaires"] == "Banque des Territoires; Région"
    assert changed["Communautés de communes"] == "CC du Castelrenaudais"
    new_row = after(valid[3][2])
    assert new_row["Intitulé"] == "Nouvelle fiche" and new_row["Partenaires"] == "Région"
    assert new_row["Communautés de communes"] == "CC du Castelrenaudais"
    errors = {n: " ".join(sum(e.values(), [])) for n, e in invalid}
    assert "Organisation inconnue : « Inconnue SA »" in errors[8]
    assert "diffèrent de la ligne 5 du tableur (même code) : Intitulé." in errors[9]
    assert "Ligne en double" in errors[10] and "ligne 2 du tableur" in errors[10]
    assert "La date de fin doit suivre la date de début." in errors[11]


def test_the_preview_checks_in_the_database_only_what_rows_change(client, staff):
    """An action's unique and constrained fields as stored need no check: the database's own
    constraints hold them. What a row changes is checked, in the preview as before."""
    for code in ("1.1", "1.2", "1.3"):
        ActionFactory(code=code, title=f"Fiche {code}", progress=30)
    header, *rows = exported_lines(client)
    rows = [row.replace("Fiche", "Fiche renommée") for row in rows]
    checks = ('SELECT 1 AS "_check"', 'SELECT 1 AS "a" FROM "actions_action"')

    renamed = measured_preview(client, [header, *rows])
    assert renamed.response.context["result"].totals["update"] == 3
    assert not [sql for sql in renamed.sql if sql.startswith(checks)]

    rows[1] = rows[1].replace("31/12/2026", "31/12/2023")  # 1.2 now ends before it starts
    refused = measured_preview(client, [header, *rows], valid=False)
    assert [sql for sql in refused.sql if sql.startswith(checks)]
    assert "La date de fin doit suivre la date de début." in html.unescape(refused.text)
