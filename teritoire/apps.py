from axes.apps import AppConfig as BaseAxesConfig


class AxesConfig(BaseAxesConfig):
    """django-axes, named in the admin so it is not mistaken for the programme's axes."""

    verbose_name = "Sécurité des connexions"
