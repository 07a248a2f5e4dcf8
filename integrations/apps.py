from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        # Audit details show who an integration was installed for in words, not the stored code.
        from audit.display import register_labels

        from .models import Installation

        register_labels(key="audience", choices=Installation.Audience.choices)
