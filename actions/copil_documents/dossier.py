"""The dossier de séance of a COPIL meeting, computed from the plan as it stands when it is
generated ("today"), in a fixed number of queries whatever the number of actions: it summarises
the plan (counts, averages, the first rows of each list) rather than printing every fiche.

Sections that read other parts of the follow-up show only when their data exists:
milestones (`actions.Milestone`), the amounts granted and spent of the fundings
(`FUNDING_FOLLOW_THROUGH`) and the completion of the update campaign (`campaign_completion`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, F, Q, Sum

from programme.models import Decision

from ..models import STALE_AFTER_DAYS, Action, AnnualPlan, Funding, Status
from ..public.plans import plan_figures

# Each list of the dossier shows its first rows and says how many more there are.
LIST_LIMIT = 25
# Without a next meeting planned, milestones due within this many days of the meeting are shown.
MILESTONE_HORIZON_DAYS = 180
# What the dossier shows of a milestone's action.
MILESTONE_ACTION = ("code", "title", "slug", "status", "is_public", "is_archived", "is_demo")
# Hook (issue 13, item 3): the Funding fields summed beside the planned amount, each shown as a
# column of the budget table once the model has it: (key, field name, column header).
FUNDING_FOLLOW_THROUGH = (
    ("granted", "granted_amount", "Accordé"),
    ("spent", "actual_amount", "Réalisé"),
)


@dataclass
class Listed:
    """The first rows of a list and how many rows it has in all."""

    rows: list = field(default_factory=list)
    count: int = 0

    @classmethod
    def of(cls, rows, limit=LIST_LIMIT):
        rows = list(rows)
        return cls(rows[:limit], len(rows))

    @property
    def more(self):
        return self.count - len(self.rows)

    def __bool__(self):
        return bool(self.count)


def dossier(meeting, *, public, today):
    """Everything the dossier de séance shows for `meeting`, computed on `today`.

    Public: public actions only and the decisions of public meetings; staff: everything.
    `meeting` comes from `documents.meeting_queryset` (the milestones read its
    `next_meeting_date`).
    """
    actions = _plan_actions(meeting, public)
    plan = _last_plan(meeting)
    return {
        "meeting": meeting,
        "public": public,
        "today": today,
        "year": meeting.date.year,
        "agenda": list(meeting.agenda_items.all()),
        **_by_axis(actions),
        **_attention(actions, today),
        "decisions": _open_decisions(meeting, public, today),
        "budget": _budget(meeting, public),
        "plan": plan,
        "plan_figures": plan_figures(plan, public=public) if plan else None,
        "milestones": _milestones(meeting, public, today),
        "campaign": None if public else campaign_completion(meeting),
        "list_limit": LIST_LIMIT,
        "list_slice": f":{LIST_LIMIT}",
    }


def _phase_actions(meeting, public):
    actions = Action.objects.current().filter(phase_id=meeting.phase_id)
    return actions.public() if public else actions


def _plan_actions(meeting, public):
    """The current actions of the meeting's phase (public ones for the public), each with the
    date of its latest progress note: one query, the few columns the dossier reads."""
    return list(
        _phase_actions(meeting, public)
        .with_last_update()
        .select_related("pilot", "axis")
        .only(
            "axis__number",
            "axis__name",
            "pk",
            "code",
            "title",
            "slug",
            "axis_id",
            "status",
            "progress",
            "end_date",
            "created_at",
            "is_public",
            "is_archived",
            "is_demo",
            "pilot__name",
            "pilot__acronym",
        )
        .order_by("code_sort", "pk")
    )


def _by_axis(actions):
    """Per axis: the count of actions by status and their mean progress (an axis without any
    action the version may show is left out: its axis is read with the actions)."""
    statuses = list(Status)
    rows = []
    axes = {action.axis_id: action.axis for action in actions}
    for axis in sorted(axes.values(), key=lambda axis: (axis.number, axis.pk)):
        mine = [action for action in actions if action.axis_id == axis.pk]
        cells = [sum(1 for a in mine if a.status == status) for status in statuses]
        rows.append(
            {
                "axis": axis,
                "cells": cells,
                "total": len(mine),
                "progress": _mean(a.progress for a in mine),
            }
        )
    totals = [sum(row["cells"][i] for row in rows) for i in range(len(statuses))]
    return {
        "statuses": statuses,
        "axes": rows,
        "status_totals": totals,
        "action_count": len(actions),
        "progress": _mean(a.progress for a in actions),
        "actions_demo": any(a.is_demo for a in actions),
    }


def _mean(values):
    values = list(values)
    return Decimal(sum(values)) / len(values) if values else None


def _attention(actions, today):
    """Open actions past their end date, blocked actions, and open actions without a progress
    note for STALE_AFTER_DAYS days (`Action.is_stale`)."""
    late = [a for a in actions if a.is_open and a.end_date and a.end_date < today]
    blocked = [a for a in actions if a.status == Status.BLOCKED]
    stale = [a for a in actions if a.is_stale(today=today)]
    late.sort(key=lambda a: a.end_date)
    stale.sort(key=lambda a: a.last_update_on or datetime.date.min)
    return {
        "late": Listed.of(late),
        "blocked": Listed.of(blocked),
        "stale": Listed.of(stale),
        "stale_caption": f"Sans note de suivi depuis {STALE_AFTER_DAYS} jours",
    }


def _open_decisions(meeting, public, today):
    """The decisions of earlier meetings still open, in the meeting's own world (a demonstration
    meeting follows demonstration decisions), oldest due date first, each with `overdue`."""
    decisions = Decision.objects.public() if public else Decision.objects.all()
    decisions = (
        decisions.open()
        .filter(meeting__date__lt=meeting.date, is_demo=meeting.is_demo)
        .select_related("meeting", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "meeting__date", "order", "pk")
    )
    listed = Listed.of(decisions)
    for decision in listed.rows:
        decision.overdue = decision.is_overdue(today)
    listed.overdue = sum(1 for d in listed.rows if d.overdue)
    return listed


def _funding_columns():
    """The follow-through amounts the Funding model has (see FUNDING_FOLLOW_THROUGH)."""
    names = {f.name for f in Funding._meta.get_fields()}
    return [column for column in FUNDING_FOLLOW_THROUGH if column[1] in names]


def _budget(meeting, public):
    """The year's budget of the phase's actions by funder: planned (and, once fundings carry
    them, granted and spent), summed over the rows the version may show. One query."""
    year = meeting.date.year
    columns = _funding_columns()
    sums = {"planned": Sum("planned_amount")}
    sums.update({key: Sum(name) for key, name, _ in columns})
    rows = list(
        Funding.objects.filter(year=year, action__in=_phase_actions(meeting, public))
        .order_by("funder__name")
        .values("funder__name", "funder__acronym")
        .annotate(**sums, demo=Count("pk", filter=Q(action__is_demo=True)))
    )
    keys = ["planned"] + [key for key, _, _ in columns]
    for row in rows:
        row["funder"] = _organisation_name(row["funder__name"], row["funder__acronym"])
        row["amounts"] = [row[key] for key in keys]  # None: no line has an amount yet
    totals = [_total(row["amounts"][i] for row in rows) for i in range(len(keys))]
    return {
        "year": year,
        "headers": ["Prévu"] + [header for _, _, header in columns],
        "rows": rows,
        "totals": totals,
        "includes_demo": any(row["demo"] for row in rows),
    }


def _total(amounts):
    """The sum of the amounts known, None when none is."""
    known = [amount for amount in amounts if amount is not None]
    return sum(known, Decimal(0)) if known else None


def _organisation_name(name, acronym):
    """`Organisation.display_name` from the two columns of a `values()` row."""
    return f"{acronym} — {name}" if acronym and acronym != name else name


def _last_plan(meeting):
    """The plan of the phase validated last at an earlier meeting (or None)."""
    return (
        AnnualPlan.objects.filter(phase_id=meeting.phase_id, meeting__date__lt=meeting.date)
        .select_related("meeting", "phase")
        .order_by("-meeting__date", "-validated_at", "-pk")
        .first()
    )


def _milestones(meeting, public, today):
    """Late milestones and those due before the next meeting, of the open actions of the phase;
    None while milestones do not exist (issue 13, item 1). Two queries."""
    try:
        milestone = apps.get_model("actions", "Milestone")
    except LookupError:
        return None
    following = meeting.next_meeting_date
    horizon = following or meeting.date + datetime.timedelta(days=MILESTONE_HORIZON_DAYS)
    milestones = milestone.objects.public() if public else milestone.objects.all()
    rows = list(
        milestones.of_open_actions()
        .open()
        .filter(action__phase_id=meeting.phase_id, due_date__lt=horizon)
        .select_related("action")
        .only(
            "pk", "title", "due_date", "done_on", *(f"action__{name}" for name in MILESTONE_ACTION)
        )
        .order_by("due_date", "action__code_sort", "pk")
    )
    late = [m for m in rows if m.is_late(today)]
    upcoming = [m for m in rows if not m.is_late(today)]
    return {
        "lists": [(Listed.of(late), "En retard"), (Listed.of(upcoming), "À échéance")],
        "horizon": horizon,
        "next_meeting_date": following,
        "includes_demo": any(m.action.is_demo for m in rows),
    }


def campaign_completion(meeting):
    """The completion by pilot organisation of the update campaign opened for `meeting` (issue
    14, item 1), the least advanced first; None without a campaign. Two queries.

    Staff version only: which pilots have not answered yet is not published.
    """
    try:
        campaign_model = apps.get_model("actions", "UpdateCampaign")
    except LookupError:
        return None
    campaign = campaign_model.objects.filter(meeting=meeting).first()
    if campaign is None:
        return None
    rows = {}
    actions = campaign.actions_with_answer().select_related("pilot")
    for action in actions.only("pk", "pilot__name", "pilot__acronym"):
        row = rows.setdefault(
            action.pilot_id, {"organisation": action.pilot.display_name, "done": 0, "total": 0}
        )
        row["total"] += 1
        row["done"] += bool(action.noted or action.confirmed)  # `campaigns.is_answered`
    rows = sorted(rows.values(), key=lambda r: (r["done"] / r["total"], r["organisation"]))
    return {
        "campaign": campaign,
        "rows": rows,
        "done": sum(row["done"] for row in rows),
        "total": sum(row["total"] for row in rows),
    }
