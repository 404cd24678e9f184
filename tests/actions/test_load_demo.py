import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from actions.demo_specs import DEMO_PASSWORD
from actions.models import (
    Action,
    ActionSnapshot,
    AnnualPlan,
    Funding,
    Indicator,
    Measurement,
    ProgressUpdate,
    Status,
)
from actions.writes import save_action
from partners.models import Membership, User
from programme.models import CopilMeeting, Decision, NewsItem, Territory
from tests.shared import shared_rows

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)
ACCOUNTS = [
    "chef.projet@demo.grand-est-touraine.fr",
    "partenaire.ccvalamboise@demo.grand-est-touraine.fr",
    "partenaire.aicr@demo.grand-est-touraine.fr",
    "lecteur.region@demo.grand-est-touraine.fr",
]


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        "actions": Action.objects.count(),
        "fundings": Funding.objects.count(),
        "indicators": Indicator.objects.count(),
        "measurements": Measurement.objects.count(),
        "updates": ProgressUpdate.objects.count(),
        "meetings": CopilMeeting.objects.count(),
        "decisions": Decision.objects.count(),
        "decision_links": Action.decisions.through.objects.count(),
        "plans": AnnualPlan.objects.count(),
        "snapshots": ActionSnapshot.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "action_history": Action.history.count(),
        "funding_history": Funding.history.count(),
        "measurement_history": Measurement.history.count(),
        "meeting_history": CopilMeeting.history.count(),
        "decision_history": Decision.history.count(),
        "news": NewsItem.objects.count(),
    }


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the class; each test's own changes are rolled back after it."""
    with shared_rows(django_db_blocker):
        yield load_demo()


