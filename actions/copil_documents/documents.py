"""What the two documents of a COPIL meeting share: their labels, their addresses and file
names, the meetings a version may show, the context of either document (the same for the HTML
page and the PDF) and the PDF rendering. The documents themselves are in `releve` and `dossier`.
"""

from django.db.models import OuterRef, Subquery
from django.urls import path

from programme.models import CopilMeeting
from teritoire import identity, pdf

from .dossier import dossier
from .releve import releve

DOCUMENTS = {
    "releve": {
        "title": "Relevé de décisions",
        "description": "les organisations présentes et les décisions, avec leur responsable, "
        "leur échéance, leur statut et les actions concernées",
        "body": "pdf/_releve_body.html",
        "file": "releve-de-decisions",
    },
    "dossier": {
        "title": "Dossier de séance",
        "description": "l'ordre du jour, l'état du plan d'actions par axe, les actions à "
        "surveiller, les décisions en attente, le budget de l'année et les changements depuis "
        "le dernier plan validé",
        "body": "pdf/_dossier_body.html",
        "file": "dossier-de-seance",
    },
}


def document_context(kind, meeting, *, public, today):
    """The document's data and its labels, for the HTML page as for the PDF."""
    if kind == "releve":
        data = releve(meeting, public=public)
    else:
        data = dossier(meeting, public=public, today=today)
    return {**data, "document": {"kind": kind, **DOCUMENTS[kind]}}


def document_urls(page_view, pdf_view):
    """The four addresses of a meeting's documents (HTML and PDF of each), for a urls module."""
    patterns = []
    for kind, slug in (("releve", "releve-de-decisions"), ("dossier", "dossier-de-seance")):
        kwargs = {"kind": kind}
        patterns += [
            path(f"copil/<int:pk>/{slug}/", page_view, kwargs, name=f"copil_{kind}"),
            path(f"copil/<int:pk>/{slug}.pdf", pdf_view, kwargs, name=f"copil_{kind}_pdf"),
        ]
    return patterns


def filename(kind, meeting, staff=False):
    suffix = "-equipe" if staff else ""
    return f"{DOCUMENTS[kind]['file']}-{meeting.date:%Y-%m-%d}{suffix}.pdf"


def render_pdf(context, page_url):
    """The PDF bytes of a document whose data is `context`."""
    return pdf.render(
        "pdf/copil_document.html",
        {
            **context,
            "site_name": identity.site_name(),
            "logo_url": pdf.static_url("img/logo.svg"),
            "page_url": identity.absolute_url(page_url),
            "link_prefix": identity.site_url(),
        },
    )


def meeting_queryset(public):
    """The meetings the version may show, each with `next_meeting_date`: the date of the next
    meeting of its phase and world that the same version may show (None without any)."""
    meetings = CopilMeeting.objects.public() if public else CopilMeeting.objects.all()
    following = (
        meetings.filter(
            phase_id=OuterRef("phase_id"), date__gt=OuterRef("date"), is_demo=OuterRef("is_demo")
        )
        .exclude(status=CopilMeeting.Status.CANCELLED)
        .order_by("date", "pk")
        .values("date")[:1]
    )
    return meetings.select_related("phase").annotate(next_meeting_date=Subquery(following))
