"""Partner space, follow-up: progress notes, indicator measurements, documents and downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from ..models import Action, Document
from ..perms import (
    can_change_status_in_note,
    can_contribute,
    can_remove_document,
    can_upload_documents,
    can_view_document,
)
from ..writes import VersionConflict, add_progress_note
from .forms import DocumentForm, MeasurementForm, ProgressUpdateForm
from .uploads import content_type_for, safe_original_name
from .views import _get_action, action_view, forbidden

CONTRIBUTORS_ONLY = (
    "Seuls les contributeurs des structures pilote et partenaires de l'action et l'équipe "
    "projet peuvent ajouter des notes de suivi, des mesures et des documents."
)


@login_required
@require_http_methods(["GET", "POST"])
@action_view(can_contribute, CONTRIBUTORS_ONLY)
def update_create(request, action):
    user = request.user
    can_change_status = can_change_status_in_note(user, action)
    data = request.POST if request.method == "POST" else None
    form = ProgressUpdateForm(
        data, can_change_status=can_change_status, initial={"version": action.version}
    )
    status = 200
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            add_progress_note(
                action,
                user=user,
                date=cleaned["date"],
                text=cleaned["text"],
                status=cleaned.get("status_after") or None,
                progress=cleaned.get("progress_after"),
                version=cleaned.get("version"),
            )
        except VersionConflict:
            form, status = _note_conflict(request, action.pk, can_change_status), 409
        else:
            messages.success(request, "La note de suivi est publiée.")
            return redirect("space:action", pk=action.pk)
    context = {"action": action, "form": form}
    return render(request, "space/update_form.html", context, status=status)


def _note_conflict(request, pk, can_change_status):
    """The note as typed, against the fiche as it is now, with what changed in between."""
    current = Action.objects.get(pk=pk)
    data = request.POST.copy()
    data["version"] = current.version
    form = ProgressUpdateForm(data, can_change_status=can_change_status)
    form.is_valid()
    form.add_error(
        None,
        "La fiche a été modifiée par quelqu'un d'autre pendant votre saisie : son statut est "
        f"maintenant « {current.get_status_display()} » et son avancement "
        f"{current.progress} %. Votre note est conservée : vérifiez le statut et "
        "l'avancement, puis publiez-la à nouveau.",
    )
    return form


@login_required
@require_http_methods(["GET", "POST"])
@action_view(can_contribute, CONTRIBUTORS_ONLY)
def measurement_create(request, action):
    user = request.user
    indicators = list(action.indicators.all())
    if request.method == "POST":
        raw = request.POST.get("indicator", "")
        # An indicator of another action is refused as if it did not exist.
        if raw and raw not in {str(indicator.pk) for indicator in indicators}:
            raise Http404("Aucun indicateur ne correspond.")
        form = MeasurementForm(request.POST, action=action)
        if form.is_valid():
            with transaction.atomic():
                measurement = form.save(commit=False)
                measurement.author = user
                measurement._history_user = user
                measurement.save()
            messages.success(
                request, f"La mesure de l'indicateur « {measurement.indicator.name} » est ajoutée."
            )
            return redirect("space:action", pk=action.pk)
    else:
        preselected = request.GET.get("indicateur", "")
        initial = {}
        if preselected in {str(indicator.pk) for indicator in indicators}:
            initial["indicator"] = preselected
        form = MeasurementForm(action=action, initial=initial)
    context = {"action": action, "form": form, "indicators": indicators}
    return render(request, "space/measurement_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@action_view(can_upload_documents, CONTRIBUTORS_ONLY)
def document_create(request, action):
    user = request.user
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            with transaction.atomic():
                document = form.save(commit=False)
                document.action = action
                document.original_name = form.original_name
                document.uploaded_by = user
                document._history_user = user
                document.save()
            messages.success(request, f"Le document « {document.title} » est déposé.")
            return redirect("space:action", pk=action.pk)
    else:
        form = DocumentForm(initial={"visibility": Document.Visibility.PARTNERS})
    return render(request, "space/document_form.html", {"action": action, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk):
    document = get_object_or_404(
        Document.objects.select_related("action", "uploaded_by"), pk=pk, action__isnull=False
    )
    action = _get_action(request, document.action_id)
    document.action = action
    if not can_view_document(request.user, document):
        raise Http404("Aucun document ne correspond à cette adresse.")
    if not can_remove_document(request.user, document):
        return forbidden(
            request,
            action,
            "Seuls les contributeurs de la structure pilote, l'équipe projet et la personne "
            "qui a déposé le document peuvent le retirer.",
        )
    if request.method == "POST":
        title = document.title
        with transaction.atomic():
            document._history_user = request.user
            # The row goes (its deletion is in the history); the file stays in storage so that
            # staff can restore the document from the history.
            document.delete()
        messages.success(request, f"Le document « {title} » est retiré.")
        return redirect("space:action", pk=action.pk)
    return render(
        request, "space/document_confirm_delete.html", {"action": action, "document": document}
    )


@require_GET
def document_download(request, pk):
    """Send a document as an attachment if the visitor may see it; 404 otherwise."""
    document = get_object_or_404(Document.objects.select_related("action", "meeting"), pk=pk)
    if not can_view_document(request.user, document):
        raise Http404("Aucun document ne correspond à cette adresse.")
    name = safe_original_name(document.original_name or document.file.name)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as error:
        raise Http404("Le fichier de ce document est introuvable.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=content_type_for(name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    if document.visibility != Document.Visibility.PUBLIC:
        patch_cache_control(response, private=True, no_store=True)
    return response
