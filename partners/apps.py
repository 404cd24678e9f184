from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partenaires et comptes"

    def ready(self):
        from . import signals  # noqa: F401
