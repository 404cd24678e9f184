"""Spreadsheet import and export of the action plan in the admin (django-import-export).

The import is previewed, then confirmed. The preview reads the version of every action the file
touches; the confirmation form carries them, signed, and the import refuses any row whose action
changed in between, naming it (see `actions.spreadsheet.versions`): an import never silently
undoes what a partner saved after the preview.
"""

import re

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ExportForm

from ..spreadsheet.formats import FORMATS
from ..spreadsheet.resources import ActionResource
from ..spreadsheet.template import template_csv, template_workbook

VERSIONS_SALT = "actions.import.previewed-versions"
ERRORS_LISTED = 10


class VersionedConfirmImportForm(ConfirmImportForm):
    versions = forms.CharField(widget=forms.HiddenInput, required=False)


class SpreadsheetMixin(ImportMixin, ExportActionMixin):
    resource_classes = [ActionResource]
    import_formats = FORMATS
    export_formats = FORMATS
    export_form_class = ExportForm
    confirm_form_class = VersionedConfirmImportForm
    import_template_name = "admin/actions/action/import.html"
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"

    def get_actions(self, request):
        """The export of the selected fiches, named in plain French in the actions menu."""
        actions = super().get_actions(request)
        if "export_admin_action" in actions:
            function, name, _ = actions["export_admin_action"]
            actions["export_admin_action"] = (
                function,
                name,
                "Exporter les fiches sélectionnées (tableur)",
            )
        return actions

    def get_import_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, **kwargs)
        previewed = getattr(request, "import_previewed_versions", None)
        if previewed is not None:
            kwargs["previewed_versions"] = previewed
        else:
            request.import_seen_versions = kwargs["seen_versions"] = {}
        return kwargs

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            payload = {
                "file": initial["import_file_name"],
                "versions": getattr(request, "import_seen_versions", {}),
            }
            initial["versions"] = signing.dumps(payload, salt=VERSIONS_SALT)
        return initial

    def _previewed_versions(self, request, name):
        """The versions the preview of the file `name` read, or None if the form lost them."""
        try:
            payload = signing.loads(request.POST.get("versions", ""), salt=VERSIONS_SALT)
        except signing.BadSignature:
            return None
        if not isinstance(payload, dict) or payload.get("file") != name:
            return None
        return payload.get("versions")

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
            # A confirmation without the versions its preview read is no confirmation of it.
            request.import_previewed_versions = self._previewed_versions(request, name)
            if request.import_previewed_versions is not None:
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
            for text in row_errors(result)[:ERRORS_LISTED]:
                messages.error(request, text)
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


def row_errors(result):
    """« Ligne N du tableur : message » for each refused row (the header is line 1)."""
    texts = []
    for row in result.invalid_rows:
        sheet = getattr(row, "sheet", None)  # a row of the « Jalons » sheet names it
        where = f"de l'onglet « {sheet} »" if sheet else "du tableur"
        for messages_of_field in row.error_dict.values():
            texts.extend(f"Ligne {row.number + 1} {where} : {m}" for m in messages_of_field)
    for number, row in result.row_errors():
        texts.extend(f"Ligne {number + 1} du tableur : {error.error}" for error in row)
    return texts
