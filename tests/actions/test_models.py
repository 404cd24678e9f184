from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from actions.models import Action, Funding, code_sort_key
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import CopilMeetingFactory

from .factories import ActionFactory, DocumentFactory, FundingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("progress", [101, 250])
def test_progress_above_100_is_refused_in_french(progress):
    action = ActionFactory()
    action.progress = progress
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert (
        "L'avancement doit être compris entre 0 et 100 %." in error.value.message_dict["progress"]
    )


def test_progress_above_100_is_refused_by_the_database():
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(progress=101)


def test_end_date_before_start_date_is_refused():
    action = ActionFactory()
    action.end_date = action.start_date.replace(year=action.start_date.year - 1)
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "La date de fin doit suivre la date de début." in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_negative_amount_is_refused_in_french_and_by_the_database():
    funding = FundingFactory()
    funding.planned_amount = Decimal("-1")
    with pytest.raises(ValidationError) as error:
        funding.full_clean()
    assert "Le montant ne peut pas être négatif." in error.value.message_dict["planned_amount"]
    with pytest.raises(IntegrityError), transaction.atomic():
        funding.save()


def test_one_funding_line_per_action_year_funder_and_kind():
    funding = FundingFactory()
    duplicate = Funding(
        action=funding.action, year=funding.year, funder=funding.funder, kind=funding.kind
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Une ligne existe déjà" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_action_code_is_unique_per_phase():
    action = ActionFactory(code="2.3")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(code="2.3", axis=action.axis)


def test_codes_sort_numerically():
    assert code_sort_key("2.10") > code_sort_key("2.3")
    axis = ActionFactory(code="2.10").axis
    ActionFactory(code="2.3", axis=axis)
    assert [a.code for a in Action.objects.all()] == ["2.3", "2.10"]


def test_deleting_a_pilot_organisation_is_refused():
    action = ActionFactory()
    with pytest.raises(ProtectedError):
        action.pilot.delete()


def test_deleting_a_funder_is_refused():
    funding = FundingFactory()
    with pytest.raises(ProtectedError):
        funding.funder.delete()


def test_document_must_belong_to_exactly_one_parent():
    document = DocumentFactory()
    document.meeting = CopilMeetingFactory(phase=document.action.phase)
    with pytest.raises(IntegrityError), transaction.atomic():
        document.save()


def test_action_edits_are_kept_in_history():
    action = ActionFactory(status="planned", with_history=True)
    action.status = "in_progress"
    action.save()
    assert [h.status for h in action.history.all()] == ["in_progress", "planned"]


def test_queryset_scopes_public_and_editable():
    from tests.partners.factories import MembershipFactory

    editor = MembershipFactory(role="editor")
    reader = MembershipFactory(role="reader", organisation=editor.organisation)
    mine = ActionFactory(pilot=editor.organisation, is_public=False)
    other = ActionFactory(pilot=OrganisationFactory())
    assert list(Action.objects.public()) == [other]
    assert list(Action.objects.editable_by(editor.user)) == [mine]
    assert list(Action.objects.editable_by(reader.user)) == []
    assert set(Action.objects.visible_to(reader.user)) == {mine, other}
