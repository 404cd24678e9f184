"""The firms' door: the needs an action serves, how to take part, and its « Qui contacter ».

Adding a NOT NULL column makes Django rebuild `actions_action` on SQLite, which drops the table's
triggers and fails on the trigger of `programme_axis` that reads it (see 0006): the triggers are
dropped first and created again at the end (both ways).
"""

import importlib

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models

draft = importlib.import_module("actions.migrations.0006_action_draft_by_default")
RECREATE = [*draft.SQLITE_BACKWARD, *draft.SQLITE_FORWARD]


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_action_draft_by_default"),
        ("partners", "0002_needs_and_public_contact"),
    ]

    operations = [
        # Undone last: the triggers again once the table is back to its former shape.
        draft.VendorSQL("sqlite", draft.SQLITE_BACKWARD, RECREATE),
        migrations.AddField(
            model_name="action",
            name="eligibility",
            field=models.TextField(
                blank=True,
                help_text="En quelques lignes : les entreprises concernées (taille, secteur, lieu…).",
                verbose_name="qui peut en bénéficier",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="how_to_apply",
            field=models.TextField(
                blank=True,
                help_text="En quelques lignes : la démarche d'une entreprise intéressée.",
                verbose_name="comment y participer",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="needs",
            field=models.ManyToManyField(
                blank=True,
                related_name="actions",
                to="partners.need",
                verbose_name="besoins des entreprises",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="referent_consent",
            field=models.BooleanField(
                default=False,
                help_text="Cochez seulement si la personne a accepté que son nom et ses coordonnées soient publiés sur la fiche publique.",
                verbose_name="le référent accepte d'être affiché",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="referent_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="référent : e-mail"),
        ),
        migrations.AddField(
            model_name="action",
            name="referent_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="référent : nom"),
        ),
        migrations.AddField(
            model_name="action",
            name="referent_phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="référent : téléphone"),
        ),
        migrations.AddField(
            model_name="action",
            name="referent_role",
            field=models.CharField(blank=True, max_length=150, verbose_name="référent : fonction"),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="eligibility",
            field=models.TextField(
                blank=True,
                help_text="En quelques lignes : les entreprises concernées (taille, secteur, lieu…).",
                verbose_name="qui peut en bénéficier",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="how_to_apply",
            field=models.TextField(
                blank=True,
                help_text="En quelques lignes : la démarche d'une entreprise intéressée.",
                verbose_name="comment y participer",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="referent_consent",
            field=models.BooleanField(
                default=False,
                help_text="Cochez seulement si la personne a accepté que son nom et ses coordonnées soient publiés sur la fiche publique.",
                verbose_name="le référent accepte d'être affiché",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="referent_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="référent : e-mail"),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="referent_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="référent : nom"),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="referent_phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="référent : téléphone"),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="referent_role",
            field=models.CharField(blank=True, max_length=150, verbose_name="référent : fonction"),
        ),
        migrations.CreateModel(
            name="HistoricalAction_needs",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "action",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actions.action",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="actions.historicalaction",
                    ),
                ),
                (
                    "need",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="partners.need",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalAction_needs",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        # The table was rebuilt on SQLite: its triggers again.
        draft.VendorSQL("sqlite", RECREATE, draft.SQLITE_BACKWARD),
    ]
