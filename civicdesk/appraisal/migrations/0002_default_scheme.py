"""A starting appraisal scheme as 12345 centres score units (接诉即办考核): 100 points from the
three rates (response 30, resolution 30, satisfaction 40), deductions for overdue cases, bad
window ratings that stand and overdue measures, a bonus for praised cases. It is data: a
supervisor saves a new version from the scheme page (the deduction per supervision letter
answered late joins once the supervision app registers its line kind)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

LINES = [
    ("rate", "response", "30", None),
    ("rate", "resolution", "30", None),
    ("rate", "satisfaction", "40", None),
    ("overdue_case", "", "0.5", "10"),
    ("upheld_bad_rating", "", "1", "10"),
    ("overdue_measure", "", "2", "10"),
    ("praised_case", "", "0.5", "5"),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("appraisal", "Scheme")
    SchemeLine = apps.get_model("appraisal", "SchemeLine")
    if Scheme.objects.exists():
        return
    scheme = Scheme.objects.create(
        name="接诉即办考核方案", valid_from=date(2025, 1, 1), note="系统初始方案。"
    )
    for position, (kind, target, points, cap) in enumerate(LINES, start=1):
        SchemeLine.objects.create(
            scheme=scheme,
            position=position,
            kind=kind,
            target=target,
            points=Decimal(points),
            cap=Decimal(cap) if cap else None,
        )


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
