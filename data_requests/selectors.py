from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations.models import Membership

from .models import OrganizationExport


def exports_of_organization(*, organization) -> QuerySet[OrganizationExport]:
    return OrganizationExport.objects.filter(organization=organization).select_related("requested_by")


def access_export_by_id(*, actor: Membership, export_id: int) -> OrganizationExport:
    return get_object_or_404(OrganizationExport, organization_id=actor.organization_id, pk=export_id)


def member_export_rows(*, organization_id: int, after_id: int, limit: int) -> list[dict]:
    """One chunk of member rows by primary-key range, with team names: two
    queries per chunk however large the organisation."""
    from organizations.selectors import team_names_by_membership

    chunk = list(
        Membership.objects.filter(organization_id=organization_id, pk__gt=after_id)
        .select_related("user")
        .order_by("pk")[:limit]
    )
    teams = team_names_by_membership(memberships=chunk)
    return [
        {
            "member_id": m.pk,
            "name": m.user.name,
            "email": m.user.email,
            "role": m.role,
            "primary_owner": m.is_primary_owner,
            "joined_at": m.joined_at.isoformat(),
            "teams": teams[m.pk],
        }
        for m in chunk
    ]
