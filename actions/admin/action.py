"""The fiche action admin: the chef de projet's daily list, bulk changes, import and export."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from teritoire.templatetags.portal import euros, percent

from ..models import (
    HISTORY_M2M_FIELDS,
    Action,
    Document,
    Funding,
    Indicator,
    ProgressUpdate,
    Status,
)
from ..spreadsheet.resources import FORMATS, ActionResource
from ..spreadsheet.template import template_csv, template_workbook
from ..staff.queries import last_update_subquery, stale_actions
from .stamps import StampInlinesMixin

STALE_DAYS = 90


def current_version(action_pk):
    return Action.objects.filter(pk=action_pk).values_list("version", flat=True).first()


class ActionAdminForm(forms.ModelForm):
    """Refuses to save over a change someone made since the form was opened."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "phase", "axis", "code", "title", "slug", "summary", "description", "objectives",
            "status", "priority", "progress", "start_date", "end_date", "pilot", "partners",
            "intercommunalities", "decisions", "is_public", "is_archived",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = current_version(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None and loaded != current_version(self.instance.pk):
            raise ValidationError(
                "Cette fiche a été modifiée par quelqu'un d'autre depuis l'ouverture de ce "
                "formulaire. Ouvrez-la à nouveau pour voir ces changements, puis refaites les "
                "vôtres."
            )
        return cleaned


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


class StaleFilter(admin.SimpleListFilter):
    title = "suivi"
    parameter_name = "suivi"

    def lookups(self, request, model_admin):
        return [("sans-nouvelles", f"Sans note de suivi depuis {STALE_DAYS} jours")]

    def queryset(self, request, queryset):
        if self.value() == "sans-nouvelles":
            return queryset.filter(pk__in=stale_actions(STALE_DAYS).values("pk"))
        return queryset


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0
    fields = ["year", "funder", "kind", "planned_amount", "actual_amount"]
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


class ProgressUpdateInline(admin.StackedInline):
    model = ProgressUpdate
    extra = 0
    fields = [("date", "author"), "text", ("status_before", "status_after", "progress_after")]
    readonly_fields = ["author"]
    ordering = ["-date", "-pk"]


def status_action(status):
    def change_status(modeladmin, request, queryset):
        modeladmin.change_status(request, queryset, status)

    change_status.__name__ = f"set_status_{status.value}"
    return admin.action(description=f"Passer au statut « {status.label} »", permissions=["change"])(
        change_status
    )


@admin.register(Action)
class ActionAdmin(StampInlinesMixin, ImportMixin, ExportActionMixin, SimpleHistoryAdmin):
    form = ActionAdminForm
    list_display = [
        "code",
        "title",
        "axis_number",
        "status",
        "progress_display",
        "pilot",
        "current_budget",
        "last_update",
        "is_public",
    ]
    list_display_links = ["code", "title"]
    list_filter = [
        "phase",
        "axis",
        "status",
        "priority",
        ("pilot", admin.RelatedOnlyFieldListFilter),
        "intercommunalities",
        FundingYearFilter,
        StaleFilter,
        "is_public",
        "is_archived",
    ]
    search_fields = ["code", "title", "summary", "pilot__name", "pilot__acronym"]
    list_select_related = ["axis", "pilot"]
    list_per_page = 50
    ordering = ["-phase__number", "code_sort", "pk"]
    prepopulated_fields = {"slug": ["code", "title"]}
    autocomplete_fields = ["phase", "axis", "pilot", "partners", "intercommunalities", "decisions"]
    readonly_fields = ["version", "created_at", "updated_at", "updated_by"]
    inlines = [FundingInline, IndicatorInline, ProgressUpdateInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["phase", "axis", "code", "title", "slug", "summary", "loaded_version"]}),
        ("Suivi", {"fields": [("status", "priority", "progress"), ("start_date", "end_date")]}),
        ("Acteurs", {"fields": ["pilot", "partners", "intercommunalities", "decisions"]}),
        ("Contenu", {"fields": ["description", "objectives"], "classes": ["collapse"]}),
        ("Publication", {"fields": [("is_public", "is_archived")]}),
        (
            "Informations",
            {"fields": [("version", "updated_by"), ("created_at", "updated_at")]},
        ),
    ]
    history_list_display = ["status", "progress"]
    actions = [status_action(status) for status in Status] + ["archive", "unarchive"]

    # import and export
    resource_classes = [ActionResource]
    import_formats = FORMATS
    export_formats = FORMATS
    export_form_class = ExportForm
    import_template_name = "admin/actions/action/import.html"
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"

    def get_queryset(self, request):
        year = timezone.localdate().year
        return (
            super()
            .get_queryset(request)
            .with_budget(year, name="current_budget")
            .annotate(last_update_on=last_update_subquery())
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
        return obj.last_update_on.strftime("%d/%m/%Y") if obj.last_update_on else "—"

    # writes

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if change:
            # Re-read under lock: a revert starts from an old version number.
            locked = Action.objects.select_for_update().filter(pk=obj.pk)
            obj.version = (locked.values_list("version", flat=True).first() or 0) + 1
        super().save_model(request, obj, form, change)

    def _save_bulk_change(self, request, action, reason):
        """One action of a bulk change, locked by the caller: a new version, historised, logged."""
        action.version += 1
        action.updated_by = request.user
        action._change_reason = reason
        action.save()
        self.log_change(request, action, reason)

    def change_status(self, request, queryset, status):
        changed = 0
        with transaction.atomic():
            for action in queryset.select_for_update().order_by("pk"):
                if action.status == status:
                    continue
                action.status = status
                self._save_bulk_change(
                    request, action, f"Statut passé à « {status.label} » (action groupée)"
                )
                changed += 1
        unchanged = queryset.count() - changed
        message = f"{changed} fiche(s) passée(s) au statut « {status.label} »."
        if unchanged:
            message += f" {unchanged} fiche(s) y étai(en)t déjà."
        self.message_user(request, message, messages.SUCCESS)

    def _set_archived(self, request, queryset, archived):
        label = "archivée" if archived else "désarchivée"
        changed = 0
        with transaction.atomic():
            for action in queryset.select_for_update().filter(is_archived=not archived):
                action.is_archived = archived
                self._save_bulk_change(request, action, f"Fiche {label} (action groupée)")
                changed += 1
        self.message_user(request, f"{changed} fiche(s) {label}(s).", messages.SUCCESS)

    @admin.action(description="Archiver les fiches sélectionnées", permissions=["change"])
    def archive(self, request, queryset):
        self._set_archived(request, queryset, True)

    @admin.action(description="Désarchiver les fiches sélectionnées", permissions=["change"])
    def unarchive(self, request, queryset):
        self._set_archived(request, queryset, False)

    # import: template download, all-or-nothing confirmation

    def get_urls(self):
        urls = [
            path(
                "modele-import.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name="actions_action_import_template",
            ),
        ]
        return urls + super().get_urls()

    def import_template_view(self, request, extension):
        if not self.has_import_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        if extension == "xlsx":
            response = HttpResponse(
                template_workbook(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        elif extension == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        else:
            messages.error(request, "Modèle disponible en XLSX ou en CSV seulement.")
            return HttpResponseRedirect(reverse("admin:actions_action_import"))
        response["Content-Disposition"] = (
            f'attachment; filename="modele-import-fiches-actions.{extension}"'
        )
        return response

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert form shows the relations (partners, CC, decisions) as they were then."""
        request.history_record = get_object_or_404(
            Action.history.model, id=object_id, history_id=version_id
        )
        return super().history_form_view(request, object_id, version_id, extra_context)

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

    def process_import(self, request, **kwargs):
        """Confirm a previewed import; a stale or forged confirmation gets a French message.

        The previewed file is kept under a random name in the shared media storage
        (IMPORT_EXPORT_TMP_STORAGE_CLASS) and removed once imported: confirming twice (double
        click, back button) finds nothing, and a name that is not one we made is never opened.
        """
        name = request.POST.get("import_file_name", "")
        format_index = request.POST.get("format", "")
        valid = (
            re.fullmatch(r"[0-9a-f]{32}", name)
            and format_index.isascii()
            and format_index.isdigit()
            and int(format_index) < len(self.get_import_formats())
        )
        if valid and self.has_import_permission(request):
            try:
                return super().process_import(request, **kwargs)
            except FileNotFoundError:
                pass
        elif not self.has_import_permission(request):
            raise PermissionDenied
        messages.error(
            request,
            "Ce fichier a déjà été importé ou n'est plus disponible : importez-le à nouveau.",
        )
        return HttpResponseRedirect(reverse("admin:actions_action_import"))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                "Import annulé : le fichier contient des erreurs, aucune fiche n'a été "
                "modifiée. Importez-le à nouveau pour voir le détail.",
            )
            return HttpResponseRedirect(reverse("admin:actions_action_import"))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        self.message_user(
            request,
            "Import terminé : {} ligne(s) nouvelle(s), {} mise(s) à jour, {} inchangée(s).".format(
                totals["new"], totals["update"], totals["skip"]
            ),
            messages.SUCCESS,
        )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """Numbers and dates as real spreadsheet cells in XLSX (our XLSX is a subclass)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = isinstance(file_format, base_formats.XLSX)
        data = self.get_data_for_export(request, queryset, force_native_type=native, **kwargs)
        return file_format.export_data(data)

    def get_export_filename(self, request, queryset, file_format):
        date = timezone.localdate().strftime("%Y-%m-%d")
        return f"fiches-actions-{date}.{file_format.get_extension()}"
