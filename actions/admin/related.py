"""Admins of what hangs off an action (fundings, indicators, notes, documents) and the plans."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from teritoire.templatetags.portal import euros

from ..models import (
    Action,
    ActionSnapshot,
    AnnualPlan,
    Document,
    Funding,
    Indicator,
    Measurement,
    ProgressUpdate,
)
from .funding_forms import FundingChangeForm
from .history import PlainHistoryMixin
from .stamps import StampInlinesMixin, stamp_related


class ActionWithPhaseMixin:
    """The action chosen in a form named with its phase (« P1 · 1.1 — … »), without a query
    per action: `Action.__str__` names the phase when it was loaded with the action."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "action":
            kwargs.setdefault("queryset", Action.objects.select_related("phase"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Funding)
class FundingAdmin(ActionWithPhaseMixin, PlainHistoryMixin, SimpleHistoryAdmin):
    form = FundingChangeForm  # refuses a save over a change made since the page opened
    list_display = [
        "action", "year", "funder", "kind", "status", "planned", "granted", "actual", "paid",
    ]  # fmt: skip
    list_filter = [
        "year", "status", "kind", ("funder", admin.RelatedOnlyFieldListFilter), "action__axis",
    ]  # fmt: skip
    search_fields = [
        "action__code", "action__title", "funder__name", "funder__acronym", "decision_reference",
    ]  # fmt: skip
    autocomplete_fields = ["action", "funder"]
    list_select_related = ["action__phase", "funder"]
    history_list_display = [
        "status", "planned_amount", "granted_amount", "actual_amount", "paid_amount",
    ]  # fmt: skip
    fieldsets = [
        (
            None,
            {"fields": ["action", ("year", "kind"), "funder", "planned_amount", "seen_version"]},
        ),
        (
            "Décision du financeur",
            {"fields": ["status", ("decision_date", "decision_reference"), "granted_amount"]},
        ),
        (
            "Réalisé (saisi par la structure pilote)",
            {"fields": [("actual_amount", "spent_on"), "spent_note"]},
        ),
        ("Versé par le financeur", {"fields": [("paid_amount", "paid_on")]}),
    ]

    @admin.display(description="prévu", ordering="planned_amount")
    def planned(self, obj):
        return euros(obj.planned_amount, 2)

    @admin.display(description="accordé", ordering="granted_amount")
    def granted(self, obj):
        return euros(obj.granted_amount, 2) or "—"

    @admin.display(description="réalisé", ordering="actual_amount")
    def actual(self, obj):
        return euros(obj.actual_amount, 2) or "—"

    @admin.display(description="versé", ordering="paid_amount")
    def paid(self, obj):
        return euros(obj.paid_amount, 2) or "—"


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ["date", "value", "comment", "author"]
    readonly_fields = ["author"]


@admin.register(Indicator)
class IndicatorAdmin(
    ActionWithPhaseMixin, StampInlinesMixin, PlainHistoryMixin, SimpleHistoryAdmin
):
    list_display = ["name", "action", "unit", "baseline", "target", "target_date"]
    list_filter = ["action__axis"]
    search_fields = ["name", "action__code", "action__title"]
    autocomplete_fields = ["action"]
    list_select_related = ["action__phase"]
    inlines = [MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(PlainHistoryMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "action", "date", "value", "author"]
    list_filter = ["indicator__action__axis"]
    search_fields = ["indicator__name", "indicator__action__code", "comment"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["author"]
    list_select_related = ["indicator__action__phase", "author"]
    date_hierarchy = "date"

    @admin.display(description="action", ordering="indicator__action__code_sort")
    def action(self, obj):
        return obj.indicator.action

    def save_model(self, request, obj, form, change):
        stamp_related(request, obj)
        super().save_model(request, obj, form, change)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ActionWithPhaseMixin, admin.ModelAdmin):
    list_display = ["action", "date", "author", "status_before", "status_after", "excerpt"]
    list_filter = ["status_after", "action__axis"]
    search_fields = ["text", "action__code", "action__title"]
    autocomplete_fields = ["action"]
    readonly_fields = ["author", "created_at"]
    list_select_related = ["action__phase", "author"]
    date_hierarchy = "date"

    @admin.display(description="note")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def save_model(self, request, obj, form, change):
        stamp_related(request, obj)
        super().save_model(request, obj, form, change)


@admin.register(Document)
class DocumentAdmin(ActionWithPhaseMixin, PlainHistoryMixin, SimpleHistoryAdmin):
    list_display = ["title", "action", "meeting", "visibility", "uploaded_by", "uploaded_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "original_name", "action__code", "action__title", "meeting__title"]
    autocomplete_fields = ["action", "meeting"]
    readonly_fields = ["original_name", "uploaded_by", "uploaded_at"]
    list_select_related = ["action__phase", "meeting", "uploaded_by"]
    fields = ["title", "file", "visibility", "action", "meeting", "original_name"]
    fields += ["uploaded_by", "uploaded_at"]
    history_list_display = ["visibility"]

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            obj.original_name = ""
        stamp_related(request, obj)
        super().save_model(request, obj, form, change)


class SnapshotInline(admin.TabularInline):
    model = ActionSnapshot
    extra = 0
    can_delete = False
    fields = ["code", "title", "axis_number", "status", "pilot_name", "planned", "funders"]
    readonly_fields = fields
    ordering = ["code_sort"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="budget prévu")
    def planned(self, obj):
        return euros(obj.planned_total)

    @admin.display(description="par financeur")
    def funders(self, obj):
        return format_html_join(
            ", ",
            "{} : {}",
            ((name, euros(amount)) for name, amount in obj.budget_by_funder.items()),
        )


@admin.register(AnnualPlan)
class AnnualPlanAdmin(admin.ModelAdmin):
    """Plans are created by validating them at a held COPIL, and never edited afterwards."""

    list_display = ["year", "phase", "meeting", "validated_at", "validated_by", "action_count"]
    list_display += ["total"]
    list_filter = ["year", "phase"]
    search_fields = ["year", "meeting__title"]
    list_select_related = ["phase", "meeting", "validated_by"]
    readonly_fields = ["phase", "year", "meeting", "validated_at", "validated_by", "public_page"]
    readonly_fields += ["action_count", "total"]
    fields = readonly_fields
    inlines = [SnapshotInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="budget prévu total", ordering="total_planned")
    def total(self, obj):
        return euros(obj.total_planned)

    @admin.display(description="page publique")
    def public_page(self, obj):
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(ActionSnapshot)
class ActionSnapshotAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "plan", "axis_number", "status", "pilot_name", "planned"]
    list_filter = ["plan__year", "status", "axis_number"]
    search_fields = ["code", "title", "pilot_name"]
    list_select_related = ["plan__meeting"]
    readonly_fields = [f.name for f in ActionSnapshot._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="budget prévu", ordering="planned_total")
    def planned(self, obj):
        return euros(obj.planned_total)
