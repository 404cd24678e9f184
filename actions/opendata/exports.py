"""Open-data writers: actions and fundings as CSV, XLSX and JSON, COPIL meetings as iCalendar.

The column lists below are the single source of truth: the writers use them and the `/donnees/`
page documents them. Everything streams: querysets are read with `iterator()` in chunks (with
their prefetches), CSV and JSON go out as a `StreamingHttpResponse`, the XLSX workbook is written
in openpyxl's write-only mode to a temporary file, so memory stays flat with thousands of actions.
"""

import csv
import datetime
import json
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from partners.models import Organisation
from programme.models import Intercommunality

from ..models import Funding

CHUNK_SIZE = 500
CSV_BATCH = 200
LIST_SEPARATOR = " | "
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
PUBLISHER = "Territoire d'industrie Grand Est Touraine"
MEETING_DURATION = datetime.timedelta(hours=2)


KIND_LABELS = {
    "text": "texte",
    "list": f"liste (valeurs séparées par « {LIST_SEPARATOR.strip()} »)",
    "integer": "nombre entier",
    "decimal": "nombre décimal, point comme séparateur",
    "date": "date ISO 8601 (AAAA-MM-JJ)",
    "datetime": "date et heure ISO 8601",
    "url": "adresse web",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # one of KIND_LABELS
    description: str
    example: str = ""

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


ACTION_COLUMNS = [
    Column("code", "text", "Code de la fiche action, unique dans une phase.", "1.1"),
    Column(
        "slug",
        "text",
        "Identifiant stable de la fiche, unique sur tout le portail ; c'est aussi la fin de "
        "son adresse.",
        "tiers-lieu-le-rubixco",
    ),
    Column("phase", "integer", "Numéro de la phase du programme.", "2"),
    Column("axe_numero", "integer", "Numéro de l'axe dans la phase.", "1"),
    Column("axe", "text", "Nom de l'axe.", "Compétences"),
    Column("intitule", "text", "Intitulé de l'action."),
    Column("resume", "text", "Résumé en quelques lignes."),
    Column(
        "statut",
        "text",
        "Code du statut : planned, in_progress, done, paused, blocked ou abandoned.",
        "in_progress",
    ),
    Column(
        "statut_libelle",
        "text",
        "Statut en clair : À venir, En cours, Réalisée, En pause, Bloquée ou Abandonnée.",
        "En cours",
    ),
    Column("priorite", "text", "Code de la priorité : high, medium ou low.", "high"),
    Column("priorite_libelle", "text", "Priorité en clair : Élevée, Moyenne ou Basse.", "Élevée"),
    Column("pilote", "text", "Nom de l'organisation qui pilote l'action."),
    Column("pilote_slug", "text", "Identifiant stable de l'organisation pilote."),
    Column("partenaires", "list", "Noms des organisations partenaires."),
    Column("partenaires_slugs", "list", "Identifiants stables des organisations partenaires."),
    Column("communautes_de_communes", "list", "Communautés de communes concernées par l'action."),
    Column(
        "communautes_de_communes_siren",
        "list",
        "Numéros SIREN de ces communautés de communes, dans le même ordre.",
        "200073161",
    ),
    Column("date_debut", "date", "Date de début (AAAA-MM-JJ), vide si non fixée.", "2024-01-01"),
    Column("date_fin", "date", "Date de fin prévue (AAAA-MM-JJ), vide si non fixée.", "2026-12-31"),
    Column("avancement", "integer", "Avancement en pourcentage, de 0 à 100.", "40"),
    Column(
        "budget_prevu_total",
        "decimal",
        "Somme des montants prévus de tous les financements, toutes années, en euros.",
        "125000.00",
    ),
    Column(
        "budget_realise_total",
        "decimal",
        "Somme des montants réalisés connus, en euros ; vide si aucun n'est encore connu.",
        "48000.00",
    ),
    Column(
        "modifiee_le",
        "datetime",
        "Date et heure de la dernière modification de la fiche (ISO 8601 avec fuseau).",
        "2024-06-01T10:30:00+02:00",
    ),
    Column("url", "url", "Adresse de la fiche action sur le portail."),
]

FUNDING_COLUMNS = [
    Column("action_code", "text", "Code de la fiche action financée.", "2.3"),
    Column("action_slug", "text", "Identifiant stable de la fiche action (colonne slug).", ""),
    Column("annee", "integer", "Année budgétaire.", "2024"),
    Column("financeur", "text", "Nom de l'organisation qui finance."),
    Column("financeur_slug", "text", "Identifiant stable de l'organisation qui finance."),
    Column("nature", "text", "Code de la nature : investment ou operating.", "operating"),
    Column("nature_libelle", "text", "Nature en clair : Investissement ou Fonctionnement."),
    Column("montant_prevu", "decimal", "Montant prévu, en euros.", "20000.00"),
    Column(
        "montant_realise",
        "decimal",
        "Montant réalisé, en euros ; vide tant qu'il n'est pas connu.",
        "18500.00",
    ),
]

MEETING_FIELDS = [
    ("UID", "Identifiant stable de la réunion (copil-<numéro>@<domaine du portail>)."),
    ("DTSTART / DTEND", "Début et fin : en heure UTC quand l'heure est connue (durée indicative "
     "de deux heures), sinon la journée entière."),
    ("SUMMARY", "Intitulé de la réunion."),
    ("LOCATION", "Lieu."),
    ("DESCRIPTION", "Ordre du jour et adresse de la page de la réunion."),
    ("STATUS", "CONFIRMED (prévue ou tenue) ou CANCELLED (annulée)."),
    ("URL", "Page de la réunion sur le portail."),
]  # fmt: skip


# Reading ---------------------------------------------------------------------------------------


def actions_for_export(queryset):
    """The actions with everything the writers read, in a fixed number of queries per chunk."""
    return queryset.select_related("phase", "axis", "pilot").prefetch_related(
        Prefetch("partners", queryset=Organisation.objects.only("pk", "name", "slug", "acronym")),
        Prefetch(
            "intercommunalities",
            queryset=Intercommunality.objects.only("pk", "name", "slug", "siren"),
        ),
        Prefetch(
            "fundings",
            queryset=Funding.objects.select_related("funder").order_by(
                "year", "funder__name", "kind", "pk"
            ),
        ),
    )


def iterate(queryset):
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def action_record(action, base_url):
    """One action as a flat dict keyed by ACTION_COLUMNS names (lists stay lists)."""
    fundings = list(action.fundings.all())
    partners = list(action.partners.all())
    intercommunalities = list(action.intercommunalities.all())
    actuals = [f.actual_amount for f in fundings if f.actual_amount is not None]
    return {
        "code": action.code,
        "slug": action.slug,
        "phase": action.phase.number,
        "axe_numero": action.axis.number,
        "axe": action.axis.name,
        "intitule": action.title,
        "resume": action.summary,
        "statut": action.status,
        "statut_libelle": action.get_status_display(),
        "priorite": action.priority,
        "priorite_libelle": action.get_priority_display(),
        "pilote": action.pilot.name,
        "pilote_slug": action.pilot.slug,
        "partenaires": [org.name for org in partners],
        "partenaires_slugs": [org.slug for org in partners],
        "communautes_de_communes": [ic.name for ic in intercommunalities],
        "communautes_de_communes_siren": [ic.siren for ic in intercommunalities],
        "date_debut": action.start_date,
        "date_fin": action.end_date,
        "avancement": action.progress,
        "budget_prevu_total": sum((f.planned_amount for f in fundings), Decimal("0.00")),
        "budget_realise_total": sum(actuals, Decimal("0.00")) if actuals else None,
        "modifiee_le": action.updated_at,
        "url": base_url + action.get_absolute_url(),
    }


def funding_record(funding, action):
    return {
        "action_code": action.code,
        "action_slug": action.slug,
        "annee": funding.year,
        "financeur": funding.funder.name,
        "financeur_slug": funding.funder.slug,
        "nature": funding.kind,
        "nature_libelle": funding.get_kind_display(),
        "montant_prevu": funding.planned_amount,
        "montant_realise": funding.actual_amount,
    }


# CSV -------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value):
    """A text cell that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def csv_value(value, kind):
    if value is None:
        return ""
    if kind == "list":
        return _csv_text(LIST_SEPARATOR.join(value))
    if kind == "datetime":
        return timezone.localtime(value).isoformat(timespec="seconds")
    if kind == "date":
        return value.isoformat()
    if kind in ("decimal", "integer"):
        return str(value)
    return _csv_text(str(value))


class _Echo:
    """A file-like object whose write() returns what it is given, for csv.writer."""

    def write(self, value):
        return value


def csv_lines(columns, records):
    writer = csv.writer(_Echo())
    yield writer.writerow([column.name for column in columns])
    batch = []
    for record in records:
        batch.append(writer.writerow([csv_value(record[c.name], c.kind) for c in columns]))
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_response(columns, records, filename):
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(columns, records)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def action_records(actions, base_url):
    return (action_record(action, base_url) for action in actions)


def funding_records(actions):
    for action in actions:
        for funding in action.fundings.all():
            yield funding_record(funding, action)


def funding_records_flat(fundings):
    """Fundings read directly (select_related action and funder): one query for all lines."""
    for funding in fundings:
        yield funding_record(funding, funding.action)


# XLSX ------------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_WIDTHS = {"text": 24, "list": 36, "integer": 10, "decimal": 16, "date": 12}


def _xlsx_cell(sheet, value, kind):
    if kind == "list":
        value = LIST_SEPARATOR.join(value)
    elif kind == "datetime" and value is not None:
        value = timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, even when the text starts with "="
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if kind == "date" and value is not None:
        cell.number_format = "yyyy-mm-dd"
    elif kind == "decimal" and value is not None:
        cell.number_format = "#,##0.00"
    return cell


def _xlsx_sheet(workbook, title, columns):
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns):
        letter = chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)
        sheet.column_dimensions[letter].width = XLSX_WIDTHS.get(column.kind, 24)
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def xlsx_response(actions, base_url, filename):
    """Three sheets: the actions, their funding lines, and what each column means."""
    workbook = Workbook(write_only=True)
    actions_sheet = _xlsx_sheet(workbook, "Actions", ACTION_COLUMNS)
    fundings_sheet = _xlsx_sheet(workbook, "Financements", FUNDING_COLUMNS)
    for action in actions:
        record = action_record(action, base_url)
        actions_sheet.append(
            [_xlsx_cell(actions_sheet, record[c.name], c.kind) for c in ACTION_COLUMNS]
        )
        for funding in action.fundings.all():
            line = funding_record(funding, action)
            fundings_sheet.append(
                [_xlsx_cell(fundings_sheet, line[c.name], c.kind) for c in FUNDING_COLUMNS]
            )
    doc = workbook.create_sheet("Colonnes")
    doc.column_dimensions["A"].width = 14
    doc.column_dimensions["B"].width = 30
    doc.column_dimensions["C"].width = 90
    doc.append(["Feuille", "Colonne", "Description"])
    for sheet_title, columns in (("Actions", ACTION_COLUMNS), ("Financements", FUNDING_COLUMNS)):
        for column in columns:
            doc.append([sheet_title, column.name, column.description])
    doc.append([])
    doc.append(["Source", PUBLISHER, f"Licence : {LICENCE}"])

    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


# JSON ------------------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, Decimal):
        # Amounts have at most 12 digits and 2 decimals: a float holds them exactly enough
        # that json.loads(..., parse_float=Decimal) gives the same value back.
        return float(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} n'est pas sérialisable en JSON")


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def json_chunks(actions, base_url, generated_at):
    head = {
        "jeu_de_donnees": "Fiches actions et financements",
        "producteur": PUBLISHER,
        "licence": LICENCE,
        "genere_le": generated_at,
    }
    yield _dumps(head)[:-1] + ', "actions": [\n'
    first = True
    for action in actions:
        record = action_record(action, base_url)
        record["financements"] = [
            {
                key: value
                for key, value in funding_record(funding, action).items()
                if not key.startswith("action_")
            }
            for funding in action.fundings.all()
        ]
        yield ("" if first else ",\n") + _dumps(record)
        first = False
    yield "\n]}\n"


def json_response(actions, base_url, filename):
    chunks = json_chunks(actions, base_url, timezone.now())
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# iCalendar (RFC 5545) --------------------------------------------------------------------------


def ical_escape(text):
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ical_fold(line):
    """Lines of at most 75 octets, continued with CRLF + space, never splitting a character."""
    parts = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # the leading space counts as one octet
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def _utc(value):
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_lines(meeting, base_url, domain, stamp):
    yield "BEGIN:VEVENT"
    yield f"UID:copil-{meeting.pk}@{domain}"
    yield f"DTSTAMP:{stamp}"
    if meeting.start_time:
        start = datetime.datetime.combine(
            meeting.date, meeting.start_time, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        yield f"DTSTART:{_utc(start)}"
        yield f"DTEND:{_utc(start + MEETING_DURATION)}"
    else:
        yield f"DTSTART;VALUE=DATE:{meeting.date:%Y%m%d}"
        yield f"DTEND;VALUE=DATE:{meeting.date + datetime.timedelta(days=1):%Y%m%d}"
    yield f"SUMMARY:{ical_escape(meeting.title)}"
    if meeting.place:
        yield f"LOCATION:{ical_escape(meeting.place)}"
    url = base_url + meeting.get_absolute_url()
    agenda = [item.title for item in meeting.agenda_items.all()]
    description = ""
    if agenda:
        description = "Ordre du jour :\n" + "\n".join(
            f"{number}. {title}" for number, title in enumerate(agenda, start=1)
        )
        description += "\n\n"
    description += f"Page de la réunion : {url}"
    yield f"DESCRIPTION:{ical_escape(description)}"
    cancelled = meeting.status == meeting.Status.CANCELLED
    yield f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}"
    yield f"URL:{url}"
    yield "END:VEVENT"


def ics_lines(meetings, base_url):
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = _utc(timezone.now())
    yield "BEGIN:VCALENDAR"
    yield "VERSION:2.0"
    yield f"PRODID:-//{PUBLISHER}//Portail//FR"
    yield "CALSCALE:GREGORIAN"
    yield "METHOD:PUBLISH"
    yield f"X-WR-CALNAME:{ical_escape('COPIL — ' + PUBLISHER)}"
    for meeting in meetings:
        yield from meeting_lines(meeting, base_url, domain, stamp)
    yield "END:VCALENDAR"


def ics_content(meetings, base_url):
    return "".join(ical_fold(line) for line in ics_lines(meetings, base_url))
