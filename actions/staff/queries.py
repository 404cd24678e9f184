"""What the staff dashboard `/pilotage/` reads, in a fixed number of queries."""

from django.db.models import Count, Sum
from django.utils import timezone

from programme.models import Axis, CopilMeeting, Decision

from ..models import STALE_AFTER_DAYS, Action, Funding, Milestone, Status
from .funding import funding_follow_through


def dashboard_data(today=None, stale_days=STALE_AFTER_DAYS, stale_limit=50):
    """Everything the staff dashboard shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    axes = list(Axis.objects.select_related("phase").order_by("phase__number", "number"))
    counts = {
        (row["axis"], row["status"]): row["n"]
        for row in Action.objects.current()
        .order_by()
        .values("axis", "status")
        .annotate(n=Count("pk"))
    }
    status_table = []
    for axis in axes:
        cells = [counts.get((axis.pk, status.value), 0) for status in Status]
        status_table.append({"axis": axis, "cells": cells, "total": sum(cells)})
    status_totals = [sum(row["cells"][i] for row in status_table) for i in range(len(Status))]

    budget_rows = list(
        Funding.objects.filter(action__in=Action.objects.current())
        .order_by("year", "funder__name")
        .values("year", "funder__name", "funder__acronym")
        .annotate(planned=Sum("planned_amount"), actual=Sum("actual_amount"))
    )
    budget_by_year = {}
    for row in budget_rows:
        year = budget_by_year.setdefault(
            row["year"], {"year": row["year"], "rows": [], "planned": 0, "actual": 0}
        )
        year["rows"].append(row)
        year["planned"] += row["planned"] or 0
        year["actual"] += row["actual"] or 0

    stale = Action.objects.stale(stale_days, today).select_related("phase", "pilot", "axis")
    stale_list = list(stale.order_by("last_update_on", "code_sort")[: stale_limit + 1])
    next_meeting = CopilMeeting.objects.upcoming(today).select_related("phase").first()
    late = Milestone.objects.late(today).of_open_actions()
    late = late.select_related("action__phase", "action__pilot").order_by("due_date", "pk")
    late_list = list(late[: stale_limit + 1])
    overdue = Decision.objects.overdue(today).select_related("meeting", "owner")
    overdue_list = list(
        overdue.order_by("due_date", "meeting__date", "order", "pk")[: stale_limit + 1]
    )
    return {
        "statuses": list(Status),
        "status_table": status_table,
        "status_totals": status_totals,
        "status_grand_total": sum(status_totals),
        "budget_years": list(budget_by_year.values()),
        "stale_days": stale_days,
        "stale_actions": stale_list[:stale_limit],
        "stale_more": len(stale_list) > stale_limit,
        "next_meeting": next_meeting,
        "late_milestones": late_list[:stale_limit],
        "late_milestones_more": len(late_list) > stale_limit,
        "overdue_decisions": overdue_list[:stale_limit],
        "overdue_decisions_more": len(overdue_list) > stale_limit,
        "today": today,
        **funding_follow_through(),
    }
