from django.db import migrations, models

import exporthub.tenancy.models.users


def fill_external_ids(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    for tenant in Tenant.objects.filter(external_id__isnull=True):
        tenant.external_id = exporthub.tenancy.models.users.new_external_id()
        tenant.save(update_fields=["external_id"])


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="external_id",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(fill_external_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="tenant",
            name="external_id",
            field=models.CharField(
                default=exporthub.tenancy.models.users.new_external_id,
                editable=False,
                help_text="External ID ExportHub presents when it assumes a customer's IAM role.",
                max_length=64,
                unique=True,
            ),
        ),
    ]
