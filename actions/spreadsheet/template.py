"""The downloadable template of the spreadsheet import: its columns, each explained.

The XLSX template has five sheets. « Fiches actions », first and active, is the sheet of the
actions an import reads, whichever tab was open when the file was saved (`formats.XLSX`), with
« Jalons », the milestones (headers only, each commented; CSV carries no milestone, as the
mode d'emploi says). « Fiches actions » holds only the
header row, each header commented with `COLUMNS`' text, and drop-down lists on the columns with a
closed set of values (statuses, priorities, phases, axes, oui/non, organisations, natures).
« Exemple » shows two filled rows of one action (never imported); « Mode d'emploi » explains each
column and the principle; « Listes », hidden, holds the values the drop-downs offer. Names are
text, never a formula, and carry no control character.
"""

from io import BytesIO

from django.utils import timezone

from partners.models import Organisation
from programme.models import Intercommunality
from teritoire.text import strip_control_characters

from ..models import Funding, Priority, Status
from .formats import MILESTONE_SHEET, SHEET_NAME
from .milestones import CSV_NOTE, MILESTONE_COLUMNS
from .resources import COLUMNS, SHEET
from .widgets import LIST_SEPARATOR, Lookups

MAIN_SHEET = SHEET_NAME
EXAMPLE_SHEET = "Exemple"
GUIDE_SHEET = "Mode d'emploi"
LISTS_SHEET = "Listes"
LAST_ROW = 5000  # the drop-downs cover the rows an action plan fills
PRINCIPLE = (
    "Une ligne par ligne de financement ; les colonnes de la fiche sont répétées à l'identique "
    "sur chaque ligne de la même fiche. Une fiche sans financement tient sur une ligne aux "
    "colonnes de financement vides. L'import ne supprime rien. Seul le premier onglet, "
    f"« {MAIN_SHEET} », est importé : l'onglet « {EXAMPLE_SHEET} » ne l'est jamais."
)
MILESTONE_PRINCIPLE = (
    "Une ligne par jalon. Un jalon est retrouvé par la phase et le code de sa fiche et par son "
    "ordre : une ligne connue met le jalon à jour, une autre le crée ; l'import ne supprime "
    "aucun jalon. Un jalon ne peut pas être atteint à une date future."
)
# What the drop-down of each kind of column says when a value is not one of its list.
STRICT = "Choisissez une valeur de la liste (la flèche à droite de la cellule)."
LENIENT = (
    "Cette valeur n'est pas dans la liste. L'import l'accepte si elle désigne une organisation "
    "enregistrée (sigle ou nom complet) ; sinon il la signale."
)


# The heading of each list on the « Listes » sheet.
LIST_TITLES = {
    "phase": "Phases",
    "axis": "Axes",
    "status": "Statuts",
    "priority": "Priorités",
    "pilot": "Pilotes",
    "organisation": "Financeurs",
    "funding_kind": "Natures",
    "funding_status": "Statuts des financements",
    "yes_no": "Oui ou non",
}


def choice_labels(choices):
    return [str(choice.label) for choice in choices]


class TemplateValues:
    """The values each kind of column accepts, read once from the reference data."""

    def __init__(self):
        self.lookups = Lookups()
        organisations = Organisation.objects.order_by("name")
        self.organisations = [self.lookups.organisation_label(o) for o in organisations]
        phases = sorted(self.lookups.phases, reverse=True)
        self.phases = [str(number) for number in phases]
        # The current phase's axes first, each named as the export writes it.
        phase_numbers = {phase.pk: phase.number for phase in self.lookups.phases.values()}
        axes = sorted(self.lookups.axes, key=lambda a: (-phase_numbers[a.phase_id], a.number))
        self.axes = list(dict.fromkeys(str(axis) for axis in axes))
        self.intercommunalities = list(
            Intercommunality.objects.order_by("name").values_list("name", flat=True)
        )

    def closed_lists(self):
        """{widget kind: (values, strict)} of the columns offered as drop-down lists."""
        return {
            "phase": (self.phases, True),
            "axis": (self.axes, False),  # « 1 » or the axis' name are read too
            "status": (choice_labels(Status), True),
            "priority": (choice_labels(Priority), True),
            "pilot": (self.organisations, False),
            "organisation": (self.organisations, False),
            "funding_kind": (choice_labels(Funding.Kind), True),
            "funding_status": (choice_labels(Funding.Status), True),
            "yes_no": (["oui", "non"], True),
        }


def template_workbook():
    """The XLSX template: headers explained, drop-downs, an example, a mode d'emploi."""
    from openpyxl import Workbook

    values = TemplateValues()
    workbook = Workbook()
    main = workbook.active
    main.title = MAIN_SHEET
    _headers(main)
    example = workbook.create_sheet(EXAMPLE_SHEET)
    _headers(example)
    for row in example_rows(values):
        example.append([row.get(attribute, "") for attribute, _, _ in COLUMNS])
    _milestone_headers(workbook.create_sheet(MILESTONE_SHEET))
    _guide(workbook.create_sheet(GUIDE_SHEET), values)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    ranges = _lists(lists, values)
    for sheet in (main, example):
        _drop_downs(sheet, ranges)
    for sheet in workbook.worksheets:
        _as_text(sheet)
    workbook.active = 0
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _headers(sheet):
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    for index, (_, header, help_text) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.comment = Comment(help_text, "Portail")
        sheet.column_dimensions[cell.column_letter].width = max(14, len(header) + 4)
    sheet.freeze_panes = "A2"


