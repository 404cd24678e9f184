"""Staff screens for the territory, the programme's structure and its governance.

The COPIL meeting and decision admins are extended by `actions.admin` (plan validation, the
actions a decision concerns), since `programme` must not import `actions`.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from teritoire.versioned import SeenVersionForm

from .models import (
    AgendaItem,
    Axis,
    Commune,
    CopilMeeting,
    Decision,
    Intercommunality,
    NewsItem,
    Phase,
    ReferenceFingerprint,
    Territory,
)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "region"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class CommuneInline(admin.TabularInline):
    model = Commune
    extra = 0
    fields = ["name", "insee", "siren", "population"]
    show_change_link = True


@admin.register(Intercommunality)
class IntercommunalityAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "population", "commune_count", "organisation"]
    list_filter = ["territory"]
    search_fields = ["name", "siren", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["territory", "organisation"]
    list_select_related = ["organisation"]
    inlines = [CommuneInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_commune_count=Count("communes"))
            .order_by("name")
        )

    @admin.display(description="communes", ordering="_commune_count")
    def commune_count(self, obj):
        return obj._commune_count


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee", "siren", "population", "intercommunality"]
    list_filter = ["intercommunality"]
    search_fields = ["name", "insee", "siren"]
    autocomplete_fields = ["intercommunality"]
    list_select_related = ["intercommunality"]


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0
    fields = ["number", "name", "slug", "colour"]
    prepopulated_fields = {"slug": ["name"]}
    show_change_link = True


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "start_date", "end_date", "labelled_on"]
    list_filter = ["territory"]
    search_fields = ["name"]
    autocomplete_fields = ["territory"]
    inlines = [AxisInline]


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phase", "number", "name", "colour"]
    list_filter = ["phase"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["phase"]
    list_select_related = ["phase"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title"]
    ordering = ["order", "pk"]


DECISION_FIELDS = [
    "order", "text", "owner", "due_date", "status", "status_date", "follow_up", "seen_version",
]  # fmt: skip


DECISION_CONFLICT = (
    "Cette décision a été modifiée depuis l'ouverture de la page (son suivi a peut-être été mis "
    "à jour par l'organisation responsable) : rechargez la page, puis recommencez."
)


class DecisionAdminForm(SeenVersionForm):
    """A decision in the admin, at the version it was opened (its follow-up may have been saved
    since by its owner in the partner space): a save bumps the version, as `update_follow_up`
    does."""

    version_conflict = DECISION_CONFLICT

    class Meta:
        model = Decision
        fields = [
            "meeting", "order", "text", "owner", "due_date", "status", "status_date", "follow_up",
        ]  # fmt: skip


class DecisionChangeForm(DecisionAdminForm):
    version_from_row = True  # the decision's own page (and its history revert)


class DecisionInline(admin.StackedInline):
    model = Decision
    form = DecisionAdminForm
    extra = 0
    fields = DECISION_FIELDS
    autocomplete_fields = ["owner"]
    ordering = ["order", "pk"]
    show_change_link = True


@admin.register(CopilMeeting)
class CopilMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "date", "place", "status", "is_public", "decision_count"]
    list_filter = ["status", "phase", "is_public"]
    search_fields = ["title", "place", "minutes", "decisions__text"]
    date_hierarchy = "date"
    autocomplete_fields = ["phase", "attendees"]
    inlines = [AgendaItemInline, DecisionInline]
    fieldsets = [
        (None, {"fields": ["phase", "title", "date", "start_time", "place", "status"]}),
        ("Participants", {"fields": ["attendees"]}),
        ("Compte rendu", {"fields": ["minutes", "minutes_public", "is_public"]}),
    ]
    history_list_display = ["status"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_decision_count=Count("decisions"))
            .order_by("-date", "-pk")
        )

    @admin.display(description="décisions", ordering="_decision_count")
    def decision_count(self, obj):
        return obj._decision_count


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "order"]
    list_filter = ["meeting__status"]
    search_fields = ["title", "meeting__title"]
    autocomplete_fields = ["meeting"]
    list_select_related = ["meeting"]


class OverdueFilter(admin.SimpleListFilter):
    """Open decisions past their due date (`DecisionQuerySet.overdue`)."""

    title = "échéance"
    parameter_name = "en_retard"

    def lookups(self, request, model_admin):
        return [("oui", "En retard"), ("ouvertes", "Ouvertes (à engager ou en cours)")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.overdue(timezone.localdate())
        if self.value() == "ouvertes":
            return queryset.open()
        return queryset


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    form = DecisionChangeForm
    list_display = ["__str__", "meeting", "order", "owner", "due_date", "status", "status_date"]
    list_filter = ["status", OverdueFilter, ("owner", admin.RelatedOnlyFieldListFilter), "meeting"]
    search_fields = ["text", "follow_up", "meeting__title", "owner__name", "owner__acronym"]
    autocomplete_fields = ["meeting", "owner"]
    list_select_related = ["meeting", "owner"]
    fields = ["meeting", *DECISION_FIELDS]
    history_list_display = ["status", "status_date"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "published_on", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    actions = ["publish", "unpublish"]

    def _publish(self, request, queryset, published):
        label = "Publiée" if published else "Dépubliée"
        changed = 0
        with transaction.atomic():
            for item in queryset.select_for_update().filter(is_published=not published):
                item.is_published = published
                item.save(update_fields=["is_published"])
                self.log_change(request, item, label)
                changed += 1
        self.message_user(request, f"{changed} actualité(s) {label.lower()}(s).")

    @admin.action(description="Publier les actualités sélectionnées", permissions=["change"])
    def publish(self, request, queryset):
        self._publish(request, queryset, True)

    @admin.action(description="Dépublier les actualités sélectionnées", permissions=["change"])
    def unpublish(self, request, queryset):
        self._publish(request, queryset, False)


@admin.register(ReferenceFingerprint)
class ReferenceFingerprintAdmin(admin.ModelAdmin):
    """What `load_territory` last wrote in each reference row: shown to explain why a row a user
    edited is left as it is; written by the command only."""

    list_display = ["model", "object_id"]
    list_filter = ["model"]
    readonly_fields = ["model", "object_id", "digests"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
