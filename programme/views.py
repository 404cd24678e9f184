"""Public pages of the territory, the axes, the COPIL meetings and the news.

`programme` imports nothing from `actions`: actions are read through reverse relations
(`axis.actions.public()`, `intercommunality.actions.public()`, `decision.actions`).
"""

import unicodedata

from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from teritoire import identity, pagecache
from teritoire.paging import forgiving_page

from . import decisions as decision_files
from .filters import DecisionFilter
from .map import communes_with_outline_text, territory_map
from .models import Axis, Commune, CopilMeeting, Decision, Intercommunality, NewsItem, Territory

# Used when the intercommunalities were all left with the same colour.
PALETTE = ["#1f6f8b", "#c8553d", "#5b8c3a", "#7b5ea7", "#b08900", "#3d6fb6"]
NEWS_PER_PAGE = 10
DECISIONS_PER_PAGE = 50


def _related_model(model, accessor):
    """The model at the other end of a reverse relation, without importing its app."""
    return model._meta.get_field(accessor).related_model


def _public_actions():
    return _related_model(Decision, "actions").objects.public()


def _colours(intercommunalities):
    """{intercommunality pk: colour}; a palette when the colours are not all distinct."""
    colours = [ic.colour for ic in intercommunalities]
    if len(set(colours)) < len(colours):
        colours = [PALETTE[index % len(PALETTE)] for index in range(len(colours))]
    return {ic.pk: colour for ic, colour in zip(intercommunalities, colours, strict=True)}


def _map_shapes(communes, colours, names, highlight=None):
    """One dict per drawable commune for templates/programme/_map.html."""
    drawn = territory_map(communes)
    shapes = []
    for commune in communes:
        data = drawn["paths"].get(commune.pk)
        if not data:
            continue
        shapes.append(
            {
                "d": data,
                "name": commune.name,
                "population": commune.population,
                "colour": colours.get(commune.intercommunality_id, PALETTE[0]),
                "intercommunality": names.get(commune.intercommunality_id, ""),
                "dimmed": highlight is not None and commune.intercommunality_id != highlight,
            }
        )
    return {"view_box": drawn["view_box"], "shapes": shapes}


def _name_key(commune):
    """Alphabetical order in French whatever the database collation: accents ignored."""
    return unicodedata.normalize("NFKD", commune.name).encode("ascii", "ignore").decode().lower()


def territory(request):
    intercommunalities = list(
        Intercommunality.objects.annotate(
            commune_count=Count("communes"), commune_population=Sum("communes__population")
        )
    )
    communes = list(communes_with_outline_text(Commune.objects.all()))
    colours = _colours(intercommunalities)
    names = {ic.pk: ic.name for ic in intercommunalities}
    by_intercommunality = {ic.pk: [] for ic in intercommunalities}
    for commune in communes:
        by_intercommunality.setdefault(commune.intercommunality_id, []).append(commune)
    for ic in intercommunalities:
        ic.map_colour = colours[ic.pk]
        ic.commune_list = sorted(by_intercommunality[ic.pk], key=_name_key)
    context = {
        "territory": Territory.objects.first(),
        "intercommunalities": intercommunalities,
        "map": _map_shapes(communes, colours, names),
        "commune_total": len(communes),
        "population_total": sum(commune.population for commune in communes),
    }
    return render(request, "programme/territory.html", context)


def intercommunality(request, slug):
    current = get_object_or_404(
        Intercommunality.objects.select_related("organisation", "territory"), slug=slug
    )
    intercommunalities = list(Intercommunality.objects.only("pk", "name", "colour"))
    communes = list(communes_with_outline_text(Commune.objects.all()))
    colours = _colours(intercommunalities)
    names = {ic.pk: ic.name for ic in intercommunalities}
    own = sorted(
        (commune for commune in communes if commune.intercommunality_id == current.pk),
        key=_name_key,
    )
    context = {
        "intercommunality": current,
        "colour": colours.get(current.pk, PALETTE[0]),
        "map": _map_shapes(communes, colours, names, highlight=current.pk),
        "communes": own,
        "population": current.population or sum(commune.population for commune in own),
        "actions": current.actions.public()
        .select_related("axis__phase", "pilot")
        .order_by("-phase__number", "code_sort", "pk"),
    }
    return render(request, "programme/intercommunality.html", context)


