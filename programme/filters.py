"""Filters of the public register of COPIL decisions (`/copil/decisions/`), submitted by GET.

A value that does not validate (unknown organisation or meeting, anything but « oui » for the
overdue filter) is left out of the filtering and reported by `ignored_filters()`, as on the
action plan: a bad link never ends on an error page.
"""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from partners.models import Organisation
from teritoire.filter_forms import FilterForm

from .models import CopilMeeting, Decision

NOTICE_SUBJECTS = {
    "statut": "Le filtre « statut » a été ignoré",
    "responsable": "Le filtre « organisation responsable » a été ignoré",
    "reunion": "Le filtre « réunion » a été ignoré",
    "en_retard": "Le filtre « en retard » a été ignoré",
}
NOTICE_REASONS = {
    "invalid_choice": "valeur inconnue",
    "null_characters_not_allowed": "caractère non autorisé",
}


class DecisionFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(
        label="Statut", field_name="status", choices=Decision.Status.choices, empty_label="Tous"
    )
    responsable = django_filters.ChoiceFilter(
        label="Organisation responsable", field_name="owner__slug", empty_label="Toutes"
    )
    reunion = django_filters.ChoiceFilter(
        label="Réunion du COPIL", field_name="meeting", empty_label="Toutes"
    )
    en_retard = django_filters.ChoiceFilter(
        label="Échéance",
        method="filter_overdue",
        choices=[("oui", "En retard seulement")],
        empty_label="Toutes",
    )

    class Meta:
        model = Decision
        fields = []
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, today=None, **kwargs):
        if queryset is None:
            queryset = Decision.objects.public()
        self.today = today or timezone.localdate()
        super().__init__(data=data if data is not None else {}, queryset=queryset, **kwargs)
        # The choices are read here once (one query each): the organisations that own a public
        # decision, and the public meetings that took one.
        public = Decision.objects.public()
        owners = Organisation.objects.filter(Exists(public.filter(owner=OuterRef("pk")))).only(
            "pk", "slug", "name", "acronym"
        )
        self.filters["responsable"].extra["choices"] = [(o.slug, o.display_name) for o in owners]
        meetings = (
            CopilMeeting.objects.public()
            .filter(Exists(public.filter(meeting=OuterRef("pk"))))
            .only("pk", "title", "date")
            .order_by("-date", "-pk")
        )
        self.filters["reunion"].extra["choices"] = [(str(m.pk), str(m)) for m in meetings]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(self.today) if value == "oui" else queryset

    @property
    def is_filtered(self):
        self.errors  # noqa: B018 - validates the form once
        return any(self.form.cleaned_data.values())

    def ignored_filters(self):
        """One French sentence per submitted value that was not applied."""
        notices = []
        for name, errors in self.form.errors.as_data().items():
            reason = NOTICE_REASONS.get(errors[0].code, "valeur invalide")
            notices.append(f"{NOTICE_SUBJECTS.get(name, 'Un filtre a été ignoré')} : {reason}.")
        return notices
