"""The portal's own system checks.

The legal notice (/mentions-legales/) names who publishes the site, its director of publication,
its host and a contact, read from settings (`PUBLISHER_NAME`…, see `.env.example`). In
development they default to examples, marked as such on the page; `manage.py check --deploy`
(run with the production settings before the site starts) refuses a site still without them.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# The settings of the legal notice, with what each one is (for the error message).
LEGAL_NOTICE_SETTINGS = {
    "PUBLISHER_NAME": "l'éditeur du site",
    "PUBLISHER_ADDRESS": "son adresse",
    "PUBLICATION_DIRECTOR": "le directeur ou la directrice de la publication",
    "HOST_NAME": "l'hébergeur",
    "HOST_ADDRESS": "son adresse",
    "CONTACT_EMAIL": "une adresse e-mail de contact",
}


def _is_set(name):
    value = str(getattr(settings, name, "") or "").strip()
    return bool(value) and value != settings.LEGAL_NOTICE_EXAMPLES.get(name)


def legal_notice():
    """The legal notice's details, {"publisher_name": …, "contact_email": …}, and `examples`:
    True while one of them is still a development example."""
    details = {name.lower(): getattr(settings, name, "") for name in LEGAL_NOTICE_SETTINGS}
    details["examples"] = not all(_is_set(name) for name in LEGAL_NOTICE_SETTINGS)
    return details


def check_legal_notice(app_configs, **kwargs):
    """`check --deploy`: the legal notice names the publisher, the host and a contact."""
    errors = []
    missing = [name for name in LEGAL_NOTICE_SETTINGS if not _is_set(name)]
    if missing:
        what = ", ".join(f"{name} ({LEGAL_NOTICE_SETTINGS[name]})" for name in missing)
        errors.append(
            checks.Error(
                "Les mentions légales doivent nommer l'éditeur du site, son hébergeur et un "
                f"contact\u00a0; à renseigner dans l'environnement\u00a0: {what}.",
                hint="Voir .env.example, «\u00a0Mentions légales\u00a0». Les valeurs par défaut "
                "ne sont que des exemples pour le développement.",
                id="teritoire.E001",
            )
        )
    if "CONTACT_EMAIL" not in missing:
        try:
            validate_email(settings.CONTACT_EMAIL)
        except ValidationError:
            errors.append(
                checks.Error(
                    f"CONTACT_EMAIL vaut «\u00a0{settings.CONTACT_EMAIL}\u00a0», qui n'est pas "
                    "une adresse e-mail.",
                    hint="Par exemple CONTACT_EMAIL=contact@portail.exemple.fr.",
                    id="teritoire.E002",
                )
            )
    return errors
