"""Each month's partition refuses TRUNCATE like the table (audit.db)."""

from django.db import migrations

from audit.db import refuse_truncate_on_partitions


class Migration(migrations.Migration):
    dependencies = [("integrations", "0005_partition_sharing_events")]

    operations = [refuse_truncate_on_partitions("integrations_sharingevent")]
