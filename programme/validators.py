import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

validate_siren = RegexValidator(
    r"^\d{9}\Z", "Le numéro SIREN doit comporter exactement 9 chiffres.", code="invalid_siren"
)
# INSEE codes are 5 characters: digits, except Corsica's 2A/2B department prefix.
validate_insee = RegexValidator(
    r"^(\d{2}|2[AB])\d{3}\Z",
    "Le code INSEE doit comporter 5 caractères (chiffres, ou 2A/2B pour la Corse).",
    code="invalid_insee",
)


def milestone_day(text):
    """'2019-03' -> (date(2019, 3, 1), False); '2019-04-23' -> (date(2019, 4, 23), True)."""
    has_day = isinstance(text, str) and len(text) == 10
    try:
        return datetime.date.fromisoformat(text if has_day else f"{text}-01"), has_day
    except (TypeError, ValueError):
        raise ValidationError(
            f"«\u00a0{text}\u00a0» n'est pas une date AAAA-MM-JJ ni un mois AAAA-MM.",
            code="invalid_date",
        ) from None


def validate_milestones(value):
    """A list of {"date": "AAAA-MM[-JJ]", "text": "…"}, as the home page's timeline shows them."""
    if not isinstance(value, list):
        raise ValidationError("Une liste d'étapes est attendue.", code="invalid_milestones")
    for item in value:
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            raise ValidationError(
                "Chaque étape a une date («\u00a0date\u00a0») et un texte («\u00a0text\u00a0»).",
                code="invalid_milestones",
            )
        milestone_day(item.get("date"))
