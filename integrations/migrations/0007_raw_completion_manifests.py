"""Raw integrations saved before completion manifests became an option keep receiving them.

Their consumers may wait for a window's manifest; new integrations write the files alone (seed
000) unless they ask. The manifests now go under {Directory}/_manifests/ (docs/exports.md)."""

from django.db import migrations

RAW_FEEDS = ("clicks", "conversions")


def keep_manifests(apps, schema_editor):
    Integration = apps.get_model("integrations", "Integration")
    for integration in Integration.objects.filter(feed__in=RAW_FEEDS):
        config = dict(integration.config)
        if "completion_manifests" not in config:
            config["completion_manifests"] = True
            Integration.objects.filter(pk=integration.pk).update(config=config)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0006_feed_choices")]

    operations = [migrations.RunPython(keep_manifests, migrations.RunPython.noop)]
