"""Data-sharing events partitioned by month of occurred_at (audit.partitions).
PostgreSQL only."""

from django.db import migrations

from audit.db import partition_by_month


class Migration(migrations.Migration):
    dependencies = [("integrations", "0004_subprocessor_notices")]

    operations = [partition_by_month("integrations_sharingevent", "occurred_at")]
