"""Writes that span several models: the validation of an annual plan at a COPIL.

`preview_annual_plan` computes what a validation would freeze; `validate_annual_plan` freezes
exactly that, computed again by the same function, and refuses when it no longer matches the
preview the staff member confirmed (its `fingerprint`).
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from programme.models import CopilMeeting

from .diff import follow_through_of
from .fields import snapshot_values
from .models import Action, ActionSnapshot, AnnualPlan, Funding

NOT_HELD = "Seul un COPIL tenu peut valider un plan d'actions annuel."
NOT_YET = (
    "Ce COPIL n'a pas encore eu lieu\u00a0: un plan ne peut être validé qu'à une réunion dont la "
    "date est passée."
)
PLAN_CHANGED = (
    "Le plan a changé depuis l'aperçu (une fiche ou un financement a été modifié)\u00a0: rien n'a "
    "été validé. Vérifiez le nouvel aperçu ci-dessous, puis validez-le."
)


@dataclass(frozen=True)
class PlanRow:
    """One action as the validation would freeze it."""

    action: Action
    values: dict  # the ActionSnapshot attributes that `actions.fields` declares
    is_public: bool
    budget_by_funder: dict  # {funder: Decimal}, by funder name
    created_after_meeting: bool
    follow_through: dict  # the year's granted, spent and paid totals (`diff.FOLLOW_THROUGH`)

    @property
    def planned_total(self):
        return sum(self.budget_by_funder.values(), Decimal(0))

    def frozen(self):
        """The row as it is stored (amounts as strings in the JSON field)."""
        return {
            **self.values,
            "is_public": self.is_public,
            "planned_total": self.planned_total,
            **self.follow_through,
            "budget_by_funder": {
                name: str(amount) for name, amount in self.budget_by_funder.items()
            },
        }


@dataclass(frozen=True)
class PlanPreview:
    """What validating the plan of `year` at `meeting` would freeze, row by row, with totals."""

    meeting: CopilMeeting
    year: int
    rows: list  # of PlanRow, by code

    @property
    def total(self):
        return sum((row.planned_total for row in self.rows), Decimal(0))

    @property
    def public_total(self):
        return sum((row.planned_total for row in self.rows if row.is_public), Decimal(0))

    @property
    def public_count(self):
        return sum(1 for row in self.rows if row.is_public)

    @property
    def by_funder(self):
        """[(funder, amount)] summed over the rows, by funder name."""
        totals = defaultdict(Decimal)
        for row in self.rows:
            for funder, amount in row.budget_by_funder.items():
                totals[funder] += amount
        return sorted(totals.items(), key=lambda item: item[0].casefold())

    @property
    def recorded_later(self):
        """Whether validating now records the plan after the day of its meeting."""
        return self.meeting.date < timezone.localdate()

    @property
    def created_after_meeting(self):
        return [row for row in self.rows if row.created_after_meeting]

    @property
    def fingerprint(self):
        """A digest of everything the validation freezes: equal digests, equal plans."""
        content = [self.meeting.pk, self.year]
        content += [[row.action.pk, row.frozen()] for row in self.rows]
        encoded = json.dumps(content, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


def check_meeting(meeting, today=None):
    """Refuse a meeting that was not held, or whose date has not come yet."""
    if meeting.status != CopilMeeting.Status.HELD:
        raise ValidationError(NOT_HELD, code="not_held")
    if meeting.date > (today or timezone.localdate()):
        raise ValidationError(NOT_YET, code="not_yet")


def preview_annual_plan(meeting, year):
    """Every non-archived action of the meeting's phase, with its planned budget of `year`.

    Demonstration data is a world of its own: a demonstration meeting freezes demonstration
    actions only, a real meeting real actions only. The attributes frozen from each action are
    those `actions.fields` declares, plus whether the public may see it, and the year's
    granted, spent and paid totals beside its planned budget. Five queries whatever
    the number of actions (the milestones are the fifth).
    """
    check_meeting(meeting)
    actions = list(
        Action.objects.current()
        .filter(phase=meeting.phase, is_demo=meeting.is_demo)
        .select_related("axis", "pilot")
        .prefetch_related("milestones")
        .order_by("code_sort", "pk")
    )
    budget = defaultdict(lambda: defaultdict(Decimal))
    fundings = list(Funding.objects.filter(action__in=actions, year=year).select_related("funder"))
    for funding in fundings:
        budget[funding.action_id][str(funding.funder)] += funding.planned_amount
    follow_through = follow_through_of(fundings)
    rows = [
        PlanRow(
            action=action,
            values=snapshot_values(action),
            is_public=action.is_visible_to_public,
            budget_by_funder=dict(sorted(budget.get(action.pk, {}).items())),
            created_after_meeting=timezone.localdate(action.created_at) > meeting.date,
            follow_through=follow_through[action.pk],
        )
        for action in actions
    ]
    return PlanPreview(meeting, year, rows)


@transaction.atomic
def validate_annual_plan(meeting, year, user=None, fingerprint=None):
    """Freeze the plan of `year` at `meeting`, as `preview_annual_plan` computes it.

    With `fingerprint` (the preview the user confirmed), refuse with PLAN_CHANGED when what
    would be frozen now differs from it. Validating the same year again creates a second
    plan; both are kept.
    """
    preview = preview_annual_plan(meeting, year)
    if fingerprint is not None and fingerprint != preview.fingerprint:
        raise ValidationError(PLAN_CHANGED, code="changed")
    plan = AnnualPlan.objects.create(
        phase=meeting.phase,
        year=year,
        meeting=meeting,
        validated_by=user,
        total_planned=preview.total,
        action_count=len(preview.rows),
    )
    ActionSnapshot.objects.bulk_create(
        ActionSnapshot(plan=plan, action=row.action, **row.frozen()) for row in preview.rows
    )
    return plan
