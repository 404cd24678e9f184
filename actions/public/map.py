"""The actions on the territory map: public actions counted per intercommunality.

Each intercommunality is drawn with its communes (programme/map.py) in the colour of its count
on one sequential scale, and is a link: activating it lists its actions on the same page, with
or without JavaScript. The counts follow the list's rule (`Action.objects.public()`, every
phase); an action that concerns several intercommunalities counts in each of them.
"""

from functools import partial
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.urls import reverse

from partners.models import Need
from programme.map import SequentialScale, communes_with_outline_text, group_centre, territory_map
from programme.models import Axis, Commune, Intercommunality
from teritoire import pagecache
from teritoire.filter_forms import FilterForm

from ..models import Action
from .filters import ActionFilter

# The selected intercommunality's actions listed at most; the rest are one link away.
LIST_LIMIT = 50
UNKNOWN = "valeur inconnue"


def axis_choices(axes):
    """The axis choices of a filter, as the list gives them: one group per phase, the current
    phase first, when the axes span several phases."""
    phases = {axis.phase.number for axis in axes}
    if len(phases) <= 1:
        return [(axis.slug, str(axis)) for axis in axes]
    by_phase = {}
    for axis in sorted(axes, key=lambda a: (-a.phase.number, a.number)):
        by_phase.setdefault(axis.phase.name, []).append((axis.slug, str(axis)))
    return list(by_phase.items())


