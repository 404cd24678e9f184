"""The actions in time (/actions/calendrier/): each public action a bar from its start to its end
date, grouped by axis, with a line for today; server-side SVG, the same filters as the list.

The geometry is computed here and drawn by templates/actions/timeline.html (presentation
attributes only, no style attribute: the page passes a CSP without 'unsafe-inline'). Each row
has its action's milestones as `points` on its bar (done, late or upcoming on the day), read in
one query for the whole page.
"""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Min, Q
from django.shortcuts import render
from django.utils import timezone

from teritoire import pagecache
from teritoire.templatetags.portal import date_fr

from ..models import Milestone, MilestoneSummary
from .filters import ActionFilter

PAGE_SIZE = 50
UNDATED_LIMIT = 50  # actions without dates listed at most; the rest are one link away

# The SVG's user units: drawn 1:1 on a wide screen, scrolled sideways on a narrow one.
WIDTH = 960
LEFT, RIGHT = 12, 12
HEADER = 34  # the years and « aujourd'hui » above the rows
ROW = 46  # a row: its label line, then its bar
BAR_Y, BAR_HEIGHT = 22, 14
LABEL_MAX = 70  # characters of a title drawn beside its bar (the full title is in its name)

DATED = Q(start_date__isnull=False) | Q(end_date__isnull=False)
ORDER = [F("phase__number").desc(), "axis__number", "axis__pk"]
COLUMNS = (
    "code", "code_sort", "title", "slug", "status", "progress", "start_date", "end_date",
    "is_demo", "phase__number", "phase__name", "axis__number", "axis__name", "axis__slug",
)  # fmt: skip


class TimeScale:
    """Dates -> x in the SVG, over whole years covering the actions' dates and today."""

    def __init__(self, dates, today):
        dates = [day for day in dates if day is not None] + [today]
        self.start = datetime.date(min(dates).year, 1, 1)
        self.end = datetime.date(max(dates).year + 1, 1, 1)
        self.days = (self.end - self.start).days
        self.today = today

    def x(self, day):
        day = min(max(day, self.start), self.end)
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - self.start).days / self.days, 1)

    def years(self):
        """One tick per year (every other year past twelve years), with where its label goes."""
        span = self.end.year - self.start.year
        step = 1 if span <= 12 else 2
        ticks = []
        for year in range(self.start.year, self.end.year, step):
            x = self.x(datetime.date(year, 1, 1))
            ticks.append({"year": year, "x": x, "label_x": round(x + 4, 1)})
        return ticks


def describe(action):
    """The bar's accessible name: code, title, dates, status and progress."""
    start, end = action.start_date, action.end_date
    if start and end:
        dates = f"du {date_fr(start)} au {date_fr(end)}"
    elif start:
        dates = f"à partir du {date_fr(start)}, sans date de fin"
    else:
        dates = f"jusqu'au {date_fr(end)}, sans date de début"
    return (
        f"{action.code} {action.title}, {dates}, {action.get_status_display().lower()}, "
        f"avancement {action.progress}\u00a0%"
    )


def _label(action):
    title = action.title
    if len(title) > LABEL_MAX:
        title = title[: LABEL_MAX - 1].rstrip() + "…"
    return f"{action.code} · {title}"


def point(milestone, scale, today):
    """A milestone on its action's bar: at its done date when reached, else at its due date."""
    state = milestone.state(today)
    if milestone.is_done:
        when = f"atteint le {date_fr(milestone.done_on)}"
    else:
        when = f"échéance le {date_fr(milestone.due_date)}"
    return {
        "x": scale.x(milestone.done_on or milestone.due_date),
        "state": state.value,
        "name": f"Jalon « {milestone.title} », {when}, {state.label.lower()}",
    }


def bar(action, scale, top, milestones=()):
    """One row's geometry, `top` being its y in the group's SVG; `milestones`: the action's."""
    summary = MilestoneSummary(milestones, scale.today)
    x1 = scale.x(action.start_date or scale.start)
    x2 = scale.x(action.end_date or scale.end)
    width = max(round(x2 - x1, 1), 4)
    # The label starts at the bar, or ends with it when the bar is in the right half.
    right_half = x1 > WIDTH / 2
    name = describe(action)
    if summary:
        name += f", {summary.label}"
        if summary.late:
            name += f", {summary.late} en retard"
    return {
        "action": action,
        "name": name,
        "label": _label(action),
        "label_x": min(x1 + width, WIDTH - RIGHT) if right_half else x1,
        "anchor": "end" if right_half else "start",
        "label_y": top + 15,
        "x": x1,
        "y": top + BAR_Y,
        "width": width,
        "done_width": round(width * min(max(action.progress, 0), 100) / 100, 1),
        "open_start": action.start_date is None,
        "open_end": action.end_date is None,
        "points": [point(milestone, scale, scale.today) for milestone in summary.rows],
        "milestones": summary,
    }


