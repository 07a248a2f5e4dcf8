from django import template

from accounts.staff_roles import staff_permission_flags, staff_permissions_for

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in templates (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def lifetime(days):
    """A cookie lifetime in words: a session, days, or years."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if days is None:
        return _("until you close the browser")
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@register.simple_tag(takes_context=True)
def staff_permissions(context) -> dict[str, bool]:
    """What the signed-in person may do as staff (one query), for ``{% staff_permissions
    as staff_can %}{% if staff_can.support_cases_handle %}``."""
    return staff_permission_flags(staff_permissions_for(context["request"].user))
