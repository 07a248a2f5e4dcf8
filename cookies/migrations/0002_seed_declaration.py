from django.db import migrations

from audit.db import append_only_trigger


def seed(apps, schema_editor):
    from cookies.seed import seed_declaration

    seed_declaration(
        apps.get_model("cookies", "CookieCategory"),
        apps.get_model("cookies", "Cookie"),
        apps.get_model("cookies", "DeclarationRevision"),
    )


class Migration(migrations.Migration):
    dependencies = [("cookies", "0001_initial"), ("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        append_only_trigger("cookies_declarationrevision"),
    ]
