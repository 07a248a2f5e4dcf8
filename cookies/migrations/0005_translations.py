from django.db import migrations, models


def translate(apps, schema_editor):
    """The seeded declaration's texts in Swedish, published as a new revision
    (the texts people agreed to did not change, so nobody is asked again)."""
    from cookies.seed import publish_if_changed, seed_translations

    Category = apps.get_model("cookies", "CookieCategory")
    Revision = apps.get_model("cookies", "DeclarationRevision")
    if not Revision.objects.exists():
        return
    seed_translations(Category, apps.get_model("cookies", "Cookie"), apps.get_model("cookies", "DeclaredHost"))
    publish_if_changed(Category, Revision)


class Migration(migrations.Migration):
    dependencies = [("cookies", "0004_tracker_sightings")]

    operations = [
        migrations.AddField(
            model_name="cookiecategory",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.AddField(
            model_name="cookie",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.AddField(
            model_name="declaredhost",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
