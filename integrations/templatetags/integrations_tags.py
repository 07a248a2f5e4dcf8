"""Labels for the sharing log: catalogue keys and statuses in plain words."""

from urllib.parse import urlsplit

from django import template
from django.utils.translation import gettext_lazy as _

from integrations.catalog import CATEGORIES, category_of, field_label
from integrations.models import SharingEvent, WebhookDelivery

register = template.Library()

_STATUS = {
    **dict(WebhookDelivery.Status.choices),
    # A service provider gets the data as part of the service (no webhook to track).
    "handed_over": _("Handed over"),
}
_BADGE = {
    "delivered": "badge-ok",
    "handed_over": "badge-ok",
    "failed": "badge-danger",
    "pending": "badge-warn",
    "delivering": "badge-warn",
}


@register.filter
def field_name(key: str) -> str:
    return field_label(key)


@register.filter
def category_name(key: str) -> str:
    return str(CATEGORIES.get(key, key))


@register.filter
def delivery_status(status: str) -> str:
    return str(_STATUS.get(status, status or "—"))


@register.filter
def delivery_badge(status: str) -> str:
    return _BADGE.get(status, "")


@register.filter
def legal_basis(value: str) -> str:
    return str(dict(SharingEvent.LegalBasis.choices).get(value, value))


@register.filter
def host(url: str) -> str:
    return urlsplit(url or "").hostname or ""


@register.filter
def by_category(fields) -> list[tuple[str, list[str]]]:
    """The exact fields of a share, by category, in plain words: [(category, [field, ...])].
    Keys the catalogue no longer knows are shown as they were recorded."""
    groups: dict[str, list[str]] = {}
    for key in fields or []:
        groups.setdefault(category_of(key), []).append(field_label(key))
    return [(category_name(c), labels) for c, labels in groups.items()]
