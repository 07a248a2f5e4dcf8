"""The staff role registry: what each staff role may do, superusers, the page
decorator, the API permission class and the one-query promise."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.staff_roles import (
    STAFF_ROLE_PERMISSIONS,
    StaffPermission,
    StaffRole,
    is_staff_account,
    staff_api_permission,
    staff_has_permission,
    staff_holding,
    staff_permission_required,
    staff_permissions_for,
)
from tests.factories import UserFactory

P = StaffPermission
SUPPORT = {
    P.STAFF_CONSOLE_OPEN,
    P.MINOR_REPORTS_HANDLE,
    P.PRIVACY_QUESTIONS_HANDLE,
    P.SUPPORT_CASES_HANDLE,
    P.SUBJECT_REQUESTS_CLASSIFY,
}
PRIVACY_OFFICER = SUPPORT | {
    P.POLICIES_PUBLISH,
    P.POLICY_NOTICES_READ,
    P.CONSENT_FIGURES_READ,
    P.DECLARATION_MANAGE,
    P.PROVIDERS_MANAGE,
    P.SUBJECT_REQUESTS_MANAGE,
    P.RECORDS_READ,
    P.EVIDENCE_PACKS_MAKE,
}


def _with_roles(*roles, **fields):
    user = UserFactory(**fields)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def test_the_group_names_stay_what_existing_databases_hold():
    assert StaffRole.values == ["support", "privacy_officer"]


def test_privacy_officers_hold_everything_support_agents_hold_and_more():
    assert STAFF_ROLE_PERMISSIONS[StaffRole.SUPPORT] < STAFF_ROLE_PERMISSIONS[StaffRole.PRIVACY_OFFICER]


def test_every_permission_belongs_to_a_role():
    assert set().union(*STAFF_ROLE_PERMISSIONS.values()) == set(StaffPermission)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ((StaffRole.SUPPORT,), SUPPORT),
        ((StaffRole.PRIVACY_OFFICER,), PRIVACY_OFFICER),
        ((StaffRole.SUPPORT, StaffRole.PRIVACY_OFFICER), PRIVACY_OFFICER),
        ((), set()),
    ],
)
def test_the_registry_table(roles, expected):
    assert staff_permissions_for(_with_roles(*roles)) == expected


@pytest.mark.django_db
def test_a_superuser_holds_every_permission_without_a_group():
    assert staff_permissions_for(UserFactory(is_superuser=True)) == set(StaffPermission)


@pytest.mark.django_db
def test_other_groups_grant_nothing():
    assert staff_permissions_for(_with_roles("marketing")) == set()


def test_the_signed_out_hold_nothing():
    assert staff_permissions_for(AnonymousUser()) == set()
    assert not staff_has_permission(AnonymousUser(), P.STAFF_CONSOLE_OPEN)


@pytest.mark.django_db
def test_the_is_staff_flag_alone_reads_notice_progress_and_nothing_else():
    # As the notice-progress API always allowed (is_staff or privacy officer).
    assert staff_permissions_for(UserFactory(is_staff=True)) == {P.POLICY_NOTICES_READ}


@pytest.mark.django_db
def test_staff_accounts():
    assert is_staff_account(_with_roles(StaffRole.SUPPORT))
    assert is_staff_account(UserFactory(is_staff=True))
    assert is_staff_account(UserFactory(is_superuser=True))
    assert not is_staff_account(_with_roles("marketing"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "queries"),
    [("agent", 1), ("officer", 1), ("nobody", 1), ("superuser", 0), ("anonymous", 0)],
)
def test_permissions_come_from_one_query(user, queries, django_assert_num_queries):
    person = {
        "agent": lambda: _with_roles(StaffRole.SUPPORT, is_staff=True),
        "officer": lambda: _with_roles(StaffRole.PRIVACY_OFFICER, StaffRole.SUPPORT),
        "nobody": UserFactory,
        "superuser": lambda: UserFactory(is_superuser=True),
        "anonymous": AnonymousUser,
    }[user]()
    with django_assert_num_queries(queries):
        staff_permissions_for(person)


@pytest.mark.django_db
def test_staff_holding_a_permission():
    agent = _with_roles(StaffRole.SUPPORT)
    officer = _with_roles(StaffRole.PRIVACY_OFFICER, StaffRole.SUPPORT)  # listed once
    root = UserFactory(is_superuser=True)
    flagged = UserFactory(is_staff=True)
    _with_roles("marketing")
    assert list(staff_holding(P.SUPPORT_CASES_HANDLE).order_by("pk")) == [agent, officer, root]
    assert list(staff_holding(P.PROVIDERS_MANAGE).order_by("pk")) == [officer, root]
    assert list(staff_holding(P.POLICY_NOTICES_READ).order_by("pk")) == [officer, root, flagged]


# --- The page decorator ---------------------------------------------------------------


@staff_permission_required(P.CONSENT_FIGURES_READ)
def figures_page(request):
    """Consent figures."""
    return HttpResponse(",".join(sorted(request.staff_permissions)))


def test_the_decorator_keeps_the_view_s_name_and_docstring():
    assert figures_page.__name__ == "figures_page"
    assert figures_page.__doc__ == "Consent figures."


def test_the_decorator_sends_the_signed_out_to_sign_in():
    request = RequestFactory().get("/staff/consent/")
    request.user = AnonymousUser()
    response = figures_page(request)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/staff/consent/"


@pytest.mark.django_db
def test_the_decorator_refuses_staff_without_the_permission():
    request = RequestFactory().get("/staff/consent/")
    request.user = _with_roles(StaffRole.SUPPORT, is_staff=True)
    with pytest.raises(PermissionDenied):  # Django answers 403
        figures_page(request)


@pytest.mark.django_db
def test_the_decorator_lets_the_permission_through():
    request = RequestFactory().get("/staff/consent/")
    request.user = _with_roles(StaffRole.PRIVACY_OFFICER)
    response = figures_page(request)
    assert response.status_code == 200
    assert P.CONSENT_FIGURES_READ in response.content.decode()


@pytest.mark.django_db
def test_a_real_staff_page_answers_as_before(client):
    url = reverse("staff_consent")
    assert client.get(url).status_code == 302
    client.force_login(_with_roles(StaffRole.SUPPORT))
    assert client.get(url).status_code == 403
    client.force_login(_with_roles(StaffRole.PRIVACY_OFFICER))
    assert client.get(url).status_code == 200


# --- The API permission class ----------------------------------------------------------


class RegisterView(APIView):
    permission_classes = [staff_api_permission(P.PROVIDERS_MANAGE, code="not_privacy_officer")]

    def get(self, request):
        return Response({"ok": True})


def _api(method, user=None):
    request = getattr(APIRequestFactory(), method)("/api/v1/register/")
    if user is not None:
        force_authenticate(request, user=user)
    return RegisterView.as_view()(request)


def test_the_api_answers_the_signed_out_with_401():
    response = _api("get")
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


@pytest.mark.django_db
def test_the_api_refuses_without_the_permission_with_the_view_s_code():
    response = _api("get", _with_roles(StaffRole.SUPPORT))
    assert response.status_code == 403
    assert response.data == {
        "code": "not_privacy_officer",
        "detail": "You do not have permission to do this.",
        "fields": {},
    }


@pytest.mark.django_db
def test_the_api_lets_the_permission_through():
    assert _api("get", _with_roles(StaffRole.PRIVACY_OFFICER)).status_code == 200
    assert _api("head", UserFactory(is_superuser=True)).status_code == 200


@pytest.mark.django_db
def test_the_api_leaves_options_and_unanswered_methods_as_they_were():
    someone = UserFactory()
    assert _api("options", someone).status_code == 200
    assert _api("delete", someone).status_code == 405
    assert _api("head", someone).status_code == 403
