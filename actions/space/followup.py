"""Partner space, follow-up: progress notes, indicator measurements, documents and downloads.

Each form that creates a row (a note, a measurement, a document) carries a one-time token, a
random UUID in a hidden field, stored with the row under a unique constraint: the same form sent
twice (a double click, a retry, two requests at once) creates one row, and the second answer is
the first one's (see `create_once`). A form sent without a token (a page opened before tokens
existed) is written as before, without that guard.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..models import Action, Document, Measurement, ProgressUpdate
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


# --------------------------------------------------------------------------- one-time tokens


def posted_token(request):
    """The form's one-time token, or None when the POST has none (or not a UUID)."""
    try:
        return uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None


def page_token(request):
    """The token of the form on the page: the one sent when the form is shown again (nothing
    was created with it), else a new one."""
    return posted_token(request) or uuid.uuid4()


def create_once(rows, token, create):
    """`create(token)` in a transaction, unless this form was sent before; the row either way.

    `rows` are the rows this user may have created with this form (theirs, on this action). A
    first submission's row found there is returned and nothing is created. A twin sent at the
    same moment fails on the unique constraint (PostgreSQL makes it wait for the first one's
    commit), or on the action's version for a note that changes the status: it finds the first
    one's row then. A token found on someone else's row is no resubmission of this form: the row
    is created without it.
    """
    if token is not None:
        sent = rows.model._default_manager.filter(form_token=token).values_list("pk", flat=True)
        if sent:
            twin = rows.filter(pk=sent[0]).first()
            if twin is not None:
                return twin
            token = None
    try:
        with transaction.atomic():
            return create(token)
    except (IntegrityError, VersionConflict):
        twin = rows.filter(form_token=token).first() if token else None
        if twin is None:
            raise
        return twin


# --------------------------------------------------------------------------- the forms


@never_cache
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

        def create(token):
            note = add_progress_note(
                action,
                user=user,
                date=cleaned["date"],
                text=cleaned["text"],
                status=cleaned.get("status_after") or None,
                progress=cleaned.get("progress_after"),
                version=cleaned.get("version"),
            )
            if token is not None:  # add_progress_note's transaction is not committed yet
                ProgressUpdate.objects.filter(pk=note.pk).update(form_token=token)
            return note

        rows = ProgressUpdate.objects.filter(action=action, author=user)
        try:
            create_once(rows, posted_token(request), create)
        except VersionConflict:
            form, status = _note_conflict(request, action.pk, can_change_status), 409
        else:
            messages.success(request, "La note de suivi est publiée.")
            return redirect("space:action", pk=action.pk)
    context = {"action": action, "form": form, "form_token": page_token(request)}
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


@never_cache
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

            def create(token):
                measurement = form.save(commit=False)
                measurement.author = user
                measurement._history_user = user
                measurement.form_token = token
                measurement.save()
                return measurement

            rows = Measurement.objects.filter(indicator__action=action, author=user)
            measurement = create_once(
                rows.select_related("indicator"), posted_token(request), create
            )
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
    context["form_token"] = page_token(request)
    return render(request, "space/measurement_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@action_view(can_upload_documents, CONTRIBUTORS_ONLY)
def document_create(request, action):
    user = request.user
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():

            def create(token):
                document = form.save(commit=False)
                document.action = action
                document.original_name = form.original_name
                document.uploaded_by = user
                document._history_user = user
                document.form_token = token
                try:
                    document.save()
                except IntegrityError:
                    document.file.delete(save=False)  # stored before the refused INSERT
                    raise
                return document

            rows = Document.objects.filter(action=action, uploaded_by=user)
            document = create_once(rows, posted_token(request), create)
            messages.success(request, f"Le document « {document.title} » est déposé.")
            return redirect("space:action", pk=action.pk)
    else:
        form = DocumentForm(initial={"visibility": Document.Visibility.PARTNERS})
    context = {"action": action, "form": form, "form_token": page_token(request)}
    return render(request, "space/document_form.html", context)


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
