"""The public partner directory.

`partners` imports nothing from `actions`: public actions are read through the organisation's
reverse relations (`piloted_actions`, `partner_actions`).
"""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from ..models import Organisation

LATEST_PHASE_FIRST = ("-phase__number", "code_sort", "pk")


def _public_actions():
    """Public actions; the Action model is reached through the reverse relation."""
    return Organisation._meta.get_field("piloted_actions").related_model.objects.public()


def organisation_list(request):
    piloted = (
        _public_actions()
        .filter(pilot=OuterRef("pk"))
        .order_by()
        .values("pilot")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Whether the count includes demonstration actions, read in the same query.
    piloted_demo = _public_actions().filter(pilot=OuterRef("pk"), is_demo=True)
    organisations = Organisation.objects.annotate(
        piloted_count=Coalesce(Subquery(piloted), 0), piloted_demo=Exists(piloted_demo)
    ).prefetch_related("needs")
    by_kind = {}
    for organisation in organisations:
        by_kind.setdefault(organisation.kind, []).append(organisation)
    groups = [
        {"kind": kind, "label": label, "organisations": by_kind[kind]}
        for kind, label in Organisation.Kind.choices
        if kind in by_kind
    ]
    context = {"groups": groups, "total": sum(len(group["organisations"]) for group in groups)}
    return render(request, "partners/organisation_list.html", context)


def organisation_detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.select_related("intercommunality").prefetch_related("needs"),
        slug=slug,
    )
    context = {
        "organisation": organisation,
        "piloted": organisation.piloted_actions.public()
        .select_related("axis__phase", "pilot")
        .order_by(*LATEST_PHASE_FIRST),
        "joined": organisation.partner_actions.public()
        .select_related("axis__phase", "pilot")
        .order_by(*LATEST_PHASE_FIRST),
    }
    return render(request, "partners/organisation_detail.html", context)
