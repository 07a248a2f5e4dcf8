from django.apps import AppConfig


class IcentrexConfig(AppConfig):
    """The project package is an app too, so its templates and commands load."""

    name = "icentrex"
    verbose_name = "iCentrex Privacy"
