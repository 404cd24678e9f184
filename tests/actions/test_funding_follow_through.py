"""Funding from request to payment: who enters what (the pilot's editors the spent amount, staff
the rest), the rules of a line, the public « Financements » page and its files (public actions
only), the migration rule of existing lines, and query budgets."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from openpyxl import load_workbook

from actions.funding import FundingConflict, record_spending
from actions.models import Funding
from partners.models import Membership
from tests.actions.factories import ActionFactory, FundingFactory
from tests.budget import assert_no_n_plus_one, bulk_actions, bulk_fundings
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory

Status = Funding.Status


def spent_url(funding):
    return reverse("space:funding_spent", args=[funding.pk])


def granted_line(**fields):
    values = {"status": Status.GRANTED, "granted_amount": D("8000"), "planned_amount": D("10000")}
    return FundingFactory(**(values | fields))


def snapshot(funding):
    return Funding.objects.values().get(pk=funding.pk), funding.history.count()


def as_role(client, role, action):
    """The six roles of the matrix; returns the user (None: anonymous)."""
    users = {
        "anonyme": None,
        "contributeur de la structure pilote": lambda: (
            MembershipFactory(organisation=action.pilot).user
        ),
        "contributeur d'une organisation partenaire": lambda: (
            MembershipFactory(organisation=action.partners.first()).user
        ),
        "lecteur de la structure pilote": lambda: (
            MembershipFactory(organisation=action.pilot, role=Membership.Role.READER).user
        ),
        "contributeur d'une autre organisation": lambda: (
            MembershipFactory(organisation=OrganisationFactory()).user
        ),
        "personnel": lambda: StaffFactory(is_superuser=False),
    }
    user = users[role]() if users[role] else None
    if user is not None:
        client.force_login(user)
    return user


# role -> (GET status, POST status, whether the spent amount is written)
MATRIX = {
    "anonyme": (302, 302, False),
    "contributeur d'une autre organisation": (404, 404, False),
    "lecteur de la structure pilote": (403, 403, False),
    "contributeur d'une organisation partenaire": (403, 403, False),
    "contributeur de la structure pilote": (200, 302, True),
    "personnel": (200, 302, True),
}


@pytest.mark.django_db
class TestSpendingPermissions:
    @pytest.mark.parametrize("role", MATRIX)
    def test_who_enters_the_spent_amount(self, client, role):
        action = ActionFactory(partners=[OrganisationFactory()], is_public=False)
        funding = granted_line(action=action)
        user = as_role(client, role, action)
        before = snapshot(funding)
        get_status, post_status, writes = MATRIX[role]

        assert client.get(spent_url(funding)).status_code == get_status
        data = {
            "actual_amount": "7500,50",
            "spent_on": "2024-10-31",
            "spent_note": "",
            "version": funding.version,
            # Fields the form does not have: a partner never sets them.
            "paid_amount": "8000",
            "granted_amount": "999999",
            "status": "refused",
        }
        response = client.post(spent_url(funding), data)
        assert response.status_code == post_status

        funding.refresh_from_db()
        if writes:
            assert (funding.actual_amount, str(funding.spent_on)) == (D("7500.50"), "2024-10-31")
            assert (funding.paid_amount, funding.granted_amount, funding.status) == (
                None,
                D("8000"),
                Status.GRANTED,
            )
            assert funding.version == 2
            record = funding.history.first()
            assert record.history_user == user
            assert record.history_change_reason == "Montant réalisé saisi dans l'espace partenaire"
        else:
            assert snapshot(funding) == before

    def test_the_pilot_page_lists_the_lines_with_a_link_for_editors_only(self, client):
        action = ActionFactory()
        funding = granted_line(action=action)
        editor = MembershipFactory(organisation=action.pilot).user
        reader = MembershipFactory(organisation=action.pilot, role=Membership.Role.READER).user
        client.force_login(editor)
        page = client.get(reverse("space:action", args=[action.pk])).content.decode()
        assert spent_url(funding) in page and "Accordé" in page
        client.force_login(reader)
        page = client.get(reverse("space:action", args=[action.pk])).content.decode()
        assert spent_url(funding) not in page


@pytest.mark.django_db
class TestSpendingForm:
    def login_pilot(self, client, funding):
        client.force_login(MembershipFactory(organisation=funding.action.pilot).user)

    def test_more_than_granted_needs_a_note(self, client):
        funding = granted_line()
        self.login_pilot(client, funding)
        data = {"actual_amount": "9000", "spent_on": "2024-10-31", "version": funding.version}
        response = client.post(spent_url(funding), data)
        assert response.status_code == 200
        assert "dépasse le montant accordé" in response.content.decode()
        assert Funding.objects.get(pk=funding.pk).actual_amount is None

        data["spent_note"] = "Le surcoût du transport est pris en charge par la CC."
        assert client.post(spent_url(funding), data).status_code == 302
        assert Funding.objects.get(pk=funding.pk).actual_amount == D("9000")

    def test_negative_amount_and_future_date_are_refused(self, client):
        funding = granted_line()
        self.login_pilot(client, funding)
        data = {"actual_amount": "-5", "spent_on": "2999-01-01", "version": funding.version}
        page = client.post(spent_url(funding), data).content.decode()
        assert "Le montant ne peut pas être négatif." in page
        assert "La date ne peut pas être dans le futur." in page
        assert snapshot(funding)[0]["actual_amount"] is None

    def test_a_stale_version_is_a_conflict_that_keeps_the_input(self, client):
        funding = granted_line()
        self.login_pilot(client, funding)
        stale = funding.version
        record_spending(
            funding.pk,
            {"actual_amount": D("100"), "spent_on": None, "spent_note": ""},
            expected_version=stale,
            user=None,
            reason="test",
        )
        data = {"actual_amount": "7000", "spent_on": "2024-10-31", "version": stale}
        response = client.post(spent_url(funding), data)
        assert response.status_code == 409
        assert 'value="7000' in response.content.decode()
        assert Funding.objects.get(pk=funding.pk).actual_amount == D("100")

    def test_an_admin_save_moves_the_version_on(self):
        funding = granted_line()
        funding.paid_amount = D("1000")
        funding.save()
        with pytest.raises(FundingConflict):
            record_spending(
                funding.pk, {"actual_amount": D("1")}, expected_version=1, user=None, reason=""
            )

    def test_the_spending_write_path_writes_no_other_field(self):
        """The partner's path owns the spent amount, not the granted one (staff's, in the
        admin): a caller that names another field is refused before anything is written."""
        funding = granted_line()
        with pytest.raises(ValueError, match="Funding: not a field of this write: granted_amount"):
            record_spending(
                funding.pk,
                {"actual_amount": D("1"), "granted_amount": D("1")},
                expected_version=funding.version,
                user=None,
                reason="",
            )
        assert snapshot(funding)[0]["actual_amount"] is None


@pytest.mark.django_db
class TestRulesOfALine:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"status": Status.GRANTED}, "Une ligne accordée indique le montant accordé."),
            (
                {"granted_amount": D("5")},
                "Le montant accordé ne se renseigne que pour une ligne accordée.",
            ),
            (
                {"status": Status.REQUESTED, "decision_reference": "Arrêté 12"},
                "ne se renseignent que pour une ligne accordée ou refusée",
            ),
            (
                {"status": Status.GRANTED, "granted_amount": D("1"), "actual_amount": D("2")},
                "expliquez-le dans la note sur le réalisé",
            ),
            (
                {"status": Status.GRANTED, "granted_amount": D("10"), "paid_amount": D("11")},
                "ne dépasse pas le montant accordé",
            ),
            (
                {
                    "status": Status.GRANTED,
                    "granted_amount": D("10"),
                    "decision_date": "2024-05-02",
                    "paid_amount": D("5"),
                    "paid_on": "2024-05-01",
                },
                "Le versement ne peut pas précéder la décision du financeur.",
            ),
            ({"granted_amount": D("-1"), "status": Status.GRANTED}, "ne peut pas être négatif"),
        ],
    )
    def test_an_incoherent_line_is_refused_in_french(self, fields, message):
        funding = FundingFactory.build(action=ActionFactory(), funder=OrganisationFactory())
        for name, value in fields.items():
            setattr(funding, name, value)
        with pytest.raises(ValidationError) as error:
            funding.full_clean()
        assert message in str(error.value)
        with pytest.raises(IntegrityError), transaction.atomic():
            funding.save()

    def test_spent_over_granted_with_a_note_is_valid(self):
        funding = granted_line(actual_amount=D("9000"), spent_note="Surcoût expliqué.")
        funding.full_clean()
        assert (funding.gap, round(funding.execution)) == (D("2000"), 112)


# --------------------------------------------------------------------------- public page


@pytest.fixture
def plan():
    """Public lines of two years and two funders, and lines that must never be counted."""
    region = OrganisationFactory(name="Région Centre-Val de Loire", slug="region")
    ademe = OrganisationFactory(name='=HYPERLINK("http://x")', slug="ademe")
    first = ActionFactory(code="1.1")
    second = ActionFactory(code="2.1")
    granted_line(action=first, funder=region, year=2024, actual_amount=D("6000"),
                 paid_amount=D("4000"))  # fmt: skip
    FundingFactory(action=second, funder=ademe, year=2025, planned_amount=D("5000"),
                   status=Status.REQUESTED)  # fmt: skip
    private = ActionFactory(code="3.1", is_public=False)
    archived = ActionFactory(code="3.2", is_archived=True)
    granted_line(action=private, funder=region, year=2024, planned_amount=D("777000"),
                 granted_amount=D("777000"))  # fmt: skip
    FundingFactory(action=archived, funder=ademe, year=2025, planned_amount=D("55555"))
    return {"region": region, "ademe": ademe, "first": first}


@pytest.mark.django_db
class TestFinancementsPage:
    def test_totals_are_the_sums_of_public_lines_only(self, client, plan):
        page = client.get(reverse("actions:fundings")).content.decode()
        assert "15\u00a0000\u00a0€" in page  # planned, both years
        assert "8\u00a0000\u00a0€" in page and "6\u00a0000\u00a0€" in page  # granted, spent
        assert "4\u00a0000\u00a0€" in page  # paid
        assert "777" not in page and "55\u00a0555" not in page

    def test_a_year_narrows_funders_and_axes(self, client, plan):
        page = client.get(reverse("actions:fundings"), {"annee": "2025"}).content.decode()
        assert "Par financeur en 2025" in page
        unknown = client.get(reverse("actions:fundings"), {"annee": "1999"}).content.decode()
        assert "année demandée : voici toutes les années" in unknown

    def test_demo_figures_are_marked(self, client, plan):
        assert "Inclut des données" not in client.get(reverse("actions:fundings")).content.decode()
        demo = ActionFactory(code="9.9", is_demo=True)
        FundingFactory(action=demo, year=2024)
        assert "Inclut des données" in client.get(reverse("actions:fundings")).content.decode()

    def test_the_chart_has_a_text_alternative(self, client, plan):
        page = client.get(reverse("actions:fundings")).content.decode()
        assert 'role="img"' in page and "2024 : prévu 10\u00a0000\u00a0€" in page

    def test_same_queries_with_one_and_200_actions(self, count_queries, plan):
        url = reverse("actions:fundings")
        few = count_queries(url)
        actions = bulk_actions(200)
        bulk_fundings(actions, status=Status.GRANTED, granted_amount=D("5000"))
        many = count_queries(url)
        assert_no_n_plus_one(few, many)
        few_csv = count_queries(reverse("actions:fundings_csv"))
        assert few_csv.count <= 12


@pytest.mark.django_db
class TestFinancementsFiles:
    def test_csv_totals_and_no_formula(self, client, plan):
        response = client.get(reverse("actions:fundings_csv"))
        rows = list(csv.DictReader(io.StringIO(b"".join(response).decode())))
        years = {row["cle"]: row for row in rows if row["tableau"] == "annee"}
        assert set(years) == {"2024", "2025"}
        assert (years["2024"]["montant_prevu"], years["2024"]["montant_accorde"]) == (
            "10000.00",
            "8000.00",
        )
        assert years["2024"]["ecart_prevu_accorde"] == "2000.00"
        assert years["2024"]["taux_execution"] == "75.0"
        funders = [row["libelle"] for row in rows if row["tableau"] == "financeur"]
        assert '\'=HYPERLINK("http://x")' in funders  # a leading apostrophe: never a formula
        assert not any("777" in value for row in rows for value in row.values())

    def test_json_and_xlsx(self, client, plan):
        data = json.loads(b"".join(client.get(reverse("actions:fundings_json"))))
        assert sum(row["montant_prevu"] for row in data["par_annee"]) == 15000
        assert {row["annee"] for row in data["par_axe"]} == {2024, 2025}
        response = client.get(reverse("actions:fundings_xlsx"))
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = workbook["Par financeur"]
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
        hostile = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
        assert hostile.data_type == "s"

    def test_open_data_lines_carry_the_new_columns(self, client, plan):
        response = client.get(reverse("actions:data_fundings_csv"))
        rows = list(csv.DictReader(io.StringIO(b"".join(response).decode())))
        line = next(row for row in rows if row["action_code"] == "1.1")
        assert (line["statut"], line["montant_accorde"], line["montant_verse"]) == (
            "granted",
            "8000.00",
            "4000.00",
        )


@pytest.mark.django_db
def test_fiche_shows_granted_spent_and_paid(client, plan):
    page = client.get(plan["first"].get_absolute_url()).content.decode()
    for text in ("Accordé", "Versé", "4\u00a0000\u00a0€", "Écart entre prévu et accordé"):
        assert text in page


@pytest.mark.django_db
def test_pilotage_shows_funders_and_largest_gaps(client, plan):
    client.force_login(StaffFactory())
    page = client.get(reverse("staff:dashboard")).content.decode()
    assert "accordé face au prévu" in page
    assert "787\u00a0000" in page  # the region's planned lines, the private action's included
    gaps = page.split("plus grands écarts")[1]
    assert gaps.index("2.1 —") < gaps.index("1.1 —")  # 5 000 € before 2 000 €


# --------------------------------------------------------------------------- migration


@pytest.mark.django_db(transaction=True)
def test_migration_makes_spent_lines_granted_and_others_planned():
    action_pk, funder_pk = ActionFactory().pk, OrganisationFactory().pk  # before going back
    executor = MigrationExecutor(connection)
    before = [("actions", "0009_milestones")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    Funding_ = old_apps.get_model("actions", "Funding")
    action = old_apps.get_model("actions", "Action").objects.get(pk=action_pk)
    funder = old_apps.get_model("partners", "Organisation").objects.get(pk=funder_pk)
    rows = {
        "spent": Funding_.objects.create(
            action=action, funder=funder, year=2024, planned_amount=10, actual_amount=9
        ),
        "over": Funding_.objects.create(
            action=action, funder=funder, year=2025, planned_amount=10, actual_amount=12
        ),
        "planned": Funding_.objects.create(
            action=action, funder=funder, year=2026, planned_amount=10
        ),
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    lines = {name: Funding.objects.get(pk=row.pk) for name, row in rows.items()}
    assert (lines["spent"].status, lines["spent"].granted_amount) == (Status.GRANTED, D("10"))
    assert lines["spent"].spent_note == ""
    assert lines["over"].status == Status.GRANTED and "le réalisé le dépasse" in (
        lines["over"].spent_note
    )
    assert (lines["planned"].status, lines["planned"].granted_amount) == (Status.PLANNED, None)
    for line in lines.values():
        line.full_clean()
