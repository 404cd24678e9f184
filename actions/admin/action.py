"""The fiche action admin: the chef de projet's daily list, bulk changes, import and export."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from programme.models import Axis
from teritoire.templatetags.portal import euros, percent
from teritoire.text import RefuseControlCharacters
from teritoire.views import current_phase

from ..models import (
    HISTORY_M2M_FIELDS,
    STALE_AFTER_DAYS,
    Action,
    Document,
    Funding,
    Indicator,
    ProgressUpdate,
)
from ..writes import VersionConflict, save_action
from .bulk import BulkChangesMixin
from .funding_forms import FundingAdminForm
from .history import PlainHistoryMixin
from .latest import AddOnlyInline, LatestFollowUpMixin
from .milestones import MilestoneInline
from .spreadsheet import SpreadsheetMixin
from .stamps import StampInlinesMixin

# The name of the « Publier » button of the change form.
PUBLISH = "_publish"

CONFLICT = (
    "Cette fiche a été modifiée par quelqu'un d'autre depuis l'ouverture de ce formulaire. "
    "Ouvrez-la à nouveau pour voir ces changements, puis refaites les vôtres."
)


def axis_label(axis):
    """« Phase 1 — Axe 1 — Compétences »: each phase numbers its axes from 1."""
    return f"Phase {axis.phase.number} — {axis}"


def current_version(action_pk, lock=False):
    rows = Action.objects.filter(pk=action_pk)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("version", flat=True).first()


class ActionAdminForm(RefuseControlCharacters, forms.ModelForm):
    """Refuses to save over a change someone made since the form was opened, and text with
    control characters (`teritoire.text`).

    `clean` compares the version under a row lock (held until the admin's transaction ends, on
    PostgreSQL) for a message beside the form; `save_action` checks it again in its UPDATE.
    """

    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Le formulaire est incomplet : rechargez la fiche."},
    )

    class Meta:
        model = Action
        fields = [
            "phase", "axis", "code", "title", "slug", "summary", "description", "objectives",
            "status", "priority", "progress", "start_date", "end_date", "pilot", "partners",
            "intercommunalities", "decisions", "is_public", "is_archived",
            "needs", "how_to_apply", "eligibility", "referent_name", "referent_role",
            "referent_email", "referent_phone", "referent_consent",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = current_version(self.instance.pk)
        if "axis" in self.fields:
            # An axis of another phase is refused by `Action.clean`, beside this field.
            axis = self.fields["axis"]
            axis.queryset = axis.queryset.select_related("phase")
            axis.label_from_instance = axis_label

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        loaded = cleaned.get("loaded_version")
        if loaded is None and "loaded_version" not in self.errors:
            raise ValidationError(
                "Le formulaire est incomplet (version de la fiche manquante) : rechargez la "
                "fiche puis refaites vos changements."
            )
        if loaded is not None and loaded != current_version(self.instance.pk, lock=True):
            raise ValidationError(CONFLICT)
        return cleaned

    def own_changes(self):
        """The action's own fields as the form set them (relations are saved by the admin)."""
        own = {field.name for field in Action._meta.concrete_fields}
        return {name: getattr(self.instance, name) for name in self.fields if name in own}


class FundingYearFilter(admin.SimpleListFilter):
    title = "année de financement"
    parameter_name = "annee"

    def lookups(self, request, model_admin):
        years = Funding.objects.order_by("-year").values_list("year", flat=True).distinct()
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            funded = Funding.objects.filter(year=int(self.value())).values("action")
            return queryset.filter(pk__in=funded)
        return queryset


class AxisWithPhaseFilter(admin.RelatedFieldListFilter):
    """The axes named with their phase: « Phase 1 — Axe 1 — Attirer »."""

    def field_choices(self, field, request, model_admin):
        axes = Axis.objects.select_related("phase").order_by("phase__number", "number")
        return [(axis.pk, axis_label(axis)) for axis in axes]


