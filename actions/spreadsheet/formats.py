"""The spreadsheet formats of the import and export: XLSX, and CSV the French way.

No exported cell is ever a formula (a partner's "=HYPERLINK(…)" summary stays text): in CSV, a text
a spreadsheet would run gets a leading apostrophe; in XLSX, text cells are typed as strings.
Control characters, which XLSX cannot hold, are removed (see `teritoire.text`).
django-import-export's own escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) only drops a
leading "=" and turns numbers into text.
"""

from io import BytesIO

import openpyxl
import tablib
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from teritoire.text import spreadsheet_text, strip_control_characters, unescape_spreadsheet_text

from .widgets import cell_text

# The sheet of the fiches in an exported file and in the template (actions.spreadsheet.template)
SHEET_NAME = "Fiches actions"
MILESTONE_SHEET = "Jalons"  # its columns: actions.spreadsheet.milestones


class SemicolonCSV(base_formats.CSV):
    """CSV as French spreadsheets write it: ';' between cells, UTF-8 with BOM or Windows-1252.

    Reading accepts ',' as well (the separator of the header line wins).
    """

    def get_title(self):  # the label of the format in the admin's import and export forms
        return "CSV (séparateur « ; »)"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                in_stream = in_stream.decode("cp1252")
        in_stream = in_stream.lstrip("\ufeff")
        first_line = in_stream.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        dataset = tablib.import_set(in_stream, format="csv", delimiter=delimiter)
        # What the export kept from being a formula ("'=…") reads back as it was.
        return _map_cells(dataset, unescape_spreadsheet_text)

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + _map_cells(dataset, spreadsheet_text).export("csv", delimiter=";")


def _map_cells(dataset, function):
    """A copy of `dataset` with `function` applied to its text cells."""
    rows = ([function(v) if isinstance(v, str) else v for v in row] for row in dataset)
    return tablib.Dataset(*rows, headers=dataset.headers)


class XLSX(base_formats.XLSX):
    """XLSX; the sheet « Fiches actions » is read (else the first one), and the sheet « Jalons »
    when there is one, the blank rows a spreadsheet leaves at the end dropped (line numbers
    kept)."""

    def get_title(self):  # the label of the format in the admin's import and export forms
        return "Tableur XLSX"

    def create_dataset(self, in_stream):
        """import-export reads the sheet that was open when the file was saved: a template saved
        on its « Mode d'emploi » would import that sheet. The action sheet is read whatever tab
        was open (formulas as their values, as import-export reads them)."""
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        dataset = _read_sheet(sheet)
        if MILESTONE_SHEET in book.sheetnames and sheet.title != MILESTONE_SHEET:
            dataset.milestones = _read_sheet(book[MILESTONE_SHEET])
        book.close()
        return dataset

    def export_data(self, dataset, **kwargs):
        """The sheet of the fiches, then the « Jalons » sheet when the dataset carries one."""
        workbook = Workbook(write_only=True)
        _write_sheet(workbook, dataset, dataset.title or SHEET_NAME)
        milestones = getattr(dataset, "milestones", None)
        if milestones is not None:
            _write_sheet(workbook, milestones, MILESTONE_SHEET)
        stream = BytesIO()
        workbook.save(stream)
        return stream.getvalue()


def _read_sheet(sheet):
    """A sheet's rows under its header row, without the blank rows a spreadsheet leaves at the
    end (line numbers kept)."""
    rows = [[cell.value for cell in row] for row in sheet.rows]
    headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    while rows and not any(cell_text(value) for value in rows[-1]):
        rows.pop()
    return tablib.Dataset(*rows, headers=headers)


def _write_sheet(workbook, dataset, title):
    """One sheet, bold header row kept in view; numbers and dates as such, text as text."""
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    headers = [str(header) for header in dataset.headers or []]
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 4)
    header_cells = [_xlsx_cell(sheet, header) for header in headers]
    for cell in header_cells:
        cell.font = Font(bold=True)
    sheet.append(header_cells)
    for row in dataset:
        sheet.append([_xlsx_cell(sheet, value) for value in row])


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=strip_control_characters(value))
        cell.data_type = "s"  # never a formula, even when the text starts with "="
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if cell.is_date:
        cell.number_format = "dd/mm/yyyy"
    return cell


FORMATS = [XLSX, SemicolonCSV]
