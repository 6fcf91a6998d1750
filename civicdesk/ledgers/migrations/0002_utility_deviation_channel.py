"""The channel through which citizens report a utility deviating from its published standard."""

from django.db import migrations


def add_channel(apps, schema_editor):
    Channel = apps.get_model("intake", "Channel")
    Channel.objects.get_or_create(
        code="utility_deviation",
        defaults={
            "name": "垄断行业服务偏差",
            "name_en": "Utility deviation report",
            "group": "online",
            # Reports come only through the utility pages' own form, not the generic API.
            "is_public_form": False,
            "sort_order": 200,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial"), ("intake", "0002_channels")]
    operations = [migrations.RunPython(add_channel, migrations.RunPython.noop)]
