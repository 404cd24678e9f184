"""The downloadable template of the spreadsheet import: its columns, each explained.

The same text as `actions.spreadsheet.resources.COLUMNS`, as comments on the header row and on a
"Mode d'emploi" sheet that also lists the axes, statuses, priorities and organisations to
choose from (names as text, never a formula, without control characters).
"""

from io import BytesIO

from partners.models import Organisation
from teritoire.text import strip_control_characters

from ..models import Priority, Status
from .resources import COLUMNS
from .widgets import Lookups


def template_workbook():
    """An empty sheet with the expected headers, each explained, and a 'Mode d'emploi' sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    lookups = Lookups()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Fiches actions"
    for index, (_, header, help_text) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.comment = Comment(help_text, "Portail")
        sheet.column_dimensions[cell.column_letter].width = max(14, len(header) + 4)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Mode d'emploi")
    guide.append(["Colonne", "Contenu"])
    for _, header, help_text in COLUMNS:
        guide.append([header, help_text])
    guide.append([])
    guide.append(
        [
            "Principe",
            "Une ligne par ligne de financement ; les colonnes de la fiche sont répétées à "
            "l'identique sur chaque ligne de la même fiche. Une fiche sans financement tient sur "
            "une ligne aux colonnes de financement vides. L'import ne supprime rien.",
        ]
    )
    axes = "; ".join(f"{a.number} ({a.name})" for a in lookups.axes)
    guide.append(["Axes", strip_control_characters(axes)])
    guide.append(["Statuts", ", ".join(str(choice.label) for choice in Status)])
    guide.append(["Priorités", ", ".join(str(choice.label) for choice in Priority)])
    organisations = "; ".join(
        lookups.organisation_label(organisation)
        for organisation in Organisation.objects.order_by("name")
    )
    guide.append(["Organisations", strip_control_characters(organisations)])
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.data_type == "f":  # a name starting with "=" is text, not a formula
                cell.data_type = "s"
    guide["A1"].font = guide["B1"].font = Font(bold=True)

    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def template_csv():
    return "\ufeff" + ";".join(header for _, header, _ in COLUMNS) + "\r\n"
