"""The public funding figures: planned, granted, spent and paid, by year, by funder and by axis.

Every figure is a sum over the funding lines of public actions only
(`Funding.objects.of_public_actions()`): a line of a draft or archived action is never counted,
so no difference between two figures reveals it. Each table is one grouped query
(`FundingQuerySet.sums_by`), whatever the number of lines. The gap (planned − granted) and the
execution (spent / granted) are those of `actions.models.funding`, named there once.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from ..models import Funding
from ..models.funding import execution_rate, funding_gap

# (key, French label) of the four amounts, in the order of the tables and the chart.
AMOUNTS = [("planned", "Prévu"), ("granted", "Accordé"), ("spent", "Réalisé"), ("paid", "Versé")]
AXIS_FIELDS = (
    "action__axis__phase__number",
    "action__axis__number",
    "action__axis__name",
    "action__axis__slug",
)
FUNDER_FIELDS = ("funder__name", "funder__acronym", "funder__slug")


@dataclass
class FigureRow:
    """One row of a table: what it groups (`key`, `label`, `url`, `year` when grouped by year
    too) and its sums. An amount is None when no line of the row has it."""

    key: str
    label: str
    planned: Decimal
    granted: Decimal | None
    spent: Decimal | None
    paid: Decimal | None
    demo: bool = False
    url: str = ""
    year: int | None = None

    @property
    def gap(self):
        return funding_gap(self.planned, self.granted)

    @property
    def execution(self):
        return execution_rate(self.spent, self.granted)

    @property
    def amounts(self):
        return [getattr(self, key) for key, _ in AMOUNTS]


CENT = Decimal("0.01")


def _money(value):
    """A sum as Decimal with cents (SQLite gives back integers or floats)."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


def _amounts(row):
    amounts = {key: _money(row[key]) for key, _ in AMOUNTS}
    return amounts | {"demo": bool(row["demo"])}


def _year_row(row):
    return FigureRow(
        key=str(row["year"]), label=str(row["year"]), year=row["year"], **_amounts(row)
    )


def _funder_row(row):
    name, acronym, slug = (row[field] for field in FUNDER_FIELDS)
    label = f"{acronym} — {name}" if acronym and acronym != name else name
    url = reverse("directory:detail", args=[slug]) if slug else ""
    return FigureRow(key=slug, label=label, url=url, year=row.get("year"), **_amounts(row))


def _axis_row(row):
    phase, number, name, slug = (row[field] for field in AXIS_FIELDS)
    label = f"Axe {number} — {name}"
    if phase is not None:
        label += f" (phase {phase})"
    url = reverse("programme:axis", args=[slug]) if slug else ""
    return FigureRow(
        key=f"P{phase}-{number}", label=label, url=url, year=row.get("year"), **_amounts(row)
    )


def _sum(values):
    known = [value for value in values if value is not None]
    return sum(known, Decimal("0.00")) if known else None


def total_of(rows, label="Total"):
    """The row that adds `rows` up (an amount stays None when no row has it)."""
    return FigureRow(
        key="total",
        label=label,
        planned=_sum(row.planned for row in rows) or Decimal("0.00"),
        granted=_sum(row.granted for row in rows),
        spent=_sum(row.spent for row in rows),
        paid=_sum(row.paid for row in rows),
        demo=any(row.demo for row in rows),
    )


def public_lines():
    return Funding.objects.of_public_actions()


def by_year(lines):
    return [_year_row(row) for row in lines.sums_by("year").order_by("year")]


def by_funder(lines, *, per_year=False):
    fields = ("year", *FUNDER_FIELDS) if per_year else FUNDER_FIELDS
    order = ("year", "funder__name") if per_year else ("-planned", "funder__name")
    return [_funder_row(row) for row in lines.sums_by(*fields).order_by(*order)]


def by_axis(lines, *, per_year=False):
    fields = ("year", *AXIS_FIELDS) if per_year else AXIS_FIELDS
    order = ("action__axis__phase__number", "action__axis__number")
    if per_year:
        order = ("year", *order)
    return [_axis_row(row) for row in lines.sums_by(*fields).order_by(*order)]
