import django.db.models.deletion
from django.db import migrations, models

import cookies.models


def declare_signals(apps, schema_editor):
    """Existing declarations: what GPC refuses and which consent-mode types each
    category grants, the hosts analytics loads from, and the banner's own
    local-storage key on other iCentrex sites, published as a new revision.
    Nothing a person agreed to gains a purpose or a recipient, so nobody is
    asked again."""
    from cookies.seed import COOKIES, SIGNALS, publish_if_changed, seed_hosts

    Category = apps.get_model("cookies", "CookieCategory")
    Cookie = apps.get_model("cookies", "Cookie")
    Host = apps.get_model("cookies", "DeclaredHost")
    Revision = apps.get_model("cookies", "DeclarationRevision")
    if not Revision.objects.exists():
        return  # nothing seeded (0002 seeds with these already)
    for key, (gpc_opt_out, consent_mode) in SIGNALS.items():
        Category.objects.filter(key=key).update(gpc_opt_out=gpc_opt_out, consent_mode=consent_mode)
    seed_hosts(Category, Host)
    necessary = Category.objects.filter(key="necessary").first()
    for key, name, provider, first_party, domain, days, purpose, tied in COOKIES:
        if name == "icx-consent" and necessary is not None:
            Cookie.objects.get_or_create(
                category=necessary,
                name=name,
                defaults={
                    "provider": provider,
                    "first_party": first_party,
                    "domain": domain,
                    "lifetime_days": days,
                    "purpose": purpose,
                    "tied_to_account": tied,
                },
            )
    publish_if_changed(Category, Revision)


class Migration(migrations.Migration):
    dependencies = [("cookies", "0002_seed_declaration")]

    operations = [
        migrations.AddField(
            model_name="cookiecategory",
            name="gpc_opt_out",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not affected by an opt-out signal"),
                    ("sale_sharing", "Sale or sharing of personal information"),
                    ("cross_context_advertising", "Cross-context behavioural advertising"),
                ],
                default="",
                help_text="Whether a browser's Global Privacy Control signal turns this category off, and why.",
                max_length=32,
                verbose_name="opt-out signal refuses it as",
            ),
        ),
        migrations.AddField(
            model_name="cookiecategory",
            name="consent_mode",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='The consent-mode types this category grants, e.g. ["analytics_storage"].',
                validators=[cookies.models.validate_consent_mode],
                verbose_name="Google Consent Mode types",
            ),
        ),
        migrations.CreateModel(
            name="DeclaredHost",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("host", models.CharField(max_length=253, unique=True, verbose_name="host")),
                ("provider", models.CharField(max_length=120, verbose_name="provider")),
                ("purpose", models.TextField(verbose_name="purpose")),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="hosts", to="cookies.cookiecategory"
                    ),
                ),
            ],
            options={"ordering": ["category__position", "host"]},
        ),
        migrations.RunPython(declare_signals, migrations.RunPython.noop),
    ]
