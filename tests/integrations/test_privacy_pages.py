"""Privacy centre: "Who has my data" (summary, the full log with its filters and
keyset pages, the service providers) and "Integrations" (catalogue, the
consent screen, adding and removing)."""

import re

import pytest
from django.urls import reverse

from integrations.models import Installation, SharingEvent, WebhookDelivery
from integrations.services import installation_create
from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole, TeamRole
from subjects.services import subject_key_for_user

from .helpers import emails_sent_about, provider, query_count, signed_in

pytestmark = pytest.mark.django_db

CHECKBOX = re.compile(r'<input type="checkbox" name="share" value="([^"]+)" id="[^"]+"( checked)?>')


def offered(html: str) -> dict[str, bool]:
    """The consent screen's checkboxes: field -> ticked."""
    return {value: bool(checked) for value, checked in CHECKBOX.findall(html)}


def log_rows(html: str) -> int:
    body = html.split('class="table sharing-log"', 1)[1].split("</table>", 1)[0]
    return body.count("<time ")


# --- Who has my data ---------------------------------------------------------------


def test_pages_need_an_account(client):
    for name in ["privacy_data_sharing", "privacy_integrations"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_who_has_my_data_shows_each_share_with_its_exact_fields(alice, bob):
    acme = Organization.objects.create(name="Acme AB", slug="acme")
    membership = Membership.objects.create(organization=acme, user=alice, role=OrgRole.ADMIN)
    team = Team.objects.create(organization=acme, name="Design", slug="design")
    TeamMembership.objects.create(team=team, membership=membership, role=TeamRole.TEAM_ADMIN)
    installation_create(
        user=alice,
        provider=provider("standup-bot"),
        fields=["identity.name", "team.name"],
        membership=membership,
        team=team,
    )
    emails_sent_about(alice, 2)
    emails_sent_about(bob, 1)  # someone else's: never on Alice's page

    html = signed_in(alice).get(reverse("privacy_data_sharing")).content.decode()

    # The summary: who, what categories, how many shares.
    summary = html.split('id="recipients-title"', 1)[1].split("</table>", 1)[0]
    assert "Standup Bot" in summary and "Mailstream" in summary
    assert "Identity, Team membership" in summary
    assert "<td>2</td>" in summary  # two emails
    # The log: the exact fields in words, why, the legal basis, where, and the delivery.
    log = html.split('class="table sharing-log"', 1)[1].split("</table>", 1)[0]
    assert log_rows(html) == 3
    assert "Your name" in log and "The team&#x27;s name" in log
    assert "Your role in the team" not in log  # not granted, so not shared
    assert "Identity:</span> Your email address</li>" in log and "Profile:</span> Your language" in log
    assert "Know who is in the team" in log  # the purpose
    assert "Your consent (you or your team added it)" in log
    assert "Processing agreement (acting for iCentrex)" in log
    assert "Organisation: Acme AB" in log and "Team: Design" in log
    assert "Pending" in log and "Handed over" in log
    # The processors, with what they receive, where and under which agreement.
    processors = html.split('id="processors-title"', 1)[1]
    for text in ["Northwind Cloud", "DPA-2025-014", "EU–US Data Privacy Framework", "Brightreach", "US"]:
        assert text in processors


def test_the_log_filters_by_provider_and_category(alice):
    installation_create(user=alice, provider=provider("calendar-sync"), fields=["identity.id"])
    emails_sent_about(alice, 3)
    client = signed_in(alice)
    url = reverse("privacy_data_sharing")

    assert log_rows(client.get(url).content.decode()) == 4
    assert log_rows(client.get(url, {"provider": "mailstream"}).content.decode()) == 3
    assert log_rows(client.get(url, {"provider": "calendar-sync"}).content.decode()) == 1
    # Mailstream gets the language (profile) too; Calendar Sync only the id.
    assert log_rows(client.get(url, {"category": "profile"}).content.decode()) == 3
    assert log_rows(client.get(url, {"category": "identity"}).content.decode()) == 4
    html = client.get(url, {"provider": "calendar-sync", "category": "profile"}).content.decode()
    assert log_rows(html) == 0 and "No shares match." in html
    # A provider that never received anything about her is not a choice (ignored, not an error).
    response = client.get(url, {"provider": "brightreach"})
    assert response.status_code == 200 and log_rows(response.content.decode()) == 4


def test_the_log_pages_by_cursor(alice):
    emails_sent_about(alice, 120)
    client = signed_in(alice)
    url = reverse("privacy_data_sharing")
    seqs = list(
        SharingEvent.objects.filter(subject_key=subject_key_for_user(user=alice))
        .order_by("-seq")
        .values_list("seq", flat=True)
    )

    first = client.get(url, {"provider": "mailstream"}).content.decode()
    assert log_rows(first) == 50
    older = re.search(r'href="\?([^"]+)" rel="next">Older', first).group(1).replace("&amp;", "&")
    assert older == f"provider=mailstream&before={seqs[49]}"  # the cursor and the filter travel together
    assert ">Newest<" not in first

    second = client.get(f"{url}?{older}").content.decode()
    assert log_rows(second) == 50 and ">Newest<" in second
    third = client.get(url, {"provider": "mailstream", "before": seqs[99]}).content.decode()
    assert log_rows(third) == 20 and ">Older<" not in third
    # A nonsense cursor is ignored: the first page.
    assert log_rows(client.get(url, {"before": "-3"}).content.decode()) == 50


def test_the_log_page_query_count_does_not_grow_with_rows(alice):
    acme = Organization.objects.create(name="Acme AB", slug="acme")
    membership = Membership.objects.create(organization=acme, user=alice, role=OrgRole.OWNER)
    team = Team.objects.create(organization=acme, name="Design", slug="design")
    TeamMembership.objects.create(team=team, membership=membership)

    def team_share():
        installation_create(
            user=alice,
            provider=provider("standup-bot"),
            fields=["team.name"],
            membership=membership,
            team=team,
        )

    emails_sent_about(alice, 3)
    team_share()
    client = signed_in(alice)
    url = reverse("privacy_data_sharing")
    client.get(url)
    few = query_count(lambda: client.get(url))
    # Many more rows, with a share naming an organisation and a team on each page measured.
    emails_sent_about(alice, 200)
    team_share()
    many = query_count(lambda: client.get(url))
    cursor = SharingEvent.objects.order_by("-seq")[0].seq + 1
    emails_sent_about(alice, 60)
    paged = query_count(lambda: client.get(url, {"before": cursor, "category": "team"}))
    assert few == many == paged
    # session, user; the summary (providers' figures, the providers); the page (subject keys,
    # events, deliveries, organisations, teams); the service providers; for the cookie banner the
    # declaration revision and the consent state; the material policy versions in force
    assert many == 13


# --- Integrations -------------------------------------------------------------------


def test_the_catalogue_and_my_integrations(alice, bob):
    installation_create(
        user=alice, provider=provider("calendar-sync"), fields=["identity.id", "identity.email"]
    )
    installation_create(user=bob, provider=provider("expense-reports"), fields=["identity.id"])
    html = signed_in(alice).get(reverse("privacy_integrations")).content.decode()
    mine = html.split('id="installed-title"', 1)[1].split("</table>", 1)[0]
    assert "Calendar Sync" in mine and "Expense Reports" not in mine
    assert "Your email address" in mine and "Your name" not in mine
    catalogue = html.split('id="catalogue-title"', 1)[1]
    for name in ["Calendar Sync", "Standup Bot", "Expense Reports"]:
        assert name in catalogue
    # What each can receive, in words; and Add where she has not added it yet.
    assert "Your role in the team" in catalogue
    assert 'href="/privacy/integrations/calendar-sync/add/"' not in catalogue
    assert 'href="/privacy/integrations/standup-bot/add/"' in catalogue


def test_the_consent_screen_lists_exactly_the_declared_fields_ticked(alice):
    response = signed_in(alice).get(reverse("privacy_integration_add", args=["calendar-sync"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert offered(html) == {"identity.id": True, "identity.name": True, "identity.email": True}
    assert "Only you." in html
    assert "Match your calendar account" in html  # why
    assert "hooks.calendarsync.example" in html  # where it goes


def test_adding_shares_exactly_the_ticked_fields(alice, django_capture_on_commit_callbacks):
    client = signed_in(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("privacy_integration_add", args=["calendar-sync"]),
            {"share": ["identity.id", "identity.name"]},
        )
    assert response.status_code == 302 and response.url == reverse("privacy_integrations")
    installation = Installation.objects.get()
    assert installation.installed_by == alice and installation.audience == "me"
    assert installation.granted_fields == ["identity.id", "identity.name"]
    event = SharingEvent.objects.get()
    assert event.fields == ["identity.id", "identity.name"]
    assert event.subject_key == subject_key_for_user(user=alice)
    assert event.installation_id == installation.public_id and event.legal_basis == "consent"
    assert len(callbacks) == 1  # the signed delivery is enqueued after commit
    html = client.get(reverse("privacy_integrations")).content.decode()
    assert "is added" in html and "Calendar Sync" in html.split('id="installed-title"', 1)[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one thing to share."),
        ({"share": ["identity.id", "profile.language"]}, "is not one of the available choices"),
        ({"share": ["made.up"]}, "is not one of the available choices"),
    ],
)
def test_bad_consent_writes_nothing(alice, data, message):
    response = signed_in(alice).post(reverse("privacy_integration_add", args=["calendar-sync"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Installation.objects.exists() and not SharingEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_team_fields_are_not_offered_for_oneself(alice):
    html = signed_in(alice).get(reverse("privacy_integration_add", args=["standup-bot"])).content.decode()
    assert offered(html) == {"identity.id": True, "identity.name": True}
    withheld = html.split("Not shared when you add it for yourself", 1)[1]
    assert "The team&#x27;s name" in withheld and "Your role in the team" in withheld


def test_organisation_fields_need_the_organisation(alice):
    client = signed_in(alice)
    url = reverse("privacy_integration_add", args=["expense-reports"])
    # Not in any organisation: the organisation fields are not offered.
    html = client.get(url).content.decode()
    assert offered(html) == {"identity.id": True, "identity.email": True}
    assert "you are not in an organisation" in html

    acme = Organization.objects.create(name="Acme AB", slug="acme")
    globex = Organization.objects.create(name="Globex", slug="globex")
    Membership.objects.create(organization=acme, user=alice, role=OrgRole.MEMBER)
    Membership.objects.create(organization=globex, user=alice, role=OrgRole.GUEST)
    html = client.get(url).content.decode()
    # Two organisations and none chosen yet: their fields are offered but not ticked.
    assert offered(html) == {
        "identity.id": True,
        "identity.email": True,
        "organisation.name": False,
        "organisation.role": False,
    }
    assert '<option value="acme">Acme AB</option>' in html

    response = client.post(url, {"share": ["identity.id", "organisation.role"]})
    assert response.status_code == 400 and not Installation.objects.exists()
    assert "Choose the organisation whose details are shared" in response.content.decode()

    response = client.post(url, {"share": ["identity.id", "organisation.role"], "organization": "globex"})
    assert response.status_code == 302
    installation = Installation.objects.get()
    assert installation.organization == globex and installation.team is None
    assert SharingEvent.objects.get().organization_id == globex.pk


def test_with_one_organisation_its_fields_start_ticked_with_it_chosen(alice):
    acme = Organization.objects.create(name="Acme AB", slug="acme")
    Membership.objects.create(organization=acme, user=alice, role=OrgRole.MEMBER)
    html = signed_in(alice).get(reverse("privacy_integration_add", args=["expense-reports"])).content.decode()
    assert offered(html) == {
        "identity.id": True,
        "identity.email": True,
        "organisation.name": True,
        "organisation.role": True,
    }
    assert '<option value="acme" selected>Acme AB</option>' in html


def test_unknown_or_service_providers_cannot_be_added(alice):
    client = signed_in(alice)
    for slug in ["nope", "mailstream"]:
        assert client.get(reverse("privacy_integration_add", args=[slug])).status_code == 404
        assert (
            client.post(
                reverse("privacy_integration_add", args=[slug]), {"share": "identity.email"}
            ).status_code
            == 404
        )
    assert not Installation.objects.exists()


def test_removing_asks_then_stops_sharing(alice, django_capture_on_commit_callbacks):
    installation = installation_create(user=alice, provider=provider("calendar-sync"), fields=["identity.id"])
    client = signed_in(alice)
    url = reverse("privacy_integration_remove", args=[installation.public_id])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Remove Calendar Sync?" in html and "An id for you" in html
    installation.refresh_from_db()
    assert installation.status == "active"  # looking is not removing

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)
    assert response.status_code == 302
    installation.refresh_from_db()
    assert installation.status == "removed" and installation.removed_at
    notice = WebhookDelivery.objects.get(kind="installation.removed")
    assert notice.payload == {"installation": str(installation.public_id)}  # no personal data
    assert len(callbacks) == 1
    html = client.get(reverse("privacy_integrations")).content.decode()
    assert "removed" in html.split('id="installed-title"', 1)[1]
    # Removing again changes nothing.
    assert client.post(url).status_code == 302
    assert WebhookDelivery.objects.filter(kind="installation.removed").count() == 1


def test_someone_elses_installation_is_not_found(alice, bob):
    installation = installation_create(user=bob, provider=provider("calendar-sync"), fields=["identity.id"])
    client = signed_in(alice)
    url = reverse("privacy_integration_remove", args=[installation.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    installation.refresh_from_db()
    assert installation.status == "active"
