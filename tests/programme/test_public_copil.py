import datetime
from decimal import Decimal

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Document
from programme.models import AgendaItem, CopilMeeting
from tests.actions.factories import ActionFactory, DocumentFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk, bulk_actions, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import CopilMeetingFactory, DecisionFactory

pytestmark = pytest.mark.django_db


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


class TestCopilList:
    def test_upcoming_and_past_public_meetings(self, client):
        CopilMeetingFactory(date=in_days(40), status=CopilMeeting.Status.PLANNED, place="Bléré")
        held = CopilMeetingFactory(date=datetime.date(2024, 1, 25), place="Amboise")
        DecisionFactory(meeting=held)
        DecisionFactory(meeting=held)
        CopilMeetingFactory(date=in_days(20), place="Réunion à huis clos", is_public=False)
        response = client.get(reverse("programme:copil_list"))
        assert response.status_code == 200
        html = response.content.decode()
        upcoming, past = html.split("Réunions passées")
        assert "Bléré" in upcoming and "Amboise" not in upcoming
        assert "Amboise" in past and "25 janvier 2024" in past
        assert "2 décisions" in past
        assert "huis clos" not in html

    def test_no_meeting(self, client):
        html = client.get(reverse("programme:copil_list")).content.decode()
        assert (
            "Aucune réunion n&#x27;est annoncée" in html or "Aucune réunion n'est annoncée" in html
        )

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_meetings(self, client, count_queries, visitor):
        visit_as(client, visitor)
        DecisionFactory(meeting=CopilMeetingFactory(date=in_days(0)))
        few = count_queries(reverse("programme:copil_list"))
        assert few.text.count("<h3>") == 1
        meetings = bulk(
            CopilMeetingFactory,
            199,
            phase=CopilMeeting.objects.get().phase,
            date=factory.Iterator(in_days(index - 100) for index in range(200) if index != 100),
        )
        bulk(DecisionFactory, 199, meeting=factory.Iterator(meetings))
        many = count_queries(reverse("programme:copil_list"))
        assert_no_n_plus_one(few, many)
        assert many.text.count("<h3>") == 200


class TestCopilDetail:
    @pytest.fixture
    def meeting(self):
        meeting = CopilMeetingFactory(
            date=datetime.date(2024, 1, 25),
            place="Amboise",
            minutes="Le plan **2024** est validé.",
        )
        AgendaItem.objects.create(meeting=meeting, order=2, title="Budget 2024")
        AgendaItem.objects.create(meeting=meeting, order=1, title="Plan d'actions 2024")
        meeting.attendees.add(
            OrganisationFactory(name="Région Centre-Val de Loire"),
            OrganisationFactory(name="Association des industriels du Castelrenaudais"),
        )
        return meeting

    def test_agenda_attendees_decisions_and_minutes(self, client, meeting):
        decision = DecisionFactory(meeting=meeting, text="Le COPIL valide le plan d'actions 2024.")
        ActionFactory(code="1.1", title="Campus des métiers").decisions.add(decision)
        ActionFactory(title="Action confidentielle", is_public=False).decisions.add(decision)
        response = client.get(meeting.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Plan d&#x27;actions 2024") < html.index("Budget 2024")
        assert "Région Centre-Val de Loire" in html
        assert "Association des industriels du Castelrenaudais" in html
        assert "Le COPIL valide le plan d&#x27;actions 2024." in html
        assert "1.1 — Campus des métiers" in html
        assert "Action confidentielle" not in html
        assert "<strong>2024</strong>" in html

    def test_private_minutes_are_not_shown(self, client, meeting):
        meeting.minutes_public = False
        meeting.save()
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert "<strong>2024</strong>" not in html
        assert "pas publié" in html

    def test_validated_annual_plan_links_to_its_page(self, client, meeting):
        from actions.services import validate_annual_plan
        from tests.actions.factories import FundingFactory

        action = ActionFactory(axis__phase=meeting.phase, is_public=True)
        FundingFactory(action=action, year=2024, planned_amount=Decimal("250000"))
        validate_annual_plan(meeting, 2024)
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert reverse("actions:plan", args=[2024]) in html
        assert "1 action publique, 250\u00a0000\u00a0€ de budget prévu" in html

    def test_only_public_documents(self, client, meeting):
        DocumentFactory(action=None, meeting=meeting, title="Support de présentation")
        DocumentFactory(
            action=None,
            meeting=meeting,
            title="Note interne",
            visibility=Document.Visibility.STAFF,
        )
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert "Support de présentation" in html
        assert "Note interne" not in html

    def test_non_public_meeting_is_404(self, client):
        meeting = CopilMeetingFactory(is_public=False)
        assert client.get(meeting.get_absolute_url()).status_code == 404
        assert client.get(reverse("programme:copil_detail", args=[999999])).status_code == 404

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_decisions(self, client, meeting, count_queries, visitor):
        pilot = OrganisationFactory()
        visit_as(client, visitor, pilot)

        def add_decisions(count):
            actions = bulk_actions(count, pilot=pilot)
            decisions = bulk(DecisionFactory, count, meeting=meeting)
            Action.decisions.through.objects.bulk_create(
                Action.decisions.through(action=action, decision=decision)
                for action, decision in zip(actions, decisions, strict=True)
            )
            meeting.attendees.add(*bulk(OrganisationFactory, count))

        add_decisions(1)
        few = count_queries(meeting.get_absolute_url())
        assert few.text.count("Décision numéro") == 1
        add_decisions(199)
        many = count_queries(meeting.get_absolute_url())
        assert_no_n_plus_one(few, many)
        assert many.text.count("Décision numéro") == 200
