"""Consent records partitioned by month of recorded_at (audit.partitions): retention
drops a month at a time instead of deleting row by row. PostgreSQL only."""

from django.db import migrations

from audit.db import partition_by_month


class Migration(migrations.Migration):
    dependencies = [("consent", "0006_opt_out_method")]

    operations = [partition_by_month("consent_consentrecord", "recorded_at")]
