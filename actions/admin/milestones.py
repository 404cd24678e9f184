"""Milestones (jalons) in the admin: an inline on the action, and their own page with history.

A change saved here bumps the milestone's version, so that a partner who opened the same
milestone before sees a conflict instead of silently overwriting it (`actions.milestones`).
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from ..models import Milestone
from .history import PlainHistoryMixin
from .related import ActionWithPhaseMixin


class MilestoneFormSet(BaseInlineFormSet):
    def save_existing(self, form, obj, commit=True):
        if form.has_changed():
            obj.version += 1
        return super().save_existing(form, obj, commit=commit)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    formset = MilestoneFormSet
    extra = 0
    fields = ["order", "title", "due_date", "done_on", "note"]
    ordering = ["order", "due_date", "pk"]
    show_change_link = True  # its own page has its history


class LateFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in Milestone.State]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        rules = {
            Milestone.State.DONE: lambda: queryset.done(),
            Milestone.State.LATE: lambda: queryset.late(today),
            Milestone.State.UPCOMING: lambda: queryset.upcoming(today),
        }
        rule = rules.get(self.value())
        return rule() if rule else queryset


@admin.register(Milestone)
class MilestoneAdmin(ActionWithPhaseMixin, PlainHistoryMixin, SimpleHistoryAdmin):
    list_display = ["title", "action", "order", "due_date", "done_on"]
    list_filter = [LateFilter, "action__axis"]
    search_fields = ["title", "note", "action__code", "action__title"]
    autocomplete_fields = ["action"]
    list_select_related = ["action__phase"]
    fields = ["action", "order", "title", ("due_date", "done_on"), "note"]
    history_list_display = ["title", "due_date", "done_on"]

    def save_model(self, request, obj, form, change):
        if change and form.has_changed():
            obj.version += 1
        super().save_model(request, obj, form, change)
