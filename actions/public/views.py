"""Public pages of the action plan: the filtered list and the fiche action."""

from decimal import Decimal
from itertools import groupby
from pathlib import PurePath

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.views.generic import DetailView
from django_filters.views import FilterView

from programme.models import Decision
from teritoire.paging import forgiving_page

from ..models import Action, Document, Funding, Indicator, Measurement, MilestoneSummary
from ..models.funding import execution_rate, funding_gap
from .charts import indicator_chart
from .filters import SORT_CHOICES, ActionFilter
from .firms import need_links
from .milestones import milestone_rows, milestones_of

PAGE_SIZE = 20

# `tri` values of the columns whose header is a sort link.
SORTABLE_COLUMNS = {"code", "titre", "statut", "avancement", "budget"}
SORT_LABELS = dict(SORT_CHOICES)


class ActionListView(FilterView):
    """The action plan: public actions, filtered, sorted and paginated."""

    filterset_class = ActionFilter
    template_name = "actions/action_list.html"
    context_object_name = "actions"
    paginate_by = PAGE_SIZE
    strict = False  # an invalid value is ignored (and reported), the rest still filters

    def get_queryset(self):
        # Only the columns the table shows: the rows are sorted before the page is cut, and
        # narrow rows (no description, no objectives) keep that sort cheap with many actions.
        return (
            Action.objects.public()
            .select_related("phase", "axis", "pilot")
            .only(
                "code",
                "code_sort",
                "title",
                "slug",
                "status",
                "progress",
                "phase__number",
                "phase__name",
                "axis__number",
                "axis__name",
                "pilot__name",
                "pilot__acronym",
                "is_demo",
            )  # fmt: skip
        )

    def paginate_queryset(self, queryset, page_size):
        """Like ListView's, but a bad page number shows the nearest page instead of a 404."""
        paginator = Paginator(queryset, page_size)
        # The count and whether the rows include demonstration actions, in the one query that
        # the paginator would have made for the count alone.
        totals = queryset.order_by().aggregate(
            count=Count("pk"), demo=Count("pk", filter=Q(is_demo=True))
        )
        paginator.count = totals["count"]
        self.includes_demo = bool(totals["demo"])
        page, self.page_notice = forgiving_page(paginator, self.request.GET.get("page", ""))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        page = context["page_obj"]
        sort = filterset.sort
        context.update(
            notices=filterset.ignored_filters() + ([self.page_notice] if self.page_notice else []),
            result_count=page.paginator.count,
            includes_demo=self.includes_demo,
            year=filterset.year,
            sort=sort,
            sort_label=SORT_LABELS.get(sort, ""),
            sort_links=self._sort_links(sort),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            is_filtered=filterset.is_filtered,
            current_phase=filterset.current_phase_number,
            # Codes repeat from one phase to the next: « P1 · 1.1 » when this page mixes them.
            mixed_phases=len({action.phase_id for action in page.object_list}) > 1,
        )
        return context

    @staticmethod
    def _sort_links(current):
        """For each sortable column: the `tri` value its header link asks for, and aria-sort."""
        links = {}
        for key in SORTABLE_COLUMNS:
            if current == key:
                links[key] = {"value": f"-{key}", "aria": "ascending"}
            elif current == f"-{key}":
                links[key] = {"value": key, "aria": "descending"}
            else:
                default_desc = key in ("avancement", "budget")
                links[key] = {"value": f"-{key}" if default_desc else key, "aria": ""}
        return links


action_list = ActionListView.as_view()


def _known_sum(values):
    """The sum of the amounts known; None while none is."""
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


def budget_by_year(fundings):
    """Funding lines grouped by year with their totals; granted, actual (spent) and paid totals
    count known amounts only; gap and execution as `Funding` names them."""
    years = []
    for year, lines in groupby(
        sorted(fundings, key=lambda f: (f.year, f.funder.name)), key=lambda f: f.year
    ):
        lines = list(lines)
        years.append(_budget_totals(lines, year=year, lines=lines))
    return _budget_totals(years, years=years)


def _budget_totals(items, **extra):
    """Totals of funding lines, or of year rows (which carry the same keys as attributes)."""

    def read(item, name, line_name):
        return item[name] if isinstance(item, dict) else getattr(item, line_name)

    planned = sum((read(i, "planned", "planned_amount") for i in items), Decimal(0))
    granted = _known_sum(read(i, "granted", "granted_amount") for i in items)
    actual = _known_sum(read(i, "actual", "actual_amount") for i in items)
    return extra | {
        "planned": planned,
        "granted": granted,
        "actual": actual,
        "paid": _known_sum(read(i, "paid", "paid_amount") for i in items),
        "gap": funding_gap(planned, granted),
        "execution": execution_rate(actual, granted),
    }


def fiche_queryset(actions):
    """`actions` with everything the fiche shows (page and PDF), in a fixed number of queries."""
    return (
        actions.select_related("phase", "axis", "pilot")
        .annotate(need_links=need_links())  # the firms' needs, in this same query
        .annotate(milestone_rows=milestone_rows())  # and the milestones
        .prefetch_related(
            "partners",
            "intercommunalities",
            Prefetch("fundings", queryset=Funding.objects.in_reading_order()),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("name", "pk").prefetch_related(
                    Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))
                ),
            ),
            "updates",
            Prefetch(
                "documents",
                queryset=Document.objects.filter(visibility=Document.Visibility.PUBLIC),
                to_attr="public_documents",
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(meeting__is_public=True)
                .select_related("meeting")
                .order_by("-meeting__date", "order", "pk"),
                to_attr="public_decisions",
            ),
        )
    )


class ActionDetailView(DetailView):
    """One fiche action, in a fixed number of queries whatever its size."""

    template_name = "actions/action_detail.html"
    context_object_name = "action"

    def get_queryset(self):
        return fiche_queryset(Action.objects.visible_to(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.object
        indicators = []
        for indicator in action.indicators.all():
            measurements = list(indicator.measurements.all())
            indicators.append(
                {
                    "indicator": indicator,
                    "measurements": measurements,
                    "latest": measurements[-1] if measurements else None,
                    "chart": indicator_chart(indicator, measurements, f"indicateur-{indicator.pk}"),
                }
            )
        documents = action.public_documents
        for doc in documents:
            doc.extension = PurePath(doc.original_name or doc.file.name).suffix.lstrip(".").upper()
        context.update(
            documents=documents,
            budget=budget_by_year(action.fundings.all()),
            indicators=indicators,
            updates=list(action.updates.all()),
            milestones=MilestoneSummary(milestones_of(action), timezone.localdate()),
        )
        return context


action_detail = ActionDetailView.as_view()
