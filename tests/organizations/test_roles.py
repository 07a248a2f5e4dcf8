import pytest

from organizations.roles import RANK, ROLE_SCOPES, OrgRole, Scope, role_can_grant, role_has_scope


def test_every_role_has_scopes_and_higher_roles_have_more():
    ordered = sorted(OrgRole, key=RANK.__getitem__)
    for lower, higher in zip(ordered, ordered[1:], strict=False):
        assert ROLE_SCOPES[lower] < ROLE_SCOPES[higher], (lower, higher)


@pytest.mark.parametrize(
    ("role", "scope", "allowed"),
    [
        (OrgRole.GUEST, Scope.MEMBERS_READ, False),
        (OrgRole.GUEST, Scope.TEAMS_READ, True),
        (OrgRole.MEMBER, Scope.MEMBERS_READ, True),
        (OrgRole.MEMBER, Scope.MEMBERS_WRITE, False),
        (OrgRole.ADMIN, Scope.MEMBER_DATA_REVIEW, True),
        (OrgRole.ADMIN, Scope.SETTINGS_WRITE, False),
        (OrgRole.OWNER, Scope.SETTINGS_WRITE, True),
        ("nonsense", Scope.ORG_READ, False),
    ],
)
def test_scopes(role, scope, allowed):
    assert role_has_scope(role, scope) is allowed


def test_nobody_grants_above_their_own_role():
    assert role_can_grant(OrgRole.ADMIN, OrgRole.ADMIN)
    assert role_can_grant(OrgRole.ADMIN, OrgRole.GUEST)
    assert not role_can_grant(OrgRole.ADMIN, OrgRole.OWNER)
    assert not role_can_grant(OrgRole.MEMBER, OrgRole.ADMIN)
