"""Open data: the datasets' columns, and the actions and funding lines read for them.

The action's columns are declared once, in `actions.fields`; the funding line's are below. The
writers (`writers`, for CSV, XLSX and JSON) and the /donnees/ page read them from here; the COPIL
calendar (`ics`) documents its own fields. Querysets are read with `iterator()` in chunks, with
their prefetches, so memory stays flat with thousands of actions.
"""

from operator import attrgetter

from django.db.models import Prefetch

from partners.models import Organisation
from programme.models import Intercommunality
from teritoire.text import strip_control_characters

from ..fields import OPEN_DATA_COLUMNS, Column
from ..models import Funding, Milestone

CHUNK_SIZE = 500
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"

ACTION_COLUMNS = OPEN_DATA_COLUMNS

FUNDING_COLUMNS = [
    Column("action_code", "text", "Code de la fiche action financée.", "2.3",
           read=attrgetter("action.code")),
    Column("action_slug", "text", "Identifiant stable de la fiche action (colonne slug).", "",
           read=attrgetter("action.slug")),
    Column("annee", "integer", "Année budgétaire.", "2024", read=attrgetter("year")),
    Column("financeur", "text", "Nom de l'organisation qui finance.",
           read=attrgetter("funder.name")),
    Column("financeur_slug", "text", "Identifiant stable de l'organisation qui finance.",
           read=attrgetter("funder.slug")),
    Column("nature", "text", "Code de la nature : investment ou operating.", "operating",
           read=attrgetter("kind")),
    Column("nature_libelle", "text", "Nature en clair : Investissement ou Fonctionnement.",
           read=lambda funding: funding.get_kind_display()),
    Column("montant_prevu", "decimal", "Montant prévu, en euros.", "20000.00",
           read=attrgetter("planned_amount")),
    Column("montant_realise", "decimal",
           "Montant réalisé, en euros ; vide tant qu'il n'est pas connu.", "18500.00",
           read=attrgetter("actual_amount")),
    Column("demonstration", "text",
           "oui si la ligne finance une fiche de démonstration (fictive), non sinon.", "non",
           read=lambda funding: "oui" if funding.action.is_demo else "non"),
    # From request to payment (after the older columns, so that their places hold).
    Column("statut", "text", "Code du statut : planned, requested, granted ou refused.",
           "granted", read=attrgetter("status")),
    Column("statut_libelle", "text", "Statut en clair : Prévu, Demandé, Accordé ou Refusé.",
           "Accordé", read=lambda funding: funding.get_status_display()),
    Column("date_decision", "date", "Date de la décision du financeur ; vide sans décision.",
           "2024-02-12", read=attrgetter("decision_date")),
    Column("reference_decision", "text", "Référence de la décision (arrêté, convention).",
           read=attrgetter("decision_reference")),
    Column("montant_accorde", "decimal", "Montant accordé, en euros ; vide sauf ligne accordée.",
           "18000.00", read=attrgetter("granted_amount")),
    Column("realise_au", "date", "Date à laquelle le montant réalisé a été arrêté.",
           "2024-12-31", read=attrgetter("spent_on")),
    Column("note_realise", "text", "Note de la structure pilote sur le réalisé.",
           read=attrgetter("spent_note")),
    Column("montant_verse", "decimal", "Montant versé par le financeur, en euros ; vide si rien.",
           "9000.00", read=attrgetter("paid_amount")),
    Column("verse_le", "date", "Date du dernier versement connu.", "2024-06-28",
           read=attrgetter("paid_on")),
]  # fmt: skip


def actions_for_export(queryset):
    """The actions with everything the columns read, in a fixed number of queries per chunk.

    The prefetched funding lines know their action already: reading `funding.action` is free.
    """
    return queryset.select_related("phase", "axis", "pilot").prefetch_related(
        Prefetch("partners", queryset=Organisation.objects.only("pk", "name", "slug", "acronym")),
        Prefetch(
            "intercommunalities",
            queryset=Intercommunality.objects.only("pk", "name", "slug", "siren"),
        ),
        Prefetch("fundings", queryset=Funding.objects.in_reading_order()),
        "needs",
        Prefetch("milestones", queryset=Milestone.objects.in_order()),
    )


def iterate(queryset):
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def _clean(value):
    """Text without control characters (rows stored before forms refused them)."""
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _record(columns, item, base_url=""):
    record = {column.name: _clean(column.read(item)) for column in columns}
    for column in columns:
        if column.kind == "url":
            record[column.name] = base_url + record[column.name]
    return record


def action_record(action, base_url):
    """One action as a flat dict keyed by ACTION_COLUMNS names (lists stay lists)."""
    return _record(ACTION_COLUMNS, action, base_url)


def funding_record(funding):
    return _record(FUNDING_COLUMNS, funding)


def action_records(actions, base_url):
    return (action_record(action, base_url) for action in actions)


def funding_records_flat(fundings):
    """Fundings read directly (select_related action and funder): one query for all lines."""
    for funding in fundings:
        yield funding_record(funding)
