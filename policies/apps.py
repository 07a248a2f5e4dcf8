from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self):
        from . import streams  # noqa: F401  (policy notices are an evidence stream)
