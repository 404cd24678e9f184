"""The firms' door (/entreprises/): a firm's needs, then for each the public actions that serve it,
each with « Qui contacter », and the partners who help with it.

The needs live in `partners` (staff tag actions and organisations with them); this page lists
actions, so it lives here. Nothing on it takes a visitor's data: contacts are links.
"""

from django.db.models import Aggregate, Count, Exists, JSONField, OuterRef, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.shortcuts import get_object_or_404, render

from partners.models import Need

from ..models import Action, Status

LATEST_PHASE_FIRST = ("-phase__number", "code_sort", "pk")


class JSONArrayAgg(Aggregate):
    """The rows' values as one JSON array (JSON_GROUP_ARRAY on SQLite, JSONB_AGG on PostgreSQL,
    read back as a list); Django 5.2 has no portable one."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def need_links():
    """An action's needs as [{"slug", "name", "order"}], a column of the action's own query: the
    fiche shows them without a query of their own (it is at its budget). Sort with `dictsort`."""
    rows = Need.objects.filter(actions=OuterRef("pk")).order_by().values("actions")
    item = JSONObject(slug="slug", name="name", order="order")
    return Subquery(rows.annotate(items=JSONArrayAgg(item)).values("items"))


def serving_actions():
    """The public actions a firm can still turn to: an abandoned one serves nobody."""
    return Action.objects.public().exclude(status=Status.ABANDONED)


def firm_needs(request):
    """Each need with how many actions serve it (and whether demonstration ones count)."""
    serving = serving_actions().filter(needs=OuterRef("pk"))
    count = serving.order_by().values("needs").annotate(count=Count("pk")).values("count")
    needs = Need.objects.annotate(
        action_count=Coalesce(Subquery(count), 0),
        action_demo=Exists(serving.filter(is_demo=True)),
        organisation_count=Count("organisations", distinct=True),
    ).order_by("order", "name")  # an aggregate drops Meta.ordering
    return render(request, "firms/needs.html", {"needs": needs})


def need_detail(request, slug):
    need = get_object_or_404(Need, slug=slug)
    actions = list(
        serving_actions()
        .filter(needs=need)
        .select_related("phase", "axis", "pilot")
        .order_by(*LATEST_PHASE_FIRST)
    )
    context = {
        "need": need,
        "actions": actions,
        "includes_demo": any(action.is_demo for action in actions),
        "organisations": need.organisations.order_by("name"),
        "other_needs": Need.objects.exclude(pk=need.pk),
    }
    return render(request, "firms/need_detail.html", context)
