from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from .selectors import NO_PENDING_UPDATES, pending_policy_updates

# Paths a person must still reach while a material change waits for them. The privacy
# centre stays open: someone who has not accepted can still see and manage what we hold.
_OPEN_PREFIXES = (
    "/api/",
    "/static/",
    "/accounts/",
    "/policies/",
    "/admin/",
    "/language/",
    "/cookies/",
    "/privacy/",
    # Someone who does not accept a change must still be able to ask about it or report a child.
    "/support/",
    # The staff console is where iCentrex works, not a service a person uses under the
    # policy: a privacy officer must see a new version's progress before (or without)
    # accepting it as an end user, and support must answer people meanwhile.
    "/staff/",
    "/_bench/",
    "/favicon",
)


class MaterialChangeMiddleware:
    """After a material policy change comes into force, the next page a
    signed-in person opens asks them to accept it (fresh consent). It also
    leaves ``request.policy_updates`` for the non-material update banner,
    looked up (once) only if something asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            request.policy_updates = NO_PENDING_UPDATES
            return self.get_response(request)
        request.policy_updates = SimpleLazyObject(lambda: pending_policy_updates(user=user))
        if (
            request.method == "GET"
            and not request.path.startswith(_OPEN_PREFIXES)
            # htmx's middleware runs after this one, so ``request.htmx`` is not set yet:
            # the header itself says a fragment is asked for (a redirect would swap the
            # interstitial into it).
            and request.headers.get("HX-Request") != "true"
            and request.policy_updates.to_accept
        ):
            return redirect(reverse("policy_accept") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
