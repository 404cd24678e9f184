"""Open data: the milestones (jalons) of public actions, as CSV and XLSX (/donnees/jalons.csv,
/donnees/jalons.xlsx), and within each action of the JSON file (key `jalons`).

Only the milestones of public actions (`Milestone.objects.public()`); a text cell never starts a
spreadsheet formula (the CSV and XLSX writers of `writers`). The state (atteint, en retard, à
venir) is computed on the day the file is generated.
"""

from operator import attrgetter

from django.utils import timezone
from django.views.decorators.http import require_safe

from teritoire import identity

from ..fields import Column
from ..models import Milestone
from . import exports

MILESTONE_COLUMNS = [
    Column("action_code", "text", "Code de la fiche action.", "2.3",
           read=attrgetter("action.code")),
    Column("action_slug", "text", "Identifiant stable de la fiche action (colonne slug).", "",
           read=attrgetter("action.slug")),
    Column("ordre", "integer", "Rang du jalon dans la fiche action.", "1",
           read=attrgetter("order")),
    Column("jalon", "text", "Intitulé du jalon.", read=attrgetter("title")),
    Column("echeance", "date", "Échéance du jalon (AAAA-MM-JJ).", "2025-06-30",
           read=attrgetter("due_date")),
    Column("atteint_le", "date", "Date à laquelle le jalon a été atteint ; vide sinon.",
           "2025-06-12", read=attrgetter("done_on")),
    Column("etat", "text",
           "Code de l'état le jour de la génération du fichier : done (atteint), late (échéance "
           "passée sans être atteint) ou upcoming (à venir).", "late",
           read=lambda m: m.state(timezone.localdate()).value),
    Column("etat_libelle", "text", "État en clair : Atteint, En retard ou À venir.", "En retard",
           read=lambda m: m.state(timezone.localdate()).label),
    Column("note", "text", "Note du pilote sur le jalon.", read=attrgetter("note")),
    Column("demonstration", "text",
           "oui si le jalon est celui d'une fiche de démonstration (fictive), non sinon.", "non",
           read=lambda m: "oui" if m.action.is_demo else "non"),
]  # fmt: skip

# In the JSON file, each action's milestones without the columns that name the action.
NESTED = [column for column in MILESTONE_COLUMNS if not column.name.startswith("action_")]


def milestone_record(milestone, columns=MILESTONE_COLUMNS):
    return exports._record(columns, milestone)


def public_milestones():
    """The milestones of public actions, with their action, by action then order."""
    return (
        Milestone.objects.public()
        .select_related("action")
        .order_by("action__code_sort", "action__pk", "order", "due_date", "pk")
    )


@require_safe
def milestones_csv(request):
    from . import writers  # writers imports this module for the JSON file

    rows = exports.iterate(public_milestones())
    records = (milestone_record(milestone) for milestone in rows)
    name = f"jalons-{identity.slug()}.csv"
    return exports_open(writers.csv_response(MILESTONE_COLUMNS, records, name))


@require_safe
def milestones_xlsx(request):
    from . import writers

    rows = exports.iterate(public_milestones())
    records = (milestone_record(milestone) for milestone in rows)
    name = f"jalons-{identity.slug()}.xlsx"
    return exports_open(writers.table_xlsx_response("Jalons", MILESTONE_COLUMNS, records, name))


def exports_open(response):
    """Open data may be read by any web page (CORS); it is public anyway."""
    response["Access-Control-Allow-Origin"] = "*"
    return response