def budget_chart(rows, height=160, bar=18, gap=10):
    """Bar chart geometry of planned and actual amounts by year, for an inline SVG."""
    top = max([row["planned"] or 0 for row in rows] + [row["actual"] or 0 for row in rows] + [0])
    if not rows or not top:
        return None
    group = 2 * bar + gap
    bars = []
    for index, row in enumerate(rows):
        x = 10 + index * (group + 2 * gap)
        planned = round(float(row["planned"] or 0) / float(top) * height)
        actual = round(float(row["actual"] or 0) / float(top) * height)
        bars.append(
            {
                "year": row["year"],
                "x": x,
                "label_x": x + bar,
                "planned_x": x,
                "planned_y": height - planned + 10,
                "planned_h": planned,
                "actual_x": x + bar + 2,
                "actual_y": height - actual + 10,
                "actual_h": actual,
            }
        )
    width = 20 + len(rows) * (group + 2 * gap)
    return {"bars": bars, "width": width, "height": height + 34, "base": height + 10, "bar": bar}


def axis(request, slug):
    current = get_object_or_404(Axis.objects.select_related("phase"), slug=slug)
    actions = current.actions.public()
    summary = actions.aggregate(
        count=Count("pk"), progress=Avg("progress"), demo=Count("pk", filter=Q(is_demo=True))
    )
    budget = [
        {"year": row["fundings__year"], "planned": row["planned"], "actual": row["actual"]}
        for row in actions.values("fundings__year")
        .annotate(planned=Sum("fundings__planned_amount"), actual=Sum("fundings__actual_amount"))
        .order_by("fundings__year")
        if row["fundings__year"] is not None
    ]
    context = {
        "axis": current,
        "actions": actions.select_related("pilot"),
        "summary": summary,
        "budget": budget,
        "budget_total": {
            "planned": sum(row["planned"] or 0 for row in budget),
            "actual": sum(row["actual"] or 0 for row in budget),
        },
        "chart": budget_chart(budget),
        "other_axes": Axis.objects.filter(phase=current.phase_id).exclude(pk=current.pk),
    }
    return render(request, "programme/axis.html", context)


def copil_list(request):
    today = timezone.localdate()
    upcoming = CopilMeeting.objects.public().upcoming(today)
    meetings = CopilMeeting.objects.public().annotate(decision_count=Count("decisions"))
    context = {
        "upcoming": meetings.upcoming(today),
        "past": meetings.exclude(pk__in=upcoming.values("pk")).order_by("-date"),
    }
    return render(request, "programme/copil_list.html", context)


def copil_detail(request, pk):
    public_actions = _public_actions().only("pk", "code", "title", "slug")
    document_model = _related_model(CopilMeeting, "documents")
    meeting = get_object_or_404(
        CopilMeeting.objects.public()
        .select_related("phase")
        .prefetch_related(
            "agenda_items",
            "attendees",
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("owner").prefetch_related(
                    Prefetch("actions", queryset=public_actions, to_attr="public_actions")
                ),
            ),
            # The public figures of each plan: sums over the actions that were public.
            Prefetch(
                "annual_plans",
                queryset=_related_model(CopilMeeting, "annual_plans").objects.with_public_figures(),
            ),
            Prefetch(
                "documents",
                queryset=document_model.objects.filter(visibility=document_model.Visibility.PUBLIC),
                to_attr="public_documents",
            ),
        ),
        pk=pk,
    )
    today = timezone.localdate()
    context = {
        "meeting": meeting,
        "follow_up": flag_overdue(followed_up_decisions(meeting), today),
        "today": today,
    }
    flag_overdue(meeting.decisions.all(), today)
    return render(request, "programme/copil_detail.html", context)


