from .sessions import signed_in_organizations


def organizations(request):
    """The organisations this session is signed in to, for the header's switcher."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"signed_in_organizations": sorted(signed_in_organizations(request).items(), key=lambda i: i[1])}
