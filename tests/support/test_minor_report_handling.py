"""Staff handle a minor report: suspend the account at once, then delete it
(or dismiss the report); every step is audited."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import PersonalAccessToken, User
from accounts.services import api_token_create
from audit.events import EventType
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from core.errors import Conflict, Forbidden
from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole
from subjects.models import SubjectLink
from subjects.services import subject_key_for_user, subject_unseal
from support import services
from support.models import MinorReport
from tests.factories import UserFactory

from .conftest import REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(client, django_capture_on_commit_callbacks):
    """A report filed through the public form, by someone without an account."""
    with django_capture_on_commit_callbacks():
        client.post(reverse("minor_report"), REPORT)
    client.cookies.clear()
    return MinorReport.objects.get()


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def test_report_suspend_delete_flow(
    client, django_capture_on_commit_callbacks, sign_in, agent, kid, password
):
    from django.test import Client

    # The child's account has what a real account has: a session, a token, two-factor,
    # organisations (one it shares, one of its own) and a team.
    kid_browser = sign_in(kid, Client())
    assert kid_browser.get(reverse("privacy_centre")).status_code == 200
    _token, clear_token = api_token_create(actor=kid, name="my script")
    Authenticator.objects.create(user=kid, type=Authenticator.Type.TOTP, data={"secret": "x"})
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(
        organization=acme,
        user=UserFactory(email="boss@acme.example"),
        role=OrgRole.OWNER,
        is_primary_owner=True,
    )
    kid_in_acme = Membership.objects.create(organization=acme, user=kid, role=OrgRole.MEMBER)
    design = Team.objects.create(organization=acme, name="Design", slug="design")
    TeamMembership.objects.create(team=design, membership=kid_in_acme)
    own = Organization.objects.create(name="Kim's club", slug="kims-club")
    Membership.objects.create(organization=own, user=kid, role=OrgRole.OWNER, is_primary_owner=True)
    kid_key = subject_key_for_user(user=kid)

    # 1. Anyone reports the account.
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(reverse("minor_report"), REPORT).status_code == 302
    assert len(callbacks) == 1
    report = MinorReport.objects.get()
    assert events(EventType.MINOR_REPORT_RECEIVED).count() == 1

    # 2. The report is in the staff queue; its page finds the account by the address given.
    staff = sign_in(agent)
    queue = staff.get(reverse("staff_minor_reports")).content.decode()
    assert reverse("staff_minor_report", args=[report.pk]) in queue and "kid@example.org" in queue
    page = staff.get(reverse("staff_minor_report", args=[report.pk])).content.decode()
    assert "Kim Kid" in page and "Kim&#x27;s club" in page and "Suspend the account" in page

    # 3. Suspend at once: signed out everywhere, no sign-in, tokens dead.
    response = staff.post(
        reverse("staff_minor_report_suspend", args=[report.pk]), {"email": "KID@example.org"}
    )
    assert response.status_code == 302
    kid.refresh_from_db()
    report.refresh_from_db()
    assert not kid.is_active and not kid.has_usable_password()
    assert (report.status, report.account, report.handled_by) == ("suspended", kid, agent)
    assert kid_browser.get(reverse("privacy_centre")).status_code == 302  # the session is gone
    api = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear_token}")
    assert api.status_code == 401
    suspended = events(EventType.USER_SUSPENDED).get()
    assert suspended.subject_key == kid_key and suspended.changes["minor_report"] == report.pk
    assert suspended.changes["api_tokens_revoked"] == 1
    assert subject_unseal(subject_key=kid_key, token=suspended.sealed_changes) == {
        "email": [None, "kid@example.org"]
    }
    login = Client().post(reverse("account_login"), {"login": "kid@example.org", "password": password})
    assert login.status_code == 200 and "_auth_user_id" not in login.client.session

    # 4. Delete: profile data gone, memberships ended, the person crypto-shredded.
    page = staff.get(reverse("staff_minor_report", args=[report.pk])).content.decode()
    assert "Delete the account" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("staff_minor_report_delete", args=[report.pk]))
    assert response.status_code == 302
    kid = User.objects.get(pk=kid.pk)
    assert kid.name == "" and kid.email == f"deleted-{kid.pk}@deleted.invalid"
    assert not kid.is_active and not kid.has_usable_password() and kid.age_check_passed_at is None
    assert not EmailAddress.objects.filter(user=kid).exists()
    assert not EmailAddress.objects.filter(email__iexact="kid@example.org").exists()
    assert not PersonalAccessToken.objects.filter(user=kid).exists()
    assert not Authenticator.objects.filter(user=kid).exists()
    assert not Membership.objects.filter(user=kid).exists()
    assert not TeamMembership.objects.filter(membership__user_id=kid.pk).exists()
    assert Organization.objects.filter(slug="acme").exists()  # shared with others: stays
    assert not Organization.objects.filter(slug="kims-club").exists()  # its only member is gone
    assert not SubjectLink.objects.filter(user=kid).exists()
    # What the report said about the child is gone with the account.
    report.refresh_from_db()
    assert report.status == "deleted"
    assert (report.reported_email, report.reported_details, report.description) == ("", "", "")
    assert report.reporter_email == "parent@example.net"

    # The audit trail tells what happened, still verifies, and no longer leads to the child.
    deleted = events(EventType.USER_DELETED).get()
    assert deleted.subject_key == kid_key and deleted.changes["minor_reports"] == [report.pk]
    assert deleted.changes["email_addresses_removed"] == 1
    assert deleted.changes["authenticators_removed"] == 1
    assert deleted.changes["api_tokens_removed"] == 1
    assert deleted.changes["memberships_removed"] == 1 and deleted.changes["organizations_deleted"] == 1
    assert events(EventType.ORG_MEMBER_REMOVED).get().organization_id == acme.pk
    assert events(EventType.ORG_DELETED).get().organization_id == own.pk
    assert subject_unseal(subject_key=kid_key, token=suspended.sealed_changes) is None
    assert audit_chain_verify()[1] is None

    # The child can no longer sign in, by the old address or the placeholder.
    for login_email in ["kid@example.org", kid.email]:
        login = Client().post(reverse("account_login"), {"login": login_email, "password": password})
        assert "_auth_user_id" not in login.client.session
    page = staff.get(reverse("staff_minor_report", args=[report.pk])).content.decode()
    assert "Removed when the account was deleted." in page and "Kim Kid" not in page


def test_suspending_needs_an_existing_account(sign_in, agent, report):
    staff = sign_in(agent)
    response = staff.post(
        reverse("staff_minor_report_suspend", args=[report.pk]), {"email": "nobody@example.org"}
    )
    assert response.status_code == 400
    assert "No account signs in with this address." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "new" and not events(EventType.USER_SUSPENDED).exists()


def test_staff_accounts_and_ones_own_are_not_suspended_here(agent, officer, report):
    for account in (agent, officer):
        with pytest.raises(Forbidden):
            services.minor_report_suspend_account(actor=agent, report=report, account=account)
    report.refresh_from_db()
    agent.refresh_from_db()
    assert report.status == "new" and agent.is_active


def test_deleting_needs_a_suspension_first(agent, report, kid):
    with pytest.raises(Conflict):
        services.minor_report_delete_account(actor=agent, report=report)
    services.minor_report_suspend_account(actor=agent, report=report, account=kid)
    with pytest.raises(Conflict):  # suspended once is enough
        services.minor_report_suspend_account(actor=agent, report=report, account=kid)


def test_dismissing_a_suspended_report_reinstates_the_account(sign_in, agent, report, kid):
    services.minor_report_suspend_account(actor=agent, report=report, account=kid)
    staff = sign_in(agent)
    assert staff.post(reverse("staff_minor_report_dismiss", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    kid.refresh_from_db()
    assert report.status == "dismissed" and kid.is_active
    # The password stays unusable: the person sets a new one through password reset.
    assert not kid.has_usable_password()
    assert events(EventType.USER_REINSTATED).get().changes == {"minor_report": report.pk}
    dismissed = events(EventType.MINOR_REPORT_DISMISSED).get()
    assert dismissed.changes == {"status": ["suspended", "dismissed"], "account_reinstated": True}
    with pytest.raises(Conflict):
        services.minor_report_dismiss(actor=agent, report=report)


def test_dismissing_a_new_report_changes_no_account(agent, report, kid):
    services.minor_report_dismiss(actor=agent, report=report)
    kid.refresh_from_db()
    assert kid.is_active and not events(EventType.USER_REINSTATED).exists()
    assert events(EventType.MINOR_REPORT_DISMISSED).get().changes["account_reinstated"] is False


def test_other_reports_about_the_account_follow_it(agent, kid, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        client.post(reverse("minor_report"), REPORT)
        client.post(reverse("minor_report"), {**REPORT, "reporter_email": "teacher@school.example"})
        client.post(reverse("minor_report"), {**REPORT, "reported_email": "other@example.org"})
    first, second, unrelated = MinorReport.objects.order_by("pk")
    services.minor_report_suspend_account(actor=agent, report=first, account=kid)
    assert list(MinorReport.objects.order_by("pk").values_list("status", flat=True)) == [
        "suspended",
        "suspended",
        "new",
    ]
    services.minor_report_delete_account(actor=agent, report=second)
    assert list(MinorReport.objects.order_by("pk").values_list("status", flat=True)) == [
        "deleted",
        "deleted",
        "new",
    ]
    assert events(EventType.USER_DELETED).get().changes["minor_reports"] == [first.pk, second.pk]


def test_primary_ownership_passes_to_another_owner(agent, report, kid):
    acme = Organization.objects.create(name="Acme", slug="acme")
    kid_owner = Membership.objects.create(
        organization=acme, user=kid, role=OrgRole.OWNER, is_primary_owner=True
    )
    co_owner = Membership.objects.create(
        organization=acme, user=UserFactory(email="co@acme.example"), role=OrgRole.OWNER
    )
    Membership.objects.create(
        organization=acme, user=UserFactory(email="m@acme.example"), role=OrgRole.MEMBER
    )
    services.minor_report_suspend_account(actor=agent, report=report, account=kid)
    services.minor_report_delete_account(actor=agent, report=report)
    co_owner.refresh_from_db()
    assert co_owner.is_primary_owner and co_owner.role == OrgRole.OWNER
    assert not Membership.objects.filter(pk=kid_owner.pk).exists()
    transfer = events(EventType.ORG_OWNERSHIP_TRANSFERRED).get()
    assert transfer.subject_key == subject_key_for_user(user=co_owner.user)
    assert transfer.actor_subject == subject_key_for_user(user=agent)


def test_the_only_owner_of_an_organisation_with_members_is_not_deleted(sign_in, agent, report, kid):
    """Choosing a new owner is the organisation's decision: the account stays
    suspended, and staff see why it cannot be deleted yet."""
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=kid, role=OrgRole.OWNER, is_primary_owner=True)
    Membership.objects.create(organization=acme, user=UserFactory(email="m@acme.example"), role=OrgRole.ADMIN)
    services.minor_report_suspend_account(actor=agent, report=report, account=kid)
    staff = sign_in(agent)
    page = staff.get(reverse("staff_minor_report", args=[report.pk])).content.decode()
    assert "The account is the only owner of Acme" in page
    response = staff.post(reverse("staff_minor_report_delete", args=[report.pk]))
    assert response.status_code == 409 and "only owner of Acme" in response.content.decode()
    kid.refresh_from_db()
    report.refresh_from_db()
    assert report.status == "suspended" and kid.name == "Kim Kid" and not kid.is_active
    assert Membership.objects.filter(user=kid).count() == 1
    assert SubjectLink.objects.filter(user=kid).exists()
    assert not events(EventType.USER_DELETED).exists()


def test_a_deleted_account_cannot_be_acted_on_again(agent, report, kid, django_capture_on_commit_callbacks):
    services.minor_report_suspend_account(actor=agent, report=report, account=kid)
    services.minor_report_delete_account(actor=agent, report=report)
    kid.refresh_from_db()
    with django_capture_on_commit_callbacks():
        again = services.minor_report_create(actor=None, **{**REPORT, "reported_email": kid.email})
    with pytest.raises(Conflict):
        services.minor_report_suspend_account(actor=agent, report=again, account=kid)
    again.refresh_from_db()
    assert again.status == "new" and not SubjectLink.objects.filter(user=kid).exists()
