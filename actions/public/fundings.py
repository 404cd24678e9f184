"""The public page « Financements » (/financements/) and its CSV, XLSX and JSON files.

Planned, granted, spent and paid amounts over the funding lines of public actions only, by year
(with a chart and its table), by funder and by axis; `?annee=` narrows the funder and axis tables
to one year. A fixed number of queries whatever the number of lines (three, plus the territory's).
The files give the year table and the funder and axis tables of every year, in one shape, with a
text cell never read as a spreadsheet formula (`actions.opendata.writers`).
"""

import json
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from teritoire import identity, pagecache

from ..fields import Column
from ..opendata import writers
from ..opendata.exports import LICENCE
from . import funding_figures as figures
from .funding_chart import funding_chart, legend

YEAR_PARAM = "annee"


def _chosen_year(request, years):
    """The year of `?annee=` when some public line has it; else None and a notice (the page is
    then served, not kept by the page cache)."""
    raw = request.GET.get(YEAR_PARAM, "")
    if not raw:
        return None, ""
    known = {row.year for row in years}
    if raw.isascii() and raw.isdigit() and int(raw) in known:
        return int(raw), ""
    pagecache.do_not_store(request)
    return None, "Aucun financement public pour l'année demandée : voici toutes les années."


@pagecache.cache_params(YEAR_PARAM)
@require_safe
def funding_overview(request):
    lines = figures.public_lines()
    years = figures.by_year(lines)
    year, notice = _chosen_year(request, years)
    chosen = lines.filter(year=year) if year is not None else lines
    shown = [row for row in years if year is None or row.year == year]
    total = figures.total_of(shown, f"Total {year}" if year else "Total toutes années")
    context = {
        "years": years,
        "year": year,
        "notice": notice,
        "funders": figures.by_funder(chosen),
        "axes": figures.by_axis(chosen),
        "total": total,
        "year_total": figures.total_of(years, "Total toutes années"),
        "includes_demo": any(row.demo for row in years),
        "chart": funding_chart(years),
        "legend": legend(),
        "amounts": figures.AMOUNTS,
    }
    return render(request, "actions/fundings.html", context)


# --------------------------------------------------------------------------- the files

COLUMNS = [
    Column("tableau", "text", "annee, financeur ou axe : ce que la ligne regroupe.", "financeur"),
    Column("annee", "integer", "Année budgétaire.", "2025"),
    Column("cle", "text", "Identifiant stable de ce qui est regroupé : l'année, l'identifiant "
           "du financeur, ou P<phase>-<numéro> de l'axe.", "region-centre-val-de-loire"),
    Column("libelle", "text", "L'année, le financeur ou l'axe en clair.", "Axe 1 — Compétences"),
    Column("montant_prevu", "decimal", "Somme des montants prévus, en euros.", "20000.00"),
    Column("montant_accorde", "decimal",
           "Somme des montants accordés par les financeurs ; vide si aucun.", "18000.00"),
    Column("montant_realise", "decimal",
           "Somme des montants réalisés (dépensés) connus ; vide si aucun.", "12000.00"),
    Column("montant_verse", "decimal",
           "Somme des montants versés par les financeurs ; vide si aucun.", "9000.00"),
    Column("ecart_prevu_accorde", "decimal",
           "Prévu moins accordé : ce qui n'est pas (encore) accordé.", "2000.00"),
    Column("taux_execution", "decimal",
           "Réalisé divisé par accordé, en pourcentage ; vide sans montant accordé.", "66.7"),
    Column("demonstration", "text",
           "oui si la ligne compte des données de démonstration (fictives), non sinon.", "non"),
]  # fmt: skip


def _record(table, row):
    execution = row.execution
    return {
        "tableau": table,
        "annee": row.year,
        "cle": row.key,
        "libelle": row.label,
        "montant_prevu": row.planned,
        "montant_accorde": row.granted,
        "montant_realise": row.spent,
        "montant_verse": row.paid,
        "ecart_prevu_accorde": row.gap,
        "taux_execution": round(execution, 1) if execution is not None else None,
        "demonstration": "oui" if row.demo else "non",
    }


def export_tables():
    """{table: [records]} for the three tables, every year. Three queries."""
    lines = figures.public_lines()
    return {
        "annee": [_record("annee", row) for row in figures.by_year(lines)],
        "financeur": [_record("financeur", row) for row in figures.by_funder(lines, per_year=True)],
        "axe": [_record("axe", row) for row in figures.by_axis(lines, per_year=True)],
    }


def _filename(extension):
    return f"financements-{identity.slug()}.{extension}"


def _open(response):
    response["Access-Control-Allow-Origin"] = "*"  # open data, public anyway
    return response


@pagecache.cache_params()
@require_safe
def figures_csv(request):
    records = [record for rows in export_tables().values() for record in rows]
    return _open(writers.csv_response(COLUMNS, records, _filename("csv")))


@pagecache.cache_params()
@require_safe
def figures_xlsx(request):
    """One sheet per table, and what each column means."""
    workbook = Workbook(write_only=True)
    for table, records in export_tables().items():
        sheet = writers._xlsx_sheet(workbook, f"Par {table}", COLUMNS)
        for record in records:
            writers._xlsx_row(sheet, COLUMNS, record)
    doc = workbook.create_sheet("Colonnes")
    doc.append(["Colonne", "Description"])
    for column in COLUMNS:
        doc.append([column.name, column.description])
    doc.append([])
    doc.append(["Source", f"{identity.publisher()} — licence : {LICENCE}"])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(output)
    output.seek(0)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type=writers.XLSX_CONTENT_TYPE,
    )
    return _open(response)


@pagecache.cache_params()
@require_safe
def figures_json(request):
    tables = export_tables()
    head = {
        "jeu_de_donnees": "Financements des fiches actions publiques : prévu, accordé, "
        "réalisé, versé",
        "producteur": identity.publisher(),
        "licence": LICENCE,
        "genere_le": timezone.now(),
        "colonnes": {column.name: column.description for column in COLUMNS},
        "par_annee": tables["annee"],
        "par_financeur": tables["financeur"],
        "par_axe": tables["axe"],
    }
    content = json.dumps(head, ensure_ascii=False, default=writers._json_default)
    response = StreamingHttpResponse([content.encode("utf-8")], content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return _open(response)
