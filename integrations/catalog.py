"""What can be shared: every field a provider may receive, by category. A
provider declares the fields it receives; an installation grants a subset;
the sharing log names the exact fields of every share."""

from django.utils.translation import gettext_lazy as _

CATEGORIES = {
    "identity": _("Identity"),
    "profile": _("Profile"),
    "organisation": _("Organisation membership"),
    "team": _("Team membership"),
}

FIELDS = {
    "identity.id": _("An id for you, different for each integration"),
    "identity.name": _("Your name"),
    "identity.email": _("Your email address"),
    "profile.language": _("Your language"),
    "profile.joined": _("When you created your account"),
    "organisation.name": _("The organisation's name"),
    "organisation.role": _("Your role in the organisation"),
    "team.name": _("The team's name"),
    "team.role": _("Your role in the team"),
}


def category_of(field: str) -> str:
    return field.split(".", 1)[0]


def categories_of(fields) -> list[str]:
    return sorted({category_of(f) for f in fields})


def field_label(field: str) -> str:
    return str(FIELDS.get(field, field))
