"""Consent records and states keep their revision id without a database foreign
key or index (see ConsentRecord.revision): the constraint's check locked the
current revision row from every consent transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_append_only"), ("cookies", "0002_seed_declaration")]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="revision",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cookies.declarationrevision",
            ),
        ),
        migrations.AlterField(
            model_name="consentstate",
            name="revision",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cookies.declarationrevision",
            ),
        ),
    ]
