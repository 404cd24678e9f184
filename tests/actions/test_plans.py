"""Validated annual plans: frozen snapshots, what changed since, the public /plans/<year>/ page."""

import datetime
from decimal import Decimal

import factory
import pytest
from django.urls import reverse

from actions.diff import BudgetChange, Current, Frozen, compute_plan_diff
from actions.models import Action, ActionSnapshot, Funding, Status
from actions.services import validate_annual_plan
from tests.actions.factories import ActionFactory, FundingFactory
from tests.budget import assert_no_n_plus_one, bulk_actions, bulk_fundings
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, CopilMeetingFactory

D = Decimal


def frozen(action_id, code="1.1", status="in_progress", budget=None, title="Fiche"):
    return Frozen(action_id, code, title, status, budget or {})


def current(action_id, code="1.1", status="in_progress", budget=None, **kwargs):
    return Current(action_id, code, kwargs.pop("title", "Fiche"), status, budget or {}, **kwargs)


class TestComputePlanDiff:
    def test_nothing_changed(self):
        diff = compute_plan_diff(
            [frozen(1, budget={"Région": "1000.00"})], [current(1, budget={"Région": D("1000")})]
        )
        assert not diff and diff.changes == []

    def test_status_changed(self):
        diff = compute_plan_diff([frozen(1, status="planned")], [current(1, status="blocked")])
        [change] = diff.status_changed
        assert (change.status_before_label, change.status_after_label) == ("À venir", "Bloquée")
        assert diff.added == diff.removed == diff.budget_changed == []

    def test_budget_changed_funder_by_funder(self):
        diff = compute_plan_diff(
            [frozen(1, budget={"Région": "1000.00", "ADEME": "500.00", "Bpifrance": "0"})],
            [current(1, budget={"Région": D("1500"), "Banque des Territoires": D("200")})],
        )
        [change] = diff.budget_changed
        assert change.budget_changes == [
            BudgetChange("ADEME", D("500"), D("0")),
            BudgetChange("Banque des Territoires", D("0"), D("200")),
            BudgetChange("Région", D("1000"), D("1500")),
        ]
        assert (change.total_before, change.total_after) == (D("1500"), D("1700"))
        assert change.budget_changes[0].delta == D("-500")
        assert diff.status_changed == []

    def test_removed_when_archived_or_deleted(self):
        diff = compute_plan_diff(
            [frozen(1, "1.1"), frozen(None, "1.2"), frozen(3, "1.3", budget={"État": "10"})],
            [current(1, "1.1", is_archived=True)],
        )
        assert [(c.code, c.removed, c.removed_label) for c in diff.removed] == [
            ("1.1", "archived", "archivée"),
            ("1.2", "deleted", "supprimée"),
            ("1.3", "deleted", "supprimée"),
        ]
        assert diff.changes[2].total_before == D("10")
        assert diff.status_changed == diff.budget_changed == diff.added == []

    def test_added_actions_and_what_the_public_sees(self):
        diff = compute_plan_diff(
            [frozen(1, "1.1")],
            [
                current(1, "1.1"),
                current(2, "1.10", budget={"Région": D("100")}, slug="nouvelle"),
                current(3, "1.2", is_public=False),
                current(4, "1.3", is_archived=True),  # added then archived: nothing to show
            ],
        )
        assert [c.code for c in diff.added] == ["1.2", "1.10"]  # by code, 1.10 after 1.2
        assert diff.added[1].total_after == D("100") and diff.added[1].slug == "nouvelle"
        assert not diff.added[1].budget_changed  # counted as added, not as a budget change
        assert [c.code for c in diff.for_public().added] == ["1.10"]

    def test_a_non_public_action_change_is_hidden_from_the_public(self):
        diff = compute_plan_diff(
            [frozen(1, status="planned")], [current(1, status="done", is_public=False)]
        )
        assert len(diff.status_changed) == 1
        assert not diff.for_public()

    def test_current_code_and_title_are_shown(self):
        diff = compute_plan_diff(
            [frozen(1, "1.1", title="Ancien", status="planned")],
            [current(1, "1.4", title="Nouveau", status="done")],
        )
        assert (diff.changes[0].code, diff.changes[0].title) == ("1.4", "Nouveau")


@pytest.fixture
def validated(db):
    """Four actions of phase 2 frozen in the 2024 plan at the COPIL of 25 January 2024."""
    axis = AxisFactory(number=1, name="Compétences")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    ademe = OrganisationFactory(name="ADEME")
    a = ActionFactory(axis=axis, code="1.1", title="Plateforme RH", status=Status.PLANNED)
    b = ActionFactory(axis=axis, code="1.2", title="Job dating")
    c = ActionFactory(axis=axis, code="1.3", title="Tiers-lieu")
    d = ActionFactory(axis=axis, code="1.4", title="Étude foncière")
    FundingFactory(action=a, funder=region, year=2024, planned_amount=D("10000"))
    FundingFactory(action=b, funder=region, year=2024, planned_amount=D("5000"))
    FundingFactory(action=b, funder=ademe, year=2025, planned_amount=D("7000"))
    FundingFactory(action=d, funder=ademe, year=2024, planned_amount=D("3000"))
    meeting = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 1, 25))
    plan = validate_annual_plan(meeting, 2024)
    return {"plan": plan, "a": a, "b": b, "c": c, "d": d, "region": region, "ademe": ademe}


