"""The milestones (jalons) of an action: ordered steps with a due date, done on a given day.

A milestone is late when its due date has passed and it is not done. The rules are named once on
the queryset (`done()`, `open()`, `late(today)`, `upcoming(today)`, `public()`), each with its
twin on the instance; `today` is always passed in, so that every rule is computed on a fixed date
in tests as on the pages.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .action import PUBLIC, Action

EARLIEST = datetime.date(2000, 1, 1)
DONE_IN_FUTURE = "La date de réalisation ne peut pas être dans le futur."
DATES_TOO_EARLY = "Les dates d'un jalon doivent être postérieures au 1er janvier 2000."


class MilestoneQuerySet(models.QuerySet):
    def public(self):
        """Milestones of the actions the public sees (twin: `is_visible_to_public`)."""
        return self.filter(action__in=Action.objects.filter(PUBLIC))

    def done(self):
        """Reached: a done date is set (twin: `is_done`)."""
        return self.filter(done_on__isnull=False)

    def open(self):
        """Not reached yet (twin: `is_open`)."""
        return self.filter(done_on__isnull=True)

    def late(self, today):
        """Open and past their due date (twin: `is_late(today)`)."""
        return self.open().filter(due_date__lt=today)

    def upcoming(self, today):
        """Open and due today or later (twin: `is_upcoming(today)`)."""
        return self.open().filter(due_date__gte=today)

    def of_open_actions(self):
        """Milestones of actions someone still reports on: not archived, neither done nor
        abandoned (the dashboards' « à surveiller » ignore the others)."""
        return self.filter(action__in=Action.objects.open())

    def in_order(self):
        """How an action lists its milestones."""
        return self.order_by("order", "due_date", "pk")


def late_count(today):
    """An annotation for actions: how many of each action's milestones are late on `today`."""
    late = (
        Milestone.objects.late(today)
        .filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(late, output_field=IntegerField()), 0)


class Milestone(models.Model):
    class State(models.TextChoices):
        DONE = "done", "Atteint"
        LATE = "late", "En retard"
        UPCOMING = "upcoming", "À venir"

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="milestones", verbose_name="action"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("jalon", max_length=200)
    due_date = models.DateField("échéance")
    done_on = models.DateField(
        "atteint le", null=True, blank=True, help_text="Vide tant que le jalon n'est pas atteint."
    )
    note = models.TextField("note", blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = "jalon"
        verbose_name_plural = "jalons"
        ordering = ["action", "order", "due_date", "pk"]
        indexes = [models.Index(fields=["due_date"], name="milestone_due_date")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="milestone_title_not_empty",
                violation_error_message="Donnez un intitulé au jalon.",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=EARLIEST)
                & (Q(done_on__isnull=True) | Q(done_on__gte=EARLIEST)),
                name="milestone_dates_after_2000",
                violation_error_message=DATES_TOO_EARLY,
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.action.get_absolute_url() + f"#jalon-{self.pk}"

    @property
    def is_visible_to_public(self):
        """Twin of `MilestoneQuerySet.public`."""
        return self.action.is_visible_to_public

    @property
    def is_done(self):
        return self.done_on is not None

    @property
    def is_open(self):
        return self.done_on is None

    def is_late(self, today):
        return self.is_open and self.due_date < today

    def is_upcoming(self, today):
        return self.is_open and self.due_date >= today

    def state(self, today):
        if self.is_done:
            return self.State.DONE
        return self.State.LATE if self.is_late(today) else self.State.UPCOMING

    def frozen(self):
        """The milestone as a validated plan keeps it (`ActionSnapshot.milestones`)."""
        return {
            "id": self.pk,
            "titre": self.title,
            "echeance": self.due_date.isoformat(),
            "atteint_le": self.done_on.isoformat() if self.done_on else None,
        }

    def clean(self):
        """A done date is a fact: never in the future (the database cannot say « today »)."""
        super().clean()
        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": DONE_IN_FUTURE}, code="done_in_future")


class MilestoneSummary:
    """An action's milestones as a page shows them: each with its `state` on `today`, and the
    counts « 3 jalons sur 5 atteints »."""

    def __init__(self, milestones, today):
        self.today = today
        self.rows = list(milestones)
        for milestone in self.rows:
            milestone.current_state = milestone.state(today)
        self.total = len(self.rows)
        self.done = sum(1 for m in self.rows if m.is_done)
        self.late = sum(1 for m in self.rows if m.current_state == Milestone.State.LATE)
        self.open = self.total - self.done

    def __bool__(self):
        return bool(self.rows)

    @property
    def label(self):
        """« 3 jalons sur 5 atteints », « 1 jalon sur 1 atteint »."""
        plural = "s" if self.done > 1 else ""
        return f"{self.done} jalon{plural} sur {self.total} atteint{plural}"
