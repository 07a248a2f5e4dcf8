from django.db import migrations, models


def classify(apps, schema_editor):
    """Service providers act for iCentrex under a processing agreement; an
    integration a person installs is a third party receiving data at their direction."""
    Provider = apps.get_model("integrations", "Provider")
    Provider.objects.filter(kind="service_provider").update(role="service_provider")
    Provider.objects.filter(kind="integration").update(role="third_party")


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_installation_index")]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="role",
            field=models.CharField(
                choices=[
                    ("service_provider", "Service provider or processor"),
                    ("contractor", "Contractor"),
                    ("third_party", "Third party"),
                ],
                default="third_party",
                help_text="A service provider or contractor processes only for iCentrex, under a contract.",
                max_length=20,
                verbose_name="role under the CCPA",
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="advertising",
            field=models.BooleanField(
                default=False,
                help_text="It uses what it receives to target ads across other businesses' sites or apps.",
                verbose_name="receives data for cross-context behavioural advertising",
            ),
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
    ]
