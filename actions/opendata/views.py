"""Open data: the /donnees/ page, the dataset downloads, the filtered-list exports, robots.txt.

Every absolute URL in these files is built from SITE_URL, never from the request's Host or
scheme: a forged header must not end up in a file that the page cache keeps for everyone.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from programme.models import CopilMeeting
from teritoire import identity, pagecache

from ..fields import LIST_SEPARATOR
from ..models import Action, Funding, Milestone
from ..public.filters import ActionFilter
from . import exports, ics, writers
from .milestones import MILESTONE_COLUMNS


def _open(response):
    """Open data may be read by any web page (CORS); it is public anyway."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public_actions():
    return exports.actions_for_export(Action.objects.public().order_by("code_sort", "pk"))


@require_safe
def open_data(request):
    public = Action.objects.public()
    context = {
        "action_columns": exports.ACTION_COLUMNS,
        "funding_columns": exports.FUNDING_COLUMNS,
        "meeting_fields": ics.MEETING_FIELDS,
        "action_count": public.count(),
        "funding_count": Funding.objects.filter(action__in=public).count(),
        "meeting_count": CopilMeeting.objects.public().count(),
        "milestone_columns": MILESTONE_COLUMNS,
        "milestone_count": Milestone.objects.public().count(),
        "licence": exports.LICENCE,
        "list_separator": LIST_SEPARATOR.strip(),
    }
    return render(request, "actions/open_data.html", context)


@require_safe
def actions_csv(request):
    actions = exports.iterate(_public_actions())
    records = exports.action_records(actions, identity.site_url())
    name = f"actions-{identity.slug()}.csv"
    return _open(writers.csv_response(exports.ACTION_COLUMNS, records, name))


@require_safe
def fundings_csv(request):
    fundings = (
        Funding.objects.filter(action__in=Action.objects.public())
        .select_related("action", "funder")
        .order_by("action__code_sort", "action__pk", "year", "funder__name", "kind", "pk")
    )
    records = exports.funding_records_flat(exports.iterate(fundings))
    name = f"financements-{identity.slug()}.csv"
    return _open(writers.csv_response(exports.FUNDING_COLUMNS, records, name))


@require_safe
def actions_xlsx(request):
    actions = exports.iterate(_public_actions())
    name = f"actions-{identity.slug()}.xlsx"
    return _open(writers.xlsx_response(actions, identity.site_url(), name))


@require_safe
def actions_json(request):
    actions = exports.iterate(_public_actions())
    name = f"actions-{identity.slug()}.json"
    return _open(writers.json_response(actions, identity.site_url(), name))


@require_safe
def copil_ics(request):
    meetings = CopilMeeting.objects.public().prefetch_related("agenda_items").order_by("date", "pk")
    content = ics.ics_content(meetings, identity.site_url())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="copil-{identity.slug()}.ics"'
    return _open(response)


def _filtered_actions(request):
    """The filters of /actions/; a search or an invalid value is served fresh, not cached."""
    filterset = ActionFilter(data=request.GET, request=request)
    if not filterset.is_valid():
        pagecache.do_not_store(request)
    return exports.actions_for_export(filterset.qs)


def _filtered_name(extension):
    return f"plan-actions-{identity.slug()}-{timezone.localdate():%Y-%m-%d}.{extension}"


@pagecache.cache_params(filterset=ActionFilter)
@require_safe
def filtered_csv(request):
    """The list of /actions/ with the same filters and sort, every page, as CSV."""
    actions = exports.iterate(_filtered_actions(request))
    records = exports.action_records(actions, identity.site_url())
    return writers.csv_response(exports.ACTION_COLUMNS, records, _filtered_name("csv"))


@pagecache.cache_params(filterset=ActionFilter)
@require_safe
def filtered_xlsx(request):
    actions = exports.iterate(_filtered_actions(request))
    return writers.xlsx_response(actions, identity.site_url(), _filtered_name("xlsx"))


@require_safe
def robots_txt(request):
    sitemap_url = identity.site_url() + reverse("actions:sitemap")
    content = render_to_string("robots.txt", {"sitemap_url": sitemap_url})
    return HttpResponse(content, content_type="text/plain; charset=utf-8")
