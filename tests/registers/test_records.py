"""Records of processing (GDPR art. 30) generated from the registers: complete
(a model holding personal data without the purpose, retention or recipients
the record needs fails here), stable (same registers, same bytes), streamed
(queries constant in organisations), kept as editions that answer "what did
the record say on date X", and in JSON, CSV and JSON-LD."""

import csv
import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.evidence import EvidenceImmutableError
from audit.models import AuditEvent
from core.processing import ACTIVITIES, SERVICES
from core.register import Deleted, NotExported, PersonalData, declarations
from domains.models import DomainClaim
from integrations.models import Installation, Provider
from organizations.models import DataPolicy, Organization
from registers import records, services
from registers.models import RecordEdition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = UserFactory(email="officer@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


# --- Complete: the record can account for every model holding personal data -----------------


def test_every_declaration_names_an_activity_and_categories_the_record_uses():
    used = set()
    for model, declaration in declarations():
        assert declaration.activity in ACTIVITIES, model
        assert declaration.categories and str(declaration.retention).strip(), model
        used.add(declaration.activity)
    for key, activity in ACTIVITIES.items():
        assert str(activity.purpose).strip() and activity.data_subjects, key
        # An activity no model serves must say which data only its providers hold.
        assert key in used or activity.held_elsewhere, f"activity {key!r} holds no personal data"
        assert activity.services or activity.to_integrations or activity.to_organisations, key


def test_every_kind_of_service_provider_has_an_activity():
    """A new kind of provider cannot receive data the record has no purpose for."""
    assert set(Provider.Service.values) == set(SERVICES)
    for service in SERVICES:
        assert any(service in a.services for a in ACTIVITIES.values()), service


def test_a_declaration_without_activity_or_with_an_unknown_category_is_refused():
    common = dict(
        person="user",
        export=NotExported("x"),
        erasure=Deleted("x"),
        retention="x",
    )
    with pytest.raises(TypeError):
        PersonalData(**common)  # no activity, no categories
    with pytest.raises(ValueError, match="activity"):
        PersonalData(**common, activity="marketing_lists", categories=("contact",))
    with pytest.raises(ValueError, match="categories"):
        PersonalData(**common, activity="account", categories=("shoe_size",))
    with pytest.raises(ValueError, match="categories"):
        PersonalData(**common, activity="account", categories=())


def test_the_controller_record_holds_every_model_every_active_provider_and_the_transfers():
    Provider.objects.filter(slug="paybridge").update(active=False)
    Provider.objects.filter(slug="brightreach").update(transfer_mechanism="")
    record = records.controller_record()
    assert record["controller"]["name"] == settings.CONTROLLER_NAME
    in_record = {row["model"] for row in record["retention"]}
    assert in_record == {model._meta.label_lower for model, _d in declarations()}
    recipients = {r["key"]: r for r in record["recipients"]}
    assert set(recipients) == set(Provider.objects.filter(active=True).values_list("slug", flat=True))
    assert recipients["mailstream"]["legal_bases"] and "account" in recipients["mailstream"]["activities"]
    assert recipients["calendar-sync"]["activities"] == ["integrations"]
    assert recipients["calendar-sync"]["legal_bases"] == ["consent"]
    # US is outside the EEA: a transfer, here with its safeguard missing; GB is one with adequacy.
    transfers = {t["recipient"]: t for t in record["transfers"]}
    assert transfers["brightreach"]["safeguard_missing"] is True
    assert transfers["sentinel-security"] == {
        "recipient": "sentinel-security",
        "country": "GB",
        "safeguard": "UK adequacy decision",
        "safeguard_missing": False,
    }
    assert "mailstream" not in transfers
    billing = next(a for a in record["activities"] if a["key"] == "billing")
    assert billing["personal_data"][0]["held_by_providers_only"] is True
    assert record["security_measures"]


def test_the_same_registers_give_the_same_bytes_and_a_change_gives_others():
    first = records.sha256(records.controller_record())
    assert records.sha256(records.controller_record()) == first
    Provider.objects.filter(slug="mailstream").update(country="US", transfer_mechanism="SCCs")
    assert records.sha256(records.controller_record()) != first


# --- Processor records: per organisation, streamed ------------------------------------------


def test_an_organisations_record_holds_its_own_instructions(owner, acme, globex):
    DataPolicy.objects.update_or_create(organization=acme, defaults={"retention_days": 90})
    DomainClaim.objects.create(organization=acme, domain="acme.example", token="t", status="verified")
    DomainClaim.objects.create(organization=acme, domain="pending.example", token="u")
    Installation.objects.create(
        provider=Provider.objects.get(slug="expense-reports"),
        installed_by=owner.user,
        organization=acme,
        audience="me",
        granted_fields=["identity.id", "organisation.name"],
    )
    parts = dict((o.slug, part) for o, part in records.organization_parts())
    assert parts["acme"]["controller"]["organisation"] == "Acme AB"
    assert parts["acme"]["instructions"]["data_policy"]["member_content_kept_days"] == 90
    assert parts["acme"]["instructions"]["verified_domains"] == ["acme.example"]
    (installed,) = parts["acme"]["instructions"]["integrations_installed"]
    assert installed["key"] == "expense-reports" and len(installed["data_received"]) == 2
    assert parts["globex"]["instructions"] == {
        "data_policy": {
            "member_content_kept_days": None,
            "review_allowed_for": "nobody",
            "member_told_of_review": True,
            "export_allowed_for": "owners",
        },
        "verified_domains": [],
        "integrations_installed": [],
    }
    common = records.processor_common()
    assert {p["key"] for p in common["sub_processors"]} == set(
        Provider.objects.filter(kind="service_provider", active=True).values_list("slug", flat=True)
    )
    assert {a["key"] for a in common["processing"]} == {k for k, a in ACTIVITIES.items() if a.for_customers}
    # No one's name or address: the record can be kept for ever.
    assert "owner@acme.example" not in json.dumps(records.processor_record(common, parts["acme"]))


def test_processor_records_cost_the_same_queries_for_three_organisations_or_thirty(owner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            parts = list(records.organization_parts())
        assert len(parts) == Organization.objects.count()
        return len(captured)

    few = queries()
    for n in range(27):
        organization = Organization.objects.create(name=f"Org {n}", slug=f"org-{n}")
        DomainClaim.objects.create(
            organization=organization, domain=f"org{n}.example", token="t", status="verified"
        )
        DataPolicy.objects.create(organization=organization, retention_days=n + 1)
    assert queries() == few


def test_the_piecewise_hash_is_the_hash_of_the_whole_record(acme, globex):
    common = records.processor_common()
    hasher = records.ProcessorRecordHasher(common)
    for _organization, part in records.organization_parts():
        assert hasher.sha256(part) == records.sha256(records.processor_record(common, part))


# --- Downloads, editions and "as of" ------------------------------------------------------------


def test_a_download_is_kept_as_an_edition_with_its_hash_and_audited(officer, client):
    client.force_login(officer)
    response = client.get(reverse("staff_records"), {"format": "json"})
    assert response.status_code == 200
    body = response.content
    edition = RecordEdition.objects.get()
    assert hashlib.sha256(body).hexdigest() == edition.sha256 == response["X-Record-SHA256"]
    assert edition.occasion == "download" and edition.generated_by_subject is not None
    event = AuditEvent.objects.get(event_type=EventType.RECORD_OF_PROCESSING_GENERATED)
    assert event.changes["sha256"] == edition.sha256
    # The kept edition gives the same bytes back.
    again = client.get(reverse("staff_record_edition", args=[edition.pk]))
    assert again.content == body
    with pytest.raises(EvidenceImmutableError):
        RecordEdition.objects.filter(pk=edition.pk).update(language="xx")


def test_csv_has_a_row_per_activity_and_json_ld_uses_dpv(officer, client):
    client.force_login(officer)
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("staff_records"), {"format": "csv"}).getvalue().decode()))
    )
    assert rows[0][:4] == ["record", "controller", "activity", "purpose"]
    assert len(rows) == 1 + len(ACTIVITIES)
    graph = json.loads(client.get(reverse("staff_records"), {"format": "jsonld"}).content)
    assert graph["@context"]["dpv"] == "https://w3id.org/dpv#"
    assert graph["@type"] == "dpv:RecordsOfActivities"
    bases = {p["dpv:hasLegalBasis"]["@id"] for p in graph["@graph"]}
    assert bases == {"eu-gdpr:A6-1-a", "eu-gdpr:A6-1-b", "eu-gdpr:A6-1-c", "eu-gdpr:A6-1-f"}
    assert RecordEdition.objects.count() == 2


