"""An action's milestones read in the action's own query, for the fiche (page and PDF), which is
at its query budget: one JSON column, turned back into (unsaved) `Milestone` objects."""

import datetime

from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject

from ..models import Milestone
from .firms import JSONArrayAgg


def milestone_rows():
    """An annotation: the action's milestones as [{id, order, title, due_date, done_on, note}]."""
    rows = Milestone.objects.filter(action=OuterRef("pk")).order_by().values("action")
    item = JSONObject(
        id="pk", order="order", title="title", due_date="due_date", done_on="done_on", note="note"
    )
    return Subquery(rows.annotate(items=JSONArrayAgg(item)).values("items"))


def _day(value):
    return datetime.date.fromisoformat(str(value)[:10]) if value else None


def milestones_of(action):
    """The milestones of an action annotated with `milestone_rows`, in their order."""
    milestones = [
        Milestone(
            pk=row["id"],
            action=action,
            order=row["order"],
            title=row["title"],
            due_date=_day(row["due_date"]),
            done_on=_day(row["done_on"]),
            note=row["note"] or "",
        )
        for row in action.milestone_rows or []
    ]
    return sorted(milestones, key=lambda m: (m.order, m.due_date, m.pk))
