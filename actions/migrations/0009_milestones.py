"""Milestones (jalons) of an action (issue 13, item 1).

New tables only (the milestones and their history), plus the frozen milestones of a validated
plan's snapshots: existing snapshots were frozen before milestones existed and get an empty list,
which is what they held. No column is added to actions_action (its triggers, migration 0006,
would not survive SQLite's table rebuild).
"""

import datetime

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0008_search_index_and_reserved_slugs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalMilestone",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="ordre")),
                ("title", models.CharField(max_length=200, verbose_name="jalon")),
                ("due_date", models.DateField(verbose_name="échéance")),
                (
                    "done_on",
                    models.DateField(
                        blank=True,
                        help_text="Vide tant que le jalon n'est pas atteint.",
                        null=True,
                        verbose_name="atteint le",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "action",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actions.action",
                        verbose_name="action",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical jalon",
                "verbose_name_plural": "historical jalons",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Milestone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="ordre")),
                ("title", models.CharField(max_length=200, verbose_name="jalon")),
                ("due_date", models.DateField(verbose_name="échéance")),
                (
                    "done_on",
                    models.DateField(
                        blank=True,
                        help_text="Vide tant que le jalon n'est pas atteint.",
                        null=True,
                        verbose_name="atteint le",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="milestones",
                        to="actions.action",
                        verbose_name="action",
                    ),
                ),
            ],
            options={
                "verbose_name": "jalon",
                "verbose_name_plural": "jalons",
                "ordering": ["action", "order", "due_date", "pk"],
                "indexes": [models.Index(fields=["due_date"], name="milestone_due_date")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("title", ""), _negated=True),
                        name="milestone_title_not_empty",
                        violation_error_message="Donnez un intitulé au jalon.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("due_date__gte", datetime.date(2000, 1, 1)),
                            models.Q(
                                ("done_on__isnull", True),
                                ("done_on__gte", datetime.date(2000, 1, 1)),
                                _connector="OR",
                            ),
                        ),
                        name="milestone_dates_after_2000",
                        violation_error_message="Les dates d'un jalon doivent être postérieures au 1er janvier 2000.",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="actionsnapshot",
            name="milestones",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="[{titre, echeance, atteint_le}] : les jalons de la fiche quand le plan a été figé, dans leur ordre.",
                verbose_name="jalons à la validation",
            ),
        ),
    ]
