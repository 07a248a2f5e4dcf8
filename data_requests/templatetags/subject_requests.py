"""For the staff pages of privacy questions and support cases (support's own
templates): the data-subject requests logged from them, and the form that logs one."""

from django import template

from accounts.staff_roles import staff_permission_flags
from data_requests.selectors import subject_requests_for_source
from data_requests.staff_views import ClassifyForm

register = template.Library()


@register.inclusion_tag("staff/_classify.html", takes_context=True)
def subject_request_classify(context, source: str, ref_id: int):
    request = context["request"]
    return {
        "source": source,
        "ref_id": ref_id,
        "logged": subject_requests_for_source(source_ref=f"{source}:{ref_id}"),
        "form": ClassifyForm(auto_id=f"classify-{source}-%s"),
        "staff_can": staff_permission_flags(getattr(request, "staff_permissions", None) or frozenset()),
        "csrf_token": context.get("csrf_token"),
    }
