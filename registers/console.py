"""The organisation console: owners read and download the record iCentrex
keeps as their processor (GDPR art. 30(2))."""

from django.views.decorators.http import require_GET

from organizations.console import console_render, console_view
from organizations.roles import Scope

from .staff_views import processor_record_response


@require_GET
@console_view(Scope.SETTINGS_WRITE)
def organization_record(request, membership):
    return processor_record_response(
        request,
        membership.organization,
        template="registers/console_record.html",
        render_page=lambda template, context, status: console_render(
            request, membership, template, {"section": "policy", **context}, status
        ),
    )
