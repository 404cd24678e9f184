"""The public pages of the validated annual plans: the index by year, one plan and what changed
since (its PDF is in `pdf_views`)."""

from decimal import Decimal
from itertools import groupby

from django.http import Http404
from django.shortcuts import render

from teritoire import pagecache

from ..diff import compute_plan_diff, current_states, frozen_states, public_sides
from ..models import AnnualPlan


def plans_of_year(year):
    """Every validation of `year`'s plan, the latest first; 404 when there is none."""
    plans = list(
        AnnualPlan.objects.filter(year=year)
        .select_related("meeting", "phase")
        .order_by("-validated_at", "-pk")
    )
    if not plans:
        raise Http404("Aucun plan d'actions validé pour cette année.")
    return plans


def chosen_plan(request, plans):
    """The latest plan, or `?version=<id>` among `plans`; an unknown version shows the latest,
    served but not kept by the page cache."""
    plan = plans[0]
    version = request.GET.get("version", "")
    if version.isascii() and version.isdigit():
        plan = next((p for p in plans if p.pk == int(version)), plan)
    if version and version != str(plan.pk):
        pagecache.do_not_store(request)
    return plan


def plan_figures(plan, *, public):
    """The frozen rows grouped by axis, their totals and what changed since the validation.

    `public`: only the rows that were public when frozen and are still published, and the
    actions public today (the figures are the sums of those rows). Three queries.
    """
    snapshots = list(plan.snapshots.select_related("action").order_by("code_sort", "pk"))
    current = current_states(plan)
    if public:
        snapshots, current = public_sides(snapshots, current)
    diff = compute_plan_diff(frozen_states(snapshots), current)
    frozen_total = sum((s.planned_total for s in snapshots), Decimal(0))
    return {
        "axes": _by_axis(snapshots),
        "diff": diff,
        "frozen_count": len(snapshots),
        "frozen_total": frozen_total,
        "current_total": frozen_total + diff.total_delta,
    }


@pagecache.cache_params("version")
def plan_detail(request, year):
    """The latest plan validated for `year` (or `?version=<id>` among that year's plans).

    Frozen snapshots grouped by axis, with totals, then what changed since the validation.
    Visitors see only the rows that were public when frozen and are still published, totals
    summed over those rows, and no meeting that is not public; staff see everything.
    Four queries whatever the number of actions (plus the territory's, and the session's for
    staff).
    """
    plans = plans_of_year(year)
    plan = chosen_plan(request, plans)
    is_staff = request.user.is_authenticated and request.user.is_staff
    context = {
        "plan": plan,
        "plans": plans,
        "is_staff": is_staff,
        **plan_figures(plan, public=not is_staff),
    }
    return render(request, "actions/plan_detail.html", context)


@pagecache.cache_params()
def plan_index(request):
    """The validated plans by year: the latest validation of each year with its public figures
    (the sums of the rows /plans/<year>/ shows the public), and the change since the year
    before. One query whatever the number of plans and actions (plus the territory's)."""
    plans = (
        AnnualPlan.objects.with_public_figures()
        .select_related("meeting")
        .order_by("year", "-validated_at", "-pk")
    )
    years = []
    for year, validations in groupby(plans, key=lambda plan: plan.year):
        validations = list(validations)
        years.append({"year": year, "plan": validations[0], "validations": len(validations)})
    previous = None
    for row in years:
        plan = row["plan"]
        if previous is not None:
            before = previous["plan"]
            row["previous_year"] = previous["year"]
            row["total_delta"] = _signed(plan.public_total - before.public_total)
            row["count_delta"] = _signed(plan.public_action_count - before.public_action_count)
            row["compared_demo"] = before.meeting.is_demo
        previous = row
    years.reverse()
    context = {
        "years": years,
        "includes_demo": any(row["plan"].meeting.is_demo for row in years),
    }
    return render(request, "actions/plan_index.html", context)


def _signed(delta):
    """A change as its sign (typographic minus) and its size, for « +1 200 € », « −3 fiches »."""
    return {"sign": "+" if delta > 0 else "−" if delta < 0 else "", "size": abs(delta)}


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
