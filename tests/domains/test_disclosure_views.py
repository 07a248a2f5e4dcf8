"""Both sides of an email disclosure (issue 7): the organisation's report
(console page with filters and CSV, API, digest email) and the person's
(privacy centre, API, notice); the notice at sign-up and email change; the
console's domain page; tenant isolation of what was disclosed."""

import csv
import io
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from domains.models import DisclosureDigest, DisclosureRun, DisclosureState, DomainClaim, EmailDisclosure
from domains.tasks import disclosure_digest_email, disclosure_digests_send
from organizations.models import Team, TeamMembership
from tests.conftest import assert_error
from tests.factories import UserFactory

from .disclosure_support import process_run, run_now

pytestmark = pytest.mark.django_db


def _verified(org, domain, **extra):
    now = timezone.now()
    return DomainClaim.objects.create(
        organization=org, domain=domain, token="t0ken", status="verified", verified_at=now,
        disclosures_from=now - timedelta(minutes=1), **extra,
    )  # fmt: skip


_run = run_now


@pytest.fixture
def disclosed(acme, globex, owner, admin, member, outsider):
    """acme.example verified by Acme, globex.example by Globex; one run."""
    _verified(acme, "acme.example")
    _verified(globex, "globex.example")
    team = Team.objects.create(organization=acme, name='=HYPERLINK("x")', slug="formula")
    TeamMembership.objects.create(team=team, membership=member)
    UserFactory(email="ann@globex.example")
    _run()
    return acme, globex


def test_the_report_page_lists_filters_and_downloads(console, disclosed, owner, admin):
    client = console(admin)  # administrators read it too
    url = reverse("org_disclosures", args=["acme"])
    html = client.get(url).content.decode()
    for email in ("owner@acme.example", "admin@acme.example", "member@acme.example"):
        assert email in html
    assert "ann@globex.example" not in html and "owner@globex.example" not in html
    assert client.get(url, {"domain": "globex.example"}).status_code == 400  # not one of Acme's
    # Dates filter in the controller's time zone (Europe/Stockholm), which is a day ahead of UTC
    # for an hour every night: "tomorrow" is tomorrow there.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "member@acme.example" not in client.get(url, {"since": tomorrow}).content.decode()
    assert client.get(url, {"since": "not-a-date"}).status_code == 400

    response = client.get(url, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["disclosed_at_utc", "email", "teams", "domain"] and len(rows) == 4
    member_row = next(r for r in rows if r[1] == "member@acme.example")
    assert member_row[2].startswith("'=HYPERLINK")  # a spreadsheet must not run a team name
    assert member_row[3] == "acme.example"


def test_members_cannot_read_the_report(console, disclosed, member):
    assert console(member).get(reverse("org_disclosures", args=["acme"])).status_code == 403


def test_the_api_report_is_the_organisations_own(disclosed, owner, outsider, api_client):
    api_client.force_authenticate(owner.user)
    body = api_client.get("/api/v1/orgs/acme/disclosures").json()
    assert {row["email"] for row in body["results"]} == {
        "owner@acme.example",
        "admin@acme.example",
        "member@acme.example",
    }
    assert all(row["domain"] == "acme.example" for row in body["results"])
    assert_error(api_client.get("/api/v1/orgs/acme/disclosures", {"domain": "not a domain"}), 400)
    assert_error(api_client.get("/api/v1/orgs/acme/disclosures", {"after": "-1"}), 400)
    assert_error(api_client.get("/api/v1/orgs/globex/disclosures"), 404)  # not a member
    api_client.force_authenticate(outsider.user)
    assert {r["email"] for r in api_client.get("/api/v1/orgs/globex/disclosures").json()["results"]} == {
        "owner@globex.example",
        "ann@globex.example",
    }


def test_the_api_dry_run_previews_and_writes_nothing(acme, owner, admin, api_client):
    _verified(acme, "acme.example", include_subdomains=True)
    UserFactory(email="zed@eu.acme.example")
    api_client.force_authenticate(owner.user)
    body = api_client.post("/api/v1/orgs/acme/disclosures/dry-run").json()
    assert body["would_disclose"] == body["new_people"] == 3
    assert {row["email"] for row in body["sample"]} == {
        "owner@acme.example",
        "admin@acme.example",
        "zed@eu.acme.example",
    }
    assert not EmailDisclosure.objects.exists() and not DisclosureState.objects.exists()
    api_client.force_authenticate(admin.user)
    assert_error(api_client.post("/api/v1/orgs/acme/disclosures/dry-run"), 403)


def test_the_console_dry_run_shows_the_sample(console, acme, owner, member):
    _verified(acme, "acme.example")
    response = console(owner).post(reverse("org_disclosure_dry_run", args=["acme"]))
    html = response.content.decode()
    assert response.status_code == 200 and "member@acme.example" in html
    # The organisation's name is bound in the blocktranslate (it was dropped: "… to .").
    assert "The next run would disclose 2 addresses to Acme AB." in html
    assert not EmailDisclosure.objects.exists()


def test_the_person_sees_who_received_their_address_and_why(client, disclosed, member, password):
    client.force_login(member.user)
    html = client.get(reverse("privacy_disclosures")).content.decode()
    assert "were disclosed to <strong>Acme AB</strong>" in html and "because acme.example is verified" in html
    assert 'id="disclosure-notice"' in html
    assert "Your work address was shared" in client.get(reverse("privacy_centre")).content.decode()
    response = client.post(reverse("privacy_disclosures_acknowledge"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    assert 'id="disclosure-notice"' not in client.get(reverse("privacy_disclosures")).content.decode()
    # A new disclosure (new team names) brings the notice back.
    team = Team.objects.create(organization=member.organization, name="Ops", slug="ops")
    TeamMembership.objects.create(team=team, membership=member)
    _run()
    assert 'id="disclosure-notice"' in client.get(reverse("privacy_disclosures")).content.decode()


def test_the_person_api_lists_only_their_own(disclosed, member, alice_api, api_client):
    api_client.force_authenticate(member.user)
    body = api_client.get("/api/v1/me/disclosures").json()
    assert len(body["results"]) == 1
    assert (
        body["results"][0]["organization"] == "Acme AB"
        and body["results"][0]["email"] == "member@acme.example"
    )
    assert alice_api.get("/api/v1/me/disclosures").json()["results"] == []


def test_a_digest_goes_to_owners_and_admins_once(disclosed, mailoutbox, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert disclosure_digests_send() == 2  # Acme and Globex
    acme_mail = [m for m in mailoutbox if "Acme AB" in m.subject]
    assert sorted(m.to[0] for m in acme_mail) == ["admin@acme.example", "owner@acme.example"]
    assert (
        "3 new disclosures" in acme_mail[0].subject and "/orgs/acme/disclosures/?after=0" in acme_mail[0].body
    )
    digest = DisclosureDigest.objects.get(organization__slug="acme")
    assert digest.recipients == 2 and digest.emailed_at
    assert disclosure_digests_send() == 0 and disclosure_digest_email(digest.pk) == "skipped"
    assert len(mailoutbox) == 3  # Globex has one owner and no administrator


SIGNUP = {
    "name": "Wes Work",
    "date_of_birth": "1990-05-01",
    "password1": "a-long-Unusual-passphrase-42",
    "password2": "a-long-Unusual-passphrase-42",
}


def test_sign_up_with_a_claimed_work_address_shows_the_notice_first(client, acme):
    _verified(acme, "acme.example")
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "wes@ACME.example"})
    html = response.content.decode()
    assert response.status_code == 200 and not User.objects.filter(email="wes@acme.example").exists()
    assert (
        "which Acme AB has verified as its own" in html and 'type="checkbox" name="work_address_ok"' in html
    )
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "email": "wes@acme.example", "work_address_ok": "on"}
    )
    assert response.status_code == 302 and User.objects.filter(email="wes@acme.example").exists()


