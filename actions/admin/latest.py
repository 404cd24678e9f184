"""An action's notes and documents on its change form: never their whole lists.

Listed as editable inline rows, an action with 150 notes and 150 documents made a form of about
2,300 fields, more than Django accepts in one POST (DATA_UPLOAD_MAX_NUMBER_FIELDS, kept at its
default): the save failed with a 400. The form shows the latest few read-only, each linked to its
own page, with a link to the full list filtered on the action; its inlines only add new rows
(`AddOnlyInline`).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join

LATEST = 5
EXCERPT = 80


class AddOnlyInline:
    """An inline for new rows only: the existing ones, unbounded in number, are not listed."""

    def get_queryset(self, request):
        return super().get_queryset(request).none()


def _excerpt(text):
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _latest(rows, total, describe, change_name, all_label, changelist_name, action):
    """The latest rows, each linked to its change page, then the link to the whole list."""
    if not total:
        return None
    items = format_html_join(
        "",
        '<li><a href="{}">{}</a></li>',
        ((reverse(change_name, args=[row.pk]), describe(row)) for row in rows),
    )
    changelist = reverse(changelist_name) + f"?action__id__exact={action.pk}"
    return format_html(
        '<ul class="latest">{}</ul><p><a href="{}">{} ({})</a></p>',
        items,
        changelist,
        all_label,
        number_format(total, force_grouping=True),
    )


class LatestFollowUpMixin:
    """Read-only fields `latest_updates` and `latest_documents` for the action admin."""

    @admin.display(description="notes de suivi")
    def latest_updates(self, action):
        if action is None or action.pk is None:
            return "Enregistrez la fiche pour lui ajouter des notes de suivi."
        updates = action.updates.select_related("author").order_by("-date", "-pk")

        def describe(note):
            when = date_format(note.date, "SHORT_DATE_FORMAT")
            who = f" · {note.author}" if note.author else ""
            return f"{when}{who} · {_excerpt(note.text)}"

        return (
            _latest(
                updates[:LATEST],
                updates.count(),
                describe,
                "admin:actions_progressupdate_change",
                "Toutes les notes de suivi de la fiche",
                "admin:actions_progressupdate_changelist",
                action,
            )
            or "Aucune note de suivi."
        )

    @admin.display(description="documents")
    def latest_documents(self, action):
        if action is None or action.pk is None:
            return "Enregistrez la fiche pour lui ajouter des documents."
        documents = action.documents.order_by("-uploaded_at", "-pk")

        def describe(document):
            when = date_format(document.uploaded_at, "SHORT_DATE_FORMAT")
            return f"{document.title} · {document.get_visibility_display()} · {when}"

        return (
            _latest(
                documents[:LATEST],
                documents.count(),
                describe,
                "admin:actions_document_change",
                "Tous les documents de la fiche",
                "admin:actions_document_changelist",
                action,
            )
            or "Aucun document."
        )
