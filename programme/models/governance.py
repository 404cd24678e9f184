"""The programme's governance: COPIL meetings, their agenda and the decisions they take."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from partners.models import Organisation

from .structure import Phase

# A decision is not dated before the meeting that took it (also a trigger: programme/0004).
STATUS_BEFORE_MEETING = "La date du statut ne peut pas précéder la réunion qui a pris la décision."
DUE_BEFORE_MEETING = "L'échéance ne peut pas précéder la réunion qui a pris la décision."
MEETING_AFTER_DECISIONS = (
    "Des décisions de cette réunion ont une échéance ou une date de statut antérieure à cette "
    "date\u00a0: corrigez-les d'abord."
)


class CopilMeetingQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def upcoming(self, today):
        return self.filter(date__gte=today, status=CopilMeeting.Status.PLANNED).order_by("date")

    def demo(self):
        """Demonstration meetings (twin: the `is_demo` flag)."""
        return self.filter(is_demo=True)


class CopilMeeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Prévu"
        HELD = "held", "Tenu"
        CANCELLED = "cancelled", "Annulé"

    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="copil_meetings", verbose_name="phase"
    )
    title = models.CharField("intitulé", max_length=200, default="Comité de pilotage")
    date = models.DateField("date")
    start_time = models.TimeField("heure de début", null=True, blank=True)
    place = models.CharField("lieu", max_length=200, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    attendees = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="copil_meetings",
        verbose_name="organisations présentes",
    )
    minutes = models.TextField("compte rendu (Markdown)", blank=True)
    minutes_public = models.BooleanField("compte rendu public", default=True)
    is_public = models.BooleanField("réunion publique", default=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False, editable=False)
    history = HistoricalRecords()

    objects = CopilMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion du COPIL"
        verbose_name_plural = "réunions du COPIL"
        ordering = ["-date"]

    def __str__(self):
        return f"{self.title} du {date_format(self.date, 'SHORT_DATE_FORMAT')}"

    def get_absolute_url(self):
        return reverse("programme:copil_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.pk and self.date:
            early = Q(status_date__lt=self.date) | Q(due_date__lt=self.date)
            if self.decisions.filter(early).exists():
                raise ValidationError({"date": MEETING_AFTER_DECISIONS})


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        CopilMeeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name="réunion"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("point", max_length=300)

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "ordre du jour"
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title


class DecisionQuerySet(models.QuerySet):
    """The follow-up rules of COPIL decisions, each with its twin on `Decision`."""

    def public(self):
        """Decisions of public meetings (twin: `is_visible_to_public`)."""
        return self.filter(meeting__in=CopilMeeting.objects.public())

    def open(self):
        """Still to be carried out: à engager or en cours (twin: `is_open`)."""
        return self.filter(status__in=Decision.OPEN_STATUSES)

    def overdue(self, today):
        """Open and past their due date (twin: `is_overdue(today)`)."""
        return self.open().filter(due_date__lt=today)

    def demo(self):
        """Demonstration decisions (twin: the `is_demo` flag)."""
        return self.filter(is_demo=True)


class Decision(models.Model):
    """A decision of a COPIL meeting, followed up until it is carried out or abandoned."""

    class Status(models.TextChoices):
        TO_ENGAGE = "to_engage", "À engager"
        IN_PROGRESS = "in_progress", "En cours"
        DONE = "done", "Réalisée"
        ABANDONED = "abandoned", "Abandonnée"

    OPEN_STATUSES = (Status.TO_ENGAGE, Status.IN_PROGRESS)

    meeting = models.ForeignKey(
        CopilMeeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="réunion"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    text = models.TextField("décision")
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_decisions",
        verbose_name="organisation responsable",
        help_text="Ses contributeurs mettent à jour le suivi dans l'espace partenaire.",
    )
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=Status.choices, default=Status.TO_ENGAGE
    )
    status_date = models.DateField(
        "date du statut",
        null=True,
        blank=True,
        help_text="Depuis quand la décision est en cours, réalisée ou abandonnée.",
    )
    follow_up = models.TextField("note de suivi", blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)
    is_demo = models.BooleanField("donnée de démonstration", default=False, editable=False)
    history = HistoricalRecords()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["to_engage", "in_progress", "done", "abandoned"]),
                name="decision_status_known",
                violation_error_message="Statut de décision inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(status="to_engage") | Q(status_date__isnull=False),
                name="decision_status_dated",
                violation_error_message=(
                    "Indiquez la date du statut\u00a0: depuis quand la décision est en cours, "
                    "réalisée ou abandonnée."
                ),
            ),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self):
        return reverse("programme:copil_detail", args=[self.meeting_id]) + f"#decision-{self.pk}"

    @property
    def is_visible_to_public(self):
        """Twin of `DecisionQuerySet.public`."""
        return self.meeting.is_public

    @property
    def is_open(self):
        """Twin of `DecisionQuerySet.open`."""
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today):
        """Twin of `DecisionQuerySet.overdue`."""
        return self.is_open and self.due_date is not None and self.due_date < today

    def clean(self):
        """Dates that a row alone cannot check: none before the meeting that took the decision."""
        super().clean()
        meeting_date = self.meeting.date if self.meeting_id else None
        errors = {}
        if meeting_date and self.status_date and self.status_date < meeting_date:
            errors["status_date"] = STATUS_BEFORE_MEETING
        if meeting_date and self.due_date and self.due_date < meeting_date:
            errors["due_date"] = DUE_BEFORE_MEETING
        if errors:
            raise ValidationError(errors)