def edit_after_validation(v):
    Action.objects.filter(pk=v["a"].pk).update(status=Status.IN_PROGRESS, title="Plateforme emploi")
    Funding.objects.filter(action=v["b"], year=2024).update(planned_amount=D("6500"))
    FundingFactory(action=v["b"], funder=v["ademe"], year=2024, planned_amount=D("1000"))
    Action.objects.filter(pk=v["c"].pk).update(is_archived=True)
    v["d"].delete()
    axis = v["a"].axis
    ActionFactory(axis=axis, code="1.5", title="Nouvelle fiche publique")
    ActionFactory(axis=axis, code="1.6", title="Fiche confidentielle", is_public=False)


class TestValidatedPlanIsFrozen:
    def test_snapshots_and_totals_do_not_move_when_actions_change(self, validated):
        plan = validated["plan"]
        before = list(ActionSnapshot.objects.filter(plan=plan).values().order_by("code_sort"))
        assert (plan.action_count, plan.total_planned) == (4, D("18000"))
        edit_after_validation(validated)
        plan.refresh_from_db()
        after = list(ActionSnapshot.objects.filter(plan=plan).values().order_by("code_sort"))
        assert (plan.action_count, plan.total_planned) == (4, D("18000"))
        for row in before:
            if row["code"] == "1.4":
                row["action_id"] = None  # the deleted action's link is cut, nothing else
        assert after == before


class TestPlanPage:
    def test_404_without_a_validated_plan(self, client, db):
        response = client.get(reverse("actions:plan", args=[2030]))
        assert response.status_code == 404

    def test_shows_the_frozen_plan_and_exactly_what_changed(self, client, validated):
        edit_after_validation(validated)
        response = client.get(reverse("actions:plan", args=[2024]))
        assert response.status_code == 200
        page = response.content.decode()
        diff = response.context["diff"]
        assert [c.code for c in diff.added] == ["1.5"]
        assert [(c.code, c.removed) for c in diff.removed] == [
            ("1.3", "archived"),
            ("1.4", "deleted"),
        ]
        assert [(c.code, c.status_before, c.status_after) for c in diff.status_changed] == [
            ("1.1", "planned", "in_progress")
        ]
        [budget] = diff.budget_changed
        assert budget.code == "1.2"
        assert budget.budget_changes == [
            BudgetChange("ADEME", D("0"), D("1000")),
            BudgetChange("Région", D("5000"), D("6500")),
        ]
        assert [c.code for c in diff.changes] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
        # the frozen table keeps the validated title; the changes show today's
        assert "Plateforme RH" in page and "Plateforme emploi" in page
        assert "Fiche confidentielle" not in page
        assert "Statut : À venir → <strong>En cours</strong>" in page
        assert "Région : 5\u00a0000\u00a0€ → 6\u00a0500\u00a0€" in page
        assert "fiche supprimée" in page and "fiche archivée" in page
        assert "18\u00a0000\u00a0€" in page  # validated total
        # today: 1.1 keeps 10 000, 1.2 has 6 500 + 1 000, 1.4's 3 000 went with it
        assert "17\u00a0500\u00a0€ aujourd'hui" in page

    def test_staff_also_see_non_public_actions(self, client, validated):
        edit_after_validation(validated)
        client.force_login(StaffFactory())
        page = client.get(reverse("actions:plan", args=[2024])).content.decode()
        assert "Fiche confidentielle" in page

    def test_latest_validation_shown_and_older_versions_kept(self, client, validated):
        plan = validated["plan"]
        Action.objects.filter(pk=validated["a"].pk).update(status=Status.DONE)
        second = validate_annual_plan(plan.meeting, 2024)
        response = client.get(reverse("actions:plan", args=[2024]))
        assert response.context["plan"] == second
        assert not response.context["diff"]
        assert "validé 2 fois" in response.content.decode()
        older = client.get(reverse("actions:plan", args=[2024]), {"version": plan.pk})
        assert older.context["plan"] == plan
        assert [c.code for c in older.context["diff"].status_changed] == ["1.1"]

    def test_same_queries_with_4_and_200_actions(self, client, validated, count_queries):
        url = reverse("actions:plan", args=[2024])
        few = count_queries(url)
        axis, pilot = validated["a"].axis, OrganisationFactory()
        codes = [f"2.{n}" for n in range(196)]
        frozen = bulk_actions(176, axis=axis, pilot=pilot, code=factory.Iterator(codes[:176]))
        bulk_fundings(frozen, funder=validated["region"], year=2024)
        validate_annual_plan(validated["plan"].meeting, 2024)
        bulk_actions(20, axis=axis, pilot=pilot, code=factory.Iterator(codes[176:]))  # since
        many = count_queries(url)
        assert_no_n_plus_one(few, many)
        assert many.response.context["plan"].action_count == 180