class MapFilterForm(FilterForm):
    """The map's filters, named as the list's so that a link carries from one to the other."""

    axe = forms.ChoiceField(label="Axe", required=False)
    besoin = forms.ChoiceField(label="Besoin des entreprises", required=False)
    intercommunalite = forms.ChoiceField(label="Communauté de communes", required=False)

    def __init__(self, *args, axes, needs, intercommunalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axe"].choices = [("", "Tous")] + axis_choices(axes)
        self.fields["besoin"].choices = [("", "Tous")] + [(need.slug, need.name) for need in needs]
        self.fields["intercommunalite"].choices = [("", "Toutes")] + [
            (ic.slug, ic.name) for ic in intercommunalities
        ]

    def notices(self):
        subjects = {
            "axe": "Le filtre « axe » a été ignoré",
            "besoin": "Le filtre « besoin » a été ignoré",
            "intercommunalite": "La communauté de communes demandée a été ignorée",
        }
        return [f"{subjects[name]} : {UNKNOWN}." for name in self.errors]


def _cleaned(form):
    """The valid values of the form; an invalid one is dropped (and reported), not fatal."""
    form.is_valid()
    return {name: form.cleaned_data.get(name) or "" for name in form.fields}


def counts_per_intercommunality(actions):
    """{intercommunality pk or None: {"count", "demo"}} in one query: None holds the actions that
    name no intercommunality. Demonstration rows are counted in the same query as the figure."""
    rows = (
        actions.order_by()
        .values("intercommunalities")
        .annotate(count=Count("pk", distinct=True), demo=Count("pk", filter=Q(is_demo=True)))
    )
    return {row["intercommunalities"]: row for row in rows}


def _query(**params):
    """`?a=1&b=2` of the non-empty parameters, "" when there is none."""
    params = {name: value for name, value in params.items() if value}
    return "?" + urlencode(params) if params else ""


def map_shapes(communes, intercommunalities, counts, selected, query):
    """The drawn map for templates/actions/_actions_map.html: one group per intercommunality
    (its communes' paths, its count, where the count is drawn, its link), and the scale."""
    drawn = territory_map(communes)
    scale = SequentialScale([counts.get(ic.pk, {}).get("count", 0) for ic in intercommunalities])
    members = {}
    for commune in communes:
        if commune.pk in drawn["paths"]:
            members.setdefault(commune.intercommunality_id, []).append(commune.pk)
    groups = []
    for ic in intercommunalities:
        keys = members.get(ic.pk, [])
        count = counts.get(ic.pk, {}).get("count", 0)
        groups.append(
            {
                "intercommunality": ic,
                "count": count,
                "colour": scale.colour(count),
                "paths": [drawn["paths"][key] for key in keys],
                "centre": group_centre(drawn, keys),
                "selected": selected is not None and ic.pk == selected.pk,
                "href": query(ic),
            }
        )
    known = {ic.pk for ic in intercommunalities}
    others = [
        drawn["paths"][commune.pk]
        for commune in communes
        if commune.pk in drawn["paths"] and commune.intercommunality_id not in known
    ]
    return {"view_box": drawn["view_box"], "groups": groups, "others": others}, scale


def _filter_choices():
    """The axes, needs and intercommunalities the filters offer: three queries."""
    axes = list(
        Axis.objects.select_related("phase").only(
            "pk", "slug", "number", "name", "phase__number", "phase__name"
        )
    )
    needs = list(Need.objects.only("pk", "slug", "name"))
    intercommunalities = list(Intercommunality.objects.only("pk", "slug", "name"))
    return axes, needs, intercommunalities


def _by_slug(objects, slug):
    """The object of `objects` with this slug, None without any."""
    return next((obj for obj in objects if obj.slug == slug), None)


def _public_actions(axis, need):
    """The public actions (every phase), of `axis` and of `need` when they are given."""
    actions = Action.objects.public()
    if axis is not None:
        actions = actions.filter(axis=axis)
    if need is not None:
        actions = actions.filter(needs=need)
    return actions


def _intercommunality_href(values, ic):
    """The map's address with the current filters and `ic` selected, at its list of actions."""
    return (
        _query(axe=values["axe"], besoin=values["besoin"], intercommunalite=ic.slug) + "#actions-cc"
    )


def _annotate_intercommunalities(intercommunalities, counts, scale, href):
    """Give each intercommunality its count, demonstration flag, colour and link, for the table
    beside the map."""
    for ic in intercommunalities:
        ic.action_count = counts.get(ic.pk, {}).get("count", 0)
        ic.includes_demo = bool(counts.get(ic.pk, {}).get("demo"))
        ic.scale_colour = scale.colour(ic.action_count)
        ic.map_href = href(ic)


def _selected_actions(actions, selected):
    """The first LIST_LIMIT of `actions` in the selected intercommunality, the latest phase
    first ([] without a selection): one query."""
    if selected is None:
        return []
    return list(
        actions.filter(intercommunalities=selected)
        .select_related("phase", "axis", "pilot")
        .only(
            "code",
            "title",
            "slug",
            "status",
            "is_demo",
            "phase__number",
            "phase__name",
            "axis__number",
            "axis__name",
            "pilot__name",
            "pilot__acronym",
        )  # fmt: skip
        .order_by(F("phase__number").desc(), "code_sort", "pk")[:LIST_LIMIT]
    )


def _list_url(values):
    """The list's address with the map's filters, the list's own filters only: a need it cannot
    filter by would show it more actions."""
    list_params = {
        name: values[name] for name in ("axe", "besoin", "intercommunalite")
        if name in ActionFilter.base_filters
    }  # fmt: skip
    return reverse("actions:list") + _query(**list_params)


@pagecache.cache_params("axe", "besoin", "intercommunalite")
def action_map(request):
    """/actions/carte/: the count of public actions per intercommunality on the map, filtered
    by axis and need; the selected intercommunality's actions listed below. The same queries
    whatever the number of actions: axes, needs, intercommunalities, counts, total, communes,
    the selection's list (plus the context's)."""
    axes, needs, intercommunalities = _filter_choices()
    form = MapFilterForm(request.GET, axes=axes, needs=needs, intercommunalities=intercommunalities)
    values = _cleaned(form)
    if form.errors:
        pagecache.do_not_store(request)  # an unknown value is ignored: served, not kept
    axis = _by_slug(axes, values["axe"])
    need = _by_slug(needs, values["besoin"])
    selected = _by_slug(intercommunalities, values["intercommunalite"])

    actions = _public_actions(axis, need)
    counts = counts_per_intercommunality(actions)
    totals = actions.order_by().aggregate(
        count=Count("pk"), demo=Count("pk", filter=Q(is_demo=True))
    )
    communes = list(
        communes_with_outline_text(Commune.objects.only("pk", "name", "intercommunality"))
    )
    href = partial(_intercommunality_href, values)
    drawing, scale = map_shapes(communes, intercommunalities, counts, selected, href)
    _annotate_intercommunalities(intercommunalities, counts, scale, href)
    listed = _selected_actions(actions, selected)
    context = {
        "form": form,
        "notices": form.notices(),
        "axis": axis,
        "need": need,
        "has_needs": bool(needs),
        "selected": selected,
        "selected_count": selected.action_count if selected else 0,
        "listed": listed,
        "list_limit": LIST_LIMIT,
        "mixed_phases": len({action.phase_id for action in listed}) > 1,
        "map": drawing,
        "classes": scale.classes,
        "intercommunalities": intercommunalities,
        "total": totals["count"],
        "includes_demo": bool(totals["demo"]),
        "unassigned": counts.get(None, {"count": 0, "demo": 0})["count"],
        "list_url": _list_url(values),
        "filters_only": _query(axe=values["axe"], besoin=values["besoin"]),
    }
    return render(request, "actions/map.html", context)
