from rest_framework import generics

from .roles import Scope
from .selectors import access_membership, require_scope


class OrganizationScopedAPIView(generics.GenericAPIView):
    """The tenant choke point for the API.

    Every view under /api/v1/orgs/{org_slug}/ derives from this: ``initial``
    resolves the organisation from the URL once, after authentication, and
    checks membership (not a member: 404, like a missing organisation) and the
    scope the HTTP method needs (``required_scopes``; missing: 403). Views then
    query through ``self.organization`` / ``self.membership`` only.
    """

    required_scopes: dict[str, Scope] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.membership = access_membership(user=request.user, org_slug=kwargs["org_slug"])
        self.organization = self.membership.organization
        scope = self.required_scopes.get(request.method)
        if scope is not None:
            require_scope(self.membership, scope)
