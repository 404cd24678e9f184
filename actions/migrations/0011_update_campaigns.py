"""Update campaigns before a COPIL and the log of reminders (issue 14, items 1 and 2).

New tables only: no existing row changes.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0010_funding_follow_through"),
        ("partners", "0002_needs_and_public_contact"),
        ("programme", "0004_decision_follow_up"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UpdateCampaign",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "opened_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="ouverte le"
                    ),
                ),
                (
                    "deadline",
                    models.DateField(
                        help_text="Les pilotes ont jusqu'à ce jour inclus pour mettre leurs "
                        "fiches à jour.",
                        verbose_name="date limite des mises à jour",
                    ),
                ),
                (
                    "is_demo",
                    models.BooleanField(
                        default=False, editable=False, verbose_name="donnée de démonstration"
                    ),
                ),
                (
                    "actions",
                    models.ManyToManyField(
                        help_text="Par défaut, toutes les fiches non archivées de la phase du "
                        "COPIL, publiques ou non.",
                        related_name="update_campaigns",
                        to="actions.action",
                        verbose_name="fiches actions concernées",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="update_campaigns",
                        to="programme.copilmeeting",
                        verbose_name="COPIL préparé",
                    ),
                ),
                (
                    "opened_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="ouverte par",
                    ),
                ),
            ],
            options={
                "verbose_name": "campagne de mise à jour",
                "verbose_name_plural": "campagnes de mise à jour",
                "ordering": ["-opened_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("meeting",), name="updatecampaign_one_per_meeting"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="UpdateConfirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="confirmée le"
                    ),
                ),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="update_confirmations",
                        to="actions.action",
                        verbose_name="fiche action",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="confirmations",
                        to="actions.updatecampaign",
                        verbose_name="campagne",
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="confirmée par",
                    ),
                ),
            ],
            options={
                "verbose_name": "confirmation « rien de nouveau »",
                "verbose_name_plural": "confirmations « rien de nouveau »",
                "ordering": ["-confirmed_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "action"),
                        name="updateconfirmation_once_per_campaign",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReminderLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("campaign", "Campagne de mise à jour"),
                            ("stale", "Fiches sans note de suivi"),
                        ],
                        max_length=10,
                        verbose_name="relance",
                    ),
                ),
                (
                    "recipient_email",
                    models.EmailField(max_length=254, verbose_name="adresse du destinataire"),
                ),
                (
                    "action_codes",
                    models.TextField(blank=True, verbose_name="codes des fiches rappelées"),
                ),
                ("day", models.DateField(verbose_name="jour")),
                (
                    "sent_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="envoyé le"
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("sending", "En cours d'envoi"),
                            ("sent", "Envoyé"),
                            ("failed", "Échec"),
                        ],
                        default="sending",
                        max_length=10,
                        verbose_name="résultat",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="erreur")),
                (
                    "actions",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="actions.action",
                        verbose_name="fiches actions rappelées",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reminders",
                        to="actions.updatecampaign",
                        verbose_name="campagne",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="partners.organisation",
                        verbose_name="organisation pilote",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="destinataire",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Vide : envoyé par la commande planifiée.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="envoyé par",
                    ),
                ),
            ],
            options={
                "verbose_name": "relance envoyée",
                "verbose_name_plural": "relances envoyées",
                "ordering": ["-sent_at", "-pk"],
                "indexes": [
                    models.Index(fields=["day", "kind"], name="actions_rem_day_7cc1ef_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("campaign__isnull", False),
                            ("organisation__isnull", False),
                            models.Q(("outcome", "failed"), _negated=True),
                        ),
                        fields=("kind", "campaign", "organisation", "recipient_email", "day"),
                        name="reminderlog_campaign_once_a_day",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("campaign__isnull", True),
                            ("organisation__isnull", False),
                            models.Q(("outcome", "failed"), _negated=True),
                        ),
                        fields=("kind", "organisation", "recipient_email", "day"),
                        name="reminderlog_stale_once_a_day",
                    ),
                ],
            },
        ),
    ]
