from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from . import streams  # noqa: F401  (the sharing log is an evidence stream)

        self._register_audit_labels()

    @staticmethod
    def _register_audit_labels():
        # Audit details show who an integration was installed for, and what it
        # receives, in the words of the consent screen, not the stored codes.
        from django.utils.translation import gettext_lazy as _

        from audit.display import register_labels

        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .catalog import FIELDS
        from .models import Installation

        register_labels(key="provider", label=_("Provider"))
        register_labels(key="audience", label=_("Who it is for"), choices=Installation.Audience.choices)
        register_labels(key="fields", label=_("What it receives"), choices=FIELDS.items())
