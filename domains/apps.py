from django.apps import AppConfig


class DomainsConfig(AppConfig):
    name = "domains"
    verbose_name = "Email domains and disclosures"

    def ready(self):
        from . import (
            receivers,  # noqa: F401  (a confirmed address may be at a verified domain)
            streams,  # noqa: F401  (email disclosures are an evidence stream)
        )

        self._register_audit_labels()

    @staticmethod
    def _register_audit_labels():
        from django.utils.translation import gettext_lazy as _

        from audit.display import register_labels

        register_labels(key="domain", label=_("Domain"))
        register_labels(key="include_subdomains", label=_("Include sub-domains"))
