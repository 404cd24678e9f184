"""Partner space: the owner organisation's editors (and staff) update a COPIL decision's
follow-up; everyone else changes nothing; two edits of the same decision end in a conflict."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.perms import can_update_decision, decisions_editable_by
from partners.models import Membership
from programme.decisions import DecisionConflict, update_follow_up
from programme.models import Decision
from tests.budget import assert_no_n_plus_one, bulk
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.programme.factories import CopilMeetingFactory, DecisionFactory

pytestmark = pytest.mark.django_db

Status = Decision.Status
TODAY = timezone.localdate()
MEETING_DAY = datetime.date(2025, 1, 30)


def edit_url(decision):
    return reverse("space:decision_edit", args=[decision.pk])


def snapshot(decision):
    """Everything about the decision a refused request must leave as it was."""
    row = Decision.objects.values().get(pk=decision.pk)
    return row, decision.history.count()


@pytest.fixture
def owner():
    return OrganisationFactory(name="CC du Val d'Amboise")


@pytest.fixture
def decision(owner):
    meeting = CopilMeetingFactory(date=MEETING_DAY)
    return DecisionFactory(
        meeting=meeting,
        text="Étendre la bourse aux locaux.",
        owner=owner,
        due_date=datetime.date(2025, 9, 30),
    )


def post_data(decision, **fields):
    data = {
        "status": Status.IN_PROGRESS,
        "status_date": "2025-02-01",
        "follow_up": "Deux communautés de communes ont rejoint la bourse.",
        "version": decision.version,
    }
    return data | fields


def as_role(client, role, owner):
    """Log `client` in as one of the six roles of the matrix; returns the user (None: anonymous)."""
    if role == "anonyme":
        return None
    if role == "personnel":
        user = StaffFactory(is_superuser=False)
    elif role == "superutilisateur":
        user = StaffFactory()
    elif role == "contributeur d'une autre organisation":
        user = MembershipFactory(organisation=OrganisationFactory()).user
    elif role == "lecteur de l'organisation responsable":
        user = MembershipFactory(organisation=owner, role=Membership.Role.READER).user
    else:
        assert role == "contributeur de l'organisation responsable", role
        user = MembershipFactory(organisation=owner).user
    client.force_login(user)
    return user


# role -> (GET status, POST status, whether the POST changes the decision)
MATRIX = {
    "anonyme": (302, 302, False),
    "contributeur d'une autre organisation": (404, 404, False),
    "lecteur de l'organisation responsable": (403, 403, False),
    "contributeur de l'organisation responsable": (200, 302, True),
    "personnel": (200, 302, True),
    "superutilisateur": (200, 302, True),
}


class TestPermissionMatrix:
    @pytest.mark.parametrize("role", MATRIX)
    def test_who_may_update_what(self, client, decision, owner, role):
        get_status, post_status, changes = MATRIX[role]
        user = as_role(client, role, owner)
        before = snapshot(decision)

        assert client.get(edit_url(decision)).status_code == get_status
        response = client.post(edit_url(decision), post_data(decision))
        assert response.status_code == post_status

        decision.refresh_from_db()
        if changes:
            assert (decision.status, decision.status_date) == (
                Status.IN_PROGRESS,
                datetime.date(2025, 2, 1),
            )
            assert decision.version == 2
            record = decision.history.first()
            assert record.history_user == user
            assert record.history_change_reason == "Suivi mis à jour dans l'espace partenaire"
        else:
            assert snapshot(decision) == before
        if role == "anonyme":
            assert response["Location"].startswith(reverse("partners:login"))

    @pytest.mark.parametrize("role", MATRIX)
    def test_the_rule_and_its_queryset_agree(self, client, decision, owner, role):
        user = as_role(client, role, owner)
        if user is None:
            return
        allowed = MATRIX[role][2]
        assert can_update_decision(user, decision) is allowed
        assert (
            decisions_editable_by(user, Decision.objects.all()).filter(pk=decision.pk).exists()
            is allowed
        )

    def test_a_decision_without_owner_is_for_staff_only(self, client):
        orphan = DecisionFactory(meeting=CopilMeetingFactory(date=MEETING_DAY))
        client.force_login(MembershipFactory().user)
        assert client.get(edit_url(orphan)).status_code == 404
        client.force_login(StaffFactory())
        assert client.get(edit_url(orphan)).status_code == 200

    def test_an_inactive_editor_changes_nothing(self, decision, owner):
        user = MembershipFactory(organisation=owner).user
        user.is_active = False
        assert not can_update_decision(user, decision)


class TestForm:
    @pytest.fixture
    def editor(self, client, owner):
        return as_role(client, "contributeur de l'organisation responsable", owner)

    def test_a_status_date_before_the_meeting_is_refused(self, client, editor, decision):
        before = snapshot(decision)
        response = client.post(edit_url(decision), post_data(decision, status_date="2025-01-29"))
        assert response.status_code == 200
        assert "La date du statut ne peut pas précéder la réunion" in response.content.decode()
        assert snapshot(decision) == before

    def test_a_date_in_the_future_is_refused(self, client, editor, decision):
        tomorrow = TODAY + datetime.timedelta(days=1)
        response = client.post(edit_url(decision), post_data(decision, status_date=tomorrow))
        assert "La date ne peut pas être dans le futur." in response.content.decode()

    def test_an_empty_status_date_means_today(self, client, editor, decision):
        client.post(edit_url(decision), post_data(decision, status=Status.DONE, status_date=""))
        decision.refresh_from_db()
        assert (decision.status, decision.status_date) == (Status.DONE, TODAY)

    def test_a_missing_version_writes_nothing(self, client, editor, decision):
        before = snapshot(decision)
        data = post_data(decision)
        del data["version"]
        response = client.post(edit_url(decision), data)
        assert "rechargez la fiche" in response.content.decode()
        assert snapshot(decision) == before

    def test_control_characters_are_refused(self, client, editor, decision):
        before = snapshot(decision)
        response = client.post(edit_url(decision), post_data(decision, follow_up="a\x00b\u202e"))
        assert response.status_code == 200
        assert snapshot(decision) == before

    def test_the_public_sees_the_update_at_once(self, client, editor, decision):
        client.post(edit_url(decision), post_data(decision, follow_up="Bourse ouverte."))
        client.logout()
        content = client.get(reverse("programme:decision_list")).content.decode()
        assert "Bourse ouverte." in content
        assert "En cours" in content


class TestConflict:
    def test_the_second_of_two_edits_gets_the_conflict_page_with_their_input(
        self, client, decision, owner
    ):
        first = MembershipFactory(organisation=owner, user=UserFactory(first_name="Camille")).user
        second = MembershipFactory(organisation=owner).user
        opened_at = decision.version
        # The first editor saves while the second is still typing.
        update_follow_up(
            decision.pk,
            {"status": Status.DONE, "status_date": datetime.date(2025, 9, 1), "follow_up": "Fait."},
            expected_version=opened_at,
            user=first,
            reason="test",
        )
        client.force_login(second)
        mine = "Trois communautés de communes sur quatre."
        response = client.post(
            edit_url(decision), post_data(decision, version=opened_at, follow_up=mine)
        )

        assert response.status_code == 409
        content = response.content.decode()
        assert "Votre saisie n'a pas été enregistrée" in content
        assert mine in content  # their input, kept in the form
        assert "Fait." in content  # beside the stored value
        assert str(first) in content
        decision.refresh_from_db()
        assert (decision.status, decision.follow_up, decision.version) == (Status.DONE, "Fait.", 2)
        # The form now carries the current version: submitting it again goes through.
        assert response.context["form"]["version"].value() == 2
        client.post(edit_url(decision), post_data(decision, version=2, follow_up=mine))
        decision.refresh_from_db()
        assert decision.follow_up == mine

    def test_the_write_path_refuses_a_stale_version(self, decision):
        with pytest.raises(DecisionConflict):
            update_follow_up(
                decision.pk,
                {"follow_up": "x"},
                expected_version=decision.version + 1,
                user=None,
                reason="test",
            )
        decision.refresh_from_db()
        assert decision.follow_up == "" and decision.version == 1


class TestDashboard:
    def test_decisions_to_follow_with_an_update_link_for_editors_only(self, client, owner):
        meeting = CopilMeetingFactory(date=MEETING_DAY)
        mine = DecisionFactory(
            meeting=meeting, text="Décision de ma structure.", owner=owner, due_date=MEETING_DAY
        )
        DecisionFactory(meeting=meeting, text="Décision d'une autre structure.")
        DecisionFactory(
            meeting=meeting,
            text="Décision réalisée.",
            owner=owner,
            status=Status.DONE,
            status_date=MEETING_DAY,
        )
        editor = MembershipFactory(organisation=owner).user
        client.force_login(editor)
        content = client.get(reverse("space:dashboard")).content.decode()
        assert "Décisions à suivre" in content
        assert "Décision de ma structure." in content
        assert "En retard" in content
        assert edit_url(mine) in content
        assert "Décision d&#x27;une autre structure." not in content
        assert "Décision réalisée." not in content

        reader = MembershipFactory(organisation=owner, role=Membership.Role.READER).user
        client.force_login(reader)
        content = client.get(reverse("space:dashboard")).content.decode()
        assert "Décision de ma structure." in content
        assert edit_url(mine) not in content

    def test_same_queries_with_1_and_200_decisions(self, client, owner, count_queries):
        meeting = CopilMeetingFactory(date=MEETING_DAY)
        client.force_login(MembershipFactory(organisation=owner).user)
        DecisionFactory(meeting=meeting, owner=owner)
        few = count_queries(reverse("space:dashboard"))
        bulk(DecisionFactory, 199, meeting=meeting, owner=owner)
        many = count_queries(reverse("space:dashboard"))
        assert len(many.response.context["decisions"]) == 200
        assert_no_n_plus_one(few, many, budget=None)
