"""The fiche action and its queryset: the rules of the plan (public, current, open, stale, who
sees and edits what) each have a queryset method and, beside it, the instance twin."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.models import Need, Organisation
from programme.models import Axis, Decision, Intercommunality, Phase

from .. import perms
from .choices import (
    CLOSED_STATUSES,
    PROGRESS_RANGE,
    STALE_AFTER_DAYS,
    Priority,
    Status,
    code_sort_key,
)

# The relations of an action kept in its history (and restored by a revert).
HISTORY_M2M_FIELDS = ["partners", "intercommunalities", "decisions", "needs"]

PUBLIC = Q(is_public=True, is_archived=False)


# Pages of the plan at /actions/<word>/, routed before the fiches (actions/urls.py): no fiche
# may take one of these words as its address, or its page would be hidden behind the other.
RESERVED_SLUGS = frozenset({"carte", "calendrier"})


def validate_not_reserved_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "« %(value)s » est l'adresse d'une page du plan d'actions : choisissez un autre "
            "identifiant d'URL.",
            code="reserved",
            params={"value": value},
        )


def stale_cutoff(days=STALE_AFTER_DAYS, today=None):
    """The date before which the last news of an open action makes it stale."""
    return (today or timezone.localdate()) - datetime.timedelta(days=days)


def phase_code(phase_number, code):
    return f"P{phase_number} · {code}"


def axis_phase_mismatch(axis, phase):
    """The French message when `axis` is not an axis of `phase`, else ""."""
    if not axis or not phase or axis.phase_id == phase.pk:
        return ""
    return (
        f"L'axe choisi appartient à la phase {axis.phase.number}\u00a0; choisissez un axe de la "
        f"phase {phase.number} ou changez de phase."
    )


class ActionQuerySet(models.QuerySet):
    def public(self):
        """What the public sees: published and not archived (twin: `is_visible_to_public`)."""
        return self.filter(PUBLIC)

    def current(self):
        """Not archived (twin: `is_current`)."""
        return self.filter(is_archived=False)

    def open(self):
        """Current and neither done nor abandoned: someone still reports on it (`is_open`)."""
        return self.current().exclude(status__in=CLOSED_STATUSES)

    def with_last_update(self):
        """Annotate `last_update_on`, the date of the latest progress note (None without any)."""
        from .followup import ProgressUpdate

        latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-date", "-pk")
        return self.annotate(last_update_on=Subquery(latest.values("date")[:1]))

    def stale(self, days=STALE_AFTER_DAYS, today=None):
        """Open actions without news for `days` days (twin: `is_stale`)."""
        cutoff = stale_cutoff(days, today)
        return (
            self.open()
            .with_last_update()
            .filter(
                Q(last_update_on__lt=cutoff)
                | Q(last_update_on__isnull=True, created_at__date__lt=cutoff)
            )
        )

    def of_user(self, user):
        """Actions whose pilot or partner organisations count the user as a member."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(perms.member_of_action(user)).distinct()

    def visible_to(self, user):
        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.public()
        mine = self.of_user(user).values("pk")
        return self.filter(Q(pk__in=mine) | PUBLIC)

    def editable_by(self, user):
        """Actions whose fiche the user may edit (twin: `perms.can_edit_action`)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(perms.editor_of_pilot(user)).distinct()

    def with_budget(self, year=None, name="planned_budget"):
        """Annotate `name` with the planned total of the fundings (of `year` if given).

        A correlated subquery rather than a JOIN + GROUP BY: it is computed only for the rows
        fetched (one page), and it leaves the row count of the queryset untouched.
        """
        from .funding import Funding

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
    slug = models.SlugField(
        "identifiant d'URL", max_length=250, unique=True, validators=[validate_not_reserved_slug]
    )
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
    # « Qui contacter »: what a firm needs to take part (the firms' door, /entreprises/).
    needs = models.ManyToManyField(
        Need, blank=True, related_name="actions", verbose_name="besoins des entreprises"
    )
    how_to_apply = models.TextField(
        "comment y participer",
        blank=True,
        help_text="En quelques lignes : la démarche d'une entreprise intéressée.",
    )
    eligibility = models.TextField(
        "qui peut en bénéficier",
        blank=True,
        help_text="En quelques lignes : les entreprises concernées (taille, secteur, lieu…).",
    )
    # A named referent is published only with their consent (`has_public_referent`); otherwise
    # the page shows the pilot organisation's public contact.
    referent_name = models.CharField("référent : nom", max_length=150, blank=True)
    referent_role = models.CharField("référent : fonction", max_length=150, blank=True)
    referent_email = models.EmailField("référent : e-mail", blank=True)
    referent_phone = models.CharField("référent : téléphone", max_length=30, blank=True)
    referent_consent = models.BooleanField(
        "le référent accepte d'être affiché",
        default=False,
        help_text="Cochez seulement si la personne a accepté que son nom et ses coordonnées "
        "soient publiés sur la fiche publique.",
    )
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=PROGRESS_RANGE
    )
    # A new fiche is a draft until a staff member publishes it (« Publier » in the admin).
    is_public = models.BooleanField(
        "publique",
        default=False,
        help_text="Décochée, la fiche est un brouillon que seuls l'équipe projet et les "
        "partenaires de la fiche voient.",
    )
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
        # The phase only when it was loaded with the action (select_related): a fiche's name in
        # a list never costs a query of its own.
        if Action.phase.is_cached(self):
            return f"{self.phase_code} — {self.title}"
        return f"{self.code} — {self.title}"

    def save(self, *args, **kwargs):
        self.code_sort = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.slug])

    @property
    def phase_code(self):
        """« P1 · 1.1 »: the code with its phase, wherever actions of both phases appear."""
        return phase_code(self.phase.number, self.code)

    def clean(self):
        """The axis belongs to the action's phase (the database refuses it too, by a trigger:
        migration `action_draft_by_default`)."""
        super().clean()
        message = axis_phase_mismatch(self.axis_id and self.axis, self.phase_id and self.phase)
        if message:
            raise ValidationError({"axis": message}, code="axis_of_another_phase")

    @property
    def has_public_referent(self):
        """A named referent who agreed to be shown on the public fiche."""
        return self.referent_consent and bool(self.referent_name.strip())

    @property
    def is_visible_to_public(self):
        return self.is_public and not self.is_archived

    @property
    def is_current(self):
        return not self.is_archived

    @property
    def is_open(self):
        return self.is_current and self.status not in CLOSED_STATUSES

    def is_stale(self, days=STALE_AFTER_DAYS, today=None):
        """Read `last_update_on` from `with_last_update()` when annotated, else one query."""
        if not self.is_open:
            return False
        if hasattr(self, "last_update_on"):
            last = self.last_update_on
        else:
            last = self.updates.order_by("-date").values_list("date", flat=True).first()
        cutoff = stale_cutoff(days, today)
        if last is None:
            return timezone.localdate(self.created_at) < cutoff if self.created_at else False
        return last < cutoff
