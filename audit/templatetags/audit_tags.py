from django import template

from audit.display import audit_details as _audit_details

register = template.Library()


@register.filter
def audit_details(event, personal=None):
    """``{% for label, text in event|audit_details:personal %}``: an event's
    details as people read them (audit.display)."""
    return _audit_details(event.changes, personal)
