from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organisations"

    def ready(self):
        from . import receivers  # noqa: F401  (organisations signed in to, per session)