def flag_overdue(decisions, today):
    """The decisions, each with `overdue` set for the templates (`Decision.is_overdue`)."""
    decisions = list(decisions)
    for decision in decisions:
        decision.overdue = decision.is_overdue(today)
    return decisions


def followed_up_decisions(meeting):
    """« Suivi des décisions »: the decisions of earlier public meetings still open, in the
    meeting's own world (a demonstration meeting follows demonstration decisions, a real one
    real decisions), oldest due date first."""
    return (
        Decision.objects.public()
        .open()
        .filter(meeting__date__lt=meeting.date, is_demo=meeting.is_demo)
        .select_related("meeting", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "meeting__date", "order", "pk")
    )


# --------------------------------------------------------------------------- decision register


class DecisionListView(FilterView):
    """The public register of the decisions of public COPIL meetings, filtered and paginated."""

    filterset_class = DecisionFilter
    template_name = "programme/decision_list.html"
    context_object_name = "decisions"
    paginate_by = DECISIONS_PER_PAGE
    strict = False  # an invalid value is ignored (and reported), the rest still filters

    def get_queryset(self):
        return decision_files.for_export(Decision.objects.public()).order_by(
            "-meeting__date", "-meeting__pk", "order", "pk"
        )

    def paginate_queryset(self, queryset, page_size):
        """A bad page number shows the nearest page; the count, the overdue and demonstration
        counts in the one query the paginator would have made for the count alone."""
        paginator = Paginator(queryset, page_size)
        self.totals = queryset.order_by().aggregate(
            count=Count("pk"),
            demo=Count("pk", filter=Q(is_demo=True)),
            overdue=Count("pk", filter=Q(pk__in=Decision.objects.overdue(self.filterset.today))),
        )
        paginator.count = self.totals["count"]
        page, self.page_notice = forgiving_page(paginator, self.request.GET.get("page", ""))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        page = context["page_obj"]
        context[self.context_object_name] = flag_overdue(page.object_list, filterset.today)
        context.update(
            notices=filterset.ignored_filters() + ([self.page_notice] if self.page_notice else []),
            totals=self.totals,
            today=filterset.today,
            is_filtered=filterset.is_filtered,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        )
        return context


decision_list = DecisionListView.as_view()


def _filtered_decisions(request):
    """The register's rows with the same filters, every page; invalid values: served, not kept."""
    filterset = DecisionFilter(data=request.GET, request=request)
    if not filterset.is_valid():
        pagecache.do_not_store(request)
    rows = decision_files.for_export(filterset.qs).order_by(
        "-meeting__date", "-meeting__pk", "order", "pk"
    )
    return rows, filterset.today


def _decisions_file_name(extension):
    return f"decisions-copil-{identity.slug()}-{timezone.localdate():%Y-%m-%d}.{extension}"


@pagecache.cache_params(filterset=DecisionFilter)
@require_safe
def decisions_csv(request):
    rows, today = _filtered_decisions(request)
    return decision_files.csv_response(rows, today, _decisions_file_name("csv"))


@pagecache.cache_params(filterset=DecisionFilter)
@require_safe
def decisions_json(request):
    rows, today = _filtered_decisions(request)
    return decision_files.json_response(rows, today, _decisions_file_name("json"))


@pagecache.cache_params("page")
def news_list(request):
    raw = request.GET.get("page")
    page = Paginator(NewsItem.objects.published(), NEWS_PER_PAGE).get_page(raw)
    if raw is not None and raw != str(page.number):
        pagecache.do_not_store(request)  # `?page=abc` shows page 1: served, not kept
    return render(request, "programme/news_list.html", {"page": page})


def news_detail(request, slug):
    item = get_object_or_404(NewsItem.objects.published(), slug=slug)
    others = NewsItem.objects.published().exclude(pk=item.pk)[:3]
    return render(request, "programme/news_detail.html", {"item": item, "others": others})
