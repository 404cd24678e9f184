"""The open-data files: actions and funding lines as CSV, XLSX and JSON.

CSV and JSON go out as a `StreamingHttpResponse`; the XLSX workbook is written in openpyxl's
write-only mode to a temporary file. A text cell is never a spreadsheet formula: in CSV, a text
starting with = + - @ (or a tab or carriage return) gets a leading apostrophe and every field is
quoted, so that a spreadsheet splitting lines on ";" (French Excel) never cuts a field in two; in
XLSX, text cells are typed as strings. Control characters are removed (`teritoire.text`).
"""

import csv
import datetime
import json
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from teritoire import identity
from teritoire.text import spreadsheet_text, strip_control_characters

from ..fields import LIST_SEPARATOR
from .exports import ACTION_COLUMNS, FUNDING_COLUMNS, LICENCE, action_record, funding_record
from .milestones import NESTED as MILESTONE_COLUMNS_IN_JSON
from .milestones import milestone_record

CSV_BATCH = 200

# CSV -------------------------------------------------------------------------------------------


def csv_value(value, kind):
    if value is None:
        return ""
    if kind == "list":
        return spreadsheet_text(LIST_SEPARATOR.join(value))
    if kind == "datetime":
        return timezone.localtime(value).isoformat(timespec="seconds")
    if kind == "date":
        return value.isoformat()
    if kind in ("decimal", "integer"):
        return str(value)
    return spreadsheet_text(str(value))


class _Echo:
    """A file-like object whose write() returns what it is given, for csv.writer."""

    def write(self, value):
        return value


def csv_lines(columns, records):
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
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


# XLSX ------------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_WIDTHS = {"text": 24, "list": 36, "integer": 10, "decimal": 16, "date": 12}


def _xlsx_cell(sheet, value, kind):
    if kind == "list":
        value = LIST_SEPARATOR.join(value)
    elif kind == "datetime" and value is not None:
        value = timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=strip_control_characters(value))
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
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = XLSX_WIDTHS.get(column.kind, 24)
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def _xlsx_row(sheet, columns, record):
    sheet.append([_xlsx_cell(sheet, record[c.name], c.kind) for c in columns])


def _xlsx_documentation(workbook):
    doc = workbook.create_sheet("Colonnes")
    doc.column_dimensions["A"].width = 14
    doc.column_dimensions["B"].width = 30
    doc.column_dimensions["C"].width = 90
    doc.append(["Feuille", "Colonne", "Description"])
    for sheet_title, columns in (("Actions", ACTION_COLUMNS), ("Financements", FUNDING_COLUMNS)):
        for column in columns:
            doc.append([sheet_title, column.name, column.description])
    doc.append([])
    doc.append(["Source", identity.publisher(), f"Licence : {LICENCE}"])


def xlsx_response(actions, base_url, filename):
    """Three sheets: the actions, their funding lines, and what each column means."""
    workbook = Workbook(write_only=True)
    actions_sheet = _xlsx_sheet(workbook, "Actions", ACTION_COLUMNS)
    fundings_sheet = _xlsx_sheet(workbook, "Financements", FUNDING_COLUMNS)
    for action in actions:
        _xlsx_row(actions_sheet, ACTION_COLUMNS, action_record(action, base_url))
        for funding in action.fundings.all():
            _xlsx_row(fundings_sheet, FUNDING_COLUMNS, funding_record(funding))
    _xlsx_documentation(workbook)

    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def table_xlsx_response(title, columns, records, filename):
    """One sheet of `records` and a sheet saying what each column means (the milestones)."""
    workbook = Workbook(write_only=True)
    sheet = _xlsx_sheet(workbook, title, columns)
    for record in records:
        _xlsx_row(sheet, columns, record)
    doc = workbook.create_sheet("Colonnes")
    doc.append(["Feuille", "Colonne", "Description"])
    for column in columns:
        doc.append([title, column.name, column.description])
    doc.append([])
    doc.append(["Source", identity.publisher(), f"Licence : {LICENCE}"])
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
        "producteur": identity.publisher(),
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
                for key, value in funding_record(funding).items()
                if not key.startswith("action_")
            }
            for funding in action.fundings.all()
        ]
        record["jalons"] = [
            milestone_record(milestone, MILESTONE_COLUMNS_IN_JSON)
            for milestone in action.milestones.all()
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
