from django.apps import AppConfig


class ConsentConfig(AppConfig):
    # Filled by a later issue; registered now so the app layout is stable.
    name = "consent"
    verbose_name = "Consent"
