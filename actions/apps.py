from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Plan d'actions"

    def ready(self):
        from programme.signals import reference_loaded

        from .achievements import load_achievements

        reference_loaded.connect(load_achievements, dispatch_uid="actions_achievements")
