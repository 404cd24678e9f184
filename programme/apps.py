from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Territoire et gouvernance"

    def ready(self):
        from teritoire import pagecache

        pagecache.connect_signals()
