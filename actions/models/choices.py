"""The choices and value ranges of the action plan, and the one definition of "stale"."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

AMOUNT_MIN = [MinValueValidator(0, "Le montant ne peut pas être négatif.")]
PROGRESS_RANGE = [
    MinValueValidator(0, "L'avancement doit être compris entre 0 et 100 %%."),
    MaxValueValidator(100, "L'avancement doit être compris entre 0 et 100 %%."),
]
YEAR_RANGE = [
    MinValueValidator(2000, "L'année doit être comprise entre 2000 et 2100."),
    MaxValueValidator(2100, "L'année doit être comprise entre 2000 et 2100."),
]

# An open action is stale when its last progress note (or, without any, its creation) is older
# than this: the partner dashboard, the staff dashboard, the admin filter and the reminder agree.
STALE_AFTER_DAYS = 90


class Status(models.TextChoices):
    PLANNED = "planned", "À venir"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    PAUSED = "paused", "En pause"
    BLOCKED = "blocked", "Bloquée"
    ABANDONED = "abandoned", "Abandonnée"


# Nobody reports on an action that is done or abandoned.
CLOSED_STATUSES = (Status.DONE, Status.ABANDONED)


class Priority(models.TextChoices):
    HIGH = "high", "Élevée"
    MEDIUM = "medium", "Moyenne"
    LOW = "low", "Basse"


def code_sort_key(code):
    """'2.10' sorts after '2.3': each dotted part is zero-padded."""
    return ".".join(part.zfill(4) for part in code.split("."))