class StaleFilter(admin.SimpleListFilter):
    title = "suivi"
    parameter_name = "suivi"

    def lookups(self, request, model_admin):
        return [("sans-nouvelles", f"Sans note de suivi depuis {STALE_AFTER_DAYS} jours")]

    def queryset(self, request, queryset):
        if self.value() == "sans-nouvelles":
            return queryset.filter(pk__in=Action.objects.stale().values("pk"))
        return queryset


class FundingInline(admin.TabularInline):
    model = Funding
    form = FundingAdminForm  # refuses a save over a change made since the page opened
    extra = 0
    # The decision's date and reference, the spent note and the dates: on the line's own page.
    fields = [
        "year", "funder", "kind", "planned_amount", "status", "granted_amount", "actual_amount",
        "paid_amount", "seen_version",
    ]  # fmt: skip
    autocomplete_fields = ["funder"]
    ordering = ["year", "funder__name", "kind"]
    show_change_link = True  # its own page has its history


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["name", "unit", "baseline", "target", "target_date"]
    show_change_link = True


class DocumentInline(admin.TabularInline):
    """The documents of an action (of a meeting in `copil`); uploader and date filled in."""

    model = Document
    fk_name = "action"
    extra = 0
    fields = ["title", "file", "visibility", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    show_change_link = True


class NewDocumentInline(AddOnlyInline, DocumentInline):
    """Adds documents to an action; its documents are listed by `latest_documents`."""

    show_change_link = False
    verbose_name_plural = "ajouter des documents"


class NewProgressUpdateInline(AddOnlyInline, admin.StackedInline):
    """Adds notes to an action; its notes are listed by `latest_updates`."""

    model = ProgressUpdate
    extra = 0
    fields = [("date", "author"), "text", ("status_before", "status_after", "progress_after")]
    readonly_fields = ["author"]
    verbose_name_plural = "ajouter des notes de suivi"


@admin.register(Action)
class ActionAdmin(
    BulkChangesMixin,
    SpreadsheetMixin,
    StampInlinesMixin,
    LatestFollowUpMixin,
    PlainHistoryMixin,
    SimpleHistoryAdmin,
):
    form = ActionAdminForm
    list_display = [
        "code_with_phase",
        "title",
        "axis_number",
        "status",
        "progress_display",
        "pilot",
        "current_budget",
        "last_update",
        "publication_state",
    ]
    list_display_links = ["code_with_phase", "title"]
    list_filter = [
        "phase",
        ("axis", AxisWithPhaseFilter),
        "status",
        "priority",
        ("pilot", admin.RelatedOnlyFieldListFilter),
        "intercommunalities",
        "needs",
        FundingYearFilter,
        StaleFilter,
        "is_public",
        "is_archived",
    ]
    search_fields = ["code", "title", "summary", "pilot__name", "pilot__acronym"]
    list_select_related = ["phase", "axis", "pilot"]
    list_per_page = 50
    ordering = ["-phase__number", "code_sort", "pk"]
    prepopulated_fields = {"slug": ["code", "title"]}
    # Phase and axis as plain lists (a few rows), each axis named with its phase.
    autocomplete_fields = ["pilot", "partners", "intercommunalities", "decisions", "needs"]
    readonly_fields = ["version", "created_at", "updated_at", "updated_by", "publication"]
    readonly_fields += ["latest_updates", "latest_documents"]
    # Notes and documents are unbounded lists: the latest few and links, never every row.
    inlines = [
        FundingInline, IndicatorInline, MilestoneInline, NewProgressUpdateInline, NewDocumentInline,
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["phase", "axis", "code", "title", "slug", "summary", "loaded_version"]}),
        ("Suivi", {"fields": [("status", "priority", "progress"), ("start_date", "end_date")]}),
        ("Acteurs", {"fields": ["pilot", "partners", "intercommunalities", "decisions"]}),
        ("Contenu", {"fields": ["description", "objectives"], "classes": ["collapse"]}),
        (
            "Entreprises : besoins et « Qui contacter »",
            {
                "fields": [
                    "needs",
                    "how_to_apply",
                    "eligibility",
                    ("referent_name", "referent_role"),
                    ("referent_email", "referent_phone"),
                    "referent_consent",
                ],
                "description": "Sans référent qui accepte d'être affiché, la fiche publique "
                "montre le contact public de l'organisation pilote.",
            },
        ),
        ("Publication", {"fields": ["publication", ("is_public", "is_archived")]}),
        ("Notes de suivi et documents", {"fields": ["latest_updates", "latest_documents"]}),
        (
            "Informations",
            {"fields": [("version", "updated_by"), ("created_at", "updated_at")]},
        ),
    ]
    history_list_display = ["status", "progress"]
    history_hidden_fields = ["updated_by"]  # the history's « Par » column

    def get_queryset(self, request):
        year = timezone.localdate().year
        return (
            super()
            .get_queryset(request)
            # The phase names the fiche in lists and searches (« P1 · 1.1 — … »); the changelist
            # adds `list_select_related` only to a queryset that has none, so all of it here.
            .select_related(*self.list_select_related)
            .with_budget(year, name="current_budget")
            .with_last_update()
        )

    def get_changeform_initial_data(self, request):
        """A new fiche starts in the current phase."""
        initial = super().get_changeform_initial_data(request)
        if "phase" not in initial:
            phase = current_phase(timezone.localdate())
            if phase is not None:
                initial["phase"] = phase.pk
        return initial

    @admin.display(description="code", ordering="code_sort")
    def code_with_phase(self, obj):
        return obj.phase_code

    @admin.display(description="publication", ordering="is_public")
    def publication_state(self, obj):
        return "Publiée" if obj.is_public else "Brouillon"

    @admin.display(description="état")
    def publication(self, obj):
        """Draft or published, and the « Publier » button (it saves the form's changes too)."""
        if obj.pk and obj.is_public:
            archived = " (mais archivée, donc retirée du site)" if obj.is_archived else ""
            return f"Publiée\u00a0: visible de tous{archived}."
        return format_html(
            '{} <button type="submit" name="{}" value="1" class="button">Publier</button>',
            "Brouillon\u00a0: seuls l'équipe projet et les partenaires de la fiche la "
            "voient\u00a0; «\u00a0Publier\u00a0» enregistre aussi vos changements.",
            PUBLISH,
        )

    @admin.display(description="axe", ordering="axis__number")
    def axis_number(self, obj):
        return obj.axis.number

    @admin.display(description="avancement", ordering="progress")
    def progress_display(self, obj):
        return percent(obj.progress)

    @admin.display(description="budget prévu de l'année", ordering="current_budget")
    def current_budget(self, obj):
        return euros(obj.current_budget) if obj.current_budget is not None else "—"

    @admin.display(description="dernière note de suivi", ordering="last_update_on")
    def last_update(self, obj):
        return date_format(obj.last_update_on, "SHORT_DATE_FORMAT") if obj.last_update_on else "—"

    # writes: every change of an existing fiche goes through `actions.writes.save_action`

    def save_model(self, request, obj, form, change):
        publish = PUBLISH in request.POST
        if not change:
            obj.updated_by = request.user
            obj.is_public = obj.is_public or publish
            super().save_model(request, obj, form, change)
            return
        changes = form.own_changes()
        if publish:
            changes["is_public"] = True
        saved = save_action(
            obj.pk,
            changes,
            expected_version=form.cleaned_data.get("loaded_version"),
            user=request.user,
            reason="Modifiée dans l'administration",
        )
        obj.version, obj.updated_by = saved.version, saved.updated_by

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict:
            # Someone saved between the form's check and the write (SQLite has no row lock).
            self.message_user(request, CONFLICT, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert form shows the relations (partners, CC, decisions) as they were then."""
        request.history_record = get_object_or_404(
            Action.history.model, id=object_id, history_id=version_id
        )
        try:
            # Atomic as the change form is: the version's row lock needs a transaction.
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except VersionConflict:
            self.message_user(request, CONFLICT, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        record = getattr(request, "history_record", None)
        if record is None or request.method != "GET":
            return form_class
        then = {
            name: list(
                getattr(record, name).values_list(
                    f"{Action._meta.get_field(name).related_model._meta.model_name}_id",
                    flat=True,
                )
            )
            for name in HISTORY_M2M_FIELDS
        }

        class HistoricForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(then)

        return HistoricForm
