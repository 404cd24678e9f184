"""The frozen plan keeps the year's granted, spent and paid totals of each action, and its diff
shows how they moved (issue 13) — on the public side, for public rows only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.diff import (
    Current,
    FollowThroughChange,
    Frozen,
    compute_plan_diff,
)
from actions.models import ActionSnapshot, Funding
from actions.services import preview_annual_plan, validate_annual_plan
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, CopilMeetingFactory

D = Decimal
KEPT = {"granted_total": D("1000"), "spent_total": D("0"), "paid_total": D("0")}


def frozen(follow_through):
    return Frozen(1, "1.1", "Fiche", "in_progress", {}, follow_through=follow_through)


def current(**totals):
    return Current(1, "1.1", "Fiche", "in_progress", {}, follow_through=KEPT | totals)


class TestDiff:
    def test_moved_totals_are_listed_in_order(self):
        diff = compute_plan_diff(
            [frozen(KEPT)], [current(granted_total=D("1500"), paid_total=D("400"))]
        )
        [change] = diff.follow_through_changed
        assert change.follow_through_changes == [
            FollowThroughChange("Accordé", D("1000"), D("1500")),
            FollowThroughChange("Versé", D("0"), D("400")),
        ]
        assert diff.budget_changed == diff.status_changed == []

    def test_unchanged_totals_are_no_change(self):
        assert not compute_plan_diff([frozen(KEPT)], [current()])

    def test_a_plan_frozen_before_the_totals_were_kept_does_not_compare_them(self):
        old = dict.fromkeys(KEPT)  # the snapshot's fields are empty
        assert not compute_plan_diff([frozen(old)], [current(granted_total=D("5"))])


@pytest.fixture
def plan(db):
    axis = AxisFactory(number=1, name="Compétences")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    public = ActionFactory(axis=axis, code="1.1", title="Plateforme RH", is_public=True)
    hidden = ActionFactory(axis=axis, code="1.2", title="Fiche confidentielle", is_public=False)
    lines = {
        action.code: FundingFactory(
            action=action,
            funder=region,
            year=2024,
            planned_amount=D("12000"),
            status=Funding.Status.GRANTED,
            granted_amount=D("10000"),
            actual_amount=D("2000"),
        )  # fmt: skip
        for action in (public, hidden)
    }
    FundingFactory(action=public, funder=region, year=2025, granted_amount=None)
    meeting = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 1, 25))
    return {"plan": validate_annual_plan(meeting, 2024), "lines": lines, "meeting": meeting}


def grant_more(funding):
    funding.granted_amount, funding.paid_amount = D("12000"), D("3000")
    funding.save()


class TestFrozenPlan:
    def test_the_snapshot_keeps_the_years_totals(self, plan):
        snapshot = ActionSnapshot.objects.get(plan=plan["plan"], code="1.1")
        totals = (snapshot.granted_total, snapshot.spent_total, snapshot.paid_total)
        assert totals == (D("10000"), D("2000"), D("0"))

    def test_a_changed_total_changes_the_preview_fingerprint(self, plan):
        before = preview_annual_plan(plan["meeting"], 2024).fingerprint
        grant_more(plan["lines"]["1.1"])
        assert preview_annual_plan(plan["meeting"], 2024).fingerprint != before

    def test_the_public_page_shows_the_moves_of_public_rows_only(self, client, plan):
        grant_more(plan["lines"]["1.1"])
        grant_more(plan["lines"]["1.2"])
        response = client.get(reverse("actions:plan", args=[2024]))
        page = response.content.decode()
        assert [c.code for c in response.context["diff"].follow_through_changed] == ["1.1"]
        assert "Accordé : 10\u00a0000\u00a0€ → <strong>12\u00a0000\u00a0€</strong>" in page
        assert "Versé : 0\u00a0€ → <strong>3\u00a0000\u00a0€</strong>" in page
        assert "Réalisé :" not in page  # unchanged
        assert "Fiche confidentielle" not in page

    def test_staff_see_the_moves_of_every_row(self, client, plan):
        grant_more(plan["lines"]["1.2"])
        client.force_login(StaffFactory())
        response = client.get(reverse("actions:plan", args=[2024]))
        assert [c.code for c in response.context["diff"].follow_through_changed] == ["1.2"]
