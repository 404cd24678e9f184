"""The public page of a validated annual plan and what changed since."""

from decimal import Decimal
from itertools import groupby

from django.http import Http404
from django.shortcuts import render

from ..diff import compute_plan_diff, current_states, frozen_states
from ..models import AnnualPlan


def plan_detail(request, year):
    """The latest plan validated for `year` (or `?version=<id>` among that year's plans).

    Frozen snapshots grouped by axis, with totals, then what changed since the validation.
    Visitors see neither the non-public actions nor their changes; staff see everything.
    Four queries whatever the number of actions (plus the territory's, and the session's for
    staff).
    """
    plans = list(
        AnnualPlan.objects.filter(year=year)
        .select_related("meeting", "phase")
        .order_by("-validated_at", "-pk")
    )
    if not plans:
        raise Http404("Aucun plan d'actions validé pour cette année.")
    plan = plans[0]
    version = request.GET.get("version", "")
    if version.isascii() and version.isdigit():
        plan = next((p for p in plans if p.pk == int(version)), plan)

    snapshots = list(plan.snapshots.select_related("action").order_by("code_sort", "pk"))
    current = current_states(plan)
    diff = compute_plan_diff(frozen_states(snapshots), current)
    is_staff = request.user.is_authenticated and request.user.is_staff
    hidden_count = 0
    if not is_staff:
        diff = diff.for_public()
        shown = [s for s in snapshots if s.action is None or s.action.is_public]
        hidden_count = len(snapshots) - len(shown)
        snapshots = shown

    axes = []
    for (number, name), items in groupby(
        sorted(snapshots, key=lambda s: (s.axis_number, s.code_sort)),
        key=lambda s: (s.axis_number, s.axis_name),
    ):
        items = list(items)
        axes.append(
            {
                "number": number,
                "name": name,
                "snapshots": items,
                "total": sum((s.planned_total for s in items), Decimal(0)),
            }
        )
    current_total = sum(
        (sum(c.budget.values(), Decimal(0)) for c in current if not c.is_archived), Decimal(0)
    )
    context = {
        "plan": plan,
        "plans": plans,
        "axes": axes,
        "diff": diff,
        "hidden_count": hidden_count,
        "current_total": current_total,
        "is_staff": is_staff,
    }
    return render(request, "actions/plan_detail.html", context)
