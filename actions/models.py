"""The action plan: fiches actions, their budget, indicators, follow-up and frozen annual plans."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partners.models import Organisation
from programme.models import Axis, CopilMeeting, Decision, Intercommunality, Phase

AMOUNT_MIN = [MinValueValidator(0, "Le montant ne peut pas être négatif.")]
PROGRESS_RANGE = [
    MinValueValidator(0, "L'avancement doit être compris entre 0 et 100 %%."),
    MaxValueValidator(100, "L'avancement doit être compris entre 0 et 100 %%."),
]
YEAR_RANGE = [
    MinValueValidator(2000, "L'année doit être comprise entre 2000 et 2100."),
    MaxValueValidator(2100, "L'année doit être comprise entre 2000 et 2100."),
]


class Status(models.TextChoices):
    PLANNED = "planned", "À venir"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    PAUSED = "paused", "En pause"
    BLOCKED = "blocked", "Bloquée"
    ABANDONED = "abandoned", "Abandonnée"


class Priority(models.TextChoices):
    HIGH = "high", "Élevée"
    MEDIUM = "medium", "Moyenne"
    LOW = "low", "Basse"


# The relations of an action kept in its history (and restored by a revert).
HISTORY_M2M_FIELDS = ["partners", "intercommunalities", "decisions"]


def code_sort_key(code):
    """'2.10' sorts after '2.3': each dotted part is zero-padded."""
    return ".".join(part.zfill(4) for part in code.split("."))


class ActionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True, is_archived=False)

    def for_axis(self, axis):
        return self.filter(axis=axis)

    def of_user(self, user):
        """Actions whose pilot or partner organisations count the user as a member."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(pilot__memberships__user=user) | Q(partners__memberships__user=user)
        ).distinct()

    def visible_to(self, user):
        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.public()
        mine = self.of_user(user).values("pk")
        return self.filter(Q(pk__in=mine) | Q(is_public=True, is_archived=False))

    def editable_by(self, user):
        """Actions whose fiche the user may edit: staff, or editors of the pilot organisation."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            pilot__memberships__user=user,
            pilot__memberships__role="editor",
        ).distinct()

    def with_budget(self, year=None, name="planned_budget"):
        """Annotate `name` with the planned total of the fundings (of `year` if given).

        A correlated subquery rather than a JOIN + GROUP BY: it is computed only for the rows
        fetched (one page), and it leaves the row count of the queryset untouched.
        """
        fundings = Funding.objects.filter(action=OuterRef("pk"))
        if year is not None:
            fundings = fundings.filter(year=year)
        total = fundings.order_by().values("action").annotate(total=Sum("planned_amount"))
        return self.annotate(
            **{
                name: Subquery(
                    total.values("total"),
                    output_field=models.DecimalField(max_digits=14, decimal_places=2),
                )
            }
        )


class Action(models.Model):
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="actions", verbose_name="phase"
    )
    axis = models.ForeignKey(
        Axis, on_delete=models.PROTECT, related_name="actions", verbose_name="axe"
    )
    code = models.CharField("code", max_length=20, help_text="Par exemple 2.3")
    code_sort = models.CharField(max_length=60, editable=False, db_index=True, default="")
    title = models.CharField("intitulé", max_length=250)
    slug = models.SlugField("identifiant d'URL", max_length=250, unique=True)
    summary = models.TextField("résumé", blank=True)
    description = models.TextField("description (Markdown)", blank=True)
    objectives = models.TextField("objectifs (Markdown)", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    priority = models.CharField(
        "priorité", max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    pilot = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="piloted_actions",
        verbose_name="pilote",
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_actions", verbose_name="partenaires"
    )
    intercommunalities = models.ManyToManyField(
        Intercommunality,
        blank=True,
        related_name="actions",
        verbose_name="communautés de communes concernées",
    )
    decisions = models.ManyToManyField(
        Decision, blank=True, related_name="actions", verbose_name="décisions du COPIL"
    )
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=PROGRESS_RANGE
    )
    is_public = models.BooleanField("publique", default=True)
    is_archived = models.BooleanField("archivée", default=False)
    is_demo = models.BooleanField("donnée de démonstration", default=False, editable=False)
    version = models.PositiveIntegerField("version", default=1, editable=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifiée par",
    )
    history = HistoricalRecords(
        excluded_fields=["code_sort", "updated_at"],
        m2m_fields=HISTORY_M2M_FIELDS,
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches actions"
        ordering = ["code_sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "code"], name="action_unique_code_per_phase"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="action_progress_0_100",
                violation_error_message="L'avancement doit être compris entre 0 et 100 %%.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="action_end_after_start",
                violation_error_message="La date de fin doit suivre la date de début.",
            ),
        ]
        indexes = [models.Index(fields=["is_public", "is_archived", "code_sort"])]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def save(self, *args, **kwargs):
        self.code_sort = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.slug])


class Funding(models.Model):
    class Kind(models.TextChoices):
        INVESTMENT = "investment", "Investissement"
        OPERATING = "operating", "Fonctionnement"

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="fundings", verbose_name="action"
    )
    year = models.PositiveSmallIntegerField("année", validators=YEAR_RANGE)
    funder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="fundings", verbose_name="financeur"
    )
    kind = models.CharField("nature", max_length=12, choices=Kind.choices, default=Kind.OPERATING)
    planned_amount = models.DecimalField(
        "montant prévu (€)", max_digits=12, decimal_places=2, default=0, validators=AMOUNT_MIN
    )
    actual_amount = models.DecimalField(
        "montant réalisé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT_MIN,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "financement"
        verbose_name_plural = "financements"
        ordering = ["action", "year", "funder__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "year", "funder", "kind"],
                name="funding_unique_line",
                violation_error_message=(
                    "Une ligne existe déjà pour cette action, cette année, ce financeur "
                    "et cette nature."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0),
                name="funding_planned_amount_positive",
                violation_error_message="Le montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(actual_amount__isnull=True) | Q(actual_amount__gte=0),
                name="funding_actual_amount_positive",
                violation_error_message="Le montant ne peut pas être négatif.",
            ),
        ]
        indexes = [models.Index(fields=["year", "action"])]

    def __str__(self):
        return f"{self.action.code} · {self.year} · {self.funder} ({self.get_kind_display()})"


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
    history = HistoricalRecords()

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        ordering = ["indicator", "date", "pk"]

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

    class Meta:
        verbose_name = "note de suivi"
        verbose_name_plural = "notes de suivi"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["action", "-date"])]

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
            )
        ]

    def __str__(self):
        return self.title


class AnnualPlan(models.Model):
    """The plan of a year as a COPIL validated it; its snapshots never change afterwards."""

    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="annual_plans", verbose_name="phase"
    )
    year = models.PositiveSmallIntegerField("année", validators=YEAR_RANGE)
    meeting = models.ForeignKey(
        CopilMeeting,
        on_delete=models.PROTECT,
        related_name="annual_plans",
        verbose_name="COPIL de validation",
    )
    validated_at = models.DateTimeField("validé le", auto_now_add=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )
    total_planned = models.DecimalField(
        "budget prévu total (€)", max_digits=14, decimal_places=2, default=0
    )
    action_count = models.PositiveIntegerField("nombre d'actions", default=0)

    class Meta:
        verbose_name = "plan d'actions annuel validé"
        verbose_name_plural = "plans d'actions annuels validés"
        ordering = ["-year", "-validated_at"]
        get_latest_by = "validated_at"

    def __str__(self):
        return f"Plan {self.year} validé au {self.meeting}"

    def get_absolute_url(self):
        return reverse("actions:plan", args=[self.year])


class ActionSnapshot(models.Model):
    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="snapshots", verbose_name="plan"
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
        verbose_name="action",
    )
    code = models.CharField("code", max_length=20)
    code_sort = models.CharField(max_length=60, default="")
    title = models.CharField("intitulé", max_length=250)
    axis_number = models.PositiveSmallIntegerField("numéro d'axe")
    axis_name = models.CharField("axe", max_length=200)
    status = models.CharField("statut", max_length=20, choices=Status.choices)
    pilot_name = models.CharField("pilote", max_length=200)
    planned_total = models.DecimalField(
        "budget prévu de l'année (€)", max_digits=14, decimal_places=2, default=0
    )
    budget_by_funder = models.JSONField(
        "budget prévu par financeur", default=dict, help_text="{financeur: montant en euros}"
    )

    class Meta:
        verbose_name = "fiche action figée"
        verbose_name_plural = "fiches actions figées"
        ordering = ["plan", "code_sort"]

    def __str__(self):
        return f"{self.code} — {self.title}"
