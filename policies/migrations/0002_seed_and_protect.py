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
    from policies.seed import seed_documents

    seed_documents(apps.get_model("policies", "PolicyDocument"), apps.get_model("policies", "PolicyVersion"))


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), migrations.RunPython(protect, elidable=False)]
