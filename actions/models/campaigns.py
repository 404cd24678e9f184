"""The update campaign before a COPIL, the « rien de nouveau » confirmations, and the log of
reminders.

An action of a campaign is up to date (« à jour ») once a progress note was posted on it after
the campaign opened (the note's `created_at`, not the date it reports on), or once its pilot
confirmed that nothing changed for this campaign (`UpdateConfirmation`). The queryset method
`UpdateCampaign.actions_with_answer()` names that rule; `ActionAnswer` is its twin on one row.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format

from partners.models import Organisation
from programme.models import CopilMeeting

from .action import Action
from .followup import ProgressUpdate

# How long before the COPIL the deadline falls when staff opens a campaign (a suggestion).
DEFAULT_DEADLINE_BEFORE_COPIL = datetime.timedelta(days=7)


class UpdateCampaignQuerySet(models.QuerySet):
    def current(self, now=None):
        """Opened, and its COPIL still ahead (today counts) and not cancelled (twin:
        `is_current`). The nearest COPIL first."""
        now = now or timezone.now()
        return (
            self.filter(opened_at__lte=now, meeting__date__gte=timezone.localdate(now))
            .exclude(meeting__status=CopilMeeting.Status.CANCELLED)
            .order_by("meeting__date", "pk")
        )


class UpdateCampaign(models.Model):
    meeting = models.ForeignKey(
        CopilMeeting,
        on_delete=models.PROTECT,
        related_name="update_campaigns",
        verbose_name="COPIL préparé",
    )
    opened_at = models.DateTimeField("ouverte le", default=timezone.now)
    deadline = models.DateField(
        "date limite des mises à jour",
        help_text="Les pilotes ont jusqu'à ce jour inclus pour mettre leurs fiches à jour.",
    )
    actions = models.ManyToManyField(
        Action,
        related_name="update_campaigns",
        verbose_name="fiches actions concernées",
        help_text="Par défaut, toutes les fiches non archivées de la phase du COPIL, publiques "
        "ou non.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ouverte par",
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False, editable=False)

    objects = UpdateCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne de mise à jour"
        verbose_name_plural = "campagnes de mise à jour"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting"], name="updatecampaign_one_per_meeting")
        ]

    def __str__(self):
        return f"Mise à jour avant le {self.meeting}"

    def clean(self):
        super().clean()
        opened_on = timezone.localdate(self.opened_at) if self.opened_at else None
        if self.meeting_id and opened_on and self.meeting.date < opened_on:
            raise ValidationError(
                {"meeting": "Ce COPIL a déjà eu lieu : choisissez une réunion à venir."}
            )
        if self.meeting_id and self.deadline and self.deadline > self.meeting.date:
            raise ValidationError(
                {"deadline": "La date limite doit précéder le COPIL ou tomber le jour même."}
            )
        if self.deadline and opened_on and self.deadline < opened_on:
            raise ValidationError(
                {"deadline": "La date limite ne peut pas précéder l'ouverture de la campagne."}
            )

    def is_current(self, now=None):
        now = now or timezone.now()
        return (
            self.opened_at <= now
            and self.meeting.date >= timezone.localdate(now)
            and self.meeting.status != CopilMeeting.Status.CANCELLED
        )

    def deadline_passed(self, today=None):
        return self.deadline < (today or timezone.localdate())

    @property
    def deadline_label(self):
        return date_format(self.deadline, "j F Y")

    def actions_with_answer(self):
        """The campaign's current actions, annotated `noted` (a note posted since the opening)
        and `confirmed` (« rien de nouveau » for this campaign); `is_answered(action)` reads
        both. Archived actions leave the campaign."""
        notes = ProgressUpdate.objects.filter(action=OuterRef("pk"), created_at__gte=self.opened_at)
        confirmations = UpdateConfirmation.objects.filter(campaign=self, action=OuterRef("pk"))
        return (
            Action.objects.filter(update_campaigns=self)
            .current()
            .annotate(noted=Exists(notes), confirmed=Exists(confirmations))
        )

    def waiting_actions(self):
        """The campaign's current actions that nobody answered yet."""
        return self.actions_with_answer().filter(noted=False, confirmed=False)

    def default_actions(self):
        """What a new campaign concerns: every current action of the COPIL's phase."""
        return Action.objects.current().filter(phase_id=self.meeting.phase_id)


def is_answered(action):
    """Twin of `UpdateCampaign.waiting_actions` on a row of `actions_with_answer()`."""
    return bool(action.noted or action.confirmed)


class UpdateConfirmation(models.Model):
    """« Rien de nouveau »: the pilot checked the fiche for this campaign and has nothing to add.
    Written by `actions.writes.confirm_nothing_new`; at most one per campaign and action."""

    campaign = models.ForeignKey(
        UpdateCampaign,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name="campagne",
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        related_name="update_confirmations",
        verbose_name="fiche action",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="confirmée par",
    )
    confirmed_at = models.DateTimeField("confirmée le", default=timezone.now)

    class Meta:
        verbose_name = "confirmation « rien de nouveau »"
        verbose_name_plural = "confirmations « rien de nouveau »"
        ordering = ["-confirmed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "action"], name="updateconfirmation_once_per_campaign"
            )
        ]

    def __str__(self):
        return f"Rien de nouveau — {self.action_id} ({self.campaign_id})"


class ReminderLog(models.Model):
    """One reminder e-mail to one person, logged before it is sent (`SENDING`), then `SENT` or
    `FAILED` with the error. The same reminder (same kind, campaign, organisation, person) is
    sent once a day at most: a sending or sent row of the day blocks another, in the database
    too (a partial unique constraint), while a failed one lets a later try through."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", "Campagne de mise à jour"
        STALE = "stale", "Fiches sans note de suivi"

    class Outcome(models.TextChoices):
        SENDING = "sending", "En cours d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"

    kind = models.CharField("relance", max_length=10, choices=Kind.choices)
    campaign = models.ForeignKey(
        UpdateCampaign,
        on_delete=models.PROTECT,  # the log outlives nothing it names: keep the campaign
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name="campagne",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation pilote",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="destinataire",
    )
    recipient_email = models.EmailField("adresse du destinataire")
    actions = models.ManyToManyField(
        Action, blank=True, related_name="+", verbose_name="fiches actions rappelées"
    )
    action_codes = models.TextField("codes des fiches rappelées", blank=True)
    day = models.DateField("jour")
    sent_at = models.DateTimeField("envoyé le", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="envoyé par",
        help_text="Vide : envoyé par la commande planifiée.",
    )
    outcome = models.CharField(
        "résultat", max_length=10, choices=Outcome.choices, default=Outcome.SENDING
    )
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "relance envoyée"
        verbose_name_plural = "relances envoyées"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "campaign", "organisation", "recipient_email", "day"],
                condition=Q(campaign__isnull=False, organisation__isnull=False)
                & ~Q(outcome="failed"),
                name="reminderlog_campaign_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["kind", "organisation", "recipient_email", "day"],
                condition=Q(campaign__isnull=True, organisation__isnull=False)
                & ~Q(outcome="failed"),
                name="reminderlog_stale_once_a_day",
            ),
        ]
        indexes = [models.Index(fields=["day", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.recipient_email} ({self.day:%d/%m/%Y})"

    @property
    def by_label(self):
        return str(self.sent_by) if self.sent_by_id else "commande planifiée"