def milestones_by_action(actions):
    """The milestones of `actions` (one page), by action id, in one query (none without rows)."""
    found = {}
    if actions:
        milestones = Milestone.objects.filter(action__in=[action.pk for action in actions])
        for milestone in milestones.in_order():
            found.setdefault(milestone.action_id, []).append(milestone)
    return found


def groups(actions, scale, milestones=None):
    """The page's actions (sorted by phase and axis) in one group per axis, each with the
    geometry of its SVG; `milestones`: {action id: its milestones}."""
    milestones = milestones or {}
    result = []
    for action in actions:
        if not result or result[-1]["axis"].pk != action.axis_id:
            result.append({"axis": action.axis, "phase": action.phase, "rows": []})
        rows = result[-1]["rows"]
        top = HEADER + ROW * len(rows)
        rows.append(bar(action, scale, top, milestones.get(action.pk, ())))
    today_x = scale.x(scale.today)
    for group in result:
        height = HEADER + ROW * len(group["rows"]) + 6
        group.update(
            height=height,
            view_box=f"0 0 {WIDTH} {height}",
            today_x=today_x,
            # « aujourd'hui » left of the line when the line is in the right part
            today_anchor="end" if today_x > WIDTH * 0.8 else "start",
            today_label_x=today_x - 5 if today_x > WIDTH * 0.8 else today_x + 5,
        )
    return result


def _page(paginator, raw, request):
    """The page asked for, or the nearest one (a bad number is served, not cached)."""
    try:
        number = int(raw) if raw else 1
    except ValueError:
        number = 0
    if number < 1 or number > paginator.num_pages:
        pagecache.do_not_store(request)
        number = min(max(number, 1), paginator.num_pages)
    return paginator.page(number)


@pagecache.cache_params("page", filterset=ActionFilter)
def action_timeline(request):
    """/actions/calendrier/: the public actions filtered as on /actions/, dated ones as bars
    (PAGE_SIZE a page), undated ones listed apart. The same number of queries whatever the
    number of actions: the filter's choices (4), the totals and date range (1), the page of
    dated actions (1), their milestones (1), the undated ones (1), and the territory's
    identity."""
    filterset = ActionFilter(data=request.GET, request=request)
    if not filterset.is_valid():
        pagecache.do_not_store(request)  # an invalid value is ignored: served, not kept
    actions = filterset.qs.select_related("phase", "axis").only(*COLUMNS)
    totals = actions.order_by().aggregate(
        count=Count("pk"),
        dated=Count("pk", filter=DATED),
        demo=Count("pk", filter=Q(is_demo=True)),
        first_start=Min("start_date"),
        first_end=Min("end_date"),
        last_start=Max("start_date"),
        last_end=Max("end_date"),
    )
    today = timezone.localdate()
    scale = TimeScale(
        [totals["first_start"], totals["first_end"], totals["last_start"], totals["last_end"]],
        today,
    )
    dated = actions.filter(DATED).order_by(
        *ORDER, F("start_date").asc(nulls_first=True), F("end_date").asc(nulls_last=True),
        "code_sort", "pk",
    )  # fmt: skip
    paginator = Paginator(dated, PAGE_SIZE)
    paginator.count = totals["dated"]  # known from the totals: no COUNT query of its own
    page = _page(paginator, request.GET.get("page", ""), request)
    undated_count = totals["count"] - totals["dated"]
    undated = []
    if undated_count:
        undated = list(actions.exclude(DATED).order_by(*ORDER, "code_sort", "pk")[:UNDATED_LIMIT])
    rows = list(page.object_list)
    context = {
        "filter": filterset,
        "notices": filterset.ignored_filters(),
        "is_filtered": filterset.is_filtered,
        "total": totals["count"],
        "dated_count": totals["dated"],
        "includes_demo": bool(totals["demo"]),
        "groups": groups(rows, scale, milestones_by_action(rows)),
        "years": scale.years(),
        "scale_start": scale.start,
        "scale_end": scale.end - datetime.timedelta(days=1),
        "today": today,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "undated": undated,
        "undated_count": undated_count,
        "undated_limit": UNDATED_LIMIT,
        "width": WIDTH,
        "current_phase": filterset.current_phase_number,
    }
    return render(request, "actions/timeline.html", context)
