"""The channel of web questionnaires for citizens (enterprise and paper ones exist already)."""

from django.db import migrations


def add_channel(apps, schema_editor):
    Channel = apps.get_model("intake", "Channel")
    Channel.objects.get_or_create(
        code="citizen_questionnaire",
        defaults={
            "name": "居民问卷",
            "name_en": "Citizen questionnaire",
            "group": "questionnaire",
            # Answers come only through the questionnaire pages, not the generic API.
            "is_public_form": False,
            "sort_order": 75,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial"), ("intake", "0002_channels")]
    operations = [migrations.RunPython(add_channel, migrations.RunPython.noop)]
