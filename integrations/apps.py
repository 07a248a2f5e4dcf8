from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    # Filled by a later issue; registered now so the app layout is stable.
    name = "integrations"
    verbose_name = "Integrations"
