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
