from django.db import migrations

from audit.db import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial"), ("audit", "0002_append_only_trigger")]

    operations = [
        append_only_trigger("consent_consentrecord"),
        append_only_trigger("consent_consentlink"),
        append_only_trigger("consent_consentseal"),
        append_only_trigger("consent_consentsealentry"),
    ]
