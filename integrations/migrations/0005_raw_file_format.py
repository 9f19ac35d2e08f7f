"""Raw integrations saved before raw feeds had a file format: CSV.gz, stated in their config."""

from django.db import migrations

RAW_FEEDS = ("clicks", "conversions")


def state_csv(apps, schema_editor):
    Integration = apps.get_model("integrations", "Integration")
    for integration in Integration.objects.filter(feed__in=RAW_FEEDS):
        config = dict(integration.config)
        if not config.get("format"):
            config.update(format="csv", compression="GZIP")
            Integration.objects.filter(pk=integration.pk).update(config=config)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0004_credentials_expiry")]

    operations = [migrations.RunPython(state_csv, migrations.RunPython.noop)]
