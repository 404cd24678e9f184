"""The programme's news items."""

from django.db import models
from django.urls import reverse


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
