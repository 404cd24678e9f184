"""Writes that span several models."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from programme.models import CopilMeeting

from .fields import snapshot_values
from .models import Action, ActionSnapshot, AnnualPlan, Funding


@transaction.atomic
def validate_annual_plan(meeting, year, user=None):
    """Freeze every non-archived action of the meeting's phase, with its planned budget of `year`.

    The attributes frozen from each action are those `actions.fields` declares.

    Validating the same year again creates a second plan; both are kept.
    """
    if meeting.status != CopilMeeting.Status.HELD:
        raise ValidationError("Seul un COPIL tenu peut valider un plan d'actions annuel.")
    actions = list(
        Action.objects.current().filter(phase=meeting.phase).select_related("axis", "pilot")
    )
    budget = defaultdict(lambda: defaultdict(Decimal))
    fundings = Funding.objects.filter(action__in=actions, year=year).select_related("funder")
    for funding in fundings:
        budget[funding.action_id][str(funding.funder)] += funding.planned_amount
    plan = AnnualPlan.objects.create(
        phase=meeting.phase, year=year, meeting=meeting, validated_by=user
    )
    snapshots = []
    for action in actions:
        by_funder = budget.get(action.pk, {})
        snapshots.append(
            ActionSnapshot(
                plan=plan,
                action=action,
                **snapshot_values(action),
                planned_total=sum(by_funder.values(), Decimal(0)),
                budget_by_funder={name: str(amount) for name, amount in sorted(by_funder.items())},
            )
        )
    ActionSnapshot.objects.bulk_create(snapshots)
    plan.total_planned = sum((s.planned_total for s in snapshots), Decimal(0))
    plan.action_count = len(snapshots)
    plan.save(update_fields=["total_planned", "action_count"])
    return plan
