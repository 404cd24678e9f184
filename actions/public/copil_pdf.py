"""The public documents of a COPIL meeting: its relevé de décisions and its dossier de séance,
as an HTML page and as a PDF (the staff versions are in `actions.staff.copil`).

Only public meetings have them, and they hold only what the public pages show (see
`actions.copil_documents`): one cached copy serves every visitor, staff included.
"""

from django.shortcuts import get_object_or_404, render
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


def _public_meeting(pk):
    return get_object_or_404(meeting_queryset(public=True), pk=pk)


@pagecache.cache_params()
def document_page(request, pk, kind):
    """The public document as a page of the site (the HTML version of the PDF)."""
    meeting = _public_meeting(pk)
    context = document_context(kind, meeting, public=True, today=timezone.localdate())
    context["pdf_url"] = reverse(f"actions:copil_{kind}_pdf", args=[meeting.pk])
    return render(request, "actions/copil_document.html", context)


def document_pdf(request, pk, kind):
    """The public document as a PDF, cached until the next write (and the next day: the dossier
    counts late and stale actions on the day it is generated)."""
    meeting = _public_meeting(pk)
    today = timezone.localdate()
    page_url = reverse(f"actions:copil_{kind}", args=[meeting.pk])

    def build():
        return render_pdf(document_context(kind, meeting, public=True, today=today), page_url)

    name = f"copil-{kind}:{meeting.pk}:{today.isoformat()}"
    return pdf.response(request, name, filename(kind, meeting), build)


urlpatterns = document_urls(document_page, document_pdf)
