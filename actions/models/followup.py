"""What hangs off an action besides its funding lines (`funding.py`): indicators and
measurements, progress notes and documents."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from programme.models import CopilMeeting

from .action import Action
from .choices import PROGRESS_RANGE, Status


def form_token_field():
    """The one-time token of the partner-space form that created the row (see
    `actions.space.followup`): the same form sent twice creates one row. Empty for rows made
    elsewhere (admin, import, demo)."""
    return models.UUIDField("jeton du formulaire", null=True, blank=True, editable=False)


def unique_form_token(name):
    return models.UniqueConstraint(fields=["form_token"], name=name)


class Indicator(models.Model):
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="indicators", verbose_name="action"
    )
    name = models.CharField("indicateur", max_length=200)
    unit = models.CharField("unité", max_length=50, blank=True)
    baseline = models.DecimalField(
        "valeur de départ", max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField("échéance de la cible", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["action", "name"]

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit else self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name="indicateur"
    )
    date = models.DateField("date")
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    comment = models.CharField("commentaire", max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    form_token = form_token_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        ordering = ["indicator", "date", "pk"]
        constraints = [unique_form_token("measurement_unique_form_token")]

    def __str__(self):
        return f"{self.indicator.name} : {self.value} au {self.date:%d/%m/%Y}"


class ProgressUpdate(models.Model):
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="updates", verbose_name="action"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    date = models.DateField("date")
    text = models.TextField("note de suivi")
    status_before = models.CharField(
        "statut avant", max_length=20, choices=Status.choices, blank=True
    )
    status_after = models.CharField(
        "statut après", max_length=20, choices=Status.choices, blank=True
    )
    progress_after = models.PositiveSmallIntegerField(
        "avancement après (%)", null=True, blank=True, validators=PROGRESS_RANGE
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    form_token = form_token_field()

    class Meta:
        verbose_name = "note de suivi"
        verbose_name_plural = "notes de suivi"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["action", "-date"]),
            # The latest notes of the whole plan (home page, feeds), read in this order.
            models.Index(fields=["-date", "-id"], name="progressupdate_latest"),
        ]
        constraints = [unique_form_token("progressupdate_unique_form_token")]

    def __str__(self):
        return f"{self.action.code} · {self.date:%d/%m/%Y}"


def document_upload_to(instance, filename):
    """Stored under a random name; the original name is kept in `original_name`."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"documents/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PARTNERS = "partners", "Partenaires de l'action"
        STAFF = "staff", "Équipe projet seulement"

    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="action",
    )
    meeting = models.ForeignKey(
        CopilMeeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="réunion du COPIL",
    )
    title = models.CharField("titre", max_length=200)
    file = models.FileField("fichier", upload_to=document_upload_to)
    original_name = models.CharField("nom d'origine", max_length=255, blank=True)
    visibility = models.CharField(
        "visibilité", max_length=10, choices=Visibility.choices, default=Visibility.PARTNERS
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déposé par",
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    form_token = form_token_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action__isnull=False) & Q(meeting__isnull=True))
                | (Q(action__isnull=True) & Q(meeting__isnull=False)),
                name="document_attached_to_one_parent",
                violation_error_message=(
                    "Un document est rattaché soit à une action, soit à une réunion du COPIL."
                ),
            ),
            unique_form_token("document_unique_form_token"),
        ]

    def __str__(self):
        return self.title
