"""Validated annual plans: frozen snapshots, what changed since, the public /plans/<year>/ page."""

import datetime
from decimal import Decimal
from importlib import import_module

import factory
import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.diff import (
    BudgetChange,
    Current,
    Frozen,
    compute_plan_diff,
    frozen_states,
    public_sides,
)
from actions.models import Action, ActionSnapshot, AnnualPlan, Funding, Status
from actions.services import PLAN_CHANGED, preview_annual_plan, validate_annual_plan
from programme.models import CopilMeeting
from teritoire.templatetags.portal import date_fr
from tests.actions.factories import ActionFactory, FundingFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, bulk_fundings, visit_as
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

    def test_added_actions_by_code(self):
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
        assert diff.total_delta == D("100")

    def test_current_code_and_title_are_shown(self):
        diff = compute_plan_diff(
            [frozen(1, "1.1", title="Ancien", status="planned")],
            [current(1, "1.4", title="Nouveau", status="done")],
        )
        assert (diff.changes[0].code, diff.changes[0].title) == ("1.4", "Nouveau")

    def test_a_removed_action_keeps_its_frozen_code_and_title(self):
        diff = compute_plan_diff(
            [frozen(1, "1.1", title="Ancien", budget={"État": "10"})],
            [current(1, "1.4", title="Nouveau titre", is_archived=True, slug="nouveau-titre")],
        )
        [change] = diff.removed
        assert (change.code, change.title, change.slug) == ("1.1", "Ancien", "")
        assert diff.total_delta == D("-10")


class TestPublicSides:
    """What the public compares: rows public when frozen and still published, public actions."""

    def snapshot(self, action_id, *, is_public, action_public=True):
        action = None if action_id is None else Action(pk=action_id, is_public=action_public)
        return ActionSnapshot(
            action=action,
            action_id=action_id,
            is_public=is_public,
            code="1.1",
            status="in_progress",
        )

    def test_rows_and_actions_the_public_may_see(self):
        rows = [
            self.snapshot(1, is_public=True),
            self.snapshot(2, is_public=False),  # private when frozen, published since
            self.snapshot(3, is_public=True, action_public=False),  # unpublished since
            self.snapshot(None, is_public=True),  # deleted, was public
            self.snapshot(None, is_public=False),  # deleted, was private
        ]
        actions = [current(1), current(2), current(3, is_public=False)]
        shown, compared = public_sides(rows, actions)
        assert shown == [rows[0], rows[3]]
        assert [c.action_id for c in compared] == [1, 2]
        diff = compute_plan_diff(frozen_states(shown), compared)
        # the action published since is new to the public; nothing of 3 or of the private row
        assert [(c.action_id, c.added, c.removed) for c in diff.changes] == [
            (None, False, "deleted"),
            (2, True, ""),
        ]


def public_action(**kwargs):
    return ActionFactory(is_public=True, **kwargs)


@pytest.fixture
def validated(db):
    """Four actions of phase 2 frozen in the 2024 plan at the COPIL of 25 January 2024."""
    axis = AxisFactory(number=1, name="Compétences")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    ademe = OrganisationFactory(name="ADEME")
    a = public_action(axis=axis, code="1.1", title="Plateforme RH", status=Status.PLANNED)
    b = public_action(axis=axis, code="1.2", title="Job dating")
    c = public_action(axis=axis, code="1.3", title="Tiers-lieu")
    d = public_action(axis=axis, code="1.4", title="Étude foncière")
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
    public_action(axis=axis, code="1.5", title="Nouvelle fiche publique")
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
        frozen = bulk_actions(
            176, axis=axis, pilot=pilot, is_public=True, code=factory.Iterator(codes[:176])
        )
        bulk_fundings(frozen, funder=validated["region"], year=2024)
        validate_annual_plan(validated["plan"].meeting, 2024)
        bulk_actions(20, axis=axis, pilot=pilot, code=factory.Iterator(codes[176:]))  # since
        many = count_queries(url)
        assert_no_n_plus_one(few, many)
        assert many.response.context["plan"].action_count == 180


