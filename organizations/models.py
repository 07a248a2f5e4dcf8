from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .roles import OrgRole, TeamRole


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
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
    # Through the organisation membership, so leaving the organisation leaves its teams.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="team_memberships")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "membership"], name="org_team_member_unique")]

    def __str__(self):
        return f"{self.membership.user} in {self.team} ({self.role})"
