from datetime import UTC, datetime

from django.db import migrations

_PROTECT = """
CREATE OR REPLACE FUNCTION policies_refuse_published_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'policy version % is published: % refused', OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policies_policyversion_immutable BEFORE UPDATE OR DELETE ON policies_policyversion
FOR EACH ROW EXECUTE FUNCTION policies_refuse_published_change();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PROTECT, params=None)


def seed(apps, schema_editor):
    from policies.models import version_hash
    from policies.seed import DOCUMENTS

    Document = apps.get_model("policies", "PolicyDocument")
    Version = apps.get_model("policies", "PolicyVersion")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for slug, title, position, body, summary in DOCUMENTS:
        document = Document.objects.create(slug=slug, title=title, position=position)
        version = Version(document=document, number=1, body=body, summary=summary, effective_at=start,
                          material=False, status="published", published_at=start)
        version.content_hash = version_hash(
            document=slug, number=1, body=body, summary=summary, effective_at=start, material=False
        )
        version.save()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), migrations.RunPython(protect, elidable=False)]
