"""Each month's partition refuses TRUNCATE like the table (audit.db)."""

from django.db import migrations

from audit.db import refuse_truncate_on_partitions


class Migration(migrations.Migration):
    dependencies = [("consent", "0007_partition_consent_records")]

    operations = [refuse_truncate_on_partitions("consent_consentrecord")]
