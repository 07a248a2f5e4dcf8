from django import template

from support.mask_kinds import kind_label

register = template.Library()


@register.filter
def mask_kind(kind: str) -> str:
    """``{{ row.kind|mask_kind }}``: "phone number" for ``phone``."""
    return kind_label(kind)