def test_sign_up_elsewhere_asks_nothing_more(client, acme):
    _verified(acme, "acme.example")
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "wes@elsewhere.example"})
    assert response.status_code == 302
    html = client.get(reverse("account_signup")).content.decode()
    assert 'type="hidden" name="work_address_ok"' in html


def test_changing_to_a_claimed_address_shows_the_notice(client, acme, alice):
    _verified(acme, "acme.example")
    client.force_login(alice)
    url = reverse("account_email")
    html = client.post(url, {"action_add": "", "email": "alice@acme.example"}).content.decode()
    assert "which Acme AB has verified as its own" in html
    assert not EmailAddress.objects.filter(email="alice@acme.example").exists()
    client.post(url, {"action_add": "", "email": "alice@acme.example", "work_address_ok": "on"})
    assert EmailAddress.objects.filter(email="alice@acme.example", verified=False).exists()


def test_the_domains_page_claims_verifies_and_revokes(console, acme, owner, dns_server, settings):
    settings.EMAIL_DISCLOSURE_DELAY_HOURS = 24
    client = console(owner)
    url = reverse("org_domains", args=["acme"])
    response = client.post(url, {"action": "claim", "domain": "Gmail.com."})
    assert response.status_code == 400 and "free email service" in response.content.decode()
    response = client.post(url, {"action": "claim", "domain": "acme.example"}, follow=True)
    claim = DomainClaim.objects.get()
    assert f"icentrex-verification={claim.token}" in response.content.decode()
    html = client.post(reverse("org_domain_verify", args=["acme", claim.pk]), follow=True).content.decode()
    assert "No TXT record was found yet" in html
    dns_server.txt["_icentrex-verification.acme.example"] = [f"icentrex-verification={claim.token}"]
    html = client.post(reverse("org_domain_verify", args=["acme", claim.pk]), follow=True).content.decode()
    assert "is verified" in html and "Disclosures begin" in html
    client.post(reverse("org_domain_revoke", args=["acme", claim.pk]))
    claim.refresh_from_db()
    assert claim.status == "revoked"


@pytest.mark.parametrize("people", [3, 40])
def test_the_report_page_query_count_is_constant(console, acme, owner, people, django_assert_num_queries):
    _verified(acme, "acme.example")
    for n in range(people):
        UserFactory(email=f"p{n}@acme.example")
    _run()
    client = console(owner)
    url = reverse("org_disclosures", args=["acme"])
    client.get(url)
    # session, user, membership, the domain choices, the page count and rows, the people's
    # keys, the last digest; the cookie banner's declaration and consent state; the policy
    # versions in force
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200


def test_confirming_a_work_address_after_sign_up_discloses_it(
    client, acme, mailoutbox, django_capture_on_commit_callbacks, account_mail
):
    from tests.accounts.test_signup_flow import confirmation_link

    _verified(acme, "acme.example")
    with account_mail():
        client.post(
            reverse("account_signup"), {**SIGNUP, "email": "wes@acme.example", "work_address_ok": "on"}
        )
    assert not DisclosureRun.objects.exists()  # not before the address is confirmed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(mailoutbox[0]))
    run = DisclosureRun.objects.get(user__email="wes@acme.example")
    assert run.trigger == "email_confirmed"
    process_run(run.pk)
    assert EmailDisclosure.objects.get().organization_id == acme.pk
