"""The staff dashboard at /pilotage/."""

import datetime
from decimal import Decimal

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Milestone, Status
from programme.models import CopilMeeting, Decision
from tests.actions.factories import ActionFactory, FundingFactory, ProgressUpdateFactory
from tests.budget import assert_no_n_plus_one, bulk, bulk_actions, bulk_fundings
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, CopilMeetingFactory, DecisionFactory

URL = reverse("staff:dashboard")
TODAY = timezone.localdate()


@pytest.fixture
def staff(client, db):
    client.force_login(StaffFactory())


def test_closed_to_partners_and_visitors(client, db):
    assert client.get(URL)["Location"].startswith(reverse("admin:login"))
    client.force_login(MembershipFactory().user)
    assert client.get(URL)["Location"].startswith(reverse("admin:login"))


def test_linked_from_the_admin_index(client, staff):
    assert URL in client.get(reverse("admin:index")).content.decode()


def test_shows_statuses_by_axis_budget_stale_actions_and_next_copil(client, staff):
    skills = AxisFactory(number=1, name="Compétences")
    land = AxisFactory(phase=skills.phase, number=3, name="Foncier")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    a = ActionFactory(axis=skills, status=Status.IN_PROGRESS, code="1.1", title="Plateforme RH")
    ActionFactory(axis=skills, status=Status.IN_PROGRESS, code="1.2")
    ActionFactory(axis=land, status=Status.BLOCKED, code="3.1")
    ActionFactory(axis=land, status=Status.BLOCKED, code="3.2", is_archived=True)
    FundingFactory(action=a, funder=region, year=2024, planned_amount=Decimal("10000"),
                   actual_amount=Decimal("2500"))  # fmt: skip
    FundingFactory(action=a, funder=region, year=2025, planned_amount=Decimal("4000"))
    ProgressUpdateFactory(action=a, date=TODAY - datetime.timedelta(days=100))
    CopilMeetingFactory(phase=skills.phase, date=TODAY + datetime.timedelta(days=30),
                        status=CopilMeeting.Status.PLANNED, place="Bléré")  # fmt: skip
    CopilMeetingFactory(phase=skills.phase, date=TODAY + datetime.timedelta(days=60),
                        status=CopilMeeting.Status.PLANNED, place="Amboise")  # fmt: skip

    response = client.get(URL)
    assert response.status_code == 200
    context = response.context
    statuses = [s.value for s in context["statuses"]]
    rows = {row["axis"].number: row for row in context["status_table"]}
    assert rows[1]["cells"][statuses.index("in_progress")] == 2
    assert rows[3]["cells"][statuses.index("blocked")] == 1  # the archived one is left out
    assert context["status_grand_total"] == 3
    years = {year["year"]: year for year in context["budget_years"]}
    assert (years[2024]["planned"], years[2024]["actual"]) == (Decimal("10000"), Decimal("2500"))
    assert years[2025]["rows"][0]["funder__acronym"] == "Région"
    assert [action.code for action in context["stale_actions"]] == ["1.1"]
    assert context["next_meeting"].place == "Bléré"
    page = response.content.decode()
    assert "Plateforme RH" in page and "Bléré" in page and "25\u00a0%" in page


def test_same_queries_with_1_and_200_actions(client, staff, count_queries):
    first = ActionFactory()
    few = count_queries(URL)
    actions = bulk_actions(  # each in its own axis, with its own funder, a year old
        199,
        axis=factory.Iterator(bulk(AxisFactory, 199, phase=first.phase)),
        pilot=first.pilot,
    )
    bulk_fundings(actions, funder=factory.Iterator(bulk(OrganisationFactory, 199)))
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        created_at=timezone.now() - datetime.timedelta(days=365)
    )
    many = count_queries(URL)
    assert_no_n_plus_one(few, many, budget=None)


def test_one_screen_shows_late_milestones_overdue_decisions_and_funding_gaps(client, staff):
    """Issue 13's « done when »: the chef de projet sees the three on /pilotage/."""
    action = ActionFactory(status=Status.IN_PROGRESS, code="2.1", title="Club innovation")
    Milestone.objects.create(action=action, order=1, title="Lancement du club",
                             due_date=TODAY - datetime.timedelta(days=10))  # fmt: skip
    Milestone.objects.create(action=action, order=2, title="Jalon à venir",
                             due_date=TODAY + datetime.timedelta(days=10))  # fmt: skip
    owner = OrganisationFactory(name="Communauté de communes du Castelrenaudais")
    meeting = CopilMeetingFactory(phase=action.phase, date=TODAY - datetime.timedelta(days=90))
    DecisionFactory(meeting=meeting, text="Étudier une navette", owner=owner,
                    due_date=TODAY - datetime.timedelta(days=5),
                    status=Decision.Status.IN_PROGRESS, status_date=meeting.date)  # fmt: skip
    DecisionFactory(meeting=meeting, text="Décision réalisée", owner=owner,
                    due_date=TODAY - datetime.timedelta(days=5),
                    status=Decision.Status.DONE, status_date=meeting.date)  # fmt: skip
    DecisionFactory(meeting=meeting, text="Décision pas encore due", owner=owner,
                    due_date=TODAY + datetime.timedelta(days=5))  # fmt: skip
    FundingFactory(action=action, planned_amount=Decimal("20000"))

    page = client.get(URL).content.decode()
    late = page[page.index("Jalons en retard") : page.index("Décisions du COPIL en retard")]
    assert "Lancement du club" in late and "Jalon à venir" not in late
    overdue = page[page.index("Décisions du COPIL en retard") : page.index("Fiches sans note")]
    assert "Étudier une navette" in overdue and "Castelrenaudais" in overdue
    assert "Décision réalisée" not in overdue and "pas encore due" not in overdue
    gaps = page[page.index("plus grands écarts") :]
    assert "Club innovation" in gaps