def _milestone_headers(sheet):
    """The « Jalons » sheet: its headers, commented, and the dates checked as dates."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, (attribute, header, help_text) in enumerate(MILESTONE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.comment = Comment(help_text, "Portail")
        sheet.column_dimensions[cell.column_letter].width = 40 if attribute == "title" else 14
        if attribute == "order":
            rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1")
            rule.error = "Un nombre entier à partir de 1."
            rule.showErrorMessage = True
            rule.add(f"{cell.column_letter}2:{cell.column_letter}{LAST_ROW}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"


def _lists(sheet, values):
    """One column per list on the hidden sheet; {widget kind: (range, strict)}."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    ranges = {}
    for index, (kind, (items, strict)) in enumerate(values.closed_lists().items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=LIST_TITLES[kind])
        for row, item in enumerate(items, start=2):
            sheet.cell(row=row, column=index, value=strip_control_characters(item))
        if items:
            last = len(items) + 1
            reference = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${last}"
            ranges[kind] = (reference, strict)
    return ranges


def _drop_downs(sheet, ranges):
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, (attribute, header, help_text) in enumerate(COLUMNS, start=1):
        kind = SHEET[attribute].widget
        letter = get_column_letter(index)
        area = f"{letter}2:{letter}{LAST_ROW}"
        if kind in ranges:
            reference, strict = ranges[kind]
            rule = DataValidation(type="list", formula1=reference, allow_blank=True)
            rule.errorStyle = "stop" if strict else "warning"
            rule.error = STRICT if strict else LENIENT
        elif kind in ("percent", "year"):
            low, high = (0, 100) if kind == "percent" else (2000, 2100)
            rule = DataValidation(
                type="whole", operator="between", formula1=str(low), formula2=str(high)
            )
            rule.error = f"Un nombre entier de {low} à {high}."
        elif kind == "amount":
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            rule.errorStyle = "warning"
            rule.error = "Un montant en euros, positif ou nul."
        else:
            continue
        rule.allow_blank = True
        rule.showErrorMessage = True
        rule.errorTitle = header[:32]
        rule.showInputMessage = True
        rule.promptTitle = header[:32]
        rule.prompt = help_text[:250]
        rule.add(area)
        sheet.add_data_validation(rule)


def example_rows(values):
    """Two rows of one made-up action with two funding lines, in values the import reads."""
    year = timezone.localdate().year
    organisations = values.organisations or ["(sigle d'une organisation)"]
    pilot = organisations[0]
    partners = f"{LIST_SEPARATOR} ".join(organisations[1:3])
    action = {
        "phase": values.phases[0] if values.phases else "",
        "code": "EXEMPLE",
        "axis": values.axes[0] if values.axes else "1",
        "title": "Exemple : former des soudeurs avec les industriels du territoire",
        "summary": "Une formation qualifiante montée avec les entreprises qui recrutent.",
        "status": str(Status.IN_PROGRESS.label),
        "priority": str(Priority.HIGH.label),
        "pilot": pilot,
        "partners": partners,
        "intercommunalities": values.intercommunalities[0] if values.intercommunalities else "",
        "start_date": f"01/01/{year}",
        "end_date": f"31/12/{year + 1}",
        "progress": 25,
        "is_public": "non",
        "is_archived": "non",
    }
    fundings = [
        (str(Funding.Kind.OPERATING.label), "12 500,50", "4 000"),
        (str(Funding.Kind.INVESTMENT.label), "40 000", ""),
    ]
    funder = organisations[-1]
    return [
        action
        | {
            "funding_year": year,
            "funding_funder": funder,
            "funding_kind": kind,
            "funding_planned": planned,
            "funding_actual": actual,
        }
        for kind, planned, actual in fundings
    ]


def _guide(sheet, values):
    from openpyxl.styles import Alignment, Font

    sheet.append(["Colonne", "Contenu", "Valeurs possibles"])
    lists = values.closed_lists()
    for attribute, header, help_text in COLUMNS:
        kind = SHEET[attribute].widget
        if kind in lists:
            allowed = "Liste déroulante (onglet caché « Listes »)."
        elif kind in ("organisations", "intercommunalities"):
            allowed = "Plusieurs noms, séparés par « ; »."
        else:
            allowed = ""
        if SHEET[attribute].keep_when_empty:
            allowed = f"{allowed} Vide : la valeur enregistrée est gardée.".strip()
        sheet.append([header, help_text, allowed])
    sheet.append([])
    sheet.append([f"Onglet « {MILESTONE_SHEET} »", MILESTONE_PRINCIPLE])
    for _, header, help_text in MILESTONE_COLUMNS:
        sheet.append([f"{MILESTONE_SHEET} : {header}", help_text])
    sheet.append(["CSV", CSV_NOTE])
    sheet.append([])
    sheet.append(["Principe", PRINCIPLE])
    sheet.append(["Exemple", f"L'onglet « {EXAMPLE_SHEET} » montre une fiche à deux lignes."])
    axes = "; ".join(f"{a.number} ({a.name})" for a in values.lookups.axes)
    sheet.append(["Liste des axes", strip_control_characters(axes)])
    sheet.append(["Liste des statuts", ", ".join(choice_labels(Status))])
    sheet.append(["Liste des priorités", ", ".join(choice_labels(Priority))])
    sheet.append(
        ["Liste des organisations", strip_control_characters("; ".join(values.organisations))]
    )
    sheet.append(["Liste des communautés de communes", "; ".join(values.intercommunalities)])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 40
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _as_text(sheet):
    """A name starting with "=" is text, not a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def template_csv():
    return "\ufeff" + ";".join(header for _, header, _ in COLUMNS) + "\r\n"