@pytest.fixture
def phase_actions(db):
    """Three actions of one phase: public, private (two funders), archived; 2024 and 2025 money."""
    axis = AxisFactory(number=1, name="Compétences")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    ademe = OrganisationFactory(name="ADEME")
    public = public_action(axis=axis, code="1.1", title="Plateforme RH")
    private = ActionFactory(axis=axis, code="1.2", title="Friche", is_public=False)
    archived = public_action(axis=axis, code="1.3", title="Ancienne", is_archived=True)
    FundingFactory(action=public, funder=region, year=2024, planned_amount=D("10000"))
    FundingFactory(action=public, funder=region, year=2025, planned_amount=D("999"))
    FundingFactory(action=private, funder=region, year=2024, planned_amount=D("2500"))
    FundingFactory(action=private, funder=ademe, year=2024, planned_amount=D("4000"))
    FundingFactory(action=archived, funder=ademe, year=2024, planned_amount=D("777"))
    meeting = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 1, 25))
    return {"meeting": meeting, "public": public, "private": private, "region": region}


class TestValidationPreview:
    def test_the_preview_is_exactly_what_is_frozen(self, phase_actions):
        meeting = phase_actions["meeting"]
        preview = preview_annual_plan(meeting, 2024)
        assert [row.values["code"] for row in preview.rows] == ["1.1", "1.2"]
        assert (preview.total, preview.public_total, preview.public_count) == (
            D("16500"),
            D("10000"),
            1,
        )
        assert preview.by_funder == [("ADEME", D("4000")), ("Région", D("12500"))]

        plan = validate_annual_plan(meeting, 2024, fingerprint=preview.fingerprint)
        snapshots = plan.snapshots.order_by("code_sort", "pk")
        columns = list(preview.rows[0].frozen())
        assert [(s.action_id, {name: getattr(s, name) for name in columns}) for s in snapshots] == [
            (row.action.pk, row.frozen()) for row in preview.rows
        ]
        assert (plan.action_count, plan.total_planned) == (len(preview.rows), preview.total)
        assert preview_annual_plan(meeting, 2024).fingerprint == preview.fingerprint

    @pytest.mark.parametrize(
        "change",
        [
            lambda v: Funding.objects.filter(action=v["public"], year=2024).update(
                planned_amount=D("10001")
            ),
            lambda v: FundingFactory(action=v["private"], year=2024),
            lambda v: Action.objects.filter(pk=v["public"].pk).update(title="Titre revu"),
            lambda v: Action.objects.filter(pk=v["private"].pk).update(is_public=True),
            lambda v: Action.objects.filter(pk=v["private"].pk).update(is_archived=True),
            lambda v: ActionFactory(axis=v["public"].axis, code="1.9"),
        ],
        ids=["amount", "funding", "title", "published", "archived", "new action"],
    )
    def test_a_plan_changed_since_its_preview_is_not_frozen(self, phase_actions, change):
        meeting = phase_actions["meeting"]
        seen = preview_annual_plan(meeting, 2024).fingerprint
        change(phase_actions)
        with pytest.raises(ValidationError) as refused:
            validate_annual_plan(meeting, 2024, fingerprint=seen)
        assert refused.value.messages == [PLAN_CHANGED]
        assert not AnnualPlan.objects.exists()

    def test_what_is_not_frozen_may_change_after_the_preview(self, phase_actions):
        meeting = phase_actions["meeting"]
        seen = preview_annual_plan(meeting, 2024).fingerprint
        Action.objects.filter(pk=phase_actions["public"].pk).update(summary="Résumé revu")
        Funding.objects.filter(year=2025).update(planned_amount=D("1"))  # not the plan's year
        assert validate_annual_plan(meeting, 2024, fingerprint=seen).action_count == 2

    def test_only_at_a_held_meeting_whose_day_has_come(self, phase_actions):
        meeting = phase_actions["meeting"]
        meeting.date = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError, match="pas encore eu lieu"):
            validate_annual_plan(meeting, 2024)
        meeting.date, meeting.status = timezone.localdate(), CopilMeeting.Status.PLANNED
        with pytest.raises(ValidationError, match="Seul un COPIL tenu"):
            validate_annual_plan(meeting, 2024)
        assert not AnnualPlan.objects.exists()