def test_daily_editions_keep_only_what_changed(acme, globex):
    first = services.record_editions_daily(language="en")
    assert first == {"controller": 1, "processor": 2}
    assert services.record_editions_daily(language="en") == {"controller": 0, "processor": 0}
    DataPolicy.objects.update_or_create(organization=acme, defaults={"retention_days": 30})
    assert services.record_editions_daily(language="en") == {"controller": 0, "processor": 1}
    Provider.objects.filter(slug="mailstream").update(purpose="Sends every email iCentrex sends.")
    assert services.record_editions_daily(language="en") == {"controller": 1, "processor": 2}
    # Every kept processor edition gives back the bytes of its hash.
    from registers.selectors import edition_document

    for edition in RecordEdition.objects.all():
        assert hashlib.sha256(edition_document(edition)).hexdigest() == edition.sha256


def test_what_the_record_said_on_a_given_day(officer, client, acme):
    services.record_editions_daily(language="en")
    old = RecordEdition.objects.get(kind="processor", organization_id=acme.pk)
    # Editions are append-only: an older one is a copy inserted with an earlier time.
    week_ago = timezone.now() - timedelta(days=7)
    older = RecordEdition.objects.create(
        kind="processor",
        organization_id=acme.pk,
        language="en",
        sha256=old.sha256,
        document_id=old.document_id,
        common_id=old.common_id,
        occasion="scheduled",
        generated_at=week_ago,
    )
    client.force_login(officer)
    url = reverse("staff_record_editions")
    on = lambda day: client.get(url, {"kind": "processor", "organization": "acme", "on": day.isoformat()})  # noqa: E731
    assert (
        f'href="{reverse("staff_record_edition", args=[older.pk])}"'
        in on(timezone.localdate() - timedelta(days=3)).content.decode()
    )
    assert "No edition of that record" in on(timezone.localdate() - timedelta(days=30)).content.decode()
    today = on(timezone.localdate()).content.decode()
    assert f'href="{reverse("staff_record_edition", args=[old.pk])}"' in today


