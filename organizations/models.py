import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.register import Deleted, Exported, PersonalData

from .roles import OrgRole, TeamRole, role_in_sentence


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    personal_data = PersonalData(
        activity="organisations",
        categories=("membership",),
        person="user",
        export=Exported(
            "memberships",
            _("Each organisation, your role, whether you are its primary owner and when you joined."),
        ),
        erasure=Deleted(
            _(
                "Your memberships end, as if an administrator removed you. A primary owner must transfer "
                "ownership first; an organisation with no other member is deleted with you."
            )
        ),
        retention=_("Kept while you are a member."),
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER)
    is_primary_owner = models.BooleanField(_("primary owner"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="org_membership_unique_person"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_primary_owner=True),
                name="org_membership_one_primary_owner",
            ),
            models.CheckConstraint(
                condition=Q(is_primary_owner=False) | Q(role=OrgRole.OWNER),
                name="org_membership_primary_owner_is_owner",
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"], name="org_membership_role_idx")]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def role_in_sentence(self) -> str:
        """The role as it reads in a sentence ("a member"; Swedish "medlem")."""
        return role_in_sentence(self.role)


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="org_team_unique_slug")]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    personal_data = PersonalData(
        activity="organisations",
        categories=("membership",),
        person="membership__user",
        export=Exported("memberships", _("Each team you are in and your role in it.")),
        erasure=Deleted(_("Ended with your memberships.")),
        retention=_("Kept while you are in the team."),
    )
    # Through the organisation membership, so leaving the organisation leaves its teams.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="team_memberships")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "membership"], name="org_team_member_unique")]

    def __str__(self):
        return f"{self.membership.user} in {self.team} ({self.role})"


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class Invitation(models.Model):
    personal_data = PersonalData(
        activity="organisations",
        categories=("contact", "membership"),
        person="email (the invited address), invited_by",
        export=Exported(
            "memberships", _("Invitations sent to your address: organisation, role, status and dates.")
        ),
        erasure=Deleted(
            _(
                "Invitations to your addresses are deleted. Invitations you sent stay with their "
                "organisation, "
                "no longer linked to you."
            )
        ),
        retention=_("Kept while the organisation exists."),
    )

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    # The public id is what links and the API show; accepting also needs the
    # signed-in person's verified address to be the invited one.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    sent_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="org_invitation_one_pending_per_email",
            )
        ]
        indexes = [models.Index(fields=["email", "status"], name="org_invitation_email_idx")]

    def __str__(self):
        return f"{self.email} to {self.organization} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    @property
    def role_in_sentence(self) -> str:
        """The role as it reads in a sentence ("a member"; Swedish "medlem")."""
        return role_in_sentence(self.role)


class DataPolicy(models.Model):
    """The organisation's own rules for its members' data, set by its owners."""

    class Who(models.TextChoices):
        NOBODY = "nobody", _("Nobody")
        OWNERS = "owners", _("Owners only")
        OWNERS_AND_ADMINS = "owners_and_admins", _("Owners and administrators")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="data_policy")
    retention_days = models.PositiveIntegerField(
        _("keep member content for (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: kept until deleted."),
    )
    review_allowed_for = models.CharField(
        _("who may review a member's private data"), max_length=24, choices=Who.choices, default=Who.NOBODY
    )
    notify_member_on_review = models.BooleanField(
        _("tell the member when their data is reviewed"), default=True
    )
    export_allowed_for = models.CharField(
        _("who may export member data"), max_length=24, choices=Who.choices, default=Who.OWNERS
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_days__isnull=True) | Q(retention_days__gte=1),
                name="org_data_policy_retention_positive",
            )
        ]

    def __str__(self):
        return f"Data policy of {self.organization}"

    def allows(self, field: str, role: str) -> bool:
        who = getattr(self, field)
        if who == self.Who.OWNERS_AND_ADMINS:
            return role in (OrgRole.OWNER, OrgRole.ADMIN)
        return who == self.Who.OWNERS and role == OrgRole.OWNER