class TestLoadDemo:
    def test_loads_the_reference_data_when_missing(self, demo):
        assert "Données de référence absentes" in demo
        assert Territory.objects.filter(slug="grand-est-touraine").exists()
        # The phase-1 achievements are reference data, not demonstration.
        assert Action.objects.filter(phase__number=1, is_demo=False).count() == 2

    def test_demo_actions_cover_the_four_axes_and_every_status(self, demo):
        actions = Action.objects.filter(is_demo=True)

        assert 16 <= actions.count() <= 24
        assert not actions.exclude(phase__number=2).exists()
        assert set(actions.values_list("axis__slug", flat=True)) == {
            "competences",
            "innovation",
            "foncier",
            "transition-ecologique",
        }
        assert set(actions.values_list("status", flat=True)) == set(Status.values)
        assert actions.filter(is_public=False).count() >= 2
        for action in actions:
            assert action.summary.startswith("Action de démonstration : ")
            assert action.code.startswith(f"{action.axis.number}.")
            assert action.intercommunalities.exists()

    def test_partner_organisations_pilot_some_actions_and_join_others(self, demo):
        for email in ACCOUNTS[1:3]:
            organisation = User.objects.get(email=email).memberships.get().organisation
            assert organisation.piloted_actions.filter(is_demo=True).exists()
            assert organisation.partner_actions.filter(is_demo=True).exists()
        assert Action.objects.filter(is_demo=True).values("pilot").distinct().count() >= 8

    def test_budget_of_2024_and_2025_with_several_funders_and_actual_amounts(self, demo):
        for year in (2024, 2025):
            lines = Funding.objects.filter(action__is_demo=True, year=year)
            assert lines.values("funder").distinct().count() >= 5
            assert lines.filter(actual_amount__isnull=False).exists()
            assert set(lines.values_list("kind", flat=True)) <= set(Funding.Kind.values)
        assert Funding.objects.filter(kind=Funding.Kind.INVESTMENT).exists()
        assert Funding.objects.filter(kind=Funding.Kind.OPERATING).exists()

    def test_indicators_measurements_and_dated_updates_by_demo_accounts(self, demo):
        demo_users = set(User.objects.filter(email__in=ACCOUNTS).values_list("pk", flat=True))
        for action in Action.objects.filter(is_demo=True):
            assert 1 <= action.indicators.count() <= 2
            assert action.updates.exists()
            assert set(action.updates.values_list("author", flat=True)) <= demo_users
        assert Measurement.objects.filter(indicator__action__is_demo=True).count() >= 30
        # Some open actions have had no update for more than 90 days: "needs attention" shows.
        stale = [
            action
            for action in Action.objects.filter(is_demo=True, status=Status.IN_PROGRESS)
            if action.updates.first().date < TODAY - datetime.timedelta(days=90)
        ]
        assert len(stale) >= 2

    def test_demo_accounts_authenticate_with_the_documented_password(self, demo):
        request = RequestFactory().post("/")
        for email in ACCOUNTS:
            user = authenticate(request, email=email, password=DEMO_PASSWORD)
            assert user is not None, email
        chef = User.objects.get(email=ACCOUNTS[0])
        assert chef.is_staff and chef.is_superuser
        roles = {
            m.user.email: (m.organisation.slug, m.role)
            for m in Membership.objects.select_related("user", "organisation")
        }
        assert roles[ACCOUNTS[1]] == ("cc-du-val-d-amboise", Membership.Role.EDITOR)
        assert roles[ACCOUNTS[2]] == ("aicr", Membership.Role.EDITOR)
        assert roles[ACCOUNTS[3]][1] == Membership.Role.READER
        for email in ACCOUNTS[1:]:
            assert not User.objects.get(email=email).is_staff

    def test_2024_plan_validated_once_at_a_demo_copil_with_later_differences(self, demo):
        plan = AnnualPlan.objects.get(year=2024)
        assert plan.meeting.is_demo
        assert plan.meeting.date == datetime.date(2024, 2, 6)
        assert plan.snapshots.count() == plan.action_count > 0
        codes = set(plan.snapshots.values_list("code", flat=True))
        current = set(Action.objects.filter(phase__number=2).values_list("code", flat=True))
        # An action was added after the validation.
        assert current - codes
        # A budget line changed after the validation.
        snapshot = plan.snapshots.get(code="3.1")
        assert snapshot.budget_by_funder["CC du Val d'Amboise"] == "15000.00"
        assert Funding.objects.get(
            action__code="3.1",
            action__phase__number=2,
            year=2024,
            funder__slug="cc-du-val-d-amboise",
        ).planned_amount == Decimal("18000")
        # Statuses changed after the validation.
        changed = [
            s for s in plan.snapshots.select_related("action") if s.status != s.action.status
        ]
        assert changed

    def test_demo_copil_meetings_past_and_planned_with_decisions_on_actions(self, demo):
        demo_meetings = CopilMeeting.objects.demo()
        assert all("(démonstration)" in meeting.title for meeting in demo_meetings)
        held_2025 = demo_meetings.get(date__year=2025)
        assert held_2025.status == CopilMeeting.Status.HELD
        assert Action.objects.filter(decisions__meeting=held_2025).exists()
        upcoming = demo_meetings.upcoming(TODAY)
        assert upcoming.exists()
        assert upcoming.first().date.year == 2027
        # The real first COPIL keeps its own title.
        assert (
            "démonstration" not in CopilMeeting.objects.get(date=datetime.date(2024, 1, 25)).title
        )

    def test_second_run_creates_and_changes_nothing(self, demo):
        before = counts()
        updated_at = dict(Action.objects.values_list("pk", "updated_at"))

        load_demo()

        assert counts() == before
        assert dict(Action.objects.values_list("pk", "updated_at")) == updated_at
        assert AnnualPlan.objects.filter(year=2024).count() == 1

    def test_second_run_keeps_a_changed_demo_password(self, demo):
        # A demo account's new password is a user's edit like any other.
        user = User.objects.get(email=ACCOUNTS[1])
        user.set_password("autre-mot-de-passe-2024")
        user.first_name = "Dominique-Marie"
        user.save()

        load_demo()

        user.refresh_from_db()
        assert user.check_password("autre-mot-de-passe-2024")
        assert not user.check_password(DEMO_PASSWORD)
        assert user.first_name == "Dominique-Marie"

    def test_second_run_after_user_edits_changes_nothing_and_writes_no_history(self, demo):
        chef = User.objects.get(email=ACCOUNTS[0])
        action = Action.objects.get(is_demo=True, code="1.1")
        save_action(
            action.pk,
            {"progress": 55},
            expected_version=action.version,
            user=chef,
            reason="Point d'étape",
        )
        meeting = CopilMeeting.objects.demo().get(date__year=2025)
        meeting.title = "Comité de pilotage de janvier (démonstration)"
        meeting.save()
        funding = Funding.objects.filter(action=action).first()
        funding.planned_amount = Decimal("12345")
        funding.save()
        ProgressUpdate.objects.filter(action=action).first().delete()
        before = counts()
        last_history = Action.history.filter(id=action.pk).latest("history_date")

        load_demo()

        assert counts() == before
        action.refresh_from_db()
        assert action.progress == 55
        assert Action.history.filter(id=action.pk).latest("history_date") == last_history
        assert last_history.history_user == chef
        meeting.refresh_from_db()
        assert meeting.title == "Comité de pilotage de janvier (démonstration)"
        funding.refresh_from_db()
        assert funding.planned_amount == Decimal("12345")


class TestLoadDemoInProduction:
    def test_refuses_to_run_in_production(self, settings):
        settings.PRODUCTION = True

        with pytest.raises(CommandError, match="production"):
            load_demo()

        assert not User.objects.exists()
        assert not Action.objects.exists()
