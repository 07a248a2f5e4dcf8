from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations.models import Membership

from .models import ErasureRequest, OrganizationExport, PersonalExport


def exports_of_organization(*, organization) -> QuerySet[OrganizationExport]:
    return OrganizationExport.objects.filter(organization=organization).select_related("requested_by")


def access_export_by_id(*, actor: Membership, export_id: int) -> OrganizationExport:
    return get_object_or_404(OrganizationExport, organization_id=actor.organization_id, pk=export_id)


def member_export_rows(
    *, organization_id: int, after_id: int, limit: int, through_id: int | None = None
) -> list[dict]:
    """One chunk of member rows by primary-key range (up to ``through_id`` when
    given), with team names: two queries per chunk however large the organisation."""
    from organizations.selectors import team_names_by_membership

    members = Membership.objects.filter(organization_id=organization_id, pk__gt=after_id)
    if through_id is not None:
        members = members.filter(pk__lte=through_id)
    chunk = list(members.select_related("user").order_by("pk")[:limit])
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


def personal_exports_of(*, user) -> QuerySet[PersonalExport]:
    return PersonalExport.objects.filter(user=user).order_by("-created_at", "-id")


def access_personal_export(*, user, public_id) -> PersonalExport:
    """The person's own export; anyone else's answers 404, like one that does not exist."""
    return get_object_or_404(PersonalExport, user=user, public_id=public_id)


def access_organization_export_link(*, actor: Membership, public_id) -> OrganizationExport:
    """An export's emailed link is for whoever started it: for anyone else, even
    an administrator who may export too, it answers 404 like a foreign one."""
    return get_object_or_404(
        OrganizationExport,
        organization_id=actor.organization_id,
        requested_by=actor.user,
        public_id=public_id,
    )


def open_erasure_of(*, user) -> ErasureRequest | None:
    """The person's scheduled or running deletion, if any."""
    return ErasureRequest.objects.filter(user=user, status__in=ErasureRequest.OPEN).order_by("-id").first()


def last_erasure_of(*, user) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user).order_by("-id").first()


def register_in_plain_words() -> dict:
    """The register as the account deletion page shows it: what deletion
    deletes, and what it keeps (unlinked from the person), grouped by the
    reason it is kept."""
    from core.register import Deleted, declarations

    deleted, kept = [], {}
    for model, declaration in declarations():
        row = {
            "what": str(model._meta.verbose_name_plural).capitalize(),
            "erasure": declaration.erasure.how,
            "retention": declaration.retention,
        }
        if isinstance(declaration.erasure, Deleted):
            deleted.append(row)
        else:
            kept.setdefault(str(declaration.erasure.legal_reason), []).append(row)
    by_name = lambda row: row["what"]  # noqa: E731
    return {
        "deleted": sorted(deleted, key=by_name),
        "kept": [{"reason": reason, "rows": sorted(rows, key=by_name)} for reason, rows in kept.items()],
    }
