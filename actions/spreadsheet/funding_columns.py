"""The funding line's columns of the spreadsheet (`actions.spreadsheet.resources`), from the
plan to the funder's payment, and how each maps onto `Funding`: its field, the default of a new
line, the column next to which each of its constraints shows its French message."""

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ..fields import SheetColumn
from ..models import Funding

# The funding line's columns; the action's are declared in `actions.fields`.
FUNDING_SHEET_COLUMNS = {
    "funding_year": SheetColumn(
        "Année",
        "Année de la ligne de financement. Vide si la fiche n'a pas de financement : les "
        "colonnes de financement qui suivent restent alors vides.",
        "year",
    ),
    "funding_funder": SheetColumn(
        "Financeur", "Sigle ou nom de l'organisation qui finance.", "organisation"
    ),
    "funding_kind": SheetColumn(
        "Nature", "Fonctionnement (par défaut) ou Investissement.", "funding_kind"
    ),
    "funding_planned": SheetColumn(
        "Montant prévu (€)",
        "Montant en euros ; virgule décimale et espaces acceptés : 12 500,50.",
        "amount",
    ),
    "funding_status": SheetColumn(
        "Statut du financement",
        "Prévu, Demandé, Accordé ou Refusé. Vide : le statut enregistré est gardé (Prévu pour "
        "une nouvelle ligne).",
        "funding_status",
        keep_when_empty=True,
    ),
    "funding_decision_date": SheetColumn(
        "Date de décision",
        "JJ/MM/AAAA : date de la décision du financeur, pour une ligne accordée ou refusée.",
        "date",
    ),
    "funding_reference": SheetColumn(
        "Référence",
        "Numéro de l'arrêté, de la convention ou du courrier du financeur, pour une ligne "
        "accordée ou refusée.",
        "text",
    ),
    "funding_granted": SheetColumn(
        "Montant accordé (€)",
        "Montant en euros, obligatoire pour une ligne accordée, vide sinon.",
        "amount",
    ),
    "funding_actual": SheetColumn(
        "Montant réalisé (€)", "Montant en euros, vide si pas encore connu.", "amount"
    ),
    "funding_spent_on": SheetColumn(
        "Réalisé au", "JJ/MM/AAAA : date à laquelle le montant réalisé a été arrêté.", "date"
    ),
    "funding_spent_note": SheetColumn(
        "Note sur le réalisé",
        "Obligatoire quand le réalisé dépasse le montant accordé.",
        "text",
    ),
    "funding_paid": SheetColumn(
        "Montant versé (€)",
        "Montant en euros versé par le financeur, au plus le montant accordé.",
        "amount",
    ),
    "funding_paid_on": SheetColumn(
        "Versé le", "JJ/MM/AAAA : date du versement, après la date de décision.", "date"
    ),
}
# Each funding column and the Funding field it holds.
FUNDING_FIELDS = {
    "funding_planned": "planned_amount",
    "funding_status": "status",
    "funding_decision_date": "decision_date",
    "funding_reference": "decision_reference",
    "funding_granted": "granted_amount",
    "funding_actual": "actual_amount",
    "funding_spent_on": "spent_on",
    "funding_spent_note": "spent_note",
    "funding_paid": "paid_amount",
    "funding_paid_on": "paid_on",
}
# The column next to which each constraint of a line shows its message.
CONSTRAINT_COLUMNS = {
    str(constraint.violation_error_message): column
    for constraint in Funding._meta.constraints
    for name, column in {
        "funding_granted_has_amount": "funding_granted",
        "funding_amount_only_when_granted": "funding_granted",
        "funding_decision_only_when_decided": "funding_decision_date",
        "funding_spent_within_granted": "funding_spent_note",
        "funding_spent_date_with_amount": "funding_spent_on",
        "funding_paid_within_granted": "funding_paid",
        "funding_paid_date_with_amount": "funding_paid_on",
        "funding_paid_after_decision": "funding_paid_on",
    }.items()
    if constraint.name == name
}
# The values of a new line when its cells are empty (a text cell is read as "").
FUNDING_TEXTS = ("funding_reference", "funding_spent_note")
FUNDING_DEFAULTS = {"funding_planned": Decimal("0.00"), "funding_status": Funding.Status.PLANNED}


def funding_changes(instance):
    """{Funding field: new value} of what the row (its action `instance`) changes on the
    existing funding line it points at (`instance.funding`)."""
    funding = instance.funding
    return {
        name: getattr(instance, attribute)
        for attribute, name in FUNDING_FIELDS.items()
        if getattr(funding, name) != getattr(instance, attribute)
    }


def check_funding_rules(instance, errors):
    """The line's constraints, their French messages under the row's columns in `errors`; only
    for a line the row creates or changes (a line as stored holds them already, and each check
    is a query)."""
    if instance.funding is not None and not funding_changes(instance):
        return
    line = Funding(
        action=instance if instance.pk else None,
        year=instance.funding_year,
        funder=instance.funding_funder,
        kind=instance.funding_kind,
        **{name: getattr(instance, attribute) for attribute, name in FUNDING_FIELDS.items()},
    )
    try:
        # The action and funder are the import's own (found, or created by the file), and the
        # line's key is checked once by the import (no line twice in the file).
        line.full_clean(exclude=["action", "funder"], validate_unique=False)
    except ValidationError as error:
        columns = {name: attribute for attribute, name in FUNDING_FIELDS.items()}
        for name, messages in error.message_dict.items():
            for message in messages:
                column = CONSTRAINT_COLUMNS.get(message) or columns.get(name, NON_FIELD_ERRORS)
                errors.setdefault(column, []).append(message)
