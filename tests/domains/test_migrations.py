"""Email domains and disclosures moved from organizations to domains
(organizations 0007, domains 0001 and 0002): a database migrated before the
move keeps its tables and rows, which the new models read, and its content
types and permissions, which now name the domains app."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from domains.models import DomainClaim, EmailDisclosure

BEFORE_THE_MOVE = [("organizations", "0006_user_email_domain_column"), ("domains", None)]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    return executor.migrate(targets or executor.loader.graph.leaf_nodes()).apps


def test_a_database_from_before_the_move_keeps_its_rows_and_content_types():
    old = _migrate(BEFORE_THE_MOVE)
    try:
        with pytest.raises(LookupError):
            old.get_model("domains", "DomainClaim")
        organization = old.get_model("organizations", "Organization").objects.create(name="Acme", slug="acme")
        claim = old.get_model("organizations", "DomainClaim").objects.create(
            organization=organization, domain="acme.example", token="t0ken", status="verified"
        )
        values = {
            "disclosure_id": uuid.uuid4(),
            "organization_id": organization.pk,
            "organization_name": "Acme",
            "claim_id": claim.pk,
            "domain": "acme.example",
            "run_id": 1,
            "subject_key": uuid.uuid4(),
            "sealed": "sealed-token",
            "disclosed_at": timezone.now(),
        }
        disclosure = old.get_model("organizations", "EmailDisclosure").objects.create(
            **values, record_hash=EmailDisclosure.hash_of(values)
        )
        content_type, _created = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="organizations", model="domainclaim"
        )
        permission, _created = old.get_model("auth", "Permission").objects.get_or_create(
            content_type=content_type, codename="view_domainclaim", defaults={"name": "Can view domain claim"}
        )
    finally:
        _migrate(None)
        ContentType.objects.clear_cache()

    moved = DomainClaim.objects.select_related("organization").get(pk=claim.pk)
    assert (moved.domain, moved.status, moved.organization.slug) == ("acme.example", "verified", "acme")
    evidence = EmailDisclosure.objects.get(seq=disclosure.seq)
    assert evidence.compute_hash() == evidence.record_hash == disclosure.record_hash
    renamed = ContentType.objects.get(pk=content_type.pk)
    assert (renamed.app_label, renamed.model) == ("domains", "domainclaim")
    assert renamed.model_class() is DomainClaim
    assert ContentType.objects.get_for_model(DomainClaim).pk == content_type.pk
    assert not ContentType.objects.filter(app_label="organizations", model="domainclaim").exists()
    assert Permission.objects.get(pk=permission.pk).content_type_id == content_type.pk
    assert Permission.objects.filter(content_type__app_label="domains", codename="view_domainclaim").exists()


def test_the_moved_tables_keep_their_names_and_their_append_only_triggers():
    from django.apps import apps

    # Models added since the move have their own names.
    tables = {model._meta.db_table for model in apps.get_app_config("domains").get_models()} - {
        "domains_disclosureletter"
    }
    assert tables == {
        "organizations_domainclaim",
        "organizations_disclosurerun",
        "organizations_disclosurelane",
        "organizations_emaildisclosure",
        "organizations_disclosureseal",
        "organizations_disclosuresealentry",
        "organizations_disclosurestate",
        "organizations_disclosuredigest",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
            ["organizations_%_append_only"],
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert guarded >= {
        "organizations_emaildisclosure",
        "organizations_disclosureseal",
        "organizations_disclosuresealentry",
    }
