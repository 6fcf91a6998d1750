"""The channels that bring messages by themselves: e-mail, SMS and the WeChat official account."""

from django.db import migrations

CHANNELS = [
    # code, name (zh-Hans), English, sort order
    ("email", "电子邮件", "E-mail", 25),
    ("sms", "短信", "SMS", 26),
    ("wechat", "微信公众号", "WeChat official account", 27),
]


def add_channels(apps, schema_editor):
    Channel = apps.get_model("intake", "Channel")
    for code, name, name_en, order in CHANNELS:
        Channel.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": "online",
                "is_public_form": False,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("inbound", "0001_initial"), ("intake", "0004_submission_stored_at")]
    operations = [migrations.RunPython(add_channels, migrations.RunPython.noop)]
