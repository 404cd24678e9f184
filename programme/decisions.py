"""COPIL decisions followed up: the one write path of their follow-up, and their public files.

`update_follow_up` is what every screen that changes a decision's status, status date or note
calls (the partner space; the admin keeps its own form): like `actions.writes`, it takes the
version the user read and writes only if nobody saved since — a conditional
`UPDATE … WHERE version = expected` that bumps the version and, on PostgreSQL, holds the row lock
until the transaction ends — then the changes on the row read back, and the history record with
its author and reason. A stale or missing version raises `DecisionConflict` and writes nothing.

The register's CSV and JSON are the rows of the page with the same filters, every page; a text
cell never starts a spreadsheet formula (`teritoire.text.spreadsheet_text`), every field is
quoted and separated by « ; », as French spreadsheets expect.
"""

import csv
import json

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone

from teritoire import identity
from teritoire.text import spreadsheet_text, strip_control_characters
from teritoire.versioned import StaleVersion, write_at_version

from .models import Decision

FOLLOW_UP_FIELDS = ("status", "status_date", "follow_up")
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"


class DecisionConflict(StaleVersion):
    subject = "decision"


def update_follow_up(pk, changes, *, expected_version, user, reason):
    """Write `changes` (status, status_date, follow_up) to the decision `pk` read at
    `expected_version`; returns the saved decision. Callers validate the values beforehand."""
    rows = Decision.objects.select_related("meeting", "owner")
    return write_at_version(
        rows,
        pk,
        changes,
        fields=FOLLOW_UP_FIELDS,
        expected_version=expected_version,
        user=user,
        reason=reason,
        conflict=DecisionConflict,
    )


# --------------------------------------------------------------------------- the public files

COLUMNS = [
    ("reunion_date", "Date de la réunion du COPIL"),
    ("reunion", "Intitulé de la réunion"),
    ("ordre", "Rang de la décision dans le relevé"),
    ("decision", "Texte de la décision"),
    ("responsable", "Organisation responsable du suivi"),
    ("echeance", "Échéance (AAAA-MM-JJ)"),
    ("statut", "À engager, En cours, Réalisée ou Abandonnée"),
    ("date_statut", "Depuis quand la décision a ce statut (AAAA-MM-JJ)"),
    ("en_retard", "Encore ouverte après son échéance (oui ou non)"),
    ("note_de_suivi", "Note de suivi"),
    ("actions_concernees", "Codes des fiches actions publiques concernées"),
    ("donnee_de_demonstration", "Donnée fictive de démonstration (oui ou non)"),
    ("url", "Page de la réunion"),
]
LIST_SEPARATOR = " | "


def for_export(queryset):
    """The rows with what a record reads: meeting, owner, the public actions concerned."""
    action_model = Decision._meta.get_field("actions").related_model
    public_actions = (
        action_model.objects.public().only("pk", "code", "slug").order_by("code_sort", "pk")
    )
    return queryset.select_related("meeting", "owner").prefetch_related(
        Prefetch("actions", queryset=public_actions, to_attr="public_actions")
    )


def _iso(day):
    return day.isoformat() if day else None


def record(decision, today, base_url):
    """One decision as the files give it (values as Python: dates as ISO text)."""
    return {
        "reunion_date": _iso(decision.meeting.date),
        "reunion": str(decision.meeting),
        "ordre": decision.order,
        "decision": decision.text,
        "responsable": decision.owner.name if decision.owner_id else None,
        "echeance": _iso(decision.due_date),
        "statut": decision.get_status_display(),
        "date_statut": _iso(decision.status_date),
        "en_retard": decision.is_overdue(today),
        "note_de_suivi": decision.follow_up,
        "actions_concernees": [action.code for action in decision.public_actions],
        "donnee_de_demonstration": decision.is_demo,
        "url": base_url + decision.get_absolute_url(),
    }


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    return spreadsheet_text(value)


class _Echo:
    """A file-like object whose write() returns what it is given, for csv.writer."""

    def write(self, value):
        return value


def _csv_lines(decisions, today, base_url):
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow([name for name, _ in COLUMNS])
    for decision in decisions:
        row = record(decision, today, base_url)
        yield writer.writerow([_csv_cell(row[name]) for name, _ in COLUMNS])


def _json_chunks(decisions, today, base_url):
    head = {
        "jeu_de_donnees": "Décisions du comité de pilotage et leur suivi",
        "producteur": identity.publisher(),
        "licence": LICENCE,
        "genere_le": timezone.localtime().isoformat(timespec="seconds"),
        "colonnes": dict(COLUMNS),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "decisions": [\n'
    first = True
    for decision in decisions:
        row = record(decision, today, base_url)
        row = {k: strip_control_characters(v) if isinstance(v, str) else v for k, v in row.items()}
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _stream(chunks, content_type, filename):
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data, public anyway
    return response


def csv_response(decisions, today, filename):
    lines = _csv_lines(decisions, today, identity.site_url())
    return _stream(lines, "text/csv; charset=utf-8", filename)


def json_response(decisions, today, filename):
    chunks = _json_chunks(decisions, today, identity.site_url())
    return _stream(chunks, "application/json", filename)
