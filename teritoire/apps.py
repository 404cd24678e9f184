"""The project's core app (shared template filters, page cache, the territory's identity, backup)
and django-axes' config."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class TeritoireConfig(AppConfig):
    name = "teritoire"
    verbose_name = "Portail"
    default = True

    def ready(self):
        from django.core import checks as django_checks

        from . import checks, identity, pagecache, text

        pagecache.connect_signals()
        # Text typed in any form of the portal's models, the admin's included: no control
        # character (forms of their own use text.RefuseControlCharacters).
        text.refuse_control_characters_in_models(["partners", "programme", "actions"])
        identity.connect_signals()
        # Production refuses to start without a legal notice: publisher, host, contact.
        django_checks.register(checks.check_legal_notice, "legal", deploy=True)
        # Absolute links (e-mails, feeds, sitemap) need the site's public https address.
        django_checks.register(checks.check_site_url, django_checks.Tags.security, deploy=True)


class LoginThrottlingConfig(AxesAppConfig):
    """django-axes, named « Sécurité des connexions » in the admin (not the programme's axes)."""

    verbose_name = "Sécurité des connexions"
