"""Creating and renaming an organisation."""

import hashlib
import re

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, RuleViolation

from ..models import Membership, Organization
from ..roles import OrgRole, Scope
from ..selectors import require_scope


def organization_create(*, actor, name: str, slug: str = "", request=None) -> Organization:
    """A new organisation with the actor as its primary owner."""
    if slug:
        # A short name the API's pattern allows (letters, digits, - and _) is kept as given.
        slug = slugify(slug)[:60] or (slug.lower()[:60] if re.fullmatch(r"[-_]+", slug) else "")
        if not slug:
            raise RuleViolation(
                _("The short name may hold letters, digits, - and _ only."), code="invalid_slug"
            )
    else:
        # The short name is in the console's addresses (ASCII): from the name where it has
        # ASCII letters or digits, else from a hash of it ("設計", "🚀" are names too).
        slug = (
            slugify(name)[:60] or "org-" + hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:12]
        )
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug)
            Membership.objects.create(
                organization=organization, user=actor, role=OrgRole.OWNER, is_primary_owner=True
            )
            audit_record(
                event_type=EventType.ORG_CREATED,
                actor=actor,
                organization_id=organization.pk,
                target=organization,
                changes={"name": name, "slug": slug},
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("That short name is taken."), code="slug_taken") from None
    return organization


def organization_rename(*, actor: Membership, name: str, request=None) -> Organization:
    require_scope(actor, Scope.SETTINGS_WRITE)
    organization = actor.organization
    if organization.name == name:
        return organization
    with transaction.atomic():
        old = organization.name
        organization.name = name
        organization.save(update_fields=["name"])
        audit_record(
            event_type=EventType.ORG_RENAMED,
            actor=actor.user,
            organization_id=organization.pk,
            target=organization,
            changes={"name": [old, name]},
            request=request,
        )
    return organization
