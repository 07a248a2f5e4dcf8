from django.db import migrations, models


def translate(apps, schema_editor):
    """The seeded declaration's texts in Swedish, published as a new revision
    (the texts people agreed to did not change, so nobody is asked again)."""
    from cookies.declaration import declaration_content, declaration_hash
    from cookies.seed import seed_translations

    Category = apps.get_model("cookies", "CookieCategory")
    Revision = apps.get_model("cookies", "DeclarationRevision")
    if not Revision.objects.exists():
        return
    seed_translations(Category, apps.get_model("cookies", "Cookie"), apps.get_model("cookies", "DeclaredHost"))
    content = declaration_content(Category)
    digest = declaration_hash(content)
    if not Revision.objects.filter(content_hash=digest).exists():
        Revision.objects.create(content=content, content_hash=digest)


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