def test_bad_filters_are_a_400_and_write_nothing(officer, client):
    client.force_login(officer)
    assert client.get(reverse("staff_records"), {"activity": "no-such"}).status_code == 400
    response = client.get(
        reverse("staff_record_editions"), {"kind": "processor", "organization": "nobody", "on": "2026-01-01"}
    )
    assert response.status_code == 400 and "existing organisation" in response.content.decode()
    assert (
        client.get(reverse("staff_record_editions"), {"kind": "controller", "on": "not-a-date"}).status_code
        == 400
    )
    assert not RecordEdition.objects.exists()


def test_the_page_filters_activities_and_recipients(officer, client):
    client.force_login(officer)
    page = client.get(reverse("staff_records"), {"activity": "integrations"}).content.decode()
    assert 'id="activity-integrations"' in page and 'id="activity-account"' not in page
    assert "Calendar Sync" in page and "Mailstream" not in page
    outside = client.get(reverse("staff_records"), {"where": "outside_eea"}).content.decode()
    assert "Brightreach" in outside and "Northwind Cloud" not in outside


def test_owners_read_and_download_their_own_record_only(console, owner, admin, outsider):
    client = console(owner)
    page = client.get(reverse("org_record", args=["acme"]))
    assert page.status_code == 200 and "Acme AB" in page.content.decode()
    body = client.get(reverse("org_record", args=["acme"]), {"format": "json"}).content
    record = json.loads(body)
    assert record["controller"]["key"] == "acme" and record["record"] == "processor"
    edition = RecordEdition.objects.get()
    assert (
        edition.organization_id == owner.organization_id
        and hashlib.sha256(body).hexdigest() == edition.sha256
    )
    assert AuditEvent.objects.get(event_type=EventType.RECORD_OF_PROCESSING_GENERATED).organization_id == (
        owner.organization_id
    )
    assert client.get(reverse("org_record", args=["globex"])).status_code == 404
    client.logout()
    assert console(admin).get(reverse("org_record", args=["acme"])).status_code == 403
