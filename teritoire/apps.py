"""The project's core app (shared template filters, page cache, the territory's identity, backup)
and django-axes' config."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class TeritoireConfig(AppConfig):
    name = "teritoire"
    verbose_name = "Portail"
    default = True

    def ready(self):
        from . import identity, pagecache

        pagecache.connect_signals()
        identity.connect_signals()


class LoginThrottlingConfig(AxesAppConfig):
    """django-axes, named « Sécurité des connexions » in the admin (not the programme's axes)."""

    verbose_name = "Sécurité des connexions"
