from django import template

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
def staff_sections(context) -> dict:
    """Which staff console sections the signed-in person may open (one query)."""
    from accounts.selectors import staff_sections_for

    return staff_sections_for(context["request"].user)
