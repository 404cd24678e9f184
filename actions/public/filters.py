"""Filters and sort of the public action plan, submitted by GET.

A value that does not validate (unknown slug, malformed year, string too long) is left out of the
filtering and reported by `ignored_filters()`, so a bad link never ends on an error page.
"""

import django_filters
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Value,
    When,
)
from django.db.models.functions import Lower

from partners.models import Need, Organisation
from programme.models import Axis, Intercommunality
from teritoire.filter_forms import FilterForm
from teritoire.search.kinds import filter_actions
from teritoire.search.terms import parse as parse_search

from ..models import Action, Funding, Priority, Status

SEARCH_MAX_LENGTH = 200

# How each filter is named in the "ignored" notice, and why a value may be refused.
NOTICE_SUBJECTS = {
    "axe": "Le filtre « axe » a été ignoré",
    "statut": "Le filtre « statut » a été ignoré",
    "pilote": "Le filtre « pilote » a été ignoré",
    "intercommunalite": "Le filtre « communauté de communes » a été ignoré",
    "annee": "Le filtre « année » a été ignoré",
    "priorite": "Le filtre « priorité » a été ignoré",
    "besoin": "Le filtre « besoin des entreprises » a été ignoré",
    "q": "La recherche a été ignorée",
    "tri": "Le tri demandé a été ignoré",
}
NOTICE_REASONS = {
    "invalid_choice": "valeur inconnue",
    "max_length": f"texte trop long (au plus {SEARCH_MAX_LENGTH} caractères)",
    "null_characters_not_allowed": "caractère non autorisé",
}

SORT_CHOICES = [
    ("code", "Code (croissant)"),
    ("-code", "Code (décroissant)"),
    ("titre", "Intitulé (A → Z)"),
    ("-titre", "Intitulé (Z → A)"),
    ("statut", "Statut (à venir d'abord)"),
    ("-statut", "Statut (abandonnées d'abord)"),
    ("-avancement", "Avancement (le plus avancé d'abord)"),
    ("avancement", "Avancement (le moins avancé d'abord)"),
    ("-budget", "Budget prévu (le plus élevé d'abord)"),
    ("budget", "Budget prévu (le plus faible d'abord)"),
]
DEFAULT_SORT = "code"


def _status_rank():
    """Statuses in their workflow order (À venir, En cours, Réalisée…), not alphabetically."""
    return Case(
        *(When(status=value, then=Value(rank)) for rank, value in enumerate(Status.values)),
        output_field=IntegerField(),
    )


def sort_expressions(key):
    """ORDER BY for a `tri` value; ties fall back to the code, current phase first."""
    descending = key.startswith("-")
    field = key.lstrip("-")
    if field == "code" or field not in SORTABLE:
        if descending:
            return [F("phase__number").asc(), F("code_sort").desc(), F("pk").desc()]
        return [F("phase__number").desc(), F("code_sort").asc(), F("pk").asc()]
    expression = SORTABLE[field]()
    first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
    return [first, F("phase__number").desc(), "code_sort", "pk"]


SORTABLE = {
    "titre": lambda: Lower("title"),
    "statut": _status_rank,
    "avancement": lambda: F("progress"),
    "budget": lambda: F("planned_budget"),
}


class SlugOrIdChoiceField(django_filters.fields.ChoiceField):
    """A choice among slugs that also accepts the object's numeric id (older links, scripts)."""

    def __init__(self, *args, aliases=None, **kwargs):
        self.aliases = aliases or {}
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.aliases.get(value, value)


