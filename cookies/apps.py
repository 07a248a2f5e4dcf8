from django.apps import AppConfig


class CookiesConfig(AppConfig):
    # Filled by a later issue; registered now so the app layout is stable.
    name = "cookies"
    verbose_name = "Cookies"
