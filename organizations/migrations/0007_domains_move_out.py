"""Email domains and disclosures move to the ``domains`` app (its migration
0001 takes the models over). Only Django's state changes here: the tables keep
their names (``organizations_domainclaim`` ...), rows, constraints, indexes and
append-only triggers (0005), and the models name them in ``Meta.db_table``."""

from django.db import migrations

MOVED = [
    # Those with a foreign key to another moved model first.
    "DisclosureLane",
    "DisclosureSealEntry",
    "DisclosureRun",
    "DisclosureSeal",
    "EmailDisclosure",
    "DisclosureState",
    "DisclosureDigest",
    "DomainClaim",
]


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0006_user_email_domain_column"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        ),
    ]
