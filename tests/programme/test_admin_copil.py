"""COPIL meetings in the admin: agenda, decisions and their actions, annual plan validation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions.admin.copil import NO_PREVIEW, sign_preview
from actions.models import Action, AnnualPlan, Funding
from actions.services import NOT_YET, PLAN_CHANGED, preview_annual_plan
from programme.models import CopilMeeting
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import MembershipFactory, StaffFactory
from tests.programme.factories import CopilMeetingFactory, DecisionFactory


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


@pytest.fixture
def meeting(db):
    action = ActionFactory(code="1.1")
    FundingFactory(action=action, year=2024, planned_amount=Decimal("10000"))
    ActionFactory(phase=action.phase, axis=action.axis, code="1.2", is_archived=True)
    return CopilMeetingFactory(phase=action.phase, date=datetime.date(2024, 1, 25))


def validate_url(meeting):
    return reverse("admin:programme_copilmeeting_validate_plan", args=[meeting.pk])


def validate(client, meeting, year=2024, **extra):
    """What a staff member does: look at the preview of `year`, then confirm it."""
    token = client.get(validate_url(meeting), {"year": year}).context["token"]
    return client.post(validate_url(meeting), {"year": year, "preview": token, **extra})


class TestValidatePlan:
    def test_button_only_on_a_held_meeting(self, client, staff, meeting):
        change = reverse("admin:programme_copilmeeting_change", args=[meeting.pk])
        assert "Valider le plan d'actions de l'année" in client.get(change).content.decode()
        planned = CopilMeetingFactory(phase=meeting.phase, status=CopilMeeting.Status.PLANNED)
        change = reverse("admin:programme_copilmeeting_change", args=[planned.pk])
        assert "Valider le plan" not in client.get(change).content.decode()

    def test_the_preview_shows_what_will_be_frozen_then_freezes_it(self, client, staff, meeting):
        response = client.get(validate_url(meeting))
        assert response.status_code == 200
        assert response.context["year"] == 2024
        page = response.content.decode()
        assert "<strong>1</strong> fiche(s) action" in page  # the archived one is left out
        assert "<td>1.1</td>" in page and "1.2" not in page
        assert page.count("10\u00a0000\u00a0€") >= 3  # the row, its funder, the total
        assert "enregistré le" in page  # the meeting was in 2024: recorded later, and said so

        response = client.post(
            validate_url(meeting),
            {"year": "2024", "preview": response.context["token"]},
            follow=True,
        )
        plan = AnnualPlan.objects.get()
        assert (plan.year, plan.meeting, plan.validated_by) == (2024, meeting, staff)
        assert (plan.action_count, plan.total_planned) == (1, Decimal("10000"))
        assert response.redirect_chain[-1][0] == reverse(
            "admin:actions_annualplan_change", args=[plan.pk]
        )
        assert "Plan d&#x27;actions 2024 validé : 1 fiche(s)" in response.content.decode()

    @pytest.mark.parametrize("token", ["", "bidon", "other year"], ids=["none", "forged", "2025"])
    def test_nothing_is_frozen_without_the_preview_of_that_year(
        self, client, staff, meeting, token
    ):
        if token == "other year":
            token = client.get(validate_url(meeting), {"year": 2025}).context["token"]
        response = client.post(validate_url(meeting), {"year": "2024", "preview": token})
        assert response.status_code == 200
        assert escape(NO_PREVIEW) in response.content.decode()
        assert response.context["preview"].year == 2024  # shown again, to be confirmed
        assert not AnnualPlan.objects.exists()

    def test_a_plan_changed_since_its_preview_is_shown_again_not_frozen(
        self, client, staff, meeting
    ):
        token = client.get(validate_url(meeting)).context["token"]
        Funding.objects.update(planned_amount=Decimal("12000"))
        response = client.post(validate_url(meeting), {"year": "2024", "preview": token})
        page = response.content.decode()
        assert escape(PLAN_CHANGED) in page and "12\u00a0000\u00a0€" in page
        assert not AnnualPlan.objects.exists()

        new_token = response.context["token"]
        client.post(validate_url(meeting), {"year": "2024", "preview": new_token})
        assert AnnualPlan.objects.get().total_planned == Decimal("12000")

    def test_validating_a_year_again_asks_for_confirmation_and_keeps_both(
        self, client, staff, meeting
    ):
        original_title = Action.objects.get(code="1.1").title
        validate(client, meeting)
        response = validate(client, meeting)
        assert response.status_code == 200
        assert "Un plan 2024 a déjà été validé" in response.content.decode()
        assert AnnualPlan.objects.count() == 1

        Action.objects.filter(code="1.1").update(title="Titre revu")
        validate(client, meeting, confirm="on")
        plans = list(AnnualPlan.objects.order_by("validated_at", "pk"))
        assert len(plans) == 2
        assert [p.snapshots.get().title for p in plans] == [original_title, "Titre revu"]

    def test_a_meeting_not_public_is_said_to_stay_unnamed(self, client, staff, meeting):
        CopilMeeting.objects.filter(pk=meeting.pk).update(is_public=False)
        page = client.get(validate_url(meeting)).content.decode()
        assert "Cette réunion n'est pas publique" in page

    def test_refused_before_the_day_of_the_meeting(self, client, staff, meeting):
        meeting.date = timezone.localdate() + datetime.timedelta(days=1)
        meeting.save()
        response = client.get(validate_url(meeting), follow=True)
        assert escape(NOT_YET) in response.content.decode()
        assert validate_url(meeting) not in response.redirect_chain[-1][0]
        assert not AnnualPlan.objects.exists()

    @pytest.mark.parametrize("status", [CopilMeeting.Status.PLANNED, CopilMeeting.Status.CANCELLED])
    def test_refused_on_a_meeting_not_held(self, client, staff, meeting, status):
        meeting.status = status
        meeting.save()
        response = client.post(validate_url(meeting), {"year": "2024"}, follow=True)
        assert "Seul un COPIL tenu peut valider un plan d&#x27;actions annuel" in (
            response.content.decode()
        )
        assert not AnnualPlan.objects.exists()

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_bad_year_is_explained(self, client, staff, meeting, method):
        response = getattr(client, method)(validate_url(meeting), {"year": "1999"})
        assert "L&#x27;année doit être comprise entre 2000 et 2100." in response.content.decode()
        assert response.context["preview"] is None
        assert not AnnualPlan.objects.exists()

    def test_partners_cannot_validate(self, client, meeting):
        token = sign_preview(preview_annual_plan(meeting, 2024))
        client.force_login(MembershipFactory().user)
        response = client.post(validate_url(meeting), {"year": "2024", "preview": token})
        assert response.status_code == 302
        assert not AnnualPlan.objects.exists()

    def test_unknown_meeting_is_404(self, client, staff):
        assert client.get(validate_url(CopilMeeting(pk=999))).status_code == 404


class TestMeetingPages:
    def test_validated_plans_listed_on_the_meeting(self, client, staff, meeting):
        validate(client, meeting)
        change = reverse("admin:programme_copilmeeting_change", args=[meeting.pk])
        page = client.get(change).content.decode()
        assert "plans d&#x27;actions validés à cette réunion" in page.lower()
        assert reverse("actions:plan", args=[2024]) in page

    def test_decision_lists_and_links_the_actions_it_concerns(self, client, staff, meeting):
        decision = DecisionFactory(meeting=meeting, text="Lancer la plateforme RH")
        action = Action.objects.get(code="1.1")
        url = reverse("admin:programme_decision_change", args=[decision.pk])
        response = client.post(
            url,
            {
                "meeting": meeting.pk,
                "order": 1,
                "text": "Lancer la plateforme RH",
                "status": "to_engage",
                "seen_version": decision.version,
                "Action_decisions-TOTAL_FORMS": "1",
                "Action_decisions-INITIAL_FORMS": "0",
                "Action_decisions-0-action": action.pk,
            },
        )
        assert response.status_code == 302, response.context["errors"]
        assert list(action.decisions.all()) == [decision]
        assert "1.1" in client.get(url).content.decode()

    def test_plan_admin_is_read_only(self, client, staff, meeting):
        validate(client, meeting)
        plan = AnnualPlan.objects.get()
        url = reverse("admin:actions_annualplan_change", args=[plan.pk])
        page = client.get(url).content.decode()
        assert "1.1" in page and "10\u00a0000\u00a0€" in page
        client.post(url, {"year": "2030"})
        plan.refresh_from_db()
        assert plan.year == 2024
