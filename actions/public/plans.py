"""The public page of a validated annual plan and what changed since."""

from decimal import Decimal
from itertools import groupby

from django.http import Http404
from django.shortcuts import render

from teritoire import pagecache

from ..diff import compute_plan_diff, current_states, frozen_states, public_sides
from ..models import AnnualPlan


@pagecache.cache_params("version")
def plan_detail(request, year):
    """The latest plan validated for `year` (or `?version=<id>` among that year's plans).

    Frozen snapshots grouped by axis, with totals, then what changed since the validation.
    Visitors see only the rows that were public when frozen and are still published, totals
    summed over those rows, and no meeting that is not public; staff see everything.
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
    if version and version != str(plan.pk):
        pagecache.do_not_store(request)  # an unknown version shows the latest: served, not kept

    snapshots = list(plan.snapshots.select_related("action").order_by("code_sort", "pk"))
    current = current_states(plan)
    is_staff = request.user.is_authenticated and request.user.is_staff
    if not is_staff:
        snapshots, current = public_sides(snapshots, current)
    diff = compute_plan_diff(frozen_states(snapshots), current)
    frozen_total = sum((s.planned_total for s in snapshots), Decimal(0))
    context = {
        "plan": plan,
        "plans": plans,
        "axes": _by_axis(snapshots),
        "diff": diff,
        "frozen_count": len(snapshots),
        "frozen_total": frozen_total,
        "current_total": frozen_total + diff.total_delta,
        "is_staff": is_staff,
    }
    return render(request, "actions/plan_detail.html", context)


def _by_axis(snapshots):
    """The rows grouped by axis, each group with the sum of its rows."""
    axes = []
    for (number, name), items in groupby(
        sorted(snapshots, key=lambda s: (s.axis_number, s.code_sort)),
        key=lambda s: (s.axis_number, s.axis_name),
    ):
        items = list(items)
        total = sum((s.planned_total for s in items), Decimal(0))
        axes.append({"number": number, "name": name, "snapshots": items, "total": total})
    return axes
