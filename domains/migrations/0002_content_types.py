"""The content types of the moved models follow them: organizations.domainclaim
becomes domains.domainclaim (and so on), keeping its id, so permissions and
anything else that points at a content type keep pointing at the same model.

A fresh database has no content types yet (Django makes them after migrating)
and this does nothing. Where the new one exists already, the old one is left
as it is, as Django's own RenameModel does."""

from django.db import IntegrityError, migrations, transaction

MODELS = [
    "domainclaim",
    "disclosurerun",
    "disclosurelane",
    "emaildisclosure",
    "disclosureseal",
    "disclosuresealentry",
    "disclosurestate",
    "disclosuredigest",
]


def _rename(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        try:
            with transaction.atomic(using=db):
                ContentType.objects.db_manager(db).filter(app_label=old, model=model).update(app_label=new)
        except IntegrityError:
            continue
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, "organizations", "domains")


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, "domains", "organizations")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("domains", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
