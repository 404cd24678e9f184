"""The partner dashboard: the user's actions, their role, what needs attention, fixed queries."""

import datetime

import factory
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions.models import Status
from partners.models import Membership
from tests.actions.factories import (
    ActionFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgressUpdateFactory,
)
from tests.budget import assert_no_n_plus_one, bulk, bulk_actions
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)

TODAY = timezone.localdate()


def rows(response):
    """The rows of the dashboard's action table, by code."""
    return {action.code: action for action in response.context["actions"]}


@pytest.fixture
def user(db):
    return UserFactory()


class TestDashboard:
    def test_lists_pilot_and_partner_actions_with_role(self, client, user):
        pilot = MembershipFactory(
            user=user, organisation=OrganisationFactory(name="CCCR")
        ).organisation
        partner = MembershipFactory(
            user=user, organisation=OrganisationFactory(name="AICR"), role=Membership.Role.READER
        ).organisation
        ActionFactory(code="1.1", title="Recrutement", pilot=pilot)
        ActionFactory(code="1.2", title="Attractivité", partners=[partner], is_public=False)
        ActionFactory(code="1.3", title="Action d'autrui")
        client.force_login(user)
        response = client.get(reverse("space:dashboard"))
        content = response.content.decode()
        assert "1.1 — Recrutement" in content
        assert "1.2 — Attractivité" in content
        assert "Action d&#x27;autrui" not in content
        assert "Pilote — contributeur" in content
        assert "Partenaire — lecteur" in content
        assert reverse("space:action_edit", args=[rows(response)["1.1"].pk]) in content
        assert reverse("space:action_edit", args=[rows(response)["1.2"].pk]) not in content

    def test_attention_flags(self, client, user):
        organisation = MembershipFactory(user=user).organisation
        stale = ActionFactory(code="2.1", pilot=organisation, end_date=None)
        ProgressUpdateFactory(action=stale, date=TODAY - datetime.timedelta(days=120))
        late = ActionFactory(
            code="2.2",
            pilot=organisation,
            start_date=datetime.date(2020, 1, 1),
            end_date=TODAY - datetime.timedelta(days=1),
        )
        ProgressUpdateFactory(action=late, date=TODAY)
        measured = ActionFactory(code="2.3", pilot=organisation, end_date=None)
        ProgressUpdateFactory(action=measured, date=TODAY)
        MeasurementFactory(indicator=IndicatorFactory(action=measured), date=TODAY)
        unmeasured = ActionFactory(code="2.4", pilot=organisation, end_date=None)
        ProgressUpdateFactory(action=unmeasured, date=TODAY)
        IndicatorFactory(action=unmeasured)
        MeasurementFactory(
            indicator=IndicatorFactory(action=unmeasured), date=datetime.date(TODAY.year - 1, 6, 1)
        )
        done = ActionFactory(
            code="2.5",
            pilot=organisation,
            status="done",
            end_date=datetime.date(2020, 1, 1),
            start_date=datetime.date(2019, 1, 1),
        )
        client.force_login(user)
        response = client.get(reverse("space:dashboard"))
        by_code = rows(response)
        labels = {code: [flag.label for flag in a.attention] for code, a in by_code.items()}
        assert labels["2.1"] == ["Pas de note de suivi depuis 90 jours"]
        assert labels["2.2"] == [f"Date de fin dépassée ({late.end_date:%d/%m/%Y})"]
        assert labels["2.3"] == []
        assert labels["2.4"] == [f"2 indicateurs sans mesure en {TODAY.year}"]
        assert labels["2.5"] == []  # done: nothing to watch, although the end date passed
        assert by_code["2.3"].last_update_on == TODAY
        content = response.content.decode()
        assert "Pas de note de suivi depuis 90 jours" in content
        assert f"2 indicateurs sans mesure en {TODAY.year}" in content
        assert response.context["attention_count"] == 3
        assert done.pk in [a.pk for a in response.context["actions"]]

    def test_archived_actions_are_listed_apart(self, client, user):
        organisation = MembershipFactory(user=user).organisation
        ActionFactory(code="4.1", title="Archivée", pilot=organisation, is_archived=True)
        client.force_login(user)
        response = client.get(reverse("space:dashboard"))
        assert response.context["actions"] == []
        assert "Actions archivées" in response.content.decode()

    def test_empty_state_without_organisation(self, client, user):
        client.force_login(user)
        response = client.get(reverse("space:dashboard"))
        assert "Votre compte n'est rattaché à aucune structure" in response.content.decode()

    def test_staff_see_a_link_to_the_admin(self, client, db):
        client.force_login(StaffFactory())
        response = client.get(reverse("space:dashboard"))
        assert reverse("admin:index") in response.content.decode()

    def test_partners_see_no_admin_link(self, client, user):
        client.force_login(user)
        response = client.get(reverse("space:dashboard"))
        assert reverse("admin:index") not in response.content.decode()

    def test_same_queries_with_1_and_200_actions(self, client, user, count_queries):
        organisation = MembershipFactory(user=user).organisation
        partner_of = MembershipFactory(user=user).organisation

        def add_actions(count):
            actions = bulk_actions(count, pilot=organisation, partners=[partner_of])
            bulk(ProgressUpdateFactory, count, action=factory.Iterator(actions))
            indicators = bulk(IndicatorFactory, count, action=factory.Iterator(actions))
            bulk(MeasurementFactory, count, indicator=factory.Iterator(indicators))

        client.force_login(user)
        add_actions(1)
        few = count_queries(reverse("space:dashboard"))
        add_actions(199)
        many = count_queries(reverse("space:dashboard"))
        assert many.response.context["action_count"] == 200
        assert len(many.response.context["actions"]) == 25  # a page of the table
        assert_no_n_plus_one(few, many, budget=8)

    def test_the_table_is_paged_and_the_summary_counts_every_action(self, client, user):
        organisation = MembershipFactory(user=user).organisation
        actions = bulk_actions(
            30,
            pilot=organisation,
            status=Status.IN_PROGRESS,
            start_date=TODAY - datetime.timedelta(days=100),
            end_date=TODAY - datetime.timedelta(days=1),
        )
        client.force_login(user)
        url = reverse("space:dashboard")

        first = client.get(url)
        page = first.content.decode()
        assert "<strong>30</strong> actions suivies" in page
        # Each one's end date has passed: all 30 are flagged, not only the 25 shown.
        assert "<strong>30</strong> à surveiller" in page
        assert len(first.context["actions"]) == 25
        assert "(page 1 sur 2, actions 1 à 25)" in page
        assert 'aria-label="Pages de mes actions"' in page and "?page=2" in page

        second = client.get(url, {"page": 2})
        shown = {action.pk for action in second.context["actions"]}
        assert len(shown) == 5
        assert shown.isdisjoint(action.pk for action in first.context["actions"])
        assert shown | {action.pk for action in first.context["actions"]} == {
            action.pk for action in actions
        }

        past_the_end = client.get(url, {"page": 9}).content.decode()
        assert escape("La page 9 n'existe pas : voici la dernière page (2).") in past_the_end


class TestActionPage:
    def test_same_queries_with_1_and_200_rows_of_each_kind(self, client, user, count_queries):
        organisation = MembershipFactory(user=user).organisation
        action = ActionFactory(pilot=organisation, partners=[OrganisationFactory()])
        ProgressUpdateFactory(action=action, author=user)
        MeasurementFactory(indicator=IndicatorFactory(action=action))
        client.force_login(user)
        url = reverse("space:action", args=[action.pk])
        few = count_queries(url)
        bulk(ProgressUpdateFactory, 199, action=action, author=user)
        indicators = bulk(IndicatorFactory, 199, action=action)
        bulk(MeasurementFactory, 199, indicator=factory.Iterator(indicators))
        action.partners.add(*bulk(OrganisationFactory, 199))
        many = count_queries(url)
        assert_no_n_plus_one(few, many)

    def test_shows_last_change_by(self, client, user):
        organisation = MembershipFactory(user=user).organisation
        action = ActionFactory(pilot=organisation, updated_by=user)
        client.force_login(user)
        content = client.get(reverse("space:action", args=[action.pk])).content.decode()
        assert f"par {user}" in content
