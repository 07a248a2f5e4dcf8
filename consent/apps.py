from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (Consent Mode region defaults are checked at start-up)
            receivers,  # noqa: F401  (device consent joins the account at sign-in)
            streams,  # noqa: F401  (consent records are an evidence stream)
        )