class TestValidationDates:
    """The public page says when the meeting was and, if later, when it was recorded; no one."""

    def test_recorded_after_the_meeting(self, client, phase_actions):
        user = StaffFactory(first_name="Dominique", last_name="Valideur")
        validate_annual_plan(phase_actions["meeting"], 2024, user)
        html = client.get(reverse("actions:plan", args=[2024])).content.decode()
        today = date_fr(timezone.localdate(), "j F Y")
        assert f"Comité de pilotage du 25 janvier 2024</a> (Amboise), enregistré le {today}" in html
        assert "validé le" not in html.lower() and "validée le" not in html.lower()
        assert "Valideur" not in html and user.email not in html

    def test_recorded_on_the_day_of_the_meeting(self, client, phase_actions):
        meeting = phase_actions["meeting"]
        CopilMeeting.objects.filter(pk=meeting.pk).update(date=timezone.localdate())
        meeting.refresh_from_db()
        validate_annual_plan(meeting, 2024)
        validate_annual_plan(meeting, 2024)
        html = client.get(reverse("actions:plan", args=[2024])).content.decode()
        assert f"Comité de pilotage du {date_fr(meeting.date, 'j F Y')}" in html
        assert "enregistré" not in html


def test_public_figures_of_a_plan_are_sums_of_its_public_rows(phase_actions):
    """What the public COPIL page may print of a plan (programme's copil_detail)."""
    plan = validate_annual_plan(phase_actions["meeting"], 2024)
    figures = AnnualPlan.objects.with_public_figures().get()
    assert (figures.public_action_count, figures.public_total) == (1, D("10000"))
    assert (plan.action_count, plan.total_planned) == (2, D("16500"))  # the staff's figures
    Action.objects.filter(pk=phase_actions["public"].pk).update(is_public=False)
    figures = AnnualPlan.objects.with_public_figures().get()
    assert (figures.public_action_count, figures.public_total) == (0, D("0"))


def test_snapshots_frozen_before_the_flag_are_public_only_if_their_action_still_is(
    phase_actions,
):
    """The data migration: from the action when it still exists, else not public."""
    fill = import_module("actions.migrations.0005_snapshot_public").fill_from_actions
    plan = validate_annual_plan(phase_actions["meeting"], 2024)
    deleted = public_action(axis=phase_actions["public"].axis, code="1.8")
    ActionSnapshot.objects.create(
        plan=plan, action=deleted, code="1.8", title="x", axis_number=1, status="planned"
    )
    deleted.delete()
    plan.snapshots.update(is_public=False)  # as the migration finds them
    fill(django_apps, None)
    assert dict(plan.snapshots.values_list("code", "is_public")) == {
        "1.1": True,
        "1.2": False,
        "1.8": False,
    }


def test_a_real_meeting_freezes_real_actions_and_a_demonstration_one_demonstration_actions(
    phase_actions,
):
    meeting = phase_actions["meeting"]
    axis = phase_actions["public"].axis
    public_action(axis=axis, code="1.9", title="Fiche fictive", is_demo=True)
    demo_meeting = CopilMeetingFactory(
        phase=meeting.phase, date=datetime.date(2024, 2, 6), is_demo=True
    )
    assert [row.values["code"] for row in preview_annual_plan(meeting, 2024).rows] == [
        "1.1",
        "1.2",
    ]
    assert [row.values["code"] for row in preview_annual_plan(demo_meeting, 2024).rows] == ["1.9"]


@pytest.mark.parametrize("is_demo", [False, True])
def test_a_plan_of_demonstration_data_says_so(client, phase_actions, is_demo):
    meeting = phase_actions["meeting"]
    if is_demo:
        meeting.is_demo = True
        meeting.save()
        public_action(axis=phase_actions["public"].axis, code="1.8", is_demo=True)
    validate_annual_plan(meeting, 2024)
    page = client.get("/plans/2024/").content.decode()
    assert ("Donnée de démonstration" in page) is is_demo


