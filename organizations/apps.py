from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    # Filled by a later issue; registered now so the app layout is stable.
    name = "organizations"
    verbose_name = "Organisations"
