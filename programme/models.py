"""The territory and the programme's structure and governance."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from partners.models import Organisation
from teritoire.templatetags.portal import date_fr

from .validators import milestone_day, validate_insee, validate_milestones, validate_siren


class Territory(models.Model):
    """The territory the portal is about: every page, e-mail and export names it from here."""

    PROGRAMME = "Territoire d'industrie"

    name = models.CharField(
        "nom", max_length=200, unique=True, help_text="Sans «\u00a0Territoire d'industrie\u00a0»."
    )
    slug = models.SlugField("identifiant d'URL", max_length=200, unique=True)
    department = models.CharField("département", max_length=100)
    region = models.CharField("région", max_length=100)
    summary = models.TextField(
        "accroche",
        blank=True,
        help_text="Une ou deux phrases, en tête de l'accueil et en pied de page.",
    )
    description = models.TextField("présentation (Markdown)", blank=True)
    publisher = models.CharField(
        "éditeur",
        max_length=200,
        blank=True,
        help_text="Producteur des données ouvertes\u00a0; à défaut, le nom complet du territoire.",
    )
    publisher_notice = models.TextField(
        "présentation de l'éditeur (Markdown)", blank=True, help_text="Pour les mentions légales."
    )
    milestones = models.JSONField(
        "grandes étapes de la labellisation",
        default=list,
        blank=True,
        validators=[validate_milestones],
        help_text='Liste de {"date": "AAAA-MM-JJ" ou "AAAA-MM", "text": "…"}.',
    )

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        """The territory's name in the national programme: « Territoire d'industrie » + name."""
        return f"{self.PROGRAMME} {self.name}"

    @property
    def publisher_name(self):
        return self.publisher or self.full_name

    @property
    def timeline(self):
        """The milestones in date order, as (ISO date, date in words, text)."""
        steps = []
        for milestone in self.milestones:
            day, has_day = milestone_day(milestone["date"])
            words = date_fr(day, "j F Y") if has_day else date_format(day, "F Y")
            steps.append((milestone["date"], words, milestone["text"]))
        return sorted(steps, key=lambda step: step[0])

    @property
    def labelled_since(self):
        """The year of the first milestone, or None."""
        timeline = self.timeline
        return milestone_day(timeline[0][0])[0].year if timeline else None


class Intercommunality(models.Model):
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="intercommunalities",
        verbose_name="territoire",
    )
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant d'URL", max_length=200, unique=True)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[validate_siren])
    population = models.PositiveIntegerField("population municipale", default=0)
    colour = models.CharField("couleur sur la carte", max_length=7, default="#1f6f8b")
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intercommunality",
        verbose_name="organisation",
    )

    class Meta:
        verbose_name = "communauté de communes"
        verbose_name_plural = "communautés de communes"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programme:intercommunality", args=[self.slug])


class Commune(models.Model):
    intercommunality = models.ForeignKey(
        Intercommunality,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name="communauté de communes",
    )
    name = models.CharField("nom", max_length=200)
    insee = models.CharField("code INSEE", max_length=5, unique=True, validators=[validate_insee])
    siren = models.CharField(
        "SIREN", max_length=9, unique=True, null=True, blank=True, validators=[validate_siren]
    )
    population = models.PositiveIntegerField("population municipale", default=0)
    outline = models.JSONField("contour (géométrie GeoJSON)", null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.insee})"


class Phase(models.Model):
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="phases", verbose_name="territoire"
    )
    number = models.PositiveSmallIntegerField("numéro")
    name = models.CharField("nom", max_length=200)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    labelled_on = models.DateField("labellisée le", null=True, blank=True)
    description = models.TextField("présentation (Markdown)", blank=True)

    class Meta:
        verbose_name = "phase"
        verbose_name_plural = "phases"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "number"], name="phase_unique_number"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="phase_end_after_start",
                violation_error_message="La date de fin doit suivre la date de début.",
            ),
        ]

    def __str__(self):
        return f"Phase {self.number}"


class Axis(models.Model):
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="axes", verbose_name="phase"
    )
    number = models.PositiveSmallIntegerField("numéro")
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant d'URL", max_length=200, unique=True)
    description = models.TextField("objectifs (Markdown)", blank=True)
    colour = models.CharField("couleur", max_length=7, default="#1f6f8b")

    class Meta:
        verbose_name = "axe"
        verbose_name_plural = "axes"
        ordering = ["phase__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "number"], name="axis_unique_number"),
        ]

    def __str__(self):
        return f"Axe {self.number} — {self.name}"

    def get_absolute_url(self):
        return reverse("programme:axis", args=[self.slug])


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


class Decision(models.Model):
    meeting = models.ForeignKey(
        CopilMeeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="réunion"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    text = models.TextField("décision")
    is_demo = models.BooleanField("donnée de démonstration", default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"


class NewsItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def demo(self):
        """Demonstration news (twin: the `is_demo` flag)."""
        return self.filter(is_demo=True)


class NewsItem(models.Model):
    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("identifiant d'URL", max_length=200, unique=True)
    published_on = models.DateField("date de publication")
    summary = models.TextField("chapô", blank=True)
    body = models.TextField("texte (Markdown)")
    is_published = models.BooleanField("publiée", default=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False, editable=False)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        verbose_name = "actualité"
        verbose_name_plural = "actualités"
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programme:news_detail", args=[self.slug])


class ReferenceFingerprint(models.Model):
    """What `load_territory` last wrote in one row: a digest of each field's value.

    Comparing it with the reference file and with the row tells apart a file that changed (the
    row is updated) from a user who edited the row since (the row is left as it is).
    """

    model = models.CharField("modèle", max_length=100)
    object_id = models.PositiveBigIntegerField("identifiant de la ligne")
    digests = models.JSONField("empreintes des valeurs chargées", default=dict)

    class Meta:
        verbose_name = "empreinte de donnée de référence"
        verbose_name_plural = "empreintes des données de référence"
        ordering = ["model", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id"], name="reference_fingerprint_unique_row"
            ),
        ]

    def __str__(self):
        return f"{self.model} n° {self.object_id}"
