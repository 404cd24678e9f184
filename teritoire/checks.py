"""The portal's own system checks.

The legal notice (/mentions-legales/) names who publishes the site, its director of publication,
its host and a contact, read from settings (`PUBLISHER_NAME`…, see `.env.example`). In
development they default to examples, marked as such on the page; `manage.py check --deploy`
(run with the production settings before the site starts) refuses a site still without them.
"""

import ipaddress
from urllib.parse import urlsplit

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


def site_url_problem(url):
    """Why `url` cannot be the address of the links in e-mails, or "" when it can."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        local = not host or host == "localhost" or host.endswith(".localhost")
    else:
        local = address.is_loopback or address.is_unspecified
    if local:
        return "une adresse que personne ne peut ouvrir hors de ce serveur"
    if parts.scheme != "https":
        return "une adresse sans https, alors que le portail n'est servi qu'en https"
    return ""


def check_site_url(app_configs, **kwargs):
    """`manage.py check --deploy`: the links in e-mails need the site's public https address."""
    problem = site_url_problem(settings.SITE_URL)
    if not problem:
        return []
    return [
        checks.Error(
            f"SITE_URL vaut «\u00a0{settings.SITE_URL}\u00a0»\u00a0: les liens des e-mails (mot de "
            f"passe oublié, invitation, notifications, rappels) mèneraient à {problem}.",
            hint="Donnez l'adresse publique du portail, par exemple "
            "SITE_URL=https://portail.exemple.fr.",
            id="teritoire.E003",
        )
    ]
