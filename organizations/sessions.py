"""Which organisations a browser session is signed in to.

The policy describes a cookie tied to the account that remembers the
organisations you are signed in to: here that is the session (the session
cookie), holding the signed-in organisations' slugs and names (names too, so
the header's switcher costs no query). Signing out of one organisation keeps
the others and the account session."""

SESSION_KEY = "signed_in_organizations"


def signed_in_organizations(request) -> dict[str, str]:
    """slug -> name of the organisations this session is signed in to."""
    return dict(request.session.get(SESSION_KEY, {}))


def organization_session_set(request, organizations) -> None:
    request.session[SESSION_KEY] = {org.slug: org.name for org in organizations}


def organization_session_add(request, organization) -> None:
    current = signed_in_organizations(request)
    current[organization.slug] = organization.name
    request.session[SESSION_KEY] = current


def organization_session_remove(request, slug: str) -> None:
    current = signed_in_organizations(request)
    current.pop(slug, None)
    request.session[SESSION_KEY] = current