class SlugOrIdFilter(django_filters.ChoiceFilter):
    field_class = SlugOrIdChoiceField


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher",
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Code, intitulé, résumé, description ou objectifs",
    )
    axe = SlugOrIdFilter(label="Axe", field_name="axis__slug", empty_label="Tous")
    statut = django_filters.ChoiceFilter(
        label="Statut", field_name="status", choices=Status.choices, empty_label="Tous"
    )
    pilote = SlugOrIdFilter(label="Pilote", field_name="pilot__slug", empty_label="Tous")
    intercommunalite = SlugOrIdFilter(
        label="Communauté de communes",
        field_name="intercommunalities__slug",
        empty_label="Toutes",
    )
    annee = django_filters.ChoiceFilter(
        label="Année de financement", method="filter_year", empty_label="Toutes"
    )
    priorite = django_filters.ChoiceFilter(
        label="Priorité",
        field_name="priority",
        choices=Priority.choices,
        empty_label="Toutes",
    )
    besoin = SlugOrIdFilter(
        label="Besoin des entreprises", field_name="needs__slug", empty_label="Tous"
    )
    tri = django_filters.ChoiceFilter(
        label="Trier par", method="sort_later", choices=SORT_CHOICES, empty_label=None
    )

    class Meta:
        model = Action
        fields = []
        form = FilterForm

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Action.objects.public()
        # Always bound (to an empty query when none is given), so the budget annotation and
        # the default sort apply to the bare /actions/ too.
        super().__init__(data=data if data is not None else {}, queryset=queryset, **kwargs)
        # The choices are read here once (one query each) rather than lazily by every
        # validation and rendering of the field.
        axes = list(
            Axis.objects.select_related("phase").only(
                "pk", "slug", "number", "name", "phase__number", "phase__name"
            )
        )
        phases = {axis.phase.number for axis in axes}
        self.current_phase_number = max(phases, default=None)
        if len(phases) > 1:  # one group per phase, the current one first
            by_phase = {}
            for axis in sorted(axes, key=lambda a: (-a.phase.number, a.number)):
                by_phase.setdefault(axis.phase.name, []).append((axis.slug, str(axis)))
            axis_choices = list(by_phase.items())
        else:
            axis_choices = [(axis.slug, str(axis)) for axis in axes]
        self._set_choices("axe", axis_choices, {str(axis.pk): axis.slug for axis in axes})
        pilots = list(
            Organisation.objects.filter(
                Exists(Action.objects.public().filter(pilot=OuterRef("pk")))
            ).only("pk", "slug", "name", "acronym")
        )
        self._set_choices(
            "pilote",
            [(org.slug, org.display_name) for org in pilots],
            {str(org.pk): org.slug for org in pilots},
        )
        intercommunalities = list(Intercommunality.objects.only("pk", "slug", "name"))
        self._set_choices(
            "intercommunalite",
            [(ic.slug, ic.name) for ic in intercommunalities],
            {str(ic.pk): ic.slug for ic in intercommunalities},
        )
        needs = list(Need.objects.only("pk", "slug", "name"))
        self._set_choices(
            "besoin", [(need.slug, need.name) for need in needs], {str(n.pk): n.slug for n in needs}
        )
        years = (
            Funding.objects.filter(action__in=Action.objects.public())
            .order_by("year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.filters["annee"].extra["choices"] = [(str(year), str(year)) for year in years]

    def _set_choices(self, name, choices, aliases):
        self.filters[name].extra.update(choices=choices, aliases=aliases)

    # Filter methods -------------------------------------------------------------------------

    def filter_text(self, queryset, name, value):
        # The site search's own filter (accents and case ignored, French stemming on
        # PostgreSQL), so the list and /recherche/ always find the same actions.
        return filter_actions(queryset, parse_search(value))

    def filter_year(self, queryset, name, value):
        return queryset.filter(
            Exists(Funding.objects.filter(action=OuterRef("pk"), year=int(value)))
        )

    def sort_later(self, queryset, name, value):
        return queryset  # applied in filter_queryset, once the year is known

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        queryset = queryset.with_budget(self.year)
        return queryset.order_by(*sort_expressions(self.sort))

    # What the page needs to know ------------------------------------------------------------

    def _clean(self, name):
        self.errors  # noqa: B018 - validates the form once
        return self.form.cleaned_data.get(name) or None

    @property
    def year(self):
        """The selected funding year, or None: the budget column and sort follow it."""
        value = self._clean("annee")
        return int(value) if value else None

    @property
    def sort(self):
        return self._clean("tri") or DEFAULT_SORT

    @property
    def is_filtered(self):
        """Whether any filter (not the sort) narrows the list."""
        self.errors  # noqa: B018
        return any(value for name, value in self.form.cleaned_data.items() if name != "tri")

    def ignored_filters(self):
        """One French sentence per submitted value that was not applied."""
        notices = []
        for name, errors in self.form.errors.as_data().items():
            reason = NOTICE_REASONS.get(errors[0].code, "valeur invalide")
            subject = NOTICE_SUBJECTS.get(name, "Un filtre a été ignoré")
            notices.append(f"{subject} : {reason}.")
        return notices
