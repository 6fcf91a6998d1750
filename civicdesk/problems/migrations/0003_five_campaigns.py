"""The five special campaigns of the brief."""

from django.db import migrations

CAMPAIGNS = [
    ("broken-promises", "政府失信违诺", "Broken government promises to enterprises"),
    ("judicial-environment", "司法执法环境", "Judicial and enforcement environment"),
    ("inaction", "不作为乱作为", "Inaction and misconduct"),
    ("black-intermediaries", "黑中介", "Collusion with black intermediaries"),
    ("monopoly-utilities", "垄断行业", "Monopoly utilities"),
]


def add_campaigns(apps, schema_editor):
    Campaign = apps.get_model("problems", "Campaign")
    for order, (code, name, name_en) in enumerate(CAMPAIGNS):
        Campaign.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("problems", "0002_campaigns_and_ownership")]
    operations = [migrations.RunPython(add_campaigns, migrations.RunPython.noop)]
