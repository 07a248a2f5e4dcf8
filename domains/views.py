"""Privacy-centre pages: which organisations received the person's address."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


@require_GET
@login_required
def my_disclosures(request):
    """Which organisations received the person's address and team names, when
    and why; the notice about new ones stays until they dismiss it."""
    page = Paginator(selectors.disclosures_about(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/disclosures.html",
        {
            "section": "disclosures",
            "page": page,
            "rows": selectors.disclosure_rows(records=page.object_list),
            "unacknowledged": selectors.unacknowledged_disclosures(user=request.user),
        },
    )


@require_POST
@login_required
def my_disclosures_acknowledge(request):
    services.disclosures_acknowledge(user=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect("privacy_disclosures")
