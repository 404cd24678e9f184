"""What `load_territory` last wrote in each reference row."""

from django.db import models


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