class TestPlanIndex:
    """/plans/: the latest validation of each year, public figures, the change year on year."""

    @pytest.fixture
    def two_years(self, phase_actions):
        meeting = phase_actions["meeting"]
        validate_annual_plan(meeting, 2024)
        later = CopilMeetingFactory(
            phase=meeting.phase, date=datetime.date(2025, 1, 30), place="Château-Renault"
        )
        validate_annual_plan(later, 2025)
        return {**phase_actions, "later": later}

    def test_validated_plans_by_year_with_public_totals_and_change(self, client, two_years):
        response = client.get(reverse("actions:plans"))
        assert response.status_code == 200
        page = " ".join(response.content.decode().split()).replace("\u00a0", " ")
        assert page.index("Plan 2025") < page.index("Plan 2024")  # the latest year first
        assert "10 000 €" in page and "999 €" in page  # 1.1's money in 2024, then 2025
        assert "Par rapport à 2024&nbsp;: −9 001 €, autant de fiches" in page
        assert "Premier plan validé" in page
        assert reverse("actions:plan", args=[2025]) in page
        assert reverse("actions:plan_pdf", args=[2024]) in page
        # the private action's money (2 500 + 4 000) and the staff's total never show
        for secret in ("Friche", "6 500", "16 500", "7 499"):
            assert secret not in page
        assert "Donnée de démonstration" not in page

    def test_the_latest_validation_of_a_year_counts(self, client, two_years):
        Action.objects.filter(pk=two_years["public"].pk).update(is_public=False)
        validate_annual_plan(two_years["later"], 2025)  # 1.1 no longer public: nothing public
        page = client.get(reverse("actions:plans")).content.decode().replace("\u00a0", " ")
        assert "validé 2 fois" in page
        # 1.1 is now hidden from both years: the public sees zero everywhere
        assert "0 €" in page and "budget inchangé" in page and "10 000 €" not in page

    def test_a_meeting_that_is_not_public_is_not_named(self, client, two_years):
        CopilMeeting.objects.filter(pk=two_years["later"].pk).update(is_public=False)
        page = client.get(reverse("actions:plans")).content.decode()
        assert "Château-Renault" not in page and "Validé en comité de pilotage" in page

    def test_a_demonstration_plan_says_so(self, client, two_years):
        CopilMeeting.objects.filter(pk=two_years["later"].pk).update(is_demo=True)
        page = client.get(reverse("actions:plans")).content.decode()
        assert "Donnée de démonstration" in page
        assert "Inclut des données de démonstration" in page

    def test_no_plan_yet(self, client, db):
        page = client.get(reverse("actions:plans")).content.decode()
        assert "Aucun plan d'actions n'a encore été validé" in page

    def test_linked_from_each_plan(self, client, two_years):
        page = client.get(reverse("actions:plan", args=[2024])).content.decode()
        assert f'href="{reverse("actions:plans")}"' in page

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(
        self, client, phase_actions, count_queries, visitor
    ):
        visit_as(client, visitor)
        meeting = phase_actions["meeting"]
        validate_annual_plan(meeting, 2024)
        few = count_queries(reverse("actions:plans"))
        axis, pilot = phase_actions["public"].axis, OrganisationFactory()
        many_actions = bulk_actions(
            200, axis=axis, pilot=pilot, code=factory.Iterator(f"2.{n}" for n in range(200))
        )
        bulk_fundings(many_actions, funder=phase_actions["region"], year=2025)
        later = CopilMeetingFactory(phase=meeting.phase, date=datetime.date(2025, 1, 30))
        validate_annual_plan(later, 2025)
        validate_annual_plan(later, 2025)
        validate_annual_plan(meeting, 2026)
        many = count_queries(reverse("actions:plans"))
        assert_no_n_plus_one(few, many)
        assert "Plan 2026" in many.text and "validé 2 fois" in many.text
