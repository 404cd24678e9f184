"""The territory the portal is about, with its intercommunalities and communes."""

from django.db import models
from django.urls import reverse
from django.utils.formats import date_format

from partners.models import Organisation
from teritoire.templatetags.portal import date_fr

from ..validators import milestone_day, validate_insee, validate_milestones, validate_siren


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
