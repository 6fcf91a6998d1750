"""The starting list of return reasons (退单理由); a district edits it in the admin."""

from django.db import migrations

REASONS = [
    ("not-our-remit", "非本单位职责", "Not within our unit's remit", False),
    ("outside-area", "不属本单位辖区", "Outside our unit's area", False),
    ("wrong-level", "应由上级或下级单位办理", "For a unit at another level", False),
    ("unclear", "诉求不清，需补充信息", "The request is unclear; details are missing", False),
    ("other-procedure", "已进入诉讼、仲裁、信访等法定途径", "Already in a court, arbitration or petition procedure", False),
    ("other", "其他（须说明）", "Other (explain)", True),
]


def add_reasons(apps, schema_editor):
    ReturnReason = apps.get_model("cases", "ReturnReason")
    for order, (code, name, name_en, explain) in enumerate(REASONS):
        ReturnReason.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "needs_explanation": explain,
                "sort_order": (order + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_work_orders")]
    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
