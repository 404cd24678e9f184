"""The spreadsheet formats of the import and export: XLSX, and CSV the French way."""

import tablib
from import_export.formats import base_formats

from .widgets import cell_text


class SemicolonCSV(base_formats.CSV):
    """CSV as French spreadsheets write it: ';' between cells, UTF-8 with BOM or Windows-1252.

    Reading accepts ',' as well (the separator of the header line wins).
    """

    def get_title(self):
        return "csv"

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
        return tablib.import_set(in_stream, format="csv", delimiter=delimiter)

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + dataset.export("csv", delimiter=";")


class XLSX(base_formats.XLSX):
    """XLSX; the blank rows a spreadsheet leaves at the end are dropped (line numbers kept)."""

    def create_dataset(self, in_stream):
        dataset = super().create_dataset(in_stream)
        rows = list(dataset)
        while rows and not any(cell_text(value) for value in rows[-1]):
            rows.pop()
        return tablib.Dataset(*rows, headers=dataset.headers)


FORMATS = [XLSX, SemicolonCSV]
