"""The staff versions of a COPIL meeting's documents: every action, public or not, every
decision, the update campaign's completion; for any meeting, public or not.

Staff only, with the permission to view COPIL meetings. A staff document is never kept in the
shared cache (`teritoire.pdf.cached` serves the same bytes to whoever asks the same name): it is
generated at each request.
"""

import logging

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from teritoire import pagecache, pdf

from ..copil_documents.documents import (
    document_context,
    document_urls,
    filename,
    meeting_queryset,
    render_pdf,
)

logger = logging.getLogger(__name__)


def _meeting(request, pk):
    if not request.user.has_perm("programme.view_copilmeeting"):
        raise PermissionDenied
    return get_object_or_404(meeting_queryset(public=False), pk=pk)


@staff_member_required
def document_page(request, pk, kind):
    """The staff document inside the admin's layout (the HTML version of its PDF)."""
    meeting = _meeting(request, pk)
    context = document_context(kind, meeting, public=False, today=timezone.localdate())
    context.update(
        admin.site.each_context(request),
        title=f"{context['document']['title']} — {meeting}",
        pdf_url=reverse(f"staff:copil_{kind}_pdf", args=[meeting.pk]),
        public_pdf_url=(
            reverse(f"actions:copil_{kind}_pdf", args=[meeting.pk]) if meeting.is_public else ""
        ),
    )
    return render(request, "staff/copil_document.html", context)


@staff_member_required
def document_pdf(request, pk, kind):
    """The staff document as a PDF, generated afresh."""
    meeting = _meeting(request, pk)
    pagecache.do_not_store(request)
    context = document_context(kind, meeting, public=False, today=timezone.localdate())
    try:
        content = render_pdf(context, reverse(f"staff:copil_{kind}", args=[meeting.pk]))
    except pdf.Unavailable:
        logger.warning("PDF demandé mais WeasyPrint n'est pas installé : %s", request.path)
        page = render_to_string("pdf/unavailable.html", request=request)
        return HttpResponse(page, status=503, headers={"Retry-After": "3600"})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(kind, meeting, staff=True)}"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = document_urls(document_page, document_pdf)
