"""Funding lines from request to payment (issue 13, item 3).

Each line gains the funder's answer (status prévu / demandé / accordé / refusé, the date and
reference of the decision, the amount granted), what was spent (réalisé, with the date of the
figure and a note when it exceeds the grant), what the funder paid (versé, with its date) and a
version for the partner form's conflict check.

Existing lines keep every value and get the status their data says:
- a line with a known actual (réalisé) amount was spent, so its funder had granted it: it becomes
  « accordé »; the grant itself was never recorded, so its granted amount is taken to be its
  planned amount (what the plan said the funder would give); when the spent amount exceeds it,
  the « note sur le réalisé » says so, and the line stays valid under the rule « réalisé ≤
  accordé unless a note explains it »;
- every other line becomes « prévu »: no decision, no grant, nothing paid.
No line gets a paid (versé) amount or a date: those were never kept. Going back drops the new
columns.

Only `actions_funding` and its history table are rebuilt on SQLite; neither has a trigger.
"""

import django.core.validators
from django.db import migrations, models
from django.db.models import F

MIGRATED_NOTE = (
    "Montant accordé repris du montant prévu lors du passage au suivi des financements : "
    "le réalisé le dépasse."
)


def statuses_from_data(apps, schema_editor):
    """« accordé » (granted = planned) for the lines with a known actual amount."""
    Funding = apps.get_model("actions", "Funding")
    spent = Funding.objects.filter(actual_amount__isnull=False)
    spent.update(status="granted", granted_amount=F("planned_amount"))
    spent.filter(actual_amount__gt=F("planned_amount")).update(spent_note=MIGRATED_NOTE)
    if schema_editor.connection.vendor == "postgresql":
        # The updates left deferred foreign-key checks pending: PostgreSQL refuses to alter the
        # table (the constraints below) until they have run.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [("actions", "0009_milestones")]

    operations = [
        migrations.AddField(
            model_name="funding",
            name="decision_date",
            field=models.DateField(
                blank=True,
                help_text="Pour une ligne accordée ou refusée.",
                null=True,
                verbose_name="date de la décision du financeur",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="decision_reference",
            field=models.CharField(
                blank=True,
                help_text="Numéro de l'arrêté, de la convention ou du courrier du financeur.",
                max_length=100,
                verbose_name="référence de la décision",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="granted_amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Obligatoire pour une ligne accordée, vide sinon.",
                max_digits=12,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Le montant ne peut pas être négatif."
                    )
                ],
                verbose_name="montant accordé (€)",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="paid_amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Ce que le financeur a versé ; saisi par l'équipe projet.",
                max_digits=12,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Le montant ne peut pas être négatif."
                    )
                ],
                verbose_name="montant versé (€)",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="paid_on",
            field=models.DateField(blank=True, null=True, verbose_name="versé à la date du"),
        ),
        migrations.AddField(
            model_name="funding",
            name="spent_note",
            field=models.TextField(
                blank=True,
                help_text="Obligatoire quand le réalisé dépasse le montant accordé.",
                verbose_name="note sur le réalisé",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="spent_on",
            field=models.DateField(
                blank=True,
                help_text="La date à laquelle le montant réalisé a été arrêté.",
                null=True,
                verbose_name="réalisé à la date du",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "Prévu"),
                    ("requested", "Demandé"),
                    ("granted", "Accordé"),
                    ("refused", "Refusé"),
                ],
                default="planned",
                help_text="Prévu, demandé au financeur, accordé ou refusé par lui.",
                max_length=10,
                verbose_name="statut de la demande",
            ),
        ),
        migrations.AddField(
            model_name="funding",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="decision_date",
            field=models.DateField(
                blank=True,
                help_text="Pour une ligne accordée ou refusée.",
                null=True,
                verbose_name="date de la décision du financeur",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="decision_reference",
            field=models.CharField(
                blank=True,
                help_text="Numéro de l'arrêté, de la convention ou du courrier du financeur.",
                max_length=100,
                verbose_name="référence de la décision",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="granted_amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Obligatoire pour une ligne accordée, vide sinon.",
                max_digits=12,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Le montant ne peut pas être négatif."
                    )
                ],
                verbose_name="montant accordé (€)",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="paid_amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Ce que le financeur a versé ; saisi par l'équipe projet.",
                max_digits=12,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Le montant ne peut pas être négatif."
                    )
                ],
                verbose_name="montant versé (€)",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="paid_on",
            field=models.DateField(blank=True, null=True, verbose_name="versé à la date du"),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="spent_note",
            field=models.TextField(
                blank=True,
                help_text="Obligatoire quand le réalisé dépasse le montant accordé.",
                verbose_name="note sur le réalisé",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="spent_on",
            field=models.DateField(
                blank=True,
                help_text="La date à laquelle le montant réalisé a été arrêté.",
                null=True,
                verbose_name="réalisé à la date du",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "Prévu"),
                    ("requested", "Demandé"),
                    ("granted", "Accordé"),
                    ("refused", "Refusé"),
                ],
                default="planned",
                help_text="Prévu, demandé au financeur, accordé ou refusé par lui.",
                max_length=10,
                verbose_name="statut de la demande",
            ),
        ),
        migrations.AddField(
            model_name="historicalfunding",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.RunPython(statuses_from_data, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("granted_amount__isnull", True), ("granted_amount__gte", 0), _connector="OR"
                ),
                name="funding_granted_amount_positive",
                violation_error_message="Le montant accordé ne peut pas être négatif.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_amount__isnull", True), ("paid_amount__gte", 0), _connector="OR"
                ),
                name="funding_paid_amount_positive",
                violation_error_message="Le montant versé ne peut pas être négatif.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "granted"), _negated=True),
                    ("granted_amount__isnull", False),
                    _connector="OR",
                ),
                name="funding_granted_has_amount",
                violation_error_message="Une ligne accordée indique le montant accordé.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "granted"), ("granted_amount__isnull", True), _connector="OR"
                ),
                name="funding_amount_only_when_granted",
                violation_error_message="Le montant accordé ne se renseigne que pour une ligne accordée.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["granted", "refused"]),
                    models.Q(("decision_date__isnull", True), ("decision_reference", "")),
                    _connector="OR",
                ),
                name="funding_decision_only_when_decided",
                violation_error_message="La date et la référence de la décision ne se renseignent que pour une ligne accordée ou refusée.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("actual_amount__isnull", True),
                    ("granted_amount__isnull", True),
                    ("actual_amount__lte", models.F("granted_amount")),
                    models.Q(("spent_note", ""), _negated=True),
                    _connector="OR",
                ),
                name="funding_spent_within_granted",
                violation_error_message="Le montant réalisé dépasse le montant accordé : expliquez-le dans la note sur le réalisé.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("spent_on__isnull", True), ("actual_amount__isnull", False), _connector="OR"
                ),
                name="funding_spent_date_with_amount",
                violation_error_message="La date du réalisé accompagne un montant réalisé.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_amount__isnull", True),
                    models.Q(
                        ("paid_amount__lte", models.F("granted_amount")), ("status", "granted")
                    ),
                    _connector="OR",
                ),
                name="funding_paid_within_granted",
                violation_error_message="Un versement suppose une ligne accordée, et ne dépasse pas le montant accordé.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_on__isnull", True), ("paid_amount__isnull", False), _connector="OR"
                ),
                name="funding_paid_date_with_amount",
                violation_error_message="La date du versement accompagne un montant versé.",
            ),
        ),
        migrations.AddConstraint(
            model_name="funding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_on__isnull", True),
                    ("decision_date__isnull", True),
                    ("paid_on__gte", models.F("decision_date")),
                    _connector="OR",
                ),
                name="funding_paid_after_decision",
                violation_error_message="Le versement ne peut pas précéder la décision du financeur.",
            ),
        ),
    ]
